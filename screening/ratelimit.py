"""Rate limits (Flask-Limiter): per API key on the API, per address and per account on sign-in.

Limits (settings, in Flask-Limiter's notation, e.g. ``"6000 per minute"`` or ``"10 per minute;50 per hour"``):

- ``SCREENING_RATELIMIT_API``: every ``/api/v1/screenings`` and ``/api/v1/structures`` call, counted per
  API key (the key's hash; the key itself is never stored in the counters).
- ``SCREENING_RATELIMIT_CHECK``: ``/api/v1/structures/check`` calls per API key, on top of the above
  (a check may carry 1,000 structures).
- ``SCREENING_RATELIMIT_AUTH_FAILURES``: API calls answered 401, per client address (key guessing);
  once spent, that address is refused until the window passes.
- ``SCREENING_RATELIMIT_LOGIN_ADDRESS`` / ``SCREENING_RATELIMIT_LOGIN_ACCOUNT``: ``POST`` to the
  web sign-in view(s), per client address and per account (the submitted e-mail).

A refused call gets ``429`` with ``Retry-After`` (seconds) in the service's one JSON error shape
(HTML on the web pages). The counters live in Redis when ``REDIS_URL`` is set, shared by every
worker of every server; otherwise in each process's memory (a limit then applies per worker: fine
for one machine in development, not for production). Should Redis fail, the limits fall back to
memory rather than refuse traffic. The client address is the one :mod:`screening.app`'s
ProxyFix step trusts (``SCREENING_TRUSTED_PROXIES``).

Sign-in views registered after :func:`register_rate_limits` are found on the first request.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask_limiter import Limiter, RequestLimit
from limits.storage import MemoryStorage

from .observability import count_rate_limited

log = logging.getLogger(__name__)

EXTENSION = "screening.limiter"


class ProcessMemoryStorage(MemoryStorage):
    """``limits``' in-process counters without their expiry thread (scheme ``screening-memory://``).

    The library's memory storage starts a timer thread whenever the previous one
    has finished, so a worker under steady traffic starts a thread every few
    requests, and waits for it to start: a large part of a small request's cost.
    Expired counters are also dropped when read, so the only job of that thread
    is to free counters nobody uses any more; here the requests themselves do it,
    at most once every ``PURGE_SECONDS``.
    """

    STORAGE_SCHEME = ["screening-memory"]
    PURGE_SECONDS = 10.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the base class starts one at once
        self._next_purge = time.monotonic() + self.PURGE_SECONDS

    # Called by the base class before every update (the name is its private method's, mangled).
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_purge:
            self._next_purge = now + self.PURGE_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


def client_address() -> str:
    return "addr:" + (request.remote_addr or "unknown")


def api_key_identity() -> str:
    """The caller's API key, hashed (before the key is verified: an unknown key is its own bucket,
    and the 401s it earns are limited per address)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and token:
        return "key:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return client_address()


def login_account() -> str:
    """The account a sign-in attempt names (the submitted e-mail, normalised and hashed)."""
    source = request.form if request.form else (request.get_json(silent=True) or {})
    account = ""
    if hasattr(source, "get"):
        account = str(source.get("email") or source.get("username") or "").strip().lower()
    if not account:
        return client_address()
    return "account:" + hashlib.sha256(account.encode()).hexdigest()[:32]


def login_endpoints(app: Flask) -> list[str]:
    """Endpoints that take a sign-in: any rule ending in ``/login`` (or an endpoint named ``*login``)
    that accepts POST; ``SCREENING_LOGIN_ENDPOINTS`` (a list) overrides the discovery."""
    configured = app.config.get("SCREENING_LOGIN_ENDPOINTS")
    if configured:
        return [e for e in configured if e in app.view_functions]
    found = []
    for rule in app.url_map.iter_rules():
        named_login = rule.endpoint.rsplit(".", 1)[-1].lower() in ("login", "sign_in", "signin")
        if "POST" in (rule.methods or ()) and (rule.rule.rstrip("/").endswith("/login") or named_login):
            if rule.endpoint not in found:
                found.append(rule.endpoint)
    return found


