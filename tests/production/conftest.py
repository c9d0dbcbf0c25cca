"""Fixtures for the production-strength tests: real gunicorn servers on scratch databases.

``pg_url``: a dedicated PostgreSQL database created for the test module (on the server that
``TEST_DATABASE_URL`` names, else the local one at 127.0.0.1:5432) and dropped after it; the tests
that need it are skipped, with the reason, when no PostgreSQL answers. ``sqlite_url``: a temporary
SQLite file. The servers, the load and the checks of what was stored come from ``bench/load.py``,
so the benchmark and the tests exercise the same code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench.load import postgres_reachable, scratch_postgres_database  # noqa: E402


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    """Servers in these tests run few workers with one chemistry process each: the CI machine is small."""
    return {"SCREENING_CHEM_WORKERS": "1", "SCREENING_LOG_LEVEL": "WARNING"}


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    problem = postgres_reachable()
    if problem:
        pytest.skip(f"no PostgreSQL reachable ({problem})")
    with scratch_postgres_database(prefix="prodtest") as url:
        yield url


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return "sqlite:///" + str(tmp_path_factory.mktemp("prod") / "production.db")


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def database_url_for_servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One scratch database per backend: PostgreSQL (skipped when unreachable), then a SQLite file."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("prod") / "servers.db")
        return
    problem = postgres_reachable()
    if problem:
        pytest.skip(f"no PostgreSQL reachable ({problem})")
    with scratch_postgres_database(prefix="prodtest") as url:
        yield url
