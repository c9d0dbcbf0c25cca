"""A browsable page for the OpenAPI document, served from files in the repository (no CDN)."""

from __future__ import annotations

import os

from flask import Blueprint, Response, redirect, send_from_directory, url_for

STATIC = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "apidocs")
bp = Blueprint("apidocs", __name__)


@bp.get("/api/v1/docs")
def docs_page() -> Response:
    return send_from_directory(STATIC, "index.html", max_age=300)


@bp.get("/api/v1/docs/<path:filename>")
def docs_asset(filename: str) -> Response:
    return send_from_directory(STATIC, filename, max_age=300)


@bp.get("/api/docs")
def docs_redirect() -> Response:
    return redirect(url_for("apidocs.docs_page"))  # type: ignore[return-value]
