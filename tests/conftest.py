"""Fixtures shared by every test area: an app on a migrated database, and who is calling.

Vocabulary: ``app``, ``client``, ``runner``, ``db_session``; ``as_exporter`` (an
organisation with an API key, calling the API), ``other_exporter`` (another
organisation, for tenancy), ``make_exporter(name)`` for more.

Database tests run against a schema built by the Alembic migrations, on a
temporary SQLite file, or on PostgreSQL when ``TEST_DATABASE_URL`` is set. Each
test runs inside a transaction that is rolled back at the end: sessions join it
through savepoints (``join_transaction_mode="create_savepoint"``), so a view's
``commit()`` is real to the test yet nothing persists.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Connection, Engine

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:  # pytest runs with --import-mode=importlib, which does not add the repository root
    sys.path.insert(0, ROOT)

from screening import create_app  # noqa: E402
from screening.database import create_db_engine  # noqa: E402
from screening.db import get_database  # noqa: E402
from screening.services import Actor, create_api_key, get_or_create_organisation  # noqa: E402

TEST_SECRET = "test-secret-key-not-for-production-use-0123456789"


def upgrade_schema(connection: Connection, revision: str = "heads") -> None:
    """Run the migrations on ``connection`` (the only way a test database gets its schema)."""
    from alembic import command
    from alembic.config import Config

    config = Config(os.path.join(ROOT, "alembic.ini"))
    config.set_main_option("script_location", os.path.join(ROOT, "migrations"))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def db_engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    with engine.begin() as connection:
        upgrade_schema(connection)
    yield engine
    engine.dispose()


@pytest.fixture()
def db_connection(db_engine: Engine) -> Iterator[Connection]:
    """A connection whose outer transaction is rolled back after the test."""
    connection = db_engine.connect()
    transaction = connection.begin()
    try:
        yield connection
    finally:
        transaction.rollback()
        connection.close()


@pytest.fixture()
def app_config(database_url: str, tmp_path: Any) -> dict[str, Any]:
    """Settings of the test app; override entries in a test module's own fixture."""
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "SCREENING_ENV": "testing",
        "SCREENING_DEMO_MARKER": str(tmp_path / "demo-bootstrapped"),
        "WTF_CSRF_ENABLED": True,
    }


@pytest.fixture()
def app(app_config: dict[str, Any], db_connection: Connection) -> Iterator[Any]:
    application = create_app(app_config)
    database = get_database(application)
    database.engine.dispose()  # the test's connection is used instead
    database.bind_to_connection(db_connection)
    yield application


@pytest.fixture()
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture()
def runner(app: Any) -> Any:
    return app.test_cli_runner()


@pytest.fixture()
def db_session(app: Any) -> Iterator[Any]:
    """A session on the test's transaction (what services take)."""
    session = get_database(app).new_session()
    try:
        yield session
    finally:
        session.close()


CLI = Actor.system("test")


@dataclass
class Exporter:
    """An organisation with an API key, and a client that sends it."""

    client: Any
    org_id: int
    org_name: str
    key: str
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.headers = {"Authorization": f"Bearer {self.key}"}

    def _merge(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs["headers"] = {**self.headers, **(kwargs.get("headers") or {})}
        return kwargs

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **self._merge(kwargs))

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.client.post(url, **self._merge(kwargs))

    def screen(self, order: dict[str, Any], **kwargs: Any) -> Any:
        return self.post("/api/v1/screenings", json=order, **kwargs)


@pytest.fixture()
def make_exporter(app: Any, client: Any) -> Any:
    """``make_exporter("Name")``: an organisation (created if needed) with a fresh API key."""

    def make(name: str = "Acme Exports LLC") -> Exporter:
        with get_database(app).session_scope() as session:
            org, _ = get_or_create_organisation(session, name, CLI)
            _, key = create_api_key(session, org, CLI, label="tests")
            org_id = org.id
        return Exporter(client, org_id, name, key)

    return make


@pytest.fixture()
def as_exporter(make_exporter: Any) -> Exporter:
    return make_exporter("Acme Exports LLC")


@pytest.fixture()
def other_exporter(make_exporter: Any) -> Exporter:
    return make_exporter("Other Chemicals Corp")
