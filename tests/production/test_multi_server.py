"""Several app servers, one database: two gunicorn servers (two workers each) on one PostgreSQL
database, and separately on one SQLite file, under concurrent load.

Shows: every accepted order is stored exactly once; idempotent retries that land on the other
server return the first result and store nothing new; split orders for one consignee sent to both
servers at the same moment are cumulated correctly (no race lets one slip under the monthly
threshold); the audit chain stays unbroken.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest

from bench.load import (
    consistency_problems,
    request,
    stored_state,
    submit_order,
)

pytestmark = pytest.mark.slow

CUMULATION_FLAGS = {"SPLIT_BELOW_THRESHOLD", "CUMULATIVE_THRESHOLD_MET"}
SPLIT_FRACTION = 0.3  # each order carries 30 % of the threshold: the 4th one crosses it
SPLIT_ORDERS = 6


def plain_order(reference: str, consignee: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "reference": reference,
        "order_date": date.today().isoformat(),
        "destination_country": "MX",
        "consignee": {"name": consignee, "country": "MX", "kind": "distributor"},
        "lines": lines,
    }


def test_orders_stored_once_and_retries_on_the_other_server_replay(cluster: Any) -> None:
    run = uuid.uuid4().hex[:8]
    orders = [
        plain_order(
            f"MULTI-{run}-{i:03d}",
            f"Consignee {i % 5} {run}",
            [
                {"product": "Acetone", "cas": "67-64-1", "quantity": 10 + i, "unit": "kg"},
                {"product": "Sodium chloride", "cas": "7647-14-5", "quantity": 1, "unit": "kg"},
            ][: 1 + i % 2],
        )
        for i in range(30)
    ]
    # Every third order is sent twice at once with the same Idempotency-Key, once to each server.
    jobs = [(i, i % 2) for i in range(len(orders))] + [(i, 1 - i % 2) for i in range(0, len(orders), 3)]
    keys = {i: f"multi-{run}-{i}" for i in range(len(orders))}
    start = threading.Barrier(12)

    def send(job: tuple[int, int]) -> tuple[int, Any]:
        i, server = job
        try:
            start.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass
        call = submit_order(
            lambda _attempt: cluster.servers[server],
            cluster.keys[i % 2],
            orders[i],
            idempotency_key=keys[i],
        )
        return i, call

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(send, jobs))

    by_order: dict[int, list[Any]] = {}
    for i, call in results:
        assert call.status in (200, 201), (call.status, call.error, call.body)
        by_order.setdefault(i, []).append(call)
    for calls in by_order.values():
        assert sorted(c.status for c in calls) == ([200, 201] if len(calls) == 2 else [201])
        first = calls[0].body
        for other in calls[1:]:
            assert other.body["id"] == first["id"], "a retry on the other server created a second order"
            assert other.body["status"] == first["status"]
            assert other.body["flags"] == first["flags"]

    state = stored_state(cluster.url)
    accepted = {calls[0].body["id"]: orders[i]["reference"] for i, calls in by_order.items()}
    assert consistency_problems(state, accepted) == []
    mine = [o for o in state.orders.values() if o["reference"].startswith(f"MULTI-{run}-")]
    assert len(mine) == len(orders)
    stored_keys = {key: oid for (_, key), oid in state.idempotency.items() if key.startswith(f"multi-{run}-")}
    assert stored_keys == {keys[i]: calls[0].body["id"] for i, calls in by_order.items()}


def split_candidate() -> tuple[str, float, str, bool]:
    """A watchlist chemical with a mass threshold for any destination in force today, from the rule
    data (a verified figure when there is one), and its structure from chem_db's watchlist."""
    from chem_db.watchlist import load_watchlist
    from rules import current_ruleset

    ruleset = current_ruleset()
    watchlist = load_watchlist()
    today = date.today()
    candidates = []
    for threshold in ruleset.thresholds:
        if not threshold.mass_kg or threshold.destinations != "any" or "MX" in threshold.except_countries:
            continue
        if not threshold.meta.in_force(today):
            continue
        if len(ruleset.thresholds_for(threshold.entry_id, today)) != 1:
            continue  # one threshold row only: no question which one applies
        try:
            entry = watchlist.entry(threshold.entry_id)
        except Exception:  # noqa: BLE001 - an entry the chemistry does not know
            continue
        if entry.smiles:
            candidates.append((not threshold.meta.verified, len(entry.smiles), entry.id, threshold, entry))
    assert candidates, "no chemical in the rule data has a mass threshold for any destination"
    _, _, entry_id, threshold, entry = sorted(candidates, key=lambda c: c[:3])[0]
    return entry_id, float(threshold.mass_kg), entry.smiles, bool(threshold.meta.verified)


def test_split_orders_on_both_servers_at_once_are_cumulated(cluster: Any) -> None:
    entry_id, threshold_kg, smiles, _verified = split_candidate()
    run = uuid.uuid4().hex[:8]
    consignee = f"Importadora Dividida {run} SA de CV"
    quantity = round(threshold_kg * SPLIT_FRACTION, 6)
    orders = [
        plain_order(
            f"SPLIT-{run}-{n}",
            consignee,
            [{"product": f"{entry_id} lot {n}", "smiles": smiles, "quantity": quantity, "unit": "kg"}],
        )
        for n in range(SPLIT_ORDERS)
    ]
    start = threading.Barrier(SPLIT_ORDERS)

    def send(n: int) -> Any:
        start.wait(timeout=10)
        return submit_order(lambda _a: cluster.servers[n % 2], cluster.keys[0], orders[n])

    with ThreadPoolExecutor(max_workers=SPLIT_ORDERS) as pool:
        calls = list(pool.map(send, range(SPLIT_ORDERS)))
    assert all(c.status == 201 for c in calls), [(c.status, c.body) for c in calls]
    for call in calls:  # the chemistry must see the chemical itself, or the test proves nothing
        assert any(m["entry_id"] == entry_id for m in call.body["lines"][0]["matches"]), call.body["lines"]

    state = stored_state(cluster.url)
    ids = {c.body["id"] for c in calls}
    in_commit_order = [oid for oid in state.audited_orders if oid in ids]  # the chain is the write order
    assert len(in_commit_order) == SPLIT_ORDERS
    for position, order_id in enumerate(in_commit_order, start=1):
        month_total = position * quantity
        flagged = CUMULATION_FLAGS & set(state.screening_flags.get(order_id, []))
        if month_total >= threshold_kg:
            assert flagged, (
                f"order {position} brings the month to {month_total} kg of {entry_id} (threshold "
                f"{threshold_kg} kg) but carries no cumulation flag: {state.screening_flags.get(order_id)}"
            )
        else:
            assert not flagged, f"order {position} ({month_total} kg) is under the threshold but flagged"
    first_crossing = next(p for p in range(1, SPLIT_ORDERS + 1) if p * quantity >= threshold_kg)
    assert first_crossing < SPLIT_ORDERS  # the scenario crosses the threshold mid-way
    response_by_id = {c.body["id"]: c.body for c in calls}
    for order_id in in_commit_order[first_crossing - 1 :]:
        assert response_by_id[order_id]["status"] != "clear"
    assert consistency_problems(state, {c.body["id"]: c.reference for c in calls}) == []


def test_servers_answer_health_and_readiness_after_the_load(cluster: Any) -> None:
    for server in cluster.servers:
        assert request(server, "GET", "/healthz")[0] == 200
        status, body, _ = request(server, "GET", "/readyz")
        assert status == 200, body
        assert body["checks"]["watchlist"]["version"] and body["checks"]["rules"]["version"]
