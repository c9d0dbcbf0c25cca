"""API throughput: POST /api/v1/screenings (one-line and three-line orders) against GET /healthz.

Starts gunicorn (sync workers, one per core, the repository's gunicorn.conf.py)
on a temporary SQLite database, then drives each endpoint in turn with 8
concurrent clients on loopback for a fixed time (the scenarios take turns in
slices, ``--rounds``), and prints requests/s, p50 and p99 latency and the
ratios. Target: one-line screening >= 1/4 of healthz throughput, p99 < 15 ms,
database write and audit entry included.

    .venv/bin/python bench/api_throughput.py [--seconds 8] [--rounds 4] [--clients 8] [--workers N]
                                             [--consignees 25]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from screening.devserver import prepare_database, running_server  # noqa: E402

CONSIGNEES = [f"Distribuidora Quimica {n} SA de CV" for n in range(25)]  # --consignees changes the count
ONE_LINE = [{"product": "Acetone, technical grade", "cas": "67-64-1", "quantity": 200, "unit": "kg"}]
THREE_LINES = ONE_LINE + [
    {
        "product": "Intermediate X",
        "smiles": "O=C1CCN(CCc2ccccc2)CC1",
        "quantity": 5,
        "unit": "kg",
        "concentration_percent": 98.5,
    },
    {"product": "Ethyl acetate", "smiles": "CCOC(C)=O", "quantity": 50, "unit": "L"},
]


def order_body(counter: itertools.count, lines: list[dict], consignees: list[str] = CONSIGNEES) -> bytes:
    """The next order; the orders go to the consignees in turn, so each one's history (all in the same
    month) grows through the run: the more orders per consignee, the more the rules have to count."""
    n = next(counter)
    return json.dumps(
        {
            "reference": f"BENCH-{n}",
            "destination_country": "MX",
            "consignee": {"name": consignees[n % len(consignees)], "country": "MX", "kind": "distributor"},
            "lines": lines,
        }
    ).encode()


def drive(
    port: int, method: str, path: str, make_body, headers: dict[str, str], clients: int, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        mine: list[float] = []
        while time.perf_counter() < stop_at:
            body = make_body() if make_body else None
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            finally:
                connection.close()
            mine.append(time.perf_counter() - started)
            if status not in (200, 201):
                with lock:
                    errors.append(str(status))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise SystemExit(f"{path}: {len(errors)} failed requests, e.g. HTTP {errors[0]}")
    return {"latencies": latencies, "elapsed": elapsed}


def combine(slices: list[dict[str, Any]]) -> dict[str, float]:
    """Requests per second over all of a scenario's slices, and its latency percentiles."""
    ordered = sorted(latency for part in slices for latency in part["latencies"])
    return {
        "requests": len(ordered),
        "rps": len(ordered) / sum(part["elapsed"] for part in slices),
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=8.0, help="time per scenario")
    parser.add_argument(
        "--rounds", type=int, default=4, help="slices each scenario's time is run in, in turn"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--consignees", type=int, default=len(CONSIGNEES), help="distinct consignees")
    args = parser.parse_args()
    consignees = [f"Distribuidora Quimica {n} SA de CV" for n in range(args.consignees)]

    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        url = f"sqlite:///{os.path.join(scratch, 'bench.db')}"
        key = prepare_database(url)
        post_headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        counter = itertools.count()
        print(
            f"gunicorn: {args.workers} sync workers; {args.clients} clients;"
            f" {args.seconds:.0f} s per scenario in {args.rounds} turns;"
            " SQLite (WAL) in a temporary directory;"
            f" orders to {args.consignees} consignees in turn"
        )
        with running_server(url, args.workers) as server:
            scenarios = {
                "GET /healthz": ("GET", "/healthz", None, {}),
                "POST screening, 1 line": (
                    "POST",
                    "/api/v1/screenings",
                    lambda: order_body(counter, ONE_LINE, consignees),
                    post_headers,
                ),
                "POST screening, 3 lines": (
                    "POST",
                    "/api/v1/screenings",
                    lambda: order_body(counter, THREE_LINES, consignees),
                    post_headers,
                ),
            }
            for method, path, make_body, headers in scenarios.values():  # warm every code path
                drive(server.port, method, path, make_body, headers, 2, 1.0)
            # The scenarios take turns in short slices, so that a slow minute of a shared machine
            # weighs on all of them alike and the ratios stay comparable.
            slices: dict[str, list[dict[str, float]]] = {name: [] for name in scenarios}
            for _ in range(args.rounds):
                for name, spec in scenarios.items():
                    slices[name].append(drive(server.port, *spec, args.clients, args.seconds / args.rounds))
            results = {name: combine(parts) for name, parts in slices.items()}

    print(f"{'scenario':<26}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, r in results.items():
        print(f"{name:<26}{r['requests']:>10.0f}{r['rps']:>10.1f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}")
    health = results["GET /healthz"]["rps"]
    one = results["POST screening, 1 line"]
    three = results["POST screening, 3 lines"]
    print(f"ratio 1-line screening / healthz throughput: {one['rps'] / health:.2f} (target >= 0.25)")
    print(f"ratio 3-line screening / healthz throughput: {three['rps'] / health:.2f}")
    met = one["rps"] / health >= 0.25 and one["p99_ms"] < 15
    print(f"1-line p99 {one['p99_ms']:.2f} ms (target < 15 ms): target {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
