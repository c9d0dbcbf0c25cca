"""Fixtures for the production-strength tests: real gunicorn servers on scratch databases.

``cluster``: two gunicorn servers with two workers each on one database, first a dedicated
PostgreSQL database (created on the server ``TEST_DATABASE_URL`` names, else the local one at
127.0.0.1:5432, and dropped afterwards; skipped with the reason when no PostgreSQL answers), then
a temporary SQLite file. The servers, the load and the checks of what was stored come from
``bench/load.py``, so the benchmark and the tests exercise the same code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench.load import (  # noqa: E402
    postgres_reachable,
    prepare_keys,
    running_servers,
    scratch_postgres_database,
)
from screening.devserver import Server  # noqa: E402


@dataclass
class Cluster:
    """Two gunicorn servers (two workers each) on one database, and API keys of two organisations."""

    backend: str
    url: str
    servers: list[Server]
    keys: list[str]
    access_log: str  # gunicorn's access log of both servers (JSON lines)


CLUSTER_ENV = {
    "SCREENING_CHEM_WORKERS": "1",  # the CI machine is small: one chemistry process per worker
    "SCREENING_LOG_LEVEL": "WARNING",
    "SCREENING_SLOW_REQUEST_SECONDS": "0.000001",  # every request logs a line: the log test reads them
}


@pytest.fixture(scope="session", params=["postgresql", "sqlite"])
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two servers on one scratch PostgreSQL database (skipped when none answers), then on one SQLite
    file; shared by every server test of the session (starting servers is the slow part)."""
    with ExitStack() as stack:
        if request.param == "postgresql":
            problem = postgres_reachable()
            if problem:
                pytest.skip(f"no PostgreSQL reachable ({problem})")
            url = stack.enter_context(scratch_postgres_database(prefix="prodtest"))
        else:
            url = "sqlite:///" + str(tmp_path_factory.mktemp("cluster") / "cluster.db")
        keys = prepare_keys(url, ["Cluster Exports A", "Cluster Exports B"])
        access_log = str(tmp_path_factory.mktemp("logs") / "access.log")
        env = {**CLUSTER_ENV, "SCREENING_ACCESS_LOG": access_log}
        servers = stack.enter_context(running_servers(url, servers=2, workers=2, extra_env=env))
        yield Cluster(request.param, url, servers, keys, access_log)
