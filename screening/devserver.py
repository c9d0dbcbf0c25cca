"""Start the real server (gunicorn, several workers) on a scratch database: end-to-end test and benchmark.

Nothing here runs in production; it drives the same ``gunicorn.conf.py`` and
``wsgi:app`` that production uses, against a database it prepares itself.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database(database_url: str, org_name: str = "Bench Exports Inc") -> str:
    """Migrate ``database_url`` and return a new API key for ``org_name``."""
    from alembic import command
    from alembic.config import Config

    from .database import Database, create_db_engine
    from .services import Actor, create_api_key, get_or_create_organisation

    engine = create_db_engine(database_url)
    try:
        config = Config(os.path.join(ROOT, "alembic.ini"))
        config.set_main_option("script_location", os.path.join(ROOT, "migrations"))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
        with Database(engine).session_scope() as session:
            org, _ = get_or_create_organisation(session, org_name, Actor.system("devserver"))
            _, key = create_api_key(session, org, Actor.system("devserver"), label="devserver")
        return key
    finally:
        engine.dispose()


@dataclass
class Server:
    host: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: str

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> tuple[int, Any]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            data = None if body is None else json.dumps(body).encode()
            all_headers = {"Content-Type": "application/json"} if data is not None else {}
            all_headers.update(headers or {})
            connection.request(method, path, body=data, headers=all_headers)
            response = connection.getresponse()
            payload = response.read()
            return response.status, json.loads(payload) if payload else None
        finally:
            connection.close()


@contextmanager
def running_server(
    database_url: str, workers: int, *, startup_timeout: float = 180, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """gunicorn with ``workers`` sync workers on a free loopback port, stopped (with its workers) on exit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "SCREENING_BIND": f"127.0.0.1:{port}",
            "SCREENING_WORKERS": str(workers),
            "SCREENING_ACCESS_LOG": "",
            "SCREENING_ENV": "development",
            "PYTHONPATH": ROOT,
        }
    )
    env.update(extra_env or {})
    # The log goes to a file, not a pipe: a pipe nobody reads would block the server once full.
    with tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", os.path.join(ROOT, "gunicorn.conf.py"), "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        server = Server("127.0.0.1", port, process, log.name)
        try:
            _wait_until_ready(server, workers, startup_timeout)
            yield server
        finally:
            _stop(process)


def _wait_until_ready(server: Server, workers: int, timeout: float) -> None:
    """Wait for /healthz, then for every worker to have logged that it is ready (warm)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + server.log()[-3000:])
        if server.log().count(" ready: watchlist ") >= workers:
            try:
                if server.request("GET", "/healthz", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
        time.sleep(0.2)
    _stop(server.process)
    raise RuntimeError("gunicorn did not become ready:\n" + server.log()[-3000:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
