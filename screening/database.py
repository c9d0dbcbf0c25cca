"""Engines, sessions and the write lock. No Flask here: the CLI, services and tests use it directly.

Concurrency model. Screening an order reads the exporter's history with a
consignee (for cumulative monthly thresholds) and appends to the audit chain;
both are only correct if the write phases of concurrent requests run one after
the other. :func:`lock_for_write` takes that lock inside the current
transaction:

- SQLite: the transaction is (re)started with ``BEGIN IMMEDIATE``, which takes
  the database's single write lock up front (waiting up to the busy timeout).
  A deferred transaction that has already read cannot be upgraded safely in WAL
  mode (SQLite answers SQLITE_BUSY_SNAPSHOT when another writer committed in
  between), so a read-only transaction is ended first.
- PostgreSQL: ``SELECT ... FOR UPDATE`` on the one-row ``audit_chain_head``;
  statements after it (READ COMMITTED) see every transaction committed before.

Call it after slow work (chemistry) and before the reads that decide what to write.
"""

from __future__ import annotations

import fcntl
import logging
import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from .models import AuditChainHead

DEFAULT_BUSY_TIMEOUT_MS = 30_000
log = logging.getLogger(__name__)
# SQLite copies its write-ahead log back into the database file (a "checkpoint") from inside the commit
# that makes the log reach wal_autocheckpoint pages: that commit then takes milliseconds (an fsync) while
# it holds the write lock, so every writer queued behind it waits too. The web app checkpoints after the
# response instead, every CHECKPOINT_EVERY_WRITES writes of the process (Database.checkpoint_due); the
# automatic checkpoint stays as a backstop, at a size the app normally never lets the log reach.
CHECKPOINT_EVERY_WRITES = 20
BACKSTOP_CHECKPOINT_PAGES = 4000
_IMMEDIATE = "screening_sqlite_immediate"
# SQLite file databases -> the lock file that queues their writers (see _acquire_write_gate).
_WRITE_GATES: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


