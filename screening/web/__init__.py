"""The browser pages: sign-in, the compliance officers' pages and the administration pages.

``register_web(app)`` is one step of the app factory: CSRF protection on every form
outside ``/api/``, security headers on every response, the page blueprints, the
template helpers and HTML error pages. The pages call the same service functions as
the API (``screen_order``, ``check_structures``); nothing here screens on its own.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, render_template
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from ..errors import handle_http_exception, wants_json
from .security import init_csrf, init_security_headers

# Settings of the pages (environment variables of the same name override them).
DEFAULTS: dict[str, int] = {
    "SCREENING_LOGIN_WINDOW_SECONDS": 900,
    "SCREENING_LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "SCREENING_LOGIN_MAX_FAILURES_PER_ADDRESS": 30,
    "SCREENING_CATALOGUE_MAX_ROWS": 20_000,
    "SCREENING_CATALOGUE_CHUNK": 50,
    "SCREENING_FORM_BLANK_LINES": 3,
}

ERROR_TITLES = {
    400: "The request could not be understood",
    401: "Sign in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    413: "Too large",
    429: "Too many requests",
    500: "Something went wrong",
}


def register_web(app: Flask) -> None:
    for name, default in DEFAULTS.items():
        raw = os.environ.get(name, "")
        app.config.setdefault(name, int(raw) if raw.strip() else default)
    # Flask's defaults already hold these keys (SameSite None, Secure False), so a setdefault does not
    # change them: set them unless a deployment chose a value.
    for name in ("SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE"):
        if not app.config.get(name):
            app.config[name] = "Lax"
    if app.config.get("SCREENING_ENV") == "production":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    init_csrf(app)
    init_security_headers(app)
    manager = getattr(app, "login_manager", None)
    if manager is not None:
        manager.login_view = "web.login"
        manager.login_message = "Sign in to see that page."
        manager.login_message_category = "info"

    from . import admin, auth, catalogue, orders  # noqa: F401  (routes attach to the blueprints)
    from .blueprints import admin as admin_blueprint
    from .blueprints import web as web_blueprint

    app.register_blueprint(web_blueprint)
    app.register_blueprint(admin_blueprint)
    register_template_helpers(app)
    for code in ERROR_TITLES:
        app.register_error_handler(code, render_error)


def render_error(exc: HTTPException) -> Any:
    """An HTML page for browsers; the API's JSON error for API paths and JSON clients."""
    if wants_json():
        return handle_http_exception(exc)
    code = exc.code or 500
    description = exc.description
    if exc.__class__.__name__ == "CSRFError":
        description = (
            "The form was not sent from this site or has expired (its security token is missing or"
            " wrong). Go back, reload the page and send it again."
        )
    response = render_template(
        "errors/error.html", code=code, title=ERROR_TITLES.get(code, "Error"), description=description
    )
    headers = {}
    if code == 405:
        allow = exc.get_response().headers.get("Allow")
        if allow:
            headers["Allow"] = allow
    return response, code, headers


def has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


def format_date(value: date | datetime | str | None) -> str:
    """A date as 2026-11-23 (dates and timestamps; ISO strings pass through)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def format_timestamp(value: datetime | str | None) -> str:
    """A UTC timestamp as 2026-11-23 14:05 UTC."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value.strftime("%Y-%m-%d %H:%M UTC")


def format_number(value: Any) -> str:
    """Quantities without float noise: 200.0 -> 200, 0.1234567 -> 0.123457."""
    if value is None or value == "":
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.6g}" if abs(number) < 1e6 else f"{number:,.2f}"


def register_template_helpers(app: Flask) -> None:
    from rules.countries import country_name

    from .depiction import depict

    app.jinja_env.globals.update(has_endpoint=has_endpoint, depict=depict, country_name=country_name)
    app.jinja_env.filters.update(date=format_date, timestamp=format_timestamp, number=format_number)

    @app.context_processor
    def navigation() -> dict[str, Any]:
        return {"nav_items": nav_items()}


def nav_items() -> list[tuple[str, str]]:
    """(endpoint, label) of the navigation for the user's role; endpoints not (yet) there are left out."""
    from ..models import ADMIN, COMPLIANCE_OFFICER, HSI_LIAISON

    if not current_user.is_authenticated:
        return []
    by_role = {
        COMPLIANCE_OFFICER: [
            ("web.new_order", "Screen an order"),
            ("web.history", "History"),
            ("web.catalogue", "Catalogue check"),
        ],
        HSI_LIAISON: [("review.queue", "Review queue"), ("review.dashboard", "Dashboard")],
        ADMIN: [("admin.index", "Admin"), ("admin.watchlist", "Watchlist"), ("admin.rules", "Rules")],
    }
    return [
        (endpoint, label) for endpoint, label in by_role.get(current_user.role, []) if has_endpoint(endpoint)
    ]
