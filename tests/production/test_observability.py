"""Seeing it run, in-process: request ids on responses and log lines, JSON log format, the metrics
endpoint (its protection and the metrics it exposes), readiness."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from prometheus_client import REGISTRY

from screening import create_app
from screening.observability import JsonFormatter

ORDER = {
    "reference": "OBS-1",
    "destination_country": "MX",
    "consignee": {"name": "Quimica del Norte SA de CV", "country": "MX", "kind": "distributor"},
    "lines": [{"product": "Acetone", "cas": "67-64-1", "quantity": 10, "unit": "kg"}],
}
METRICS_TOKEN = "metrics-token-for-tests-0123456789abcdef"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_request_id_is_taken_from_the_caller_or_made_and_sent_back(client: Any) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a:42"})
    assert given.headers["X-Request-ID"] == "lb-7f3a:42"
    made = client.get("/healthz")
    assert len(made.headers["X-Request-ID"]) == 32
    assert made.headers["X-Request-ID"] != client.get("/healthz").headers["X-Request-ID"]
    forged = 'x" {"level":"ERROR"} ' + "a" * 200
    hostile = client.get("/healthz", headers={"X-Request-ID": forged})
    assert hostile.headers["X-Request-ID"] != forged
    assert len(hostile.headers["X-Request-ID"]) == 32


def test_log_lines_made_during_a_request_carry_its_id(app: Any, caplog: pytest.LogCaptureFixture) -> None:
    @app.get("/_test/log")
    def log_something() -> str:
        logging.getLogger("screening.tests").warning("looking at order %s", "PO-1")
        logging.getLogger("sqlalchemy.somewhere").warning("a library line")
        return "ok"

    with caplog.at_level(logging.WARNING):
        response = app.test_client().get("/_test/log", headers={"X-Request-ID": "trace-abc-123"})
    assert response.status_code == 200
    lines = [r for r in caplog.records if r.getMessage() in ("looking at order PO-1", "a library line")]
    assert len(lines) == 2
    for record in lines:
        assert record.request_id == "trace-abc-123"
        entry = json.loads(JsonFormatter().format(record))
        assert entry["request_id"] == "trace-abc-123"
        assert entry["path"] == "/_test/log" and entry["method"] == "GET"
        assert entry["level"] == "WARNING" and entry["logger"] == record.name
    outside = logging.getLogger("screening.tests").makeRecord(
        "screening.tests", logging.INFO, "", 0, "boot", (), None
    )
    assert json.loads(JsonFormatter().format(outside))["request_id"] == "-"


def test_metrics_are_for_loopback_only_without_a_token(client: Any) -> None:
    assert client.get("/metrics").status_code == 200  # the test client calls from 127.0.0.1
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert remote.status_code == 403
    assert remote.get_json()["code"] == 403 and "loopback" in remote.get_json()["message"]


@pytest.fixture()
def token_app(app_config: dict[str, Any], db_connection: Any) -> Any:
    from screening.db import get_database

    application = create_app({**app_config, "SCREENING_METRICS_TOKEN": METRICS_TOKEN})
    get_database(application).engine.dispose()
    get_database(application).bind_to_connection(db_connection)
    return application


def test_metrics_need_the_token_when_one_is_set(token_app: Any) -> None:
    client = token_app.test_client()
    assert client.get("/metrics").status_code == 401  # loopback no longer enough
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401 and wrong.get_json()["code"] == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    remote = client.get(
        "/metrics",
        headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        environ_base={"REMOTE_ADDR": "198.51.100.4"},
    )
    assert remote.status_code == 200
    assert remote.mimetype == "text/plain"


def test_metrics_count_screenings_latency_chemistry_and_rejections(client: Any, as_exporter: Any) -> None:
    from screening.services.screenings import result_cache

    result_cache.clear()  # an earlier test may have screened the same lines: make this one reach chem_db
    before = {
        "hold_or_other": sum(
            sample("screening_screenings_total", status=s, trigger="initial")
            for s in ("clear", "review", "hold")
        ),
        "latency": sample(
            "screening_http_request_duration_seconds_count", method="POST", endpoint="/api/v1/screenings"
        ),
        "chemistry": sample("screening_chemistry_seconds_count"),
        "invalid": sample("screening_rejected_inputs_total", reason="invalid"),
        "malformed": sample("screening_rejected_inputs_total", reason="malformed"),
    }
    created = as_exporter.screen(ORDER)
    assert created.status_code == 201, created.get_json()
    assert as_exporter.screen({**ORDER, "lines": []}).status_code == 422
    assert (
        as_exporter.post("/api/v1/screenings", data="not json", content_type="text/plain").status_code == 400
    )

    after_screenings = sum(
        sample("screening_screenings_total", status=s, trigger="initial") for s in ("clear", "review", "hold")
    )
    assert after_screenings == before["hold_or_other"] + 1
    assert sample("screening_screenings_total", status=created.get_json()["status"], trigger="initial") >= 1
    assert (
        sample("screening_http_request_duration_seconds_count", method="POST", endpoint="/api/v1/screenings")
        == before["latency"] + 3
    )
    assert sample("screening_chemistry_seconds_count") >= before["chemistry"] + 1
    assert sample("screening_rejected_inputs_total", reason="invalid") == before["invalid"] + 1
    assert sample("screening_rejected_inputs_total", reason="malformed") == before["malformed"] + 1

    text = client.get("/metrics").get_data(as_text=True)
    for name in (
        "screening_http_requests_total",
        "screening_http_request_duration_seconds_bucket",
        "screening_screenings_total",
        "screening_chemistry_seconds_bucket",
        "screening_rejected_inputs_total",
        "screening_rate_limited_total",
    ):
        assert name in text, name


def test_readiness_reports_database_schema_watchlist_and_rules(client: Any) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    checks = response.get_json()["checks"]
    assert checks["database"] == "ok"
    assert checks["schema"]["current"] == checks["schema"]["expected"]
    assert checks["watchlist"]["version"] and checks["rules"]["version"]


def test_readiness_is_503_on_a_database_without_the_schema(tmp_path: Any, app_config: dict[str, Any]) -> None:
    application = create_app({**app_config, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    response = application.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == 503 and body["status"] == "Service Unavailable"
    assert "database" in body["message"]
    assert body["checks"]["watchlist"]["version"]  # what did load is still reported


def test_health_stays_the_contract_liveness_check(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