def _counting(name: str) -> Callable[[RequestLimit], None]:
    def on_breach(limit: RequestLimit) -> None:
        count_rate_limited(name)
        log.warning("rate limit %s hit (%s)", name, limit.limit)

    return on_breach


def _message(what: str) -> str:
    return f"too many requests: {what}; retry after the number of seconds in Retry-After"


def register_rate_limits(app: Flask) -> Limiter | None:
    """Attach the limits to the API blueprints and the sign-in view(s); ``None`` when disabled."""
    config = app.config
    if not config.get("SCREENING_RATELIMIT_ENABLED", True):
        app.extensions[EXTENSION] = None
        return None
    storage = config.get("REDIS_URL") or "screening-memory://"
    limiter = Limiter(
        key_func=client_address,
        app=app,
        storage_uri=storage,
        strategy="fixed-window",
        headers_enabled=True,
        key_prefix="screening",
        swallow_errors=True,  # a broken counter store must not take the service down ...
        in_memory_fallback_enabled=True,  # ... the limits then hold per process
    )
    app.extensions[EXTENSION] = limiter

    from .api import screenings, structures

    api = limiter.shared_limit(
        str(config["SCREENING_RATELIMIT_API"]),
        scope="api",
        key_func=api_key_identity,
        error_message=_message("the API call limit of this API key is spent"),
        on_breach=_counting("api"),
    )
    auth_failures = limiter.shared_limit(
        str(config["SCREENING_RATELIMIT_AUTH_FAILURES"]),
        scope="api-auth-failures",
        key_func=client_address,
        deduct_when=lambda response: response.status_code == 401,
        error_message=_message("too many calls with a missing or unknown API key from this address"),
        on_breach=_counting("api-auth-failures"),
    )
    check = limiter.shared_limit(
        str(config["SCREENING_RATELIMIT_CHECK"]),
        scope="api-check",
        key_func=api_key_identity,
        error_message=_message("the structure-check limit of this API key is spent"),
        on_breach=_counting("api-check"),
    )
    for blueprint in (screenings.blp, structures.blp):
        api(blueprint)
        auth_failures(blueprint)
    check(structures.blp)

    limit_sign_in(app, limiter)
    if not app.extensions.get(_LOGIN_WRAPPED):
        # The web pages may be registered after this step: look again on the first request
        # (views are looked up after before_request hooks, so that request is covered too).
        @app.before_request
        def limit_late_sign_in_views() -> None:
            if not app.extensions.get(_LOGIN_WRAPPED):
                limit_sign_in(app, limiter)
                app.extensions[_LOGIN_WRAPPED] = True

    return limiter


_LOGIN_WRAPPED = "screening.limiter.login_wrapped"
# setting, what a limit counts by, its name (metrics label, counter scope), and the 429 wording
_SIGN_IN_LIMITS = (
    ("SCREENING_RATELIMIT_LOGIN_ACCOUNT", login_account, "login-account", "for this account"),
    ("SCREENING_RATELIMIT_LOGIN_ADDRESS", client_address, "login-address", "from this address"),
)


def limit_sign_in(app: Flask, limiter: Limiter) -> list[str]:
    """Wrap each sign-in view (once) with the per-account and per-address limits; return their endpoints."""
    config = app.config
    wrapped = []
    for endpoint in login_endpoints(app):
        view: Any = app.view_functions[endpoint]
        if getattr(view, "_screening_login_limited", False):
            wrapped.append(endpoint)
            continue
        for setting, key_func, name, what in _SIGN_IN_LIMITS:
            view = limiter.limit(
                str(config[setting]),
                key_func=key_func,
                methods=["POST"],
                scope=name,
                error_message=_message(f"too many sign-in attempts {what}"),
                on_breach=_counting(name),
            )(view)
        view._screening_login_limited = True
        app.view_functions[endpoint] = view
        wrapped.append(endpoint)
    if wrapped:
        app.extensions[_LOGIN_WRAPPED] = True
    return wrapped
