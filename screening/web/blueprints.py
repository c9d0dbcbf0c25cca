"""The two blueprints of the pages: ``web`` (compliance officers, sign-in) and ``admin`` (administrators)."""

from __future__ import annotations

from flask import Blueprint

web = Blueprint("web", __name__)
admin = Blueprint("admin", __name__, url_prefix="/admin")
