"""Seeing the service run: request ids, JSON logs, Prometheus metrics, readiness.

- **Request ids.** Every request gets an id: the caller's ``X-Request-ID`` when it is
  a sane token (1-128 characters of letters, digits and ``._:-``; a reverse proxy
  usually sets one), otherwise a new random one. It is sent back in the
  ``X-Request-ID`` response header and stamped on every log record made while the
  request runs (a log record factory, so no handler or logger can miss it).
- **Logs.** ``SCREENING_LOG_FORMAT=json`` (the default) writes one JSON object per
  line to standard error: ``ts``, ``level``, ``logger``, ``message``, ``request_id``
  and, inside a request, ``method``, ``path`` and ``remote_addr``; exceptions add
  ``exc_info``. ``text`` keeps the classic one-line format (with the id). A request slower
  than ``SCREENING_SLOW_REQUEST_SECONDS`` logs a warning (gunicorn's access log, also JSON with
  the id, has every request).
- **Metrics.** Prometheus counters and histograms (names under ``screening_``):
  HTTP requests and their latency by endpoint, screenings stored by status,
  chemistry time, rejected inputs by reason, rate-limited calls. Under gunicorn they
  are aggregated across workers through ``PROMETHEUS_MULTIPROC_DIR`` (set by
  ``gunicorn.conf.py``). ``GET /metrics`` answers only with the bearer token
  ``SCREENING_METRICS_TOKEN`` or, when no token is configured (development), to
  loopback clients only.
- **Readiness.** ``GET /readyz``: 200 when the database answers, its schema is at the
  migrations' head, and the watchlist and rules are loaded (their versions are in
  the body); 503 in the service's JSON error shape otherwise. ``/healthz`` stays
  the contract's liveness check.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST as PROMETHEUS_CONTENT_TYPE
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from .errors import error_body, json_error

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
NO_REQUEST = "-"

# --- metrics --------------------------------------------------------------------------------------
# Defined once per process at import; in multiprocess mode every worker writes its own files and
# /metrics sums them.

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter(
    "screening_http_requests_total",
    "HTTP requests answered, by method, endpoint (URL rule) and status code.",
    ["method", "endpoint", "status"],
)
HTTP_LATENCY = Histogram(
    "screening_http_request_duration_seconds",
    "Time from the start of a request to its response, by method and endpoint.",
    ["method", "endpoint"],
    buckets=LATENCY_BUCKETS,
)
SCREENINGS = Counter(
    "screening_screenings_total",
    "Screenings committed to the database, by status (clear, review, hold) and trigger.",
    ["status", "trigger"],
)
CHEMISTRY_SECONDS = Histogram(
    "screening_chemistry_seconds",
    "Time chem_db took to resolve and match one batch of structures (an order's lines or a check).",
    buckets=LATENCY_BUCKETS,
)
CHEMISTRY_STRUCTURES = Counter(
    "screening_chemistry_structures_total",
    "Structures screened by chem_db, by classification.",
    ["classification"],
)
REJECTED_INPUTS = Counter(
    "screening_rejected_inputs_total",
    "Inputs refused: requests (malformed, invalid, too large) and structures beyond the engine's limits.",
    ["reason"],
)
RATE_LIMITED = Counter(
    "screening_rate_limited_total",
    "Calls refused with 429, by the limit that was hit.",
    ["limit"],
)

_REJECTED_STATUS = {400: "malformed", 409: "conflict", 413: "too_large", 422: "invalid"}
_LIMIT_FINDINGS = {"LIMIT_EXCEEDED": "structure_limit", "SCREENING_FAILED": "structure_failed"}


def count_rate_limited(limit: str) -> None:
    """Count one call refused by the rate limit named ``limit`` (called by :mod:`screening.ratelimit`)."""
    RATE_LIMITED.labels(limit=limit).inc()


def metrics_registry() -> CollectorRegistry:
    """The registry to expose: the per-worker files summed under gunicorn, this process's otherwise."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    return registry


# --- request ids and logs ---------------------------------------------------------------------------


def current_request_id() -> str:
    """This request's id (``-`` outside a request)."""
    if has_request_context():
        return str(getattr(g, "request_id", NO_REQUEST))
    return NO_REQUEST


def accept_request_id(value: str | None) -> str:
    """The caller's id when it is a sane token, otherwise a new one.

    >>> accept_request_id("req-42.a:b")
    'req-42.a:b'
    >>> len(accept_request_id("bad id with spaces")) == 32
    True
    >>> len(accept_request_id(None)) == 32
    True
    """
    if value and _REQUEST_ID_RE.match(value):
        return value
    return uuid.uuid4().hex


