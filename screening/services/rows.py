"""Write rows that are never changed afterwards with plain INSERTs, not the ORM's unit of work.

A screening writes a dozen rows that nothing updates later (the order and its
lines, the screening with its lines, matches and flags, the audit entry). The
unit of work would track each object, work out an order of statements, and for
some tables send one statement per row: most of a screening's cost. A
:class:`RowBatch` sends one INSERT per table instead and leaves the objects in
the session as if they had been loaded, so the rest of the request (and the
response) reads them as usual.

Rows nobody reads back in the request go in as plain dictionaries
(:meth:`RowBatch.rows`). Build objects with column values only
(``order_id=...``, not ``order=...``): a relationship set on a new object
records a change the unit of work would act on. Set relationships with
:meth:`RowBatch.relate`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable, Insert, Table, event, inspect
from sqlalchemy.orm import Session, SessionTransaction, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..models.base import Base

# session.info key: the objects RowBatch wrote in the current transaction (metrics count them on commit).
NEW_ROWS = "rows_new"


@functools.cache
def _insert(table: Table) -> Insert:
    return table.insert()  # built once per table (statements are immutable)


def row_values(obj: Base) -> dict[str, Any]:
    """``obj``'s column values as an INSERT takes them; defaults (Python-side, or None) are set on it too.

    An autoincrement primary key left unset is left out (the database numbers it).
    """
    values: dict[str, Any] = {}
    state = obj.__dict__
    for attr in inspect(type(obj)).column_attrs:
        column = attr.columns[0]
        value = state.get(attr.key)
        if value is None and column.default is not None:
            default = column.default
            value = default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
            setattr(obj, attr.key, value)
        elif attr.key not in state:
            setattr(obj, attr.key, None)  # an attribute never set would be expired, and read back by a query
        if value is None and column.primary_key and column.autoincrement in (True, "auto"):
            continue
        values[attr.key] = value
    return values


class RowBatch:
    """Rows made ready before the write lock and written under it, in the order they were added.

    Building the objects and reading their column values is most of the work of
    writing them; a batch does that work while other writers may hold the lock,
    so that the lock is held only for the statements themselves.

    Relationships go through :meth:`relate`: they are set once every object is in
    the session (set on an object that is added later, they would make the
    session add the related objects as new rows to flush).
    """

    def __init__(self) -> None:
        # (statement, parameters, the object written by a single-row INSERT, if any)
        self._statements: list[tuple[Executable, Any, Base | None]] = []
        self._relations: list[tuple[Base, str, Any]] = []

    def new(self, obj: Base) -> None:
        """INSERT ``obj``'s row; ``obj`` joins the session as persistent, as if just loaded."""
        self._statements.append((_insert(obj.__table__), row_values(obj), obj))  # type: ignore[attr-defined]

    def children(self, parent: Base, collection: str, children: Sequence[Base]) -> None:
        """INSERT one-to-many children with one multi-row statement; they become ``parent``'s loaded
        collection (keeping every column but their database id: they are only read through it)."""
        if children:
            table = children[0].__table__  # type: ignore[attr-defined]
            self._statements.append((_insert(table), [row_values(child) for child in children], None))
        self.relate(parent, collection, list(children))

    def rows(self, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
        """INSERT plain rows of ``model``'s table with one statement; no objects are made (reading them
        through a relationship later queries the database, as for any row not yet loaded)."""
        if rows:
            self._statements.append((_insert(model.__table__), list(rows), None))  # type: ignore[attr-defined]

    def execute(self, statement: Executable, parameters: dict[str, Any]) -> None:
        """Any other statement, in its place among the INSERTs (an UPDATE of a row written before)."""
        self._statements.append((statement, parameters, None))

    def relate(self, obj: Base, key: str, value: Any) -> None:
        """Set ``obj.<key>`` as loaded state, after the write (no query, nothing for the session to flush)."""
        self._relations.append((obj, key, value))

    def write(self, session: Session) -> None:
        written: list[Base] = []
        connection = session.connection()  # Core statements: the session's own execute only adds cost
        for statement, parameters, obj in self._statements:
            result = connection.execute(statement, parameters)
            if obj is not None:
                for column, value in zip(
                    obj.__table__.primary_key.columns,  # type: ignore[attr-defined]
                    result.inserted_primary_key or (),
                    strict=False,
                ):
                    if getattr(obj, column.key) is None:
                        setattr(obj, column.key, value)  # numbered by the database
                written.append(obj)
        for obj in written:
            make_transient_to_detached(obj)  # resets the attribute history: as if just loaded
        for obj in written:
            session.add(obj)
        session.info.setdefault(NEW_ROWS, []).extend(written)
        for obj, key, value in self._relations:
            set_committed_value(obj, key, value)


def insert_new(session: Session, obj: Base) -> None:
    """INSERT ``obj``'s row now and attach ``obj`` to ``session`` as persistent (nothing left to flush)."""
    batch = RowBatch()
    batch.new(obj)
    batch.write(session)


def new_rows(session: Session) -> list[Base]:
    """The objects written by a :class:`RowBatch` in ``session``'s current transaction."""
    return list(session.info.get(NEW_ROWS, ()))


@event.listens_for(Session, "after_transaction_end")
def _forget_new_rows(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # after the commit's listeners have read them, or on rollback
        session.info.pop(NEW_ROWS, None)
