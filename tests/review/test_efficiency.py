"""Cost: the queue's queries do not grow with the page (no query per case); a re-screening run's
statements grow linearly with the number of orders (a fixed number per order, nothing per pair).

Counts SQL statements, not time, so the checks hold on any machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, update

from screening.db import get_database
from screening.models import Screening
from screening.services import Actor
from screening.services.rescreening import process_run, start_rescreen
from screening.services.review_queue import QueueFilters, list_queue

from .conftest import NPP, SAFROLE

ACTOR = Actor.system("test")


@contextmanager
def counted(connection: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


def queue_statements(app: Any, connection: Any) -> int:
    with get_database(app).session_scope() as session, counted(connection) as statements:
        page = list_queue(session, QueueFilters(), per_page=50)
        for row in page.rows:  # what the template touches
            _ = (
                row.order.reference,
                row.exporter,
                row.item.assignee,
                [f.code for f in row.flags],
                row.change,
            )
    return len(statements)


def test_queue_queries_do_not_grow_with_the_page(
    app: Any, db_connection: Any, as_exporter: Any, other_exporter: Any, flag_order: Any
) -> None:
    for i in range(2):
        flag_order(as_exporter, reference=f"PO-A{i}", lines=[SAFROLE])
    few = queue_statements(app, db_connection)
    for i in range(4):
        flag_order(other_exporter, reference=f"PO-B{i}", lines=[NPP if i % 2 else SAFROLE])
    many = queue_statements(app, db_connection)
    assert many == few


def run_statements(app: Any, connection: Any, exporter: Any, flag_order: Any, n: int) -> int:
    savepoint = connection.begin_nested()
    try:
        for i in range(n):
            flag_order(exporter, reference=f"PO-{n}-{i}", lines=[SAFROLE])
        with get_database(app).session_scope() as session:  # as if screened with earlier rules
            session.execute(update(Screening).values(rules_version="earlier+000000000000"))
        with counted(connection) as statements:
            with get_database(app).session_scope() as session:
                run_id = start_rescreen(session, ACTOR).id
            report = process_run(get_database(app), run_id, ACTOR, batch_size=2)
        assert report.processed == n and report.state == "done"
        return len(statements)
    finally:
        savepoint.rollback()


def test_rescreening_cost_is_linear_in_orders(
    app: Any, db_connection: Any, as_exporter: Any, flag_order: Any
) -> None:
    two, three, five = (run_statements(app, db_connection, as_exporter, flag_order, n) for n in (2, 3, 5))
    per_order = three - two
    # batches of two add one fetch per batch, and the first order of a consignee skips the history
    # lines (it has none before it): allow those few statements, nothing that grows faster
    assert abs((five - three) - 2 * per_order) <= 2
    assert per_order < 60
