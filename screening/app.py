"""The Flask app factory.

``create_app(config)`` builds the app in named steps, in boot order. Tests pass
a mapping; deployments set environment variables (see ``screening.config``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .config import chem_settings, load_config


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask("screening", instance_relative_config=True)
    register_config(app, config)
    register_logging(app)
    register_observability(app)
    register_database(app)
    register_libraries(app)
    register_proxy(app)
    register_login(app)
    register_api(app)
    register_web(app)
    register_review(app)
    register_error_handlers(app)
    register_rate_limits(app)
    register_cli(app)
    return app


def register_config(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    app.config.update(load_config(app.instance_path, overrides))
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_SECURE", app.config["SCREENING_ENV"] == "production")
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SCREENING_ENV"] == "production")
    if app.config["SCREENING_ENV"] == "testing":
        app.config["TESTING"] = True
    os.makedirs(app.instance_path, exist_ok=True)


def register_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config["SCREENING_LOG_LEVEL"]).upper(), logging.INFO)
    logging.getLogger("screening").setLevel(level)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s [%(name)s] %(message)s")


def register_observability(app: Flask) -> None:
    """Request ids, JSON logs, Prometheus metrics (/metrics) and readiness (/readyz)."""
    from .observability import register_observability as register

    register(app)


def register_rate_limits(app: Flask) -> None:
    """Flask-Limiter: per API key on the API, per address and account on sign-in."""
    from .ratelimit import register_rate_limits as register

    register(app)


def register_database(app: Flask) -> None:
    from . import db

    db.init_app(app)


def register_libraries(app: Flask) -> None:
    """Pass the chemistry limits from the settings to chem_db (loaded once per process)."""
    settings = chem_settings(app.config)
    if settings:
        import chem_db

        chem_db.configure(**settings)


def register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-* from exactly as many reverse proxies as configured (audit source addresses)."""
    hops = int(app.config["SCREENING_TRUSTED_PROXIES"])
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def register_login(app: Flask) -> None:
    """Flask-Login for the web pages: users load from the request's session; inactive ones are refused."""
    from flask_login import LoginManager

    from .db import get_session
    from .models import User

    manager = LoginManager()
    manager.session_protection = "strong"
    manager.init_app(app)

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = get_session().get(User, int(user_id))
        return user if user is not None and user.is_active else None


def register_api(app: Flask) -> None:
    from .api import init_api

    init_api(app)


def register_web(app: Flask) -> None:
    """The browser pages: CSRF on every form, security headers, sign-in, officers' and admin pages."""
    from .web import register_web as register

    register(app)


def register_review(app: Flask) -> None:
    """The HSI liaisons' workbench (/review): queue, cases, re-screening runs, dashboard; `rescreen` CLI."""
    from .review.views import init_app

    init_app(app)


def register_error_handlers(app: Flask) -> None:
    from .errors import register_error_handlers as register

    register(app)


def register_cli(app: Flask) -> None:
    from .cli import register_commands

    register_commands(app)
