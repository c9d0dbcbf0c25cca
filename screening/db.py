"""The per-request database session (Flask glue around :mod:`screening.database`).

A session is opened on first use in a request (or CLI command) and kept on
``g``; at teardown it is closed, which rolls back anything not committed. Views
commit once, after the service functions have flushed; any exception before
that leaves nothing written.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g
from sqlalchemy.orm import Session

from .database import Database, PoolSettings, create_db_engine


def init_app(app: Flask) -> None:
    config = app.config
    pool = PoolSettings(
        size=int(config.get("SCREENING_DB_POOL_SIZE", 5)),
        max_overflow=int(config.get("SCREENING_DB_MAX_OVERFLOW", 5)),
        timeout_seconds=float(config.get("SCREENING_DB_POOL_TIMEOUT", 10)),
        recycle_seconds=int(config.get("SCREENING_DB_POOL_RECYCLE", 1800)),
    )
    engine = create_db_engine(
        config["DATABASE_URL"], busy_timeout_ms=int(config["SCREENING_SQLITE_BUSY_TIMEOUT_MS"]), pool=pool
    )
    app.extensions["screening.db"] = Database(engine)
    app.teardown_appcontext(close_session)
    app.after_request(checkpoint_after_response)


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


def checkpoint_after_response(response: Response) -> Response:
    """When SQLite's write-ahead log is due a checkpoint, take it once the response has been sent (the
    client does not wait for it, nor does any writer: see ``screening.database``)."""
    database = get_database()
    if database.checkpoint_due():
        response.call_on_close(database.checkpoint)
    return response
