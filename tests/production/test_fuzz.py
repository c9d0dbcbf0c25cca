"""Property-based fuzzing of the API from its own OpenAPI document (schemathesis), in-process.

Valid and invalid requests are generated for every operation the document describes, with a
bounded number of examples, and sent through the WSGI app with a real API key. Every response
must: not be a 5xx; have a status and content type the document declares; match the documented
schema; and, when it is an error, be in the service's one JSON error shape
(``{"code", "status", "message"[, "errors"]}`` with ``code`` equal to the HTTP status).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_PER_OPERATION = 30


def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx answer is the documented JSON error object."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type") or response.headers.get("Content-Type") or [""]
    if isinstance(content_type, list):
        content_type = content_type[0]
    assert content_type.startswith("application/json"), f"error {response.status_code} is not JSON"
    body = response.json()
    assert isinstance(body, dict), body
    assert body.get("code") == response.status_code, body
    assert isinstance(body.get("status"), str) and body["status"], body
    assert isinstance(body.get("message"), str) and body["message"], body
    assert set(body) <= {"code", "status", "message", "errors"}, body
    if "errors" in body:
        assert isinstance(body["errors"], dict) and body["errors"], body
    return None


@pytest.fixture()
def api_schema(app: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture()
def api_headers(as_exporter: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {as_exporter.key}"}


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_shape,
]


def operations(api_schema: Any) -> list[Any]:
    found = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in found} >= {"/api/v1/screenings", "/api/v1/structures/check"}
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_answers_every_generated_request_within_its_contract(
    api_schema: Any, api_headers: dict[str, str], mode: GenerationMode
) -> None:
    for operation in operations(api_schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def exercise(case: Any) -> None:
            case.call_and_validate(headers=api_headers, checks=CHECKS)

        exercise()
