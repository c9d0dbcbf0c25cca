"""API key authentication: ``Authorization: Bearer <key>``, checked before every API view.

A key that authenticated is remembered by this process for a few seconds
(``SCREENING_API_KEY_CACHE_SECONDS``, default 5; 0 turns it off), keyed on the
key's SHA-256, so a busy exporter costs one database read per key per interval,
not per call. A revocation in this process takes effect at once; on other
servers and workers within that interval.
"""

from __future__ import annotations

import hashlib
import threading
import time

from flask import abort, current_app, g, request
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..db import get_session
from ..models import ApiKey, Organisation
from ..services import Actor, authenticate_api_key
from ..services.accounts import revocation_generation

MAX_CACHED_KEYS = 10_000


class AuthenticatedKeys:
    """Detached snapshots of recently authenticated keys (never the key itself, only its hash)."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, int, ApiKey]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> ApiKey | None:
        with self._lock:
            item = self._items.get(digest)
        if item is None:
            return None
        expires, generation, snapshot = item
        if time.monotonic() > expires or generation != revocation_generation():
            with self._lock:
                self._items.pop(digest, None)
            return None
        return snapshot

    def put(self, digest: str, api_key: ApiKey, seconds: float) -> None:
        snapshot = _snapshot(api_key)
        with self._lock:
            if len(self._items) >= MAX_CACHED_KEYS:
                self._items.clear()
            self._items[digest] = (time.monotonic() + seconds, revocation_generation(), snapshot)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _snapshot(api_key: ApiKey) -> ApiKey:
    org = api_key.organisation
    org_copy = Organisation(id=org.id, name=org.name, active=org.active, created_at=org.created_at)
    make_transient_to_detached(org_copy)
    key_copy = ApiKey(
        id=api_key.id,
        organisation_id=api_key.organisation_id,
        prefix=api_key.prefix,
        key_hash=api_key.key_hash,
        label=api_key.label,
        created_at=api_key.created_at,
        created_by=api_key.created_by,
        revoked_at=api_key.revoked_at,
        last_used_at=api_key.last_used_at,
    )
    make_transient_to_detached(key_copy)
    set_committed_value(key_copy, "organisation", org_copy)
    return key_copy


authenticated_keys = AuthenticatedKeys()


def _authenticate(session: Session, token: str) -> ApiKey | None:
    config = current_app.config
    seconds = float(config["SCREENING_API_KEY_CACHE_SECONDS"])
    digest = hashlib.sha256(token.encode()).hexdigest()
    if seconds > 0:
        snapshot = authenticated_keys.get(digest)
        if snapshot is not None:
            # attach without a query: the snapshot is what the database said moments ago
            return session.merge(snapshot, load=False)
    api_key = authenticate_api_key(
        session, token, touch_after_seconds=float(config["SCREENING_API_KEY_TOUCH_SECONDS"])
    )
    if api_key is None:
        return None
    if session.dirty:
        # the last-used time was due: bookkeeping, committed on its own so that the request's
        # own work (often just reading) keeps its single commit and never holds this write
        session.commit()
    if seconds > 0:
        authenticated_keys.put(digest, api_key, seconds)
    return api_key


def require_api_key() -> None:
    """Load the caller's key and organisation onto ``g`` (``g.api_key``, ``g.organisation``, ``g.actor``)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, description="missing API key: send Authorization: Bearer <api key>")
    api_key = _authenticate(get_session(), token.strip())
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
