"""Checks shared by the API blueprints."""

from __future__ import annotations

from flask import abort, request


def require_json_body() -> None:
    """A POST must carry a JSON object: anything else is a 400 with a clear message."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if not request.is_json:
        abort(400, description="the request body must be JSON (Content-Type: application/json)")
    if request.get_json(silent=True) is None:
        abort(400, description="the request body is not valid JSON")
