"""The officer's order pages: the form (with line previews and spreadsheet paste), the result, history.

The form is validated with the API's ``OrderSchema`` and screened with the API's ``screen_order``;
the result page and its JSON download show the API's ``screening_document``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from flask import Response, abort, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from ..documents import screening_document
from ..models import COMPLIANCE_OFFICER, STATUSES, Order
from ..models.reviews import REASON_LABELS
from ..schemas import IdentifiersSchema
from ..services import IdempotencyConflict, NotFound, ServiceError, check_structures, get_order, list_orders
from ..services import screen_order as run_screening
from .blueprints import web
from .common import actor, organisation, session, setting
from .depiction import highlight_sets
from .forms import (
    CHEMICAL_KINDS,
    UNITS,
    OrderForm,
    blank_line,
    field_label,
    line_identifiers,
    line_is_blank,
    new_order_form,
    parse_paste,
    party_kind_options,
    read_order_form,
    validate_order_form,
)
from .security import roles_required

REVIEW_STATE_LABELS = {"open": "Waiting for a reviewer", "claimed": "Being reviewed", "decided": "Decided"}


def countries() -> list[tuple[str, str]]:
    from rules.countries import all_countries

    return all_countries()


def render_form(
    form: OrderForm, status: int = 200, previews: dict[int, Any] | None = None
) -> ResponseReturnValue:
    return (
        render_template(
            "web/new_order.html",
            form=form,
            previews=previews or {},
            countries=countries(),
            units=UNITS,
            chemical_kinds=CHEMICAL_KINDS,
            party_kinds=party_kind_options(),
            field_label=field_label,
            max_lines=int(setting("SCREENING_MAX_LINES")),
        ),
        status,
    )


@web.get("/screen")
@roles_required(COMPLIANCE_OFFICER)
def new_order() -> ResponseReturnValue:
    organisation()
    form = new_order_form(int(setting("SCREENING_FORM_BLANK_LINES")), uuid.uuid4().hex)
    return render_form(form)


@web.post("/screen")
@roles_required(COMPLIANCE_OFFICER)
def submit_order() -> ResponseReturnValue:
    org = organisation()
    form = read_order_form(request.form)
    if not form.submission:
        form.submission = uuid.uuid4().hex
    action = request.form.get("action", "screen")
    max_lines = int(setting("SCREENING_MAX_LINES"))

    if action == "add_line":
        if len(form.lines) < max_lines:
            form.lines.append(blank_line())
        return render_form(form)
    if action.startswith("remove_line-"):
        try:
            del form.lines[int(action.removeprefix("remove_line-"))]
        except (ValueError, IndexError):
            pass
        if not form.lines:
            form.lines.append(blank_line())
        return render_form(form)
    if action == "paste":
        pasted, problems = parse_paste(request.form.get("paste", ""), max_lines)
        kept = [line for line in form.lines if not line_is_blank(line)]
        form.lines = (kept + pasted)[:max_lines] or [blank_line()]
        if problems:
            form.errors["paste"] = problems
            form.values["paste"] = request.form.get("paste", "")
        return render_form(form, 422 if problems else 200)
    if action == "check":
        return render_form(form, previews=preview_lines(form))

    order_data, _body = validate_order_form(form)
    if order_data is None:
        return render_form(form, 422)
    dbs = session()
    options: dict[str, Any] = {"via": "web", "history_days": int(setting("SCREENING_HISTORY_DAYS"))}
    try:
        try:
            outcome = run_screening(dbs, org, order_data, actor(), f"web-{form.submission}", **options)
        except IdempotencyConflict:
            # The page was sent again after being changed (back button): a new order, not a retry.
            dbs.rollback()
            outcome = run_screening(dbs, org, order_data, actor(), None, **options)
    except ServiceError as exc:
        dbs.rollback()
        form.general_errors.append(exc.message)
        return render_form(form, exc.status)
    if not outcome.replayed:
        dbs.commit()
    return redirect(url_for("web.result", order_id=outcome.order.id), code=303)


def preview_lines(form: OrderForm) -> dict[int, Any]:
    """Each non-blank form line screened for its preview (the same chemistry as the order)."""
    wanted = [(i, line_identifiers(line)) for i, line in enumerate(form.lines)]
    wanted = [(i, ids) for i, ids in wanted if ids]
    if not wanted:
        return {}
    results = check_structures([ids for _, ids in wanted])
    return {
        i: preview_context(ids, result.to_dict()) for (i, ids), result in zip(wanted, results, strict=True)
    }


def preview_context(identifiers: dict[str, str], result: dict[str, Any]) -> dict[str, Any]:
    resolved = result.get("resolved") or None
    component_views = structure_views(resolved, result.get("matches") or [], width=220, height=160)
    return {"identifiers": identifiers, "result": result, "resolved": resolved, "structures": component_views}


@web.get("/screen/preview")
@roles_required(COMPLIANCE_OFFICER)
def preview() -> ResponseReturnValue:
    """An HTML fragment describing what one line's identifiers resolve to (called by the form's script)."""
    line = {name: (request.args.get(name) or "")[:5000] for name in ("cas", "chemical", "kind")}
    identifiers = line_identifiers(line)
    if not identifiers:
        return Response("", status=204)
    try:
        IdentifiersSchema().load(identifiers)
    except ValidationError as exc:
        messages = [f"{key}: {' '.join(map(str, value))}" for key, value in exc.messages.items()]  # type: ignore[union-attr]
        return render_template("web/_line_preview.html", preview=None, problems=messages)
    result = check_structures([identifiers])[0].to_dict()
    response = Response(
        render_template("web/_line_preview.html", preview=preview_context(identifiers, result))
    )
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def structure_views(
    resolved: dict[str, Any] | None, matches: list[dict[str, Any]], width: int = 280, height: int = 200
) -> list[dict[str, Any]]:
    """What to draw for a resolved line: each component with the atoms its matches cover highlighted."""
    from .depiction import depict

    if not resolved:
        return []
    components = resolved.get("components") or [{"smiles": resolved.get("smiles"), "role": "parent"}]
    views = []
    for index, component in enumerate(components):
        atoms, bonds = highlight_sets(matches, index)
        label = component.get("smiles") or ""
        views.append(
            {
                "svg": depict(component.get("smiles"), atoms, bonds, label=label, width=width, height=height),
                "smiles": component.get("smiles"),
                "formula": component.get("formula"),
                "role": component.get("role"),
                "highlighted": bool(atoms or bonds),
                "matched": [m for m in matches if int(m.get("component") or 0) == index],
            }
        )
    return views


def officer_order(order_id: str) -> Order:
    """The order if it belongs to the officer's organisation; 404 otherwise (as if it did not exist)."""
    try:
        order = get_order(session(), order_id, organisation())
    except NotFound:
        abort(404)
    if order.latest_screening is None:
        abort(404)
    return order


