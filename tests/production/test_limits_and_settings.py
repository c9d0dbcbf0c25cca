"""Abuse, in-process: rate limits per API key, per address for bad keys, per sign-in address and
account (429 + Retry-After, the one JSON error shape on the API), shared through Redis between
servers; security headers and cookie flags; secrets from the environment; production refusing
weak settings."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from prometheus_client import REGISTRY

from screening import create_app
from screening.config import ConfigError, load_config
from screening.db import get_database

LIMITS = {
    "SCREENING_RATELIMIT_API": "5 per minute",
    "SCREENING_RATELIMIT_CHECK": "2 per minute",
    "SCREENING_RATELIMIT_AUTH_FAILURES": "2 per minute",
    "SCREENING_RATELIMIT_LOGIN_ADDRESS": "4 per minute",
    "SCREENING_RATELIMIT_LOGIN_ACCOUNT": "2 per minute",
    "WTF_CSRF_ENABLED": False,  # the limits are on the sign-in view itself, behind the CSRF check
}
GOOD_SECRET = "k3Y-" + uuid.uuid4().hex + uuid.uuid4().hex
GOOD_TOKEN = "mT-" + uuid.uuid4().hex


@pytest.fixture()
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, **LIMITS}


def assert_rate_limited(response: Any) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    body = response.get_json()
    assert body["code"] == 429 and body["status"] == "Too Many Requests"
    assert "Retry-After" in body["message"]


def rate_limited(limit: str) -> float:
    return REGISTRY.get_sample_value("screening_rate_limited_total", {"limit": limit}) or 0.0


def test_api_calls_are_limited_per_api_key(make_exporter: Any) -> None:
    first, second = make_exporter("Busy Exports"), make_exporter("Quiet Exports")
    before = rate_limited("api")
    for _ in range(5):
        assert first.get("/api/v1/screenings").status_code == 200
    assert_rate_limited(first.get("/api/v1/screenings"))
    assert_rate_limited(first.post("/api/v1/structures/check", json={"items": [{"cas": "67-64-1"}]}))
    assert second.get("/api/v1/screenings").status_code == 200  # another key has its own budget
    assert rate_limited("api") == before + 2


def test_in_process_counters_expire_without_a_thread_per_request(monkeypatch: Any) -> None:
    """Without Redis the counters live in the process: no timer thread is started per request, a
    window that has passed starts again, and counters nobody reads any more are dropped."""
    import threading

    from limits import parse
    from limits.storage import storage_from_string
    from limits.strategies import FixedWindowRateLimiter

    from screening.ratelimit import ProcessMemoryStorage

    storage = storage_from_string("screening-memory://")
    assert isinstance(storage, ProcessMemoryStorage)
    limiter = FixedWindowRateLimiter(storage)
    limit = parse("3 per second")
    threads = threading.active_count()
    assert [limiter.hit(limit, "key:a") for _ in range(4)] == [True, True, True, False]
    assert threading.active_count() == threads
    import time

    clock = [time.time()]
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: clock[0])
    monkeypatch.setattr("screening.ratelimit.time.monotonic", lambda: clock[0])
    storage._next_purge = clock[0] + ProcessMemoryStorage.PURGE_SECONDS
    storage.incr("key:b", 1)
    clock[0] += ProcessMemoryStorage.PURGE_SECONDS + 2  # both windows over; b is never read again
    assert limiter.hit(limit, "key:a")  # a new window
    assert "key:b" not in storage.storage and "key:b" not in storage.expirations


def test_structure_checks_have_their_own_tighter_limit(as_exporter: Any) -> None:
    body = {"items": [{"cas": "67-64-1"}]}
    assert as_exporter.post("/api/v1/structures/check", json=body).status_code == 200
    assert as_exporter.post("/api/v1/structures/check", json=body).status_code == 200
    assert_rate_limited(as_exporter.post("/api/v1/structures/check", json=body))
    assert as_exporter.get("/api/v1/screenings").status_code == 200  # the general budget is not spent


def test_guessing_api_keys_is_limited_per_address(client: Any, as_exporter: Any) -> None:
    for n in range(2):
        response = client.get("/api/v1/screenings", headers={"Authorization": f"Bearer guess-{n}"})
        assert response.status_code == 401
    assert_rate_limited(client.get("/api/v1/screenings", headers={"Authorization": "Bearer guess-3"}))
    elsewhere = client.get(
        "/api/v1/screenings",
        headers={"Authorization": "Bearer guess-4"},
        environ_base={"REMOTE_ADDR": "198.51.100.20"},
    )
    assert elsewhere.status_code == 401


def test_sign_in_attempts_are_limited_per_account_and_per_address(client: Any) -> None:
    def attempt(email: str, address: str = "127.0.0.1") -> Any:
        return client.post(
            "/login",
            data={"email": email, "password": "wrong password"},
            environ_base={"REMOTE_ADDR": address},
        )

    assert attempt("officer@example.com").status_code == 401
    assert attempt("OFFICER@example.com ").status_code == 401  # the same account, however typed
    limited = attempt("officer@example.com", "192.0.2.50")  # from anywhere
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert attempt("someone-else@example.com").status_code == 401
    assert attempt("third@example.com").status_code == 401
    limited = attempt("fourth@example.com")  # the 5th attempt from 127.0.0.1 in the minute
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert client.get("/login").status_code == 200  # showing the form is not limited


def test_limits_are_shared_by_servers_through_redis(app_config: dict[str, Any], db_connection: Any) -> None:
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"no Redis on 127.0.0.1:6379 ({exc})")
    from screening.services import Actor, create_api_key, get_or_create_organisation

    servers = []
    for _ in range(2):
        application = create_app({**app_config, "REDIS_URL": url})
        get_database(application).engine.dispose()
        get_database(application).bind_to_connection(db_connection)
        servers.append(application.test_client())
    with get_database(application).session_scope() as session:
        org, _ = get_or_create_organisation(session, "Redis Shared Exports", Actor.system("test"))
        _, key = create_api_key(session, org, Actor.system("test"), label="redis")
    headers = {"Authorization": f"Bearer {key}"}
    statuses = [servers[n % 2].get("/api/v1/screenings", headers=headers).status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]


# --- headers and cookies ---


def test_api_responses_carry_security_headers(as_exporter: Any) -> None:
    for response in (as_exporter.get("/api/v1/screenings"), as_exporter.get("/api/v1/screenings/nope")):
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cache-Control"] == "no-store"
        assert headers["X-Request-ID"]
        assert "Strict-Transport-Security" not in headers  # only in production (HTTPS)


def production_config(app_config: dict[str, Any], **changes: Any) -> dict[str, Any]:
    config = {
        **app_config,
        "SCREENING_ENV": "production",
        "SECRET_KEY": GOOD_SECRET,
        "SCREENING_METRICS_TOKEN": GOOD_TOKEN,
        "SCREENING_ALLOW_SQLITE_IN_PRODUCTION": True,
    }
    config.update(changes)
    return {k: v for k, v in config.items() if v is not None}


def test_cookies_are_secure_httponly_samesite_in_production(
    app_config: dict[str, Any], db_connection: Any
) -> None:
    application = create_app(production_config(app_config))
    get_database(application).engine.dispose()
    get_database(application).bind_to_connection(db_connection)
    client = application.test_client()
    response = client.get("/login", base_url="https://screening.example")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies, "the sign-in page sets its session cookie (CSRF token)"
    for cookie in cookies:
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly", "samesite"} <= flags, cookie
        assert "samesite=lax" in cookie.lower() or "samesite=strict" in cookie.lower()
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "default-src" in response.headers["Content-Security-Policy"]


def test_cookies_are_httponly_samesite_in_development(client: Any) -> None:
    for cookie in client.get("/login").headers.getlist("Set-Cookie"):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- settings ---


@pytest.mark.parametrize(
    ("changes", "refused"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),  # the built-in development key
        ({"SECRET_KEY": "short-secret"}, "SECRET_KEY"),
        ({"SECRET_KEY": "a" * 64}, "SECRET_KEY"),  # long but not random
        (
            {"SCREENING_ALLOW_SQLITE_IN_PRODUCTION": None, "DATABASE_URL": "sqlite:///screening.db"},
            "DATABASE_URL",
        ),
        ({"SCREENING_METRICS_TOKEN": None}, "SCREENING_METRICS_TOKEN"),
        ({"SCREENING_METRICS_TOKEN": "abc"}, "SCREENING_METRICS_TOKEN"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
        ({"REMEMBER_COOKIE_SECURE": False}, "REMEMBER_COOKIE_SECURE"),
    ],
)
def test_production_refuses_weak_settings(
    app_config: dict[str, Any], changes: dict[str, Any], refused: str
) -> None:
    config = production_config(app_config, **changes)
    with pytest.raises(ConfigError, match=refused):
        create_app(config)


def test_production_accepts_strong_settings_on_postgresql(app_config: dict[str, Any]) -> None:
    config = production_config(
        app_config,
        SCREENING_ALLOW_SQLITE_IN_PRODUCTION=None,
        DATABASE_URL="postgresql+psycopg://screening@db.internal:5432/screening",
    )
    application = create_app(config)  # nothing connects until a request needs the database
    assert application.config["SESSION_COOKIE_SECURE"] is True
    assert application.config["REMEMBER_COOKIE_SECURE"] is True


def test_secrets_come_from_the_environment(tmp_path: Any) -> None:
    environ = {
        "SCREENING_ENV": "production",
        "SECRET_KEY": GOOD_SECRET,
        "SCREENING_METRICS_TOKEN": GOOD_TOKEN,
        "DATABASE_URL": "postgresql://screening@db.internal/screening",
        "REDIS_URL": "redis://cache.internal:6379/0",
    }
    config = load_config(str(tmp_path), environ=environ)
    assert config["SECRET_KEY"] == GOOD_SECRET
    assert config["SCREENING_METRICS_TOKEN"] == GOOD_TOKEN
    assert config["REDIS_URL"] == "redis://cache.internal:6379/0"
    without_secret = {k: v for k, v in environ.items() if k != "SECRET_KEY"}
    with pytest.raises(ConfigError, match="SECRET_KEY"):  # no fallback a deployment could ship with
        load_config(str(tmp_path), environ=without_secret)
