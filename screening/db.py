"""The per-request database session (Flask glue around :mod:`screening.database`).

A session is opened on first use in a request (or CLI command) and kept on
``g``; at teardown it is closed, which rolls back anything not committed. Views
commit once, after the service functions have flushed; any exception before
that leaves nothing written.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from .database import Database, create_db_engine


def init_app(app: Flask) -> None:
    engine = create_db_engine(
        app.config["DATABASE_URL"], busy_timeout_ms=int(app.config["SCREENING_SQLITE_BUSY_TIMEOUT_MS"])
    )
    app.extensions["screening.db"] = Database(engine)
    app.teardown_appcontext(close_session)


def get_database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["screening.db"]


def get_session() -> Session:
    """This request's session (created on first use)."""
    if "db_session" not in g:
        g.db_session = get_database().new_session()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()  # rolls back whatever was not committed
