"""Request guards for the pages: CSRF on every form, security headers, roles, safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

F = TypeVar("F", bound=Callable[..., Any])

# The JSON API authenticates with API keys (no cookies), so cross-site request forgery does not apply.
CSRF_EXEMPT_PREFIXES = ("/api/", "/healthz")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

csrf = CSRFProtect()


def init_csrf(app: Flask) -> None:
    """CSRFProtect on every state-changing request outside the JSON API."""
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session: long forms must not expire
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked below, so new API blueprints are exempt by path
    csrf.init_app(app)

    @app.before_request
    def protect_forms() -> None:
        if not current_app.config.get("WTF_CSRF_ENABLED", True):
            return
        if request.path.startswith(CSRF_EXEMPT_PREFIXES):
            return
        csrf.protect()


def init_security_headers(app: Flask) -> None:
    production = app.config.get("SCREENING_ENV") == "production"

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if (
            response.mimetype == "text/html"
            and not request.path.startswith("/static/")
            and "Cache-Control" not in headers
        ):
            headers["Cache-Control"] = "no-store"  # pages show an organisation's data: never cache them
        return response


def is_safe_next(target: str | None) -> bool:
    """True for a path on this site (``/history?page=2``); false for other hosts and odd schemes.

    >>> [is_safe_next(t) for t in ("/history", "//evil.example", "https://evil.example/", "/\\\\evil", None)]
    [True, False, False, False, False]
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(ord(c) < 32 for c in target)


def roles_required(*roles: str) -> Callable[[F], F]:
    """Signed-in users with one of ``roles`` only: others are sent to sign in (401) or refused (403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                if request.method == "GET":
                    return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
                abort(401)
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
