"""The hash-chained audit log: every change is chained; tampering is found and named."""

from __future__ import annotations

from sqlalchemy import select, text, update

from screening.models import AuditChainHead, AuditEntry
from screening.services import Actor, record_audit, verify_chain

ACTOR = Actor("user", "7", "liaison@example.com", None, "hsi_liaison", "192.0.2.10")


def add_entries(session, count=3):
    return [
        record_audit(session, ACTOR, "case.viewed", "order", f"o-{i}", {"i": i, "x": 1.5})
        for i in range(count)
    ]


def test_entries_chain_to_each_other_and_verify(db_session):
    entries = add_entries(db_session)
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash
        assert after.id == before.id + 1
    assert entries[0].source_address == "192.0.2.10" and entries[0].actor_label == "liaison@example.com"
    report = verify_chain(db_session)
    assert report.ok, report.describe()
    assert report.checked >= 3


def test_altered_entry_is_named(db_session):
    entries = add_entries(db_session)
    db_session.execute(update(AuditEntry).where(AuditEntry.id == entries[1].id).values(action="case.deleted"))
    db_session.expire_all()
    report = verify_chain(db_session)
    assert not report.ok
    assert report.first_broken_id == entries[1].id
    assert "altered" in report.describe()


def test_removed_entry_is_named(db_session):
    ids = [entry.id for entry in add_entries(db_session)]
    db_session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": ids[1]})
    db_session.expire_all()
    report = verify_chain(db_session)
    assert not report.ok and report.first_broken_id == ids[1]


def test_removing_the_newest_entries_is_found_through_the_head(db_session):
    ids = [entry.id for entry in add_entries(db_session)]
    db_session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": ids[-1]})
    db_session.expire_all()
    report = verify_chain(db_session)
    assert not report.ok and report.first_broken_id == ids[-1]


def test_head_names_the_newest_entry(db_session):
    entries = add_entries(db_session, 2)
    head = db_session.scalar(select(AuditChainHead))
    assert (head.last_entry_id, head.last_hash) == (entries[-1].id, entries[-1].hash)