@web.get("/screenings/<string:order_id>")
@roles_required(COMPLIANCE_OFFICER)
def result(order_id: str) -> ResponseReturnValue:
    order = officer_order(order_id)
    screening = order.latest_screening
    assert screening is not None
    document = screening_document(order, screening, order.review_item)
    order_lines = {line.index: line for line in order.lines}
    lines = []
    for line in document["lines"]:
        stored = order_lines.get(line["index"])
        lines.append(
            {
                "doc": line,
                "order_line": stored,
                "structures": structure_views(line.get("resolved"), line.get("matches") or []),
            }
        )
    line_labels = {i: (ln.product or ln.name or ln.cas or ln.smiles or "") for i, ln in order_lines.items()}
    today = datetime.now(UTC).date()
    actions = []
    for action in document["required_actions_detail"]:
        due = _as_date(action.get("due_date"))
        actions.append({**action, "due": due, "overdue": due is not None and due < today})
    return render_template(
        "web/result.html",
        order=order,
        screening=screening,
        doc=document,
        lines=lines,
        line_labels=line_labels,
        actions=actions,
        review=document["review"],
        reason_labels=REASON_LABELS,
        review_state_labels=REVIEW_STATE_LABELS,
    )


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


@web.get("/screenings/<string:order_id>.json")
@roles_required(COMPLIANCE_OFFICER)
def result_json(order_id: str) -> ResponseReturnValue:
    """The API's document for this screening (``GET /api/v1/screenings/{id}``), as a download."""
    order = officer_order(order_id)
    assert order.latest_screening is not None
    response = jsonify(screening_document(order, order.latest_screening, order.review_item))
    safe_reference = "".join(c if c.isalnum() or c in "-_." else "_" for c in order.reference)[:80]
    response.headers["Content-Disposition"] = f'attachment; filename="screening-{safe_reference}.json"'
    return response


# --- history ---


def _parse_date(text: str | None, field: str, errors: dict[str, str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = "Enter a date as YYYY-MM-DD."
        return None


def watchlist_choices() -> list[tuple[str, str]]:
    """(entry id, name) of every watchlist entry, by name, for the chemical filter."""
    from chem_db import get_engine

    entries = get_engine().compiled.watchlist.entries
    return sorted(((e.id, e.name) for e in entries), key=lambda pair: pair[1].lower())


@web.get("/history")
@roles_required(COMPLIANCE_OFFICER)
def history() -> ResponseReturnValue:
    org = organisation()
    args = request.args
    errors: dict[str, str] = {}
    statuses = [s for s in args.getlist("status") if s in STATUSES]
    date_from = _parse_date(args.get("date_from"), "date_from", errors)
    date_to = _parse_date(args.get("date_to"), "date_to", errors)
    reference = (args.get("reference") or "").strip()[:101] or None
    chemicals = watchlist_choices()
    chemical = args.get("chemical") or None
    if chemical and chemical not in {entry_id for entry_id, _ in chemicals}:
        errors["chemical"] = "Choose a chemical from the list."
        chemical = None
    try:
        page_number = max(1, int(args.get("page", "1")))
    except ValueError:
        page_number = 1
    per_page = int(setting("SCREENING_PAGE_SIZE"))
    page = list_orders(
        session(),
        org,
        page=page_number,
        per_page=per_page,
        status=statuses,
        reference=reference,
        date_from=date_from,
        date_to=date_to,
        entry_id=chemical,
    )
    filters = {
        "status": statuses,
        "date_from": args.get("date_from", ""),
        "date_to": args.get("date_to", ""),
        "reference": reference or "",
        "chemical": chemical or "",
    }
    link_args = {key: value for key, value in filters.items() if value}
    return render_template(
        "web/history.html",
        page=page,
        filters=filters,
        link_args=link_args,
        errors=errors,
        chemicals=chemicals,
        statuses=STATUSES,
    )
