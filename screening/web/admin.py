"""Administration pages: organisations, users, API keys (shown once), the watchlist and the rule set."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from ..models import ADMIN, COMPLIANCE_OFFICER, ROLES, ApiKey, Order, Organisation, User
from ..services import (
    ServiceError,
    create_api_key,
    create_organisation,
    create_user,
    deactivate_organisation,
    deactivate_user,
    list_api_keys,
    list_users,
    revoke_api_key,
)
from .blueprints import admin
from .common import actor, sentence, session
from .security import roles_required

ROLE_LABELS = {
    "compliance_officer": "Compliance officer",
    "hsi_liaison": "HSI liaison",
    "admin": "Administrator",
}


def organisations() -> list[Organisation]:
    return list(session().scalars(select(Organisation).order_by(Organisation.name)))


@admin.before_request
@roles_required(ADMIN)
def require_admin() -> None:
    return None


@admin.get("/")
def index() -> ResponseReturnValue:
    dbs = session()
    counts = {
        "organisations": dbs.scalar(select(func.count()).select_from(Organisation)) or 0,
        "users": dbs.scalar(select(func.count()).select_from(User).where(User.active.is_(True))) or 0,
        "api_keys": dbs.scalar(select(func.count()).select_from(ApiKey).where(ApiKey.revoked_at.is_(None)))
        or 0,
        "orders": dbs.scalar(select(func.count()).select_from(Order)) or 0,
    }
    return render_template("admin/index.html", counts=counts, versions=versions())


def versions() -> dict[str, str]:
    from chem_db import get_engine
    from rules import current_ruleset

    engine = get_engine()
    return {
        "watchlist": engine.version,
        "engine": engine.engine_version,
        "rules": current_ruleset().version,
    }


# --- organisations ---


@admin.route("/organisations", methods=["GET", "POST"])
def organisations_page() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    name = ""
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()
        dbs = session()
        try:
            org = create_organisation(dbs, name, actor())
        except ServiceError as exc:
            dbs.rollback()
            errors["name"] = sentence(exc.message)
        else:
            dbs.commit()
            flash(f"Organisation {org.name} created.", "success")
            return redirect(url_for("admin.organisations_page"), code=303)
    dbs = session()
    user_counts = dict(
        dbs.execute(select(User.organisation_id, func.count()).group_by(User.organisation_id)).all()
    )
    key_counts = dict(
        dbs.execute(
            select(ApiKey.organisation_id, func.count())
            .where(ApiKey.revoked_at.is_(None))
            .group_by(ApiKey.organisation_id)
        ).all()
    )
    return (
        render_template(
            "admin/organisations.html",
            organisations=organisations(),
            user_counts=user_counts,
            key_counts=key_counts,
            errors=errors,
            name=name,
        ),
        422 if errors else 200,
    )


@admin.post("/organisations/<int:org_id>/deactivate")
def deactivate_organisation_page(org_id: int) -> ResponseReturnValue:
    dbs = session()
    org = dbs.get(Organisation, org_id) or abort(404)
    deactivate_organisation(dbs, org, actor())
    dbs.commit()
    flash(
        f"Organisation {org.name} deactivated: its users cannot sign in and its API keys stop working.",
        "success",
    )
    return redirect(url_for("admin.organisations_page"), code=303)


# --- users ---


@admin.route("/users", methods=["GET", "POST"])
def users_page() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"email": "", "name": "", "role": COMPLIANCE_OFFICER, "organisation": ""}
    if request.method == "POST":
        values = {key: (request.form.get(key) or "").strip() for key in values}
        password = request.form.get("password") or ""
        dbs = session()
        org = None
        if values["organisation"]:
            try:
                org = dbs.get(Organisation, int(values["organisation"]))
            except ValueError:
                org = None
            if org is None:
                errors["organisation"] = "Choose an organisation from the list."
        if values["role"] not in ROLES:
            errors["role"] = "Choose a role."
        if not errors:
            try:
                created = create_user(
                    dbs,
                    values["email"],
                    values["role"],
                    password,
                    actor(),
                    organisation=org,
                    name=values["name"] or None,
                )
            except ServiceError as exc:
                dbs.rollback()
                for key, problems in (exc.errors or {"email": [exc.message]}).items():
                    errors[key] = sentence(
                        f"{exc.message}" if key in ("email", "organisation") else "; ".join(problems)
                    )
            else:
                dbs.commit()
                flash(f"User {created.email} created ({ROLE_LABELS[created.role]}).", "success")
                return redirect(url_for("admin.users_page"), code=303)
    return (
        render_template(
            "admin/users.html",
            users=list_users(session()),
            organisations=organisations(),
            roles=[(role, ROLE_LABELS[role]) for role in ROLES],
            role_labels=ROLE_LABELS,
            errors=errors,
            values=values,
        ),
        422 if errors else 200,
    )


@admin.post("/users/<int:user_id>/deactivate")
def deactivate_user_page(user_id: int) -> ResponseReturnValue:
    dbs = session()
    target = dbs.get(User, user_id) or abort(404)
    if str(target.id) == actor().id:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("admin.users_page"), code=303)
    deactivate_user(dbs, target, actor())
    dbs.commit()
    flash(f"User {target.email} deactivated.", "success")
    return redirect(url_for("admin.users_page"), code=303)


# --- API keys ---


@admin.route("/api-keys", methods=["GET", "POST"])
def api_keys_page() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    new_key: dict[str, str] | None = None
    values = {"organisation": "", "label": ""}
    if request.method == "POST":
        values = {key: (request.form.get(key) or "").strip() for key in values}
        dbs = session()
        try:
            org = dbs.get(Organisation, int(values["organisation"])) if values["organisation"] else None
        except ValueError:
            org = None
        if org is None:
            errors["organisation"] = "Choose an organisation."
        elif not org.active:
            errors["organisation"] = "That organisation is deactivated."
        else:
            api_key, secret = create_api_key(dbs, org, actor(), label=values["label"] or None)
            dbs.commit()
            new_key = {"prefix": api_key.prefix, "key": secret, "organisation": org.name}
            values = {"organisation": "", "label": ""}
    response = render_template(
        "admin/api_keys.html",
        keys=list_api_keys(session()),
        organisations=[org for org in organisations() if org.active],
        errors=errors,
        values=values,
        new_key=new_key,
    )
    # The full key is on this page only: never cached, never repeated.
    return response, 422 if errors else (201 if new_key else 200), {"Cache-Control": "no-store"}


@admin.post("/api-keys/<int:key_id>/revoke")
def revoke_api_key_page(key_id: int) -> ResponseReturnValue:
    dbs = session()
    api_key = dbs.get(ApiKey, key_id) or abort(404)
    revoke_api_key(dbs, api_key, actor())
    dbs.commit()
    flash(f"API key {api_key.prefix} revoked: it stops working at once.", "success")
    return redirect(url_for("admin.api_keys_page"), code=303)


# --- watchlist and rules ---


@admin.get("/watchlist")
def watchlist() -> ResponseReturnValue:
    from chem_db import get_engine

    watchlist = get_engine().compiled.watchlist
    query = (request.args.get("q") or "").strip().lower()[:100]
    family = request.args.get("family") or ""
    entries = [
        e
        for e in watchlist.entries
        if (not family or e.family == family)
        and (
            not query
            or query in e.id
            or query in e.name.lower()
            or any(query in s.lower() for s in e.synonyms)
            or any(query == cas for cas in e.all_cas)
        )
    ]
    families = sorted({e.family for e in watchlist.entries if e.family})
    return render_template(
        "admin/watchlist.html",
        watchlist=watchlist,
        entries=entries,
        families=families,
        query=query,
        family=family,
    )


@admin.get("/watchlist/<string:entry_id>")
def watchlist_entry(entry_id: str) -> ResponseReturnValue:
    from chem_db import get_engine

    watchlist = get_engine().compiled.watchlist
    entry = watchlist.get(entry_id) or abort(404)
    classes = [c for c in watchlist.classes if c.leads_to == entry.id]
    exclusions = [x for x in watchlist.exclusions if entry.id in x.suppresses]
    return render_template(
        "admin/watchlist_entry.html", watchlist=watchlist, entry=entry, classes=classes, exclusions=exclusions
    )


@admin.get("/rules")
def rules() -> ResponseReturnValue:
    from rules import current_ruleset

    ruleset = current_ruleset()
    return render_template("admin/rules.html", ruleset=ruleset)
