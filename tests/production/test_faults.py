"""Faults while load runs, on two servers and one database (PostgreSQL, then SQLite).

- A gunicorn worker is killed with SIGKILL in the middle of the load.
- The request queue is filled: many more concurrent clients than workers, with slow requests.
- PostgreSQL is restarted (only with ``SCREENING_FAULT_TESTS=1``: it disturbs the whole machine).

Clients retry an order with its Idempotency-Key when they get no answer, a 5xx or a 429, on the
other server. Afterwards: every order that got a 200/201 is stored with its screening and its audit
entry; no client's order is stored twice; no order lacks its screening and no screening its audit
entry; the audit chain is intact; the servers have all their workers back.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from typing import Any

import pytest

from bench.load import (
    LoadRunner,
    consistency_problems,
    stored_state,
    wait_for_workers,
    worker_boots,
    worker_pids,
)

pytestmark = pytest.mark.slow

ORDERS_AND_READS = {"order": 75, "get": 15, "list": 10}


def accepted_orders(runner: LoadRunner) -> dict[str, str]:
    return {
        c.body["id"]: c.reference
        for c in runner.calls
        if c.kind == "order" and c.status in (200, 201) and isinstance(c.body, dict)
    }


def assert_every_order_answered(runner: LoadRunner) -> None:
    orders = [c for c in runner.calls if c.kind == "order"]
    assert orders, "the load sent no orders"
    failed = [(c.status, c.error, str(c.body)[:200]) for c in orders if c.status not in (200, 201)]
    assert not failed, f"{len(failed)} of {len(orders)} orders failed even after retries: {failed[:3]}"


def test_sigkill_of_a_worker_during_load_loses_and_duplicates_nothing(cluster: Any) -> None:
    wait_for_workers(cluster.servers, 2)
    target = cluster.servers[0]
    boots = worker_boots(target)
    runner = LoadRunner(
        cluster.servers, cluster.keys, clients=6, seconds=10, retries=8, mix=ORDERS_AND_READS, seed=11
    )
    thread = runner.start()
    time.sleep(3)
    victim = min(worker_pids(target))
    os.kill(victim, signal.SIGKILL)
    thread.join()

    assert_every_order_answered(runner)
    problems = consistency_problems(stored_state(cluster.url), accepted_orders(runner))
    assert problems == []
    retried = [c for c in runner.calls if c.kind == "order" and c.attempts > 1]
    print(
        f"\n[{cluster.backend}] SIGKILL: {len(accepted_orders(runner))} orders accepted,"
        f" {len(retried)} retried"
    )
    wait_for_workers(cluster.servers, 2)
    assert victim not in worker_pids(target)
    assert worker_boots(target) == boots + 1  # the master replaced exactly the killed worker


def test_a_full_request_queue_is_served_without_errors(cluster: Any) -> None:
    """24 clients on 4 workers, with 1-10 line orders and catalogue checks of up to 40 items: requests
    wait in the listen queue; none fails, none times out, no worker is lost."""
    wait_for_workers(cluster.servers, 2)
    boots = [worker_boots(s) for s in cluster.servers]
    runner = LoadRunner(
        cluster.servers,
        cluster.keys,
        clients=24,
        seconds=8,
        mix={"order": 60, "check": 40},
        seed=23,
    ).run()
    failures = [(c.kind, c.status, c.error) for c in runner.calls if not 200 <= c.status < 300]
    assert runner.calls and not failures, failures[:5]
    assert [worker_boots(s) for s in cluster.servers] == boots
    assert consistency_problems(stored_state(cluster.url), accepted_orders(runner)) == []
    slowest = max(c.seconds for c in runner.calls)
    print(f"\n[{cluster.backend}] queue: {len(runner.calls)} requests by 24 clients, slowest {slowest:.1f} s")


def postgres_cluster_name() -> str | None:
    if not shutil.which("pg_ctlcluster") or not os.path.isdir("/etc/postgresql"):
        return None
    versions = sorted(os.listdir("/etc/postgresql"))
    return versions[-1] if versions else None


def test_postgresql_restart_during_load_loses_and_duplicates_nothing(cluster: Any) -> None:
    if cluster.backend != "postgresql":
        pytest.skip("restarting the database applies to PostgreSQL")
    if os.environ.get("SCREENING_FAULT_TESTS") != "1":
        pytest.skip("restarts PostgreSQL for the whole machine: set SCREENING_FAULT_TESTS=1 to run it")
    version = postgres_cluster_name()
    if version is None:
        pytest.skip("pg_ctlcluster is not available to restart PostgreSQL")
    wait_for_workers(cluster.servers, 2)
    runner = LoadRunner(
        cluster.servers, cluster.keys, clients=6, seconds=14, retries=20, mix=ORDERS_AND_READS, seed=31
    )
    thread = runner.start()
    time.sleep(3)
    restarted = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restarted.returncode == 0, restarted.stderr
    thread.join()

    assert_every_order_answered(runner)
    assert consistency_problems(stored_state(cluster.url), accepted_orders(runner)) == []
    errors_seen = [c for c in runner.calls if c.kind == "order" and c.attempts > 1]
    print(
        f"\n[postgresql] restart: {len(accepted_orders(runner))} orders accepted, {len(errors_seen)} retried"
    )
    wait_for_workers(
        cluster.servers, 2
    )  # pool_pre_ping replaced the dead connections: the servers answer again
