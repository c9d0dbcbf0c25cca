"""Settings: defaults, overridden by a mapping (tests) or by environment variables.

Every setting is read from ``SCREENING_<NAME>`` in the environment, except
``DATABASE_URL``, ``SECRET_KEY`` and ``REDIS_URL``, which are read without the prefix (the
names hosting platforms set). The README lists them all; keep the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

DEV_SECRET_KEY = "dev-only-insecure-secret-key"  # refused in production (see validate_config)
MIN_PRODUCTION_SECRET_LENGTH = 32
MIN_METRICS_TOKEN_LENGTH = 24

# name -> (default, one-line description). The README's configuration table mirrors this.
SETTINGS: dict[str, tuple[Any, str]] = {
    "DATABASE_URL": (None, "SQLAlchemy URL; default: SQLite file instance/screening.db"),
    "SECRET_KEY": (DEV_SECRET_KEY, "signs web sessions and CSRF tokens; required in production"),
    "SCREENING_ENV": ("development", "`production` refuses to start with a default or weak SECRET_KEY"),
    "SCREENING_LOG_LEVEL": ("INFO", "log level of the service's loggers"),
    "SCREENING_MAX_BODY_BYTES": (2_000_000, "largest request body accepted (413 beyond)"),
    "SCREENING_MAX_LINES": (200, "most lines in one order"),
    "SCREENING_MAX_CHECK_ITEMS": (1000, "most items in one POST /api/v1/structures/check"),
    "SCREENING_PAGE_SIZE": (20, "default page size of lists"),
    "SCREENING_MAX_PAGE_SIZE": (100, "largest page size a client may ask for"),
    "SCREENING_API_KEY_TOUCH_SECONDS": (
        60,
        "how stale an API key's last-used time may get before it is rewritten",
    ),
    "SCREENING_API_KEY_CACHE_SECONDS": (
        5.0,
        "seconds a process remembers an authenticated API key (0: never); revocations reach others in it",
    ),
    "SCREENING_HISTORY_DAYS": (730, "how far back the exporter's history with a consignee is read"),
    "SCREENING_SQLITE_BUSY_TIMEOUT_MS": (30_000, "how long SQLite waits for the write lock"),
    "SCREENING_TRUSTED_PROXIES": (0, "number of reverse proxies whose X-Forwarded-For is trusted"),
    "SCREENING_DEMO_MARKER": (
        None,
        "file marking that `demo bootstrap` ran; default instance/demo-bootstrapped",
    ),
    # chem_db limits (passed to chem_db.configure; empty means chem_db's own default).
    "SCREENING_CHEM_MAX_SMILES_LENGTH": (None, "longest SMILES accepted before parsing"),
    "SCREENING_CHEM_MAX_HEAVY_ATOMS": (None, "largest structure screened"),
    "SCREENING_CHEM_TIMEOUT_SECONDS": (None, "time allowed to screen one structure"),
    "SCREENING_CHEM_MEMORY_MB": (None, "memory allowed to the isolated chemistry worker"),
    "SCREENING_CHEM_WORKERS": (None, "isolated chemistry worker processes per app process"),
    "SCREENING_CHEM_ISOLATE": (None, "screen structures in isolated worker processes (true/false)"),
    # Production operation (docs/operations.md): pools, logs, metrics, rate limits.
    "SCREENING_DB_POOL_SIZE": (5, "PostgreSQL connections kept open per app process"),
    "SCREENING_DB_MAX_OVERFLOW": (5, "extra PostgreSQL connections a process may open under a burst"),
    "SCREENING_DB_POOL_TIMEOUT": (10, "seconds a request waits for a pooled connection before failing"),
    "SCREENING_DB_POOL_RECYCLE": (1800, "seconds after which a pooled connection is replaced"),
    "SCREENING_ALLOW_SQLITE_IN_PRODUCTION": (False, "let production mode run on SQLite (one machine only)"),
    "SCREENING_LOG_FORMAT": ("json", "`json` (one object per line, with the request id) or `text`"),
    "SCREENING_SLOW_REQUEST_SECONDS": (5.0, "requests slower than this are logged as warnings"),
    "SCREENING_METRICS_TOKEN": (
        None,
        "bearer token for GET /metrics; without it only loopback clients may read it; required in production",
    ),
    "REDIS_URL": (None, "rate-limit counters shared by every server (redis://...); default: per process"),
    "SCREENING_RATELIMIT_ENABLED": (True, "apply the rate limits below"),
    "SCREENING_RATELIMIT_API": ("6000 per minute", "API calls per API key"),
    "SCREENING_RATELIMIT_CHECK": ("600 per minute", "POST /api/v1/structures/check calls per API key"),
    "SCREENING_RATELIMIT_AUTH_FAILURES": ("60 per minute", "API calls refused with 401, per client address"),
    "SCREENING_RATELIMIT_LOGIN_ADDRESS": ("30 per minute", "sign-in attempts per client address"),
    "SCREENING_RATELIMIT_LOGIN_ACCOUNT": ("10 per minute;50 per hour", "sign-in attempts per account"),
}

# What the default types of unset (None) settings are, for parsing their environment values.
_TYPES: dict[str, type] = {
    "SCREENING_CHEM_MAX_SMILES_LENGTH": int,
    "SCREENING_CHEM_MAX_HEAVY_ATOMS": int,
    "SCREENING_CHEM_TIMEOUT_SECONDS": float,
    "SCREENING_CHEM_MEMORY_MB": int,
    "SCREENING_CHEM_WORKERS": int,
    "SCREENING_CHEM_ISOLATE": bool,
    "SCREENING_METRICS_TOKEN": str,
    "REDIS_URL": str,
}


class ConfigError(ValueError):
    """A setting is missing, malformed or unsafe."""


def parse_value(name: str, raw: str) -> Any:
    """Parse an environment string into the type of the setting's default.

    >>> parse_value("SCREENING_MAX_LINES", "50")
    50
    >>> parse_value("SCREENING_CHEM_ISOLATE", "no")
    False
    """
    default = SETTINGS.get(name, (None, ""))[0]
    kind = _TYPES.get(name) or (type(default) if default is not None else str)
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name}: expected true or false, got {raw!r}")
    if kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            raise ConfigError(f"{name}: expected a number, got {raw!r}") from None
    return raw


def load_config(
    instance_path: str, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Defaults, then the environment, then ``overrides`` (a test's mapping)."""
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = {name: default for name, (default, _) in SETTINGS.items()}
    for name in SETTINGS:
        if environ.get(name, "") != "":
            config[name] = parse_value(name, environ[name])
    if overrides:
        config.update(overrides)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = "sqlite:///" + os.path.join(instance_path, "screening.db")
    if not config.get("SCREENING_DEMO_MARKER"):
        config["SCREENING_DEMO_MARKER"] = os.path.join(instance_path, "demo-bootstrapped")
    config["MAX_CONTENT_LENGTH"] = config["SCREENING_MAX_BODY_BYTES"]
    validate_config(config)
    return config


