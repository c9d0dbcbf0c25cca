"""``/healthz``: 200 when the database answers, 503 otherwise (for load balancers and monitors)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from ..db import get_database
from ..errors import json_error

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    try:
        with get_database().engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        log.warning("health check: database unreachable: %s", exc)
        return json_error(503, "the database is unreachable")
    return jsonify({"status": "ok", "database": "ok"})
