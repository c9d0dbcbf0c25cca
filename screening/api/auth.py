"""API key authentication: ``Authorization: Bearer <key>``, checked before every API view."""

from __future__ import annotations

from flask import abort, current_app, g, request

from ..db import get_session
from ..models import ApiKey, Organisation
from ..services import Actor, authenticate_api_key


def require_api_key() -> None:
    """Load the caller's key and organisation onto ``g`` (``g.api_key``, ``g.organisation``, ``g.actor``)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, description="missing API key: send Authorization: Bearer <api key>")
    api_key = authenticate_api_key(
        get_session(),
        token.strip(),
        touch_after_seconds=float(current_app.config["SCREENING_API_KEY_TOUCH_SECONDS"]),
    )
    if api_key is None:
        abort(401, description="unknown or revoked API key")
    g.api_key = api_key
    g.organisation = api_key.organisation
    g.actor = Actor.for_api_key(api_key, request.remote_addr)


def current_organisation() -> Organisation:
    return g.organisation


def current_api_key() -> ApiKey:
    return g.api_key


def current_actor() -> Actor:
    return g.actor