_factory_installed = False


def install_record_factory() -> None:
    """Stamp ``request_id`` (and request details) on every log record made in this process."""
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if has_request_context():
            record.request_id = getattr(g, "request_id", NO_REQUEST)
            record.http_method = request.method
            record.http_path = request.path
            record.remote_addr = request.remote_addr
        else:
            record.request_id = NO_REQUEST
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the request id on every line (``-`` outside requests)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "pid": record.process,
        }
        for source, key in (("http_method", "method"), ("http_path", "path"), ("remote_addr", "remote_addr")):
            value = getattr(record, source, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s [%(name)s] [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = NO_REQUEST
        return super().format(record)


_HANDLER_MARK = "_screening_observability"


def configure_logging(fmt: str, level: int) -> logging.Handler:
    """Send the root logger's records to standard error in ``fmt`` (``json`` or ``text``); idempotent.

    A plain standard-error handler installed before (``logging.basicConfig``) is
    taken over, so no line is written twice; other handlers (pytest's, files) are left alone.
    """
    install_record_factory()
    formatter: logging.Formatter = JsonFormatter() if fmt == "json" else TextFormatter()
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]
    if ours:
        handler = ours[0]
    else:
        stderr_handlers = [
            h
            for h in root.handlers
            if type(h) is logging.StreamHandler and getattr(h, "stream", None) in (sys.stderr, sys.__stderr__)
        ]
        handler = stderr_handlers[0] if stderr_handlers else logging.StreamHandler(sys.stderr)
        setattr(handler, _HANDLER_MARK, True)
        if handler not in root.handlers:
            root.addHandler(handler)
    handler.setFormatter(formatter)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return handler


# --- chemistry and screenings -------------------------------------------------------------------------


def instrument_chemistry() -> None:
    """Time every chem_db batch and count its outcomes (chem_db stays free of Flask and metrics).

    ``Engine.screen_many`` is the one path all chemistry takes (``screen`` calls it), so
    wrapping it once per process measures orders and catalogue checks alike.
    """
    from chem_db import engine as chem_engine

    original = chem_engine.Engine.screen_many
    if getattr(original, "_screening_instrumented", False):
        return

    def screen_many(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        results = original(self, *args, **kwargs)
        CHEMISTRY_SECONDS.observe(time.perf_counter() - started)
        for result in results:
            CHEMISTRY_STRUCTURES.labels(classification=result.classification).inc()
            for code in {f.code for f in result.findings} & _LIMIT_FINDINGS.keys():
                REJECTED_INPUTS.labels(reason=_LIMIT_FINDINGS[code]).inc()
        return results

    screen_many._screening_instrumented = True  # type: ignore[attr-defined]
    screen_many.__doc__ = original.__doc__
    chem_engine.Engine.screen_many = screen_many  # type: ignore[method-assign]


@event.listens_for(Session, "after_commit")
def _count_committed_screenings(session: Session) -> None:
    from .models import Screening
    from .services.rows import new_rows

    for obj in new_rows(session):
        if isinstance(obj, Screening):
            SCREENINGS.labels(status=str(obj.status), trigger=str(obj.trigger or "initial")).inc()


# --- readiness ---------------------------------------------------------------------------------------

_schema_heads: tuple[str, ...] | None = None


def migration_heads() -> tuple[str, ...]:
    """The Alembic head revision(s) this code expects (read once per process)."""
    global _schema_heads
    if _schema_heads is None:
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        config = Config(os.path.join(root, "alembic.ini"))
        config.set_main_option("script_location", os.path.join(root, "migrations"))
        _schema_heads = tuple(sorted(ScriptDirectory.from_config(config).get_heads()))
    return _schema_heads


def readiness() -> tuple[bool, dict[str, Any]]:
    """Check the database, its schema version, the watchlist and the rules; never raises."""
    from .db import get_database

    checks: dict[str, Any] = {}
    ok = True
    try:
        with get_database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = tuple(
                sorted(r[0] for r in connection.execute(text("SELECT version_num FROM alembic_version")))
            )
            head_row = connection.execute(
                text("SELECT last_entry_id FROM audit_chain_head WHERE id = 1")
            ).first()
        expected = migration_heads()
        checks["database"] = "ok"
        checks["schema"] = {"current": list(current), "expected": list(expected)}
        if current != expected:
            ok = False
            checks["schema"]["problem"] = "the schema is not at the migrations' head: run `db upgrade`"
        if head_row is None:
            ok = False
            checks["audit_chain"] = "the audit chain head row is missing"
    except Exception as exc:  # noqa: BLE001 - readiness reports every failure, whatever it is
        ok = False
        checks["database"] = f"unreachable: {type(exc).__name__}"
        log.warning("readiness: database check failed: %s", exc)
    for name, load in (("watchlist", _watchlist_version), ("rules", _rules_version)):
        try:
            checks[name] = {"version": load()}
        except Exception as exc:  # noqa: BLE001
            ok = False
            checks[name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
            log.warning("readiness: %s not loaded: %s", name, exc)
    return ok, checks


def _watchlist_version() -> str:
    from chem_db import get_engine

    return str(get_engine().version)


def _rules_version() -> str:
    from rules import current_ruleset

    return str(current_ruleset().version)


# --- Flask wiring ----------------------------------------------------------------------------------


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def metrics_allowed(token: str | None, authorization: str, remote_addr: str | None) -> bool:
    """With a token configured, only ``Bearer <token>`` passes; without one, only loopback clients.

    >>> metrics_allowed("s3cret", "Bearer s3cret", "203.0.113.9")
    True
    >>> metrics_allowed("s3cret", "Bearer nope", "127.0.0.1")
    False
    >>> metrics_allowed(None, "", "127.0.0.1"), metrics_allowed(None, "", "203.0.113.9")
    (True, False)
    """
    if token:
        scheme, _, given = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
    return _is_loopback(remote_addr)


def _endpoint_label() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def _security_headers(app: Flask, response: Response) -> None:
    """Headers for JSON responses (the API, health, metrics); the web pages set their own (CSP etc.).

    ``setdefault`` only: whatever the web layer decided stays.
    """
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    if response.mimetype == "application/json" or request.path.startswith("/api/v1/screenings"):
        headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cache-Control", "no-store")
    if app.config.get("SCREENING_ENV") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def register_observability(app: Flask) -> None:
    """Request ids, JSON logs, metrics and readiness for ``app``."""
    level = getattr(logging, str(app.config["SCREENING_LOG_LEVEL"]).upper(), logging.INFO)
    configure_logging(str(app.config.get("SCREENING_LOG_FORMAT") or "json"), level)
    instrument_chemistry()
    slow_seconds = float(app.config.get("SCREENING_SLOW_REQUEST_SECONDS") or 5.0)

    @app.before_request
    def start_request() -> None:
        g.request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
        g.request_started = time.perf_counter()

    @app.after_request
    def finish_request(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = current_request_id()
        _security_headers(app, response)
        started = g.get("request_started")
        endpoint = _endpoint_label()
        if started is not None and endpoint not in ("/metrics",):
            HTTP_LATENCY.labels(method=request.method, endpoint=endpoint).observe(
                time.perf_counter() - started
            )
        HTTP_REQUESTS.labels(method=request.method, endpoint=endpoint, status=str(response.status_code)).inc()
        reason = _REJECTED_STATUS.get(response.status_code)
        if reason is not None:
            REJECTED_INPUTS.labels(reason=reason).inc()
        if response.status_code >= 500:
            log.error("%s %s answered %s", request.method, request.path, response.status_code)
        elif started is not None and time.perf_counter() - started >= slow_seconds:
            log.warning(
                "slow request: %s %s answered %s in %.0f ms",
                request.method,
                request.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        return response

    app.add_url_rule("/metrics", "observability.metrics", metrics_view, methods=["GET"])
    app.add_url_rule("/readyz", "observability.readyz", readyz_view, methods=["GET"])


def metrics_view() -> Response:
    """Prometheus text format; bearer token, or loopback only when no token is configured."""
    token = current_app.config.get("SCREENING_METRICS_TOKEN")
    if not metrics_allowed(token, request.headers.get("Authorization", ""), request.remote_addr):
        if token:
            return json_error(
                401,
                "metrics need Authorization: Bearer <SCREENING_METRICS_TOKEN>",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        return json_error(403, "metrics are served to loopback clients only (or set SCREENING_METRICS_TOKEN)")
    return Response(generate_latest(metrics_registry()), mimetype=PROMETHEUS_CONTENT_TYPE.split(";")[0])


def readyz_view() -> Response:
    ok, checks = readiness()
    if ok:
        return jsonify({"status": "ready", "checks": checks})
    problems = [name for name, value in checks.items() if value != "ok" and _failed(value)]
    body = error_body(503, "not ready: " + ", ".join(problems))
    body["checks"] = checks
    response = jsonify(body)
    response.status_code = 503
    return response


def _failed(value: Any) -> bool:
    if isinstance(value, dict):
        return "error" in value or "problem" in value
    return value != "ok"
