"""Sign-in and sign-out: argon2 passwords (``authenticate_user``), throttled failures, audited both ways."""

from __future__ import annotations

import math

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from ..models import ADMIN, COMPLIANCE_OFFICER, HSI_LIAISON, User
from ..services import authenticate_user, record_audit
from ..services.actors import Actor
from ..services.throttling import ThrottlePolicy, clear_login_failures, login_throttled, record_login_failure
from .blueprints import web
from .common import actor, setting
from .common import session as db_session
from .security import is_safe_next

MAX_EMAIL = 254
MAX_PASSWORD = 1024  # argon2 hashes anything; this only bounds the work a request can ask for


def throttle_policy() -> ThrottlePolicy:
    return ThrottlePolicy(
        window_seconds=int(setting("SCREENING_LOGIN_WINDOW_SECONDS")),
        max_per_account=int(setting("SCREENING_LOGIN_MAX_FAILURES_PER_ACCOUNT")),
        max_per_address=int(setting("SCREENING_LOGIN_MAX_FAILURES_PER_ADDRESS")),
    )


def landing_page(user: User) -> str:
    """Where a user starts after signing in."""
    from flask import current_app

    if user.role == COMPLIANCE_OFFICER:
        return url_for("web.new_order")
    if user.role == HSI_LIAISON and "review.queue" in current_app.view_functions:
        return url_for("review.queue")
    if user.role == ADMIN:
        return url_for("admin.index")
    return url_for("web.account")


@web.get("/")
def index() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return redirect(url_for("web.login"))
    return redirect(landing_page(current_user))


@web.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    next_url = request.values.get("next")
    if not is_safe_next(next_url):
        next_url = None
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or landing_page(current_user))
    if request.method == "GET":
        return render_template("web/login.html", email="", next_url=next_url, error=None)

    email = (request.form.get("email") or "").strip()[:MAX_EMAIL]
    password = (request.form.get("password") or "")[:MAX_PASSWORD]
    address = request.remote_addr
    if not email or not password:
        error = "Enter your e-mail address and your password."
        return render_template("web/login.html", email=email, next_url=next_url, error=error), 400

    dbs = db_session()
    policy = throttle_policy()
    throttled = login_throttled(dbs, email, address, policy)
    if throttled is not None:
        record_audit(
            dbs,
            Actor("user", None, email.lower()[:254], None, None, address),
            "user.login_throttled",
            "user",
            None,
            {"scope": throttled.scope, "retry_after_seconds": throttled.retry_after_seconds},
        )
        dbs.commit()
        minutes = max(1, math.ceil(throttled.retry_after_seconds / 60))
        who = "this account" if throttled.scope == "account" else "your network address"
        error = (
            f"Too many failed sign-in attempts for {who}. Wait {minutes} minute{'s' if minutes != 1 else ''}"
            " and try again, or ask your administrator to check your account."
        )
        response = render_template("web/login.html", email=email, next_url=next_url, error=error)
        return response, 429, {"Retry-After": str(throttled.retry_after_seconds)}

    user = authenticate_user(dbs, email, password, address)
    if user is None:
        record_login_failure(dbs, email, address, policy)
        dbs.commit()
        error = "The e-mail address or password is not right, or the account is not active."
        return render_template("web/login.html", email=email, next_url=next_url, error=error), 401

    clear_login_failures(dbs, email)
    dbs.commit()
    session.clear()  # a new session for the signed-in user (no fixation of an earlier one)
    login_user(user)
    return redirect(next_url or landing_page(user))


@web.post("/logout")
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        dbs = db_session()
        record_audit(dbs, actor(), "user.logout", "user", current_user.id)
        dbs.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("web.login"))


@web.get("/account")
def account() -> ResponseReturnValue:
    """Who is signed in, and with which role (the landing page of users without a workbench yet)."""
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.path))
    return render_template("web/account.html")
