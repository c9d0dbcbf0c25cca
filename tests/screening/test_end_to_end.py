"""The real server: gunicorn with several workers on a temporary SQLite database, orders sent concurrently.

Each order must be stored exactly once, with its screening and its audit entry,
with no "database is locked" error, and the audit chain must stay intact.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from screening.database import Database, create_db_engine
from screening.devserver import prepare_database, running_server
from screening.models import AuditEntry, Order, Screening
from screening.services import verify_chain

ORDERS = 36
WORKERS = 3


def order(i: int) -> dict:
    return {
        "reference": f"E2E-{i:03d}",
        "destination_country": "MX",
        "consignee": {"name": "Quimica del Norte SA de CV", "country": "MX", "kind": "distributor"},
        "lines": [
            {"product": "Acetone", "cas": "67-64-1", "quantity": 10 + i, "unit": "kg"},
            {"product": "Salt", "cas": "7647-14-5", "quantity": 1, "unit": "kg"},
        ],
    }


@pytest.mark.slow
def test_concurrent_orders_are_each_stored_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    key = prepare_database(url)
    auth = {"Authorization": f"Bearer {key}"}
    with running_server(url, WORKERS) as server:

        def submit(i: int) -> tuple[int, dict]:
            # every third order is retried at once with the same Idempotency-Key
            return server.request(
                "POST", "/api/v1/screenings", order(i), {**auth, "Idempotency-Key": f"e2e-{i}"}
            )

        jobs = list(range(ORDERS)) + list(range(0, ORDERS, 3))
        with ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(submit, jobs))
        log = server.log()

    statuses = [status for status, _ in results]
    assert set(statuses) <= {200, 201}, [body for status, body in results if status not in (200, 201)]
    ids_by_reference: dict[str, set[str]] = {}
    for _, body in results:
        ids_by_reference.setdefault(body["reference"], set()).add(body["id"])
    assert len(ids_by_reference) == ORDERS
    assert all(len(ids) == 1 for ids in ids_by_reference.values()), (
        "an idempotent retry created a second order"
    )
    assert "database is locked" not in log

    engine = create_db_engine(url)
    try:
        with Database(engine).session_scope() as session:
            assert session.scalar(select(func.count()).select_from(Order)) == ORDERS
            assert session.scalar(select(func.count()).select_from(Screening)) == ORDERS
            created = session.scalars(
                select(AuditEntry.target_id).where(AuditEntry.action == "screening.created")
            ).all()
            assert sorted(created) == sorted(i for ids in ids_by_reference.values() for i in ids)
            report = verify_chain(session)
            assert report.ok, report.describe()
    finally:
        engine.dispose()
