"""Write rows that are never changed afterwards with plain INSERTs, not the ORM's unit of work.

A screening writes a dozen rows that nothing updates later (the order and its
lines, the screening with its lines, matches and flags, the audit entry). The
unit of work would track each object, work out an order of statements, and for
some tables send one statement per row: most of a screening's cost. These
helpers send one INSERT per table instead and leave the objects in the session
as if they had been loaded, so the rest of the request (and the response) reads
them as usual.

Rows nobody reads back in the request go in as plain dictionaries
(:func:`insert_rows`). Build objects with column values only (``order_id=...``,
not ``order=...``): a relationship set on a new object records a change the
unit of work would act on. Set relationships afterwards with
:func:`set_committed_value`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Insert, Table, event, inspect
from sqlalchemy.orm import Session, SessionTransaction, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..models.base import Base

# session.info key: the objects insert_new wrote in the current transaction (metrics count them on commit).
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


def insert_new(session: Session, obj: Base) -> None:
    """INSERT ``obj``'s row and attach ``obj`` to ``session`` as persistent (nothing left to flush)."""
    table = obj.__table__  # type: ignore[attr-defined]
    result = session.execute(_insert(table), row_values(obj))
    for column, value in zip(table.primary_key.columns, result.inserted_primary_key or (), strict=False):
        if getattr(obj, column.key) is None:
            setattr(obj, column.key, value)
    make_transient_to_detached(obj)  # resets the attribute history: as if just loaded
    session.add(obj)
    session.info.setdefault(NEW_ROWS, []).append(obj)


def new_rows(session: Session) -> list[Base]:
    """The objects :func:`insert_new` wrote in ``session``'s current transaction."""
    return list(session.info.get(NEW_ROWS, ()))


@event.listens_for(Session, "after_transaction_end")
def _forget_new_rows(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # after the commit's listeners have read them, or on rollback
        session.info.pop(NEW_ROWS, None)


def insert_children(session: Session, parent: Base, collection: str, children: Sequence[Base]) -> None:
    """INSERT one-to-many children with one multi-row statement; they become ``parent``'s loaded collection.

    The children keep every column but their database id (they are only read
    afterwards, in this request, through the collection).
    """
    if children:
        table = children[0].__table__  # type: ignore[attr-defined]
        session.execute(_insert(table), [row_values(child) for child in children])
    set_committed_value(parent, collection, list(children))


def insert_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT plain rows of ``model``'s table with one statement; no objects are made.

    For rows nothing in the request reads back (reading them through a
    relationship later queries the database, as for any row not yet loaded).
    """
    if rows:
        session.execute(_insert(model.__table__), list(rows))  # type: ignore[attr-defined]