class WriteLockError(RuntimeError):
    """The write lock was requested after the transaction had unflushed changes (a programming error)."""


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs given without one.

    >>> normalise_database_url("postgres://u@h/db")
    'postgresql+psycopg://u@h/db'
    >>> normalise_database_url("sqlite:///instance/x.db")
    'sqlite:///instance/x.db'
    """
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


@dataclass(frozen=True)
class PoolSettings:
    """Connection pool of one app process on PostgreSQL (sizing: docs/operations.md).

    A gunicorn sync worker serves one request at a time and uses one or two
    connections for it (the request's session; /healthz and /readyz open their own),
    so a small ``size`` suffices; ``max_overflow`` absorbs threads a worker starts.
    Workers x servers x (size + max_overflow) must stay under PostgreSQL's
    ``max_connections`` minus what migrations, the CLI and monitoring need.
    """

    size: int = 5
    max_overflow: int = 5
    timeout_seconds: float = 10.0
    recycle_seconds: int = 1800


def create_db_engine(
    url: str,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    echo: bool = False,
    pool: PoolSettings | None = None,
) -> Engine:
    """An engine for ``url`` with this service's SQLite settings (WAL, busy timeout, explicit BEGIN)."""
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        pool = pool or PoolSettings()
        # pre_ping: a connection that died with a database restart is replaced, not handed to a request.
        return create_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            pool_size=pool.size,
            max_overflow=pool.max_overflow,
            pool_timeout=pool.timeout_seconds,
            pool_recycle=pool.recycle_seconds,
        )

    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)
    engine = create_engine(
        url, echo=echo, connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False}
    )
    if database and database != ":memory:" and not database.startswith("file:"):
        _WRITE_GATES[engine] = os.path.abspath(database) + ".writelock"

    @event.listens_for(engine, "connect")
    def configure_connection(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # In WAL mode NORMAL keeps the database consistent on power loss; the last commits may roll back.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_CHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin_transaction(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """An engine and the way to make sessions on it (one per request, CLI command or job)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessionmaker: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        self.external_transaction = False
        self._writes = 0  # write transactions committed since the last checkpoint (see checkpoint_due)

    def new_session(self) -> Session:
        session = self.sessionmaker()
        session.info["external_transaction"] = self.external_transaction
        session.info["database"] = self
        return session

    def checkpoint_due(self) -> bool:
        """True when this process has committed CHECKPOINT_EVERY_WRITES writes since its last checkpoint
        (SQLite files only)."""
        return self.engine in _WRITE_GATES and self._writes >= CHECKPOINT_EVERY_WRITES

    def checkpoint(self) -> None:
        """Copy SQLite's write-ahead log into the database file without waiting for readers or writers
        (PASSIVE); the next write then starts the log again from its beginning."""
        self._writes = 0
        try:
            connection = self.engine.raw_connection()  # outside any transaction, which a checkpoint needs
            try:
                connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                connection.close()
        except Exception:  # noqa: BLE001 - housekeeping after the response: SQLite's backstop still runs
            log.warning("write-ahead log checkpoint failed", exc_info=True)

    def bind_to_connection(self, connection: Connection) -> None:
        """Make every session join ``connection``'s transaction through savepoints (tests)."""
        self.sessionmaker = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        self.external_transaction = True

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A session committed once at the end, rolled back on any exception (CLI commands, jobs)."""
        session = self.new_session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


@dataclass
class ChainHead:
    """The audit chain's newest entry, as read under the write lock (the audit log moves it on)."""

    last_entry_id: int
    last_hash: str


def lock_for_write(session: Session) -> ChainHead:
    """Take the service-wide write lock for the rest of this transaction; return the locked chain head.

    Idempotent within a transaction. Raises :class:`WriteLockError` when called
    with unflushed changes pending on SQLite (take the lock before changing anything).
    """
    begin_write(session)
    head = session.info.get("chain_head")
    if head is not None:
        return head  # already locked in this transaction; only this transaction changes it
    row = session.connection().execute(_LOCK_CHAIN_HEAD).first()
    if row is None:
        raise RuntimeError("audit_chain_head row missing: run `flask --app wsgi db upgrade`")
    head = session.info["chain_head"] = ChainHead(row.last_entry_id, row.last_hash)
    return head


_chain_head = AuditChainHead.__table__.c
_LOCK_CHAIN_HEAD = (
    select(_chain_head.last_entry_id, _chain_head.last_hash).where(_chain_head.id == 1).with_for_update()
)


def begin_write(session: Session) -> None:
    """Make the current transaction a write transaction (SQLite: ``BEGIN IMMEDIATE``), without the chain lock.

    For small bookkeeping writes (an API key's last-used time) that need not wait
    for, nor block, screenings on PostgreSQL.
    """
    if session.info.get("write_locked"):
        return
    if session.get_bind().dialect.name == "sqlite" and not session.info.get("external_transaction"):
        _begin_immediate(session)
    session.info["write_locked"] = True


def _begin_immediate(session: Session) -> None:
    if session.in_transaction():
        if session.info.get("flushed"):
            return  # a flushed write already holds SQLite's write lock
        if session.new or session.dirty or session.deleted:
            raise WriteLockError("lock_for_write() must be called before changing anything in the session")
        session.rollback()  # ends the read snapshot; loaded objects reload on next access
    _acquire_write_gate(session)
    session.connection(execution_options={_IMMEDIATE: True})


def _acquire_write_gate(session: Session) -> None:
    """Queue for SQLite's write lock on a kernel file lock, held until the transaction ends.

    SQLite's own busy handler polls with sleeps of up to 100 ms, so under
    contention writers idle while the lock is free; ``flock`` wakes the next
    waiter the moment the holder commits. BEGIN IMMEDIATE still guards against
    writers that do not use the gate (the sqlite3 shell, say). The kernel drops
    the lock if the process dies.
    """
    bind = session.get_bind()
    path = _WRITE_GATES.get(bind) if isinstance(bind, Engine) else None
    if path is None:
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    session.info["write_gate_fd"] = fd


def _release_write_gate(session: Session) -> None:
    fd = session.info.pop("write_gate_fd", None)
    if fd is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


@event.listens_for(Session, "after_flush")
def _remember_flush(session: Session, _context: Any) -> None:
    session.info["flushed"] = True


@event.listens_for(Session, "after_commit")
def _count_write(session: Session) -> None:
    database = session.info.get("database")
    if database is not None and session.info.get("write_locked"):
        database._writes += 1


@event.listens_for(Session, "after_transaction_end")
def _forget_transaction_state(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop("write_locked", None)
        session.info.pop("flushed", None)
        session.info.pop("chain_head", None)
        _release_write_gate(session)
