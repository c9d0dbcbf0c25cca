"""SQLite's write-ahead log is checkpointed after responses, not inside a commit that holds the write lock."""

from __future__ import annotations

import shutil
import sqlite3

from sqlalchemy import text

from screening import create_app
from screening.database import CHECKPOINT_EVERY_WRITES, Database, create_db_engine, lock_for_write
from screening.devserver import prepare_database
from screening.services import Actor, record_audit


def entries_in_database_file(path: str, scratch: str) -> int:
    """Audit entries in the database file alone, leaving out what is still only in the write-ahead log."""
    shutil.copyfile(path, scratch)
    with sqlite3.connect(scratch) as connection:
        return connection.execute("SELECT count(*) FROM audit_entries").fetchone()[0]


def write(database: Database, n: int) -> None:
    with database.session_scope() as session:
        lock_for_write(session)
        record_audit(session, Actor.system("test"), "test.write", "test", n, {"n": n})


def test_a_checkpoint_is_due_every_so_many_writes_and_restarts_the_log(tmp_path):
    path = str(tmp_path / "db.sqlite")
    prepare_database(f"sqlite:///{path}")
    database = Database(create_db_engine(f"sqlite:///{path}"))
    try:
        for n in range(CHECKPOINT_EVERY_WRITES - 1):
            write(database, n)
        assert not database.checkpoint_due()
        with database.session_scope() as session:  # reads do not count
            session.execute(text("SELECT 1")).all()
        assert not database.checkpoint_due()
        write(database, 99)
        assert database.checkpoint_due()

        scratch = str(tmp_path / "copy.sqlite")
        before = entries_in_database_file(path, scratch)
        database.checkpoint()
        assert not database.checkpoint_due()
        assert entries_in_database_file(path, scratch) == before + CHECKPOINT_EVERY_WRITES
    finally:
        database.engine.dispose()


def test_the_app_checkpoints_once_the_response_is_sent(tmp_path):
    path = str(tmp_path / "app.sqlite")
    key = prepare_database(f"sqlite:///{path}")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "SCREENING_ENV": "testing",
            "SCREENING_RATELIMIT_ENABLED": False,
            "SECRET_KEY": "test",
        }
    )
    client = app.test_client()
    order = {
        "reference": "CK-1",
        "destination_country": "MX",
        "consignee": {"name": "Quimica del Norte SA de CV", "country": "MX", "kind": "distributor"},
        "lines": [{"cas": "67-64-1", "quantity": 10, "unit": "kg"}],
    }
    database = app.extensions["screening.db"]
    checkpoints = []
    real_checkpoint = database.checkpoint
    database.checkpoint = lambda: checkpoints.append(1) or real_checkpoint()
    try:
        for n in range(CHECKPOINT_EVERY_WRITES + 1):
            before = len(checkpoints)
            response = client.post(
                "/api/v1/screenings",
                json={**order, "reference": f"CK-{n}"},
                headers={"Authorization": f"Bearer {key}"},
            )
            assert response.status_code == 201
            assert len(checkpoints) == before  # never while the client waits
            response.close()  # what the server does once the response is sent
        assert checkpoints == [1]
    finally:
        database.engine.dispose()
