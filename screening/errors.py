"""Errors mapped to HTTP once: one JSON shape for the API, HTML for browsers.

Every JSON error looks like::

    {"code": 422, "status": "Unprocessable Entity", "message": "...",
     "errors": {"json": {"lines": {"0": {"quantity": ["Must be greater than 0."]}}}}}

``errors`` is present when particular fields failed; it is keyed by where the
field was (``json``, ``query``, ``headers``) and then by field path.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .services.errors import ServiceError

log = logging.getLogger(__name__)

JSON_PREFIXES = ("/api/", "/healthz")


def wants_json() -> bool:
    """API paths always get JSON; elsewhere, clients that prefer JSON over HTML do."""
    if request.path.startswith(JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_body(code: int, message: str | None = None, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    try:
        status = HTTPStatus(code).phrase
    except ValueError:
        status = "Error"
    body: dict[str, Any] = {"code": code, "status": status, "message": message or status}
    if errors:
        body["errors"] = errors
    return body


def json_error(
    code: int,
    message: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    response = jsonify(error_body(code, message, errors))
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_http_exception(exc: HTTPException) -> Any:
    if not wants_json():
        return exc
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    message = data.get("message") or exc.description
    if code == 422 and errors and not data.get("message"):
        message = "the request has invalid fields: see errors"
    headers = dict(data.get("headers") or {})
    if code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    response = json_error(code, message, errors, headers)
    if code == 405 and exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    return response


def handle_service_error(exc: ServiceError) -> Any:
    if not wants_json():
        return exc.message, exc.status
    errors = exc.errors
    if errors and not any(k in errors for k in ("json", "query", "headers", "form")):
        errors = {"json": errors}
    return json_error(exc.status, exc.message, errors)


def handle_unexpected(exc: Exception) -> Any:
    log.exception("unhandled error on %s %s", request.method, request.path)
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    if not wants_json():
        # The app's own 500 page when one is registered (the pages' layout), Werkzeug's otherwise.
        return current_app.handle_http_exception(InternalServerError(original_exception=exc))
    return json_error(500, "internal error: it has been logged; nothing was stored")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(Exception, handle_unexpected)