def validate_config(config: Mapping[str, Any]) -> None:
    """Refuse unsafe production settings.

    >>> validate_config({"SCREENING_ENV": "production", "SECRET_KEY": DEV_SECRET_KEY})
    Traceback (most recent call last):
    ...
    screening.config.ConfigError: SECRET_KEY: production needs a random secret of at least 32 characters
    """
    env = config.get("SCREENING_ENV", "development")
    if env not in ("development", "production", "testing"):
        raise ConfigError(f"SCREENING_ENV: expected development, testing or production, got {env!r}")
    if env == "production":
        secret = str(config.get("SECRET_KEY") or "")
        weak = secret == DEV_SECRET_KEY or len(secret) < MIN_PRODUCTION_SECRET_LENGTH or len(set(secret)) < 10
        if weak:
            raise ConfigError(
                f"SECRET_KEY: production needs a random secret of at least {MIN_PRODUCTION_SECRET_LENGTH}"
                " characters"
            )
        validate_production_operation(config)


def validate_production_operation(config: Mapping[str, Any]) -> None:
    """Production mode also refuses SQLite (unless allowed), an unset metrics token and insecure cookies.

    >>> validate_production_operation({"DATABASE_URL": "sqlite:///x.db", "SCREENING_METRICS_TOKEN": "t" * 32})
    Traceback (most recent call last):
    ...
    screening.config.ConfigError: DATABASE_URL: production runs on PostgreSQL; SQLite only with ...
    """
    url = str(config.get("DATABASE_URL") or "")
    if url.startswith("sqlite") and not config.get("SCREENING_ALLOW_SQLITE_IN_PRODUCTION"):
        raise ConfigError(
            "DATABASE_URL: production runs on PostgreSQL; SQLite only with"
            " SCREENING_ALLOW_SQLITE_IN_PRODUCTION=true"
        )
    token = str(config.get("SCREENING_METRICS_TOKEN") or "")
    if len(token) < MIN_METRICS_TOKEN_LENGTH or len(set(token)) < 8:
        raise ConfigError(
            f"SCREENING_METRICS_TOKEN: production needs a random token of at least {MIN_METRICS_TOKEN_LENGTH}"
            " characters to protect /metrics"
        )
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if config.get(name) is False:
            raise ConfigError(f"{name}: production sends cookies over HTTPS only; do not set it to false")


def chem_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments for ``chem_db.configure`` that are set."""
    mapping = {
        "max_smiles_length": "SCREENING_CHEM_MAX_SMILES_LENGTH",
        "max_heavy_atoms": "SCREENING_CHEM_MAX_HEAVY_ATOMS",
        "timeout_seconds": "SCREENING_CHEM_TIMEOUT_SECONDS",
        "memory_mb": "SCREENING_CHEM_MEMORY_MB",
        "workers": "SCREENING_CHEM_WORKERS",
        "isolate": "SCREENING_CHEM_ISOLATE",
    }
    return {arg: config[name] for arg, name in mapping.items() if config.get(name) is not None}
