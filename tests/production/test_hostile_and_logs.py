"""Hostile structures through the real servers at the same time as normal traffic, and what the
servers write: JSON log lines with request ids, metrics summed over workers.

Hostile lines (a 20,000-atom chain, 10,000 fragments, huge rings, deeply nested branches, oversized
macrocycles) must come back refused by validation (422, nothing stored) or ``unresolved`` with a
``LIMIT_EXCEEDED`` finding, never ``clear``; no worker may die. The p50 latency of normal requests
with and without the hostile traffic is printed (a report, not an assertion: times depend on the machine).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from bench.load import (
    LoadRunner,
    hostile_outcomes,
    request,
    summarise,
    wait_for_workers,
    worker_boots,
    worker_pids,
)

pytestmark = pytest.mark.slow

NORMAL_MIX = {"order": 60, "check": 10, "get": 20, "list": 10}


def test_hostile_structures_never_pass_nor_kill_a_worker(cluster: Any) -> None:
    wait_for_workers(cluster.servers, 2)
    pids = [worker_pids(s) for s in cluster.servers]
    boots = [worker_boots(s) for s in cluster.servers]

    quiet = LoadRunner(cluster.servers, cluster.keys, clients=4, seconds=6, mix=NORMAL_MIX, seed=41).run()
    noisy = LoadRunner(
        cluster.servers, cluster.keys, clients=4, seconds=6, hostile_clients=3, mix=NORMAL_MIX, seed=41
    ).run()

    for runner in (quiet, noisy):
        failures = [(c.kind, c.status, c.error) for c in runner.calls if not 200 <= c.status < 300]
        assert runner.calls and not failures, failures[:5]
    outcomes = hostile_outcomes(noisy.hostile_calls)
    assert noisy.hostile_calls
    assert outcomes["order_clear"] == 0 and outcomes["other"] == 0 and outcomes["no_answer"] == 0, outcomes
    assert outcomes["unresolved_limit"] > 0, (
        outcomes
    )  # the engine's limits were reached, not just the schema's
    assert [worker_pids(s) for s in cluster.servers] == pids, "a worker died"
    assert [worker_boots(s) for s in cluster.servers] == boots

    before = summarise(quiet.calls, quiet.elapsed)["all"]
    during = summarise(noisy.calls, noisy.elapsed)["all"]
    print(
        f"\n[{cluster.backend}] normal requests p50 {before['p50_ms']:.0f} ms / p99 {before['p99_ms']:.0f} ms"
        f" without hostile traffic, p50 {during['p50_ms']:.0f} ms / p99 {during['p99_ms']:.0f} ms with"
        f" {len(noisy.hostile_calls)} hostile requests; hostile lines: {outcomes}"
    )


def test_structure_limits_answer_each_hostile_line_with_a_finding(cluster: Any) -> None:
    from bench.load import hostile_smiles

    headers = {"Authorization": f"Bearer {cluster.keys[0]}"}
    fits_schema = {name: s for name, s in hostile_smiles().items() if len(s) <= 5000}
    items = [{"smiles": s, "ref": name} for name, s in fits_schema.items()]
    status, body, _ = request(
        cluster.servers[0], "POST", "/api/v1/structures/check", {"items": items}, headers
    )
    assert status == 200, body
    for result in body["results"]:
        assert result["classification"] == "unresolved", result
        assert "LIMIT_EXCEEDED" in {f["code"] for f in result["findings"]}, result
    too_long = {"items": [{"smiles": hostile_smiles()["chain_20000_atoms"]}]}
    status, body, _ = request(cluster.servers[1], "POST", "/api/v1/structures/check", too_long, headers)
    assert status == 422 and body["code"] == 422 and body["errors"], body  # names the field


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for raw in text.splitlines():
        if raw.startswith("{"):
            try:
                lines.append(json.loads(raw))
            except json.JSONDecodeError:
                pass
    return lines


def test_server_log_lines_are_json_and_carry_the_request_id(cluster: Any) -> None:
    server = cluster.servers[1]
    request_id = "it-" + uuid.uuid4().hex
    headers = {"Authorization": f"Bearer {cluster.keys[0]}", "X-Request-ID": request_id}
    statuses = [request(server, "GET", "/api/v1/screenings?per_page=5", headers=headers)[0] for _ in range(3)]
    assert statuses == [200, 200, 200]
    deadline = time.monotonic() + 10
    while True:  # gunicorn writes an access line once the response has gone out: wait for the last one
        with open(cluster.access_log, encoding="utf-8") as handle:
            access = [line for line in json_lines(handle.read()) if line.get("request_id") == request_id]
        if len(access) >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    mine = [line for line in json_lines(server.log()) if line.get("request_id") == request_id]
    app_lines = [line for line in mine if line.get("logger", "").startswith("screening")]
    assert len(access) == 3, access  # one access line per request, with the id the app sent back
    assert all(line["status"] == 200 and line["path"] == "/api/v1/screenings" for line in access)
    assert len(app_lines) == 3, mine  # the app's own lines (here: the slow-request warning)
    for line in app_lines:
        assert line["path"] == "/api/v1/screenings" and line["method"] == "GET" and line["pid"]


def test_metrics_are_summed_over_the_workers(cluster: Any) -> None:
    server = cluster.servers[0]

    def readyz_count() -> float:
        status, text, _ = request(server, "GET", "/metrics")
        assert status == 200  # loopback, no token configured
        total = 0.0
        for line in text.splitlines():
            if line.startswith("screening_http_requests_total{") and 'endpoint="/readyz"' in line:
                total += float(line.rsplit(" ", 1)[1])
        return total

    before = readyz_count()
    for _ in range(20):
        assert request(server, "GET", "/readyz")[0] == 200
    assert readyz_count() == before + 20  # whichever of the two workers answered each one
