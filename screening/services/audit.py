"""Append to and verify the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..database import lock_for_write
from ..models import GENESIS_HASH, AuditChainHead, AuditEntry, utcnow
from .actors import Actor
from .rows import insert_new


def canonical_json(value: Any) -> str:
    """Deterministic JSON (sorted keys, no spaces; dates as ISO strings).

    >>> canonical_json({"b": 1, "a": [date(2026, 1, 2)]})
    '{"a":["2026-01-02"],"b":1}'
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types (dates become ISO strings)."""
    return json.loads(canonical_json(value))


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(entry: Any) -> str:
    """The SHA-256 of an entry's content and its predecessor's hash (an AuditEntry or a table row)."""
    content = {
        "id": entry.id,
        "created_at": _timestamp(entry.created_at),
        "actor_type": entry.actor_type,
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "organisation_id": entry.organisation_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "detail": entry.detail,
        "source_address": entry.source_address,
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


_MOVE_CHAIN_HEAD = update(AuditChainHead.__table__).where(AuditChainHead.__table__.c.id == 1)


def record_audit(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str | None = None,
    target_id: str | int | None = None,
    detail: Mapping[str, Any] | None = None,
    *,
    organisation_id: int | None = None,
) -> AuditEntry:
    """Append an entry to the audit chain (takes the write lock; flushes and writes; never commits).

    ``action`` is a stable dotted name such as ``screening.created`` or ``user.login``.
    ``organisation_id`` defaults to the actor's organisation.
    """
    head = lock_for_write(session)
    session.flush()  # earlier changes first: the entry may name a row they create
    entry = AuditEntry(
        id=head.last_entry_id + 1,
        created_at=utcnow(),
        actor_type=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        organisation_id=organisation_id if organisation_id is not None else actor.organisation_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=jsonable(dict(detail or {})),
        source_address=actor.source_address,
        prev_hash=head.last_hash,
    )
    entry.hash = entry_hash(entry)
    insert_new(session, entry)  # append-only: nothing ever updates an entry
    session.connection().execute(
        _MOVE_CHAIN_HEAD, {"last_entry_id": entry.id, "last_hash": entry.hash, "updated_at": entry.created_at}
    )
    head.last_entry_id, head.last_hash = entry.id, entry.hash
    return entry


@dataclass
class ChainReport:
    """The result of checking the audit chain."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem: str | None = None

    def describe(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.checked} entries"
        return f"audit chain broken at entry {self.first_broken_id}: {self.problem}"


def verify_chain(
    session: Session, progress: Callable[[int], None] | None = None, batch_size: int = 1000
) -> ChainReport:
    """Recompute every hash in order; name the first entry that does not fit."""
    expected_prev = GENESIS_HASH
    expected_id = 1
    checked = 0
    last_id = 0
    while True:
        table = AuditEntry.__table__
        batch = session.execute(
            select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch_size)
        ).all()
        if not batch:
            break
        for entry in batch:
            if entry.id != expected_id:
                return ChainReport(
                    False, checked, expected_id, f"entry {expected_id} is missing (next entry is {entry.id})"
                )
            if entry.prev_hash != expected_prev:
                return ChainReport(
                    False, checked, entry.id, "prev_hash does not match the previous entry's hash"
                )
            if entry_hash(entry) != entry.hash:
                return ChainReport(False, checked, entry.id, "content does not match its hash (altered)")
            expected_prev = entry.hash
            expected_id += 1
            checked += 1
        last_id = batch[-1].id
        if progress:
            progress(checked)
    head = session.get(AuditChainHead, 1)
    if head is None:
        return ChainReport(False, checked, None, "the chain head row is missing")
    if head.last_entry_id != checked or head.last_hash != expected_prev:
        return ChainReport(
            False,
            checked,
            checked + 1 if head.last_entry_id > checked else head.last_entry_id,
            f"the chain head names entry {head.last_entry_id}, but the log ends at entry {checked}"
            " (entries removed or head altered)",
        )
    return ChainReport(True, checked)


def count_audit_entries(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0
