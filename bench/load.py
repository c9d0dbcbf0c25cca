"""Load harness: a realistic mix of API traffic against real gunicorn servers, bounded in time, loopback only.

Starts one or two gunicorn servers (the repository's ``gunicorn.conf.py`` and ``wsgi:app``) on free
loopback ports against one database (a temporary SQLite file, or a scratch PostgreSQL database that
is created for the run and dropped after), then runs ``--clients`` threads for ``--seconds``, each
picking requests from a mix:

- orders of 1-10 lines of real chemicals (listed, analogues, benign), each with an Idempotency-Key,
  spread over a few consignees and three exporter organisations (55 %);
- structure checks of 5-40 catalogue items (10 %);
- reads: one screening by id (20 %), a page of the list (10 %); liveness ``/healthz`` (5 %);
- an HSI liaison's review pages (queue, dashboard, a case), signed in through the login form (5 %).

Clients round-robin over the servers. ``--hostile`` adds ``--hostile-clients`` threads sending the
structures the chemistry engine refuses (a 20,000-atom chain, 10,000 fragments, huge rings,
deeply nested branches, oversized macrocycles) in orders and checks, at the same time.
Reports throughput, p50/p99 latency and errors per kind, how hostile lines came back, and
whether any gunicorn worker died.

    .venv/bin/python bench/load.py --db sqlite --servers 1 --seconds 12
    .venv/bin/python bench/load.py --db postgresql --servers 2 --seconds 12 --hostile

The tests in ``tests/production`` drive the same code (:func:`running_servers`, :class:`LoadRunner`).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from screening.devserver import Server, prepare_database, running_server  # noqa: E402

DEFAULT_PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

# Real chemicals, named the ways exporters name them (CAS, SMILES, names).
CATALOGUE: list[dict[str, Any]] = [
    {"product": "Acetone, technical grade", "cas": "67-64-1"},
    {"product": "Toluene", "cas": "108-88-3"},
    {"product": "Methyl ethyl ketone", "cas": "78-93-3"},
    {"product": "Sodium chloride", "cas": "7647-14-5"},
    {"product": "Ethanol 96%", "cas": "64-17-5"},
    {"product": "Ethyl acetate", "smiles": "CCOC(C)=O"},
    {"product": "Piperidine", "cas": "110-89-4"},
    {"product": "Benzaldehyde", "cas": "100-52-7"},
    {"product": "Phenylacetic acid", "cas": "103-82-2"},
    {"product": "Safrole", "name": "safrole"},
    {"product": "Intermediate X", "smiles": "O=C1CCN(CCc2ccccc2)CC1"},
    {"product": "Pseudoephedrine HCl", "smiles": "C[C@H](NC)[C@@H](O)c1ccccc1.Cl"},
    {"product": "Caffeine", "cas": "58-08-2"},
    {"product": "Citric acid", "cas": "77-92-9"},
    {"product": "Isopropanol", "cas": "67-63-0"},
    {"product": "Sulfuric acid 98%", "cas": "7664-93-9"},
    {"product": "Potassium permanganate", "cas": "7722-64-7"},
    {"product": "Acetic anhydride", "cas": "108-24-7"},
    {"product": "Glycerol", "cas": "56-81-5"},
    {"product": "Aspirin", "smiles": "CC(=O)Oc1ccccc1C(=O)O"},
    {"product": "Ibuprofen", "name": "ibuprofen"},
    {"product": "4-Piperidone", "smiles": "O=C1CCNCC1"},
    {"product": "MIBK", "cas": "108-10-1"},
    {"product": "Benzyl chloride", "cas": "100-44-7"},
    {"product": "Ethyl phenylacetate", "smiles": "CCOC(=O)Cc1ccccc1"},
    {"product": "Methyl glycidate (BMK)", "smiles": "COC(=O)C1OC1(C)c1ccccc1"},
    {"product": "Vanillin", "smiles": "COc1cc(C=O)ccc1O"},
]
CONSIGNEES = [
    ("Quimica del Norte SA de CV", "MX"),
    ("Distribuidora Industrial del Pacifico SA", "MX"),
    ("Laboratorios Centroamericanos SA", "GT"),
    ("Solventes de Honduras S de RL", "HN"),
    ("Farmaceutica Ejemplo SA", "PA"),
]
ORGANISATIONS = ["Load Exports Inc", "Gulf Chemicals LLC", "Prairie Solvents Co"]


def hostile_smiles() -> dict[str, str]:
    """Structures built to exhaust a naive engine; chem_db's limits must refuse each one."""
    return {
        "chain_20000_atoms": "C" * 20000,
        "fragments_10000": ".".join(["C"] * 10000),
        "ring_3000_atoms": "C1" + "C" * 2998 + "C1",
        "nested_branches_1200": "C" + "(C" * 1200 + ")" * 1200,
        "macrocycle_400_atoms": "C1" + "C" * 398 + "C1",
        "nested_branches_300": "C" + "(C" * 300 + ")" * 300,
        "fragments_60": ".".join(["[Na+].[Cl-]"] * 30),
    }


# --- servers and databases ----------------------------------------------------------------------------


def postgres_admin_url() -> str:
    """The maintenance database on the PostgreSQL that TEST_DATABASE_URL names (or the local default)."""
    from sqlalchemy.engine import make_url

    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgres"):
        return DEFAULT_PG_ADMIN_URL
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def postgres_reachable(admin_url: str | None = None) -> str | None:
    """None when PostgreSQL answers; otherwise why not."""
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url or postgres_admin_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        engine.dispose()


@contextmanager
def scratch_postgres_database(admin_url: str | None = None, prefix: str = "load") -> Iterator[str]:
    """A new, empty PostgreSQL database for this run; dropped (connections forced closed) afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = admin_url or postgres_admin_url()
    name = f"{prefix}_{int(time.time())}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        for _ in range(20):  # the database may be restarting (fault tests)
            try:
                with engine.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                break
            except Exception:  # noqa: BLE001
                time.sleep(1)
        engine.dispose()


def prepare_keys(database_url: str, organisations: list[str] = ORGANISATIONS) -> list[str]:
    """Migrate the database and return one new API key per organisation."""
    return [prepare_database(database_url, name) for name in organisations]


@contextmanager
def running_servers(
    database_url: str, servers: int, workers: int, extra_env: dict[str, str] | None = None
) -> Iterator[list[Server]]:
    """``servers`` gunicorn servers on free loopback ports, all against ``database_url``."""
    with ExitStack() as stack:
        started = [
            stack.enter_context(running_server(database_url, workers, extra_env=extra_env))
            for _ in range(servers)
        ]
        try:
            yield started
        finally:
            for server in started:
                begin_shutdown(server)


def begin_shutdown(server: Server) -> None:
    """Ask ``server`` to stop (SIGTERM to its master) and end its workers' chemistry processes.

    The chemistry children inherit gunicorn's SIGTERM handler, which only marks a worker for exit,
    so a worker waiting for them at shutdown would sit out the whole graceful timeout; they hold no
    state (the pool replaces them at will), so they are killed outright. Several servers stop in
    parallel this way instead of one after the other.
    """
    if server.process.poll() is not None:
        return
    workers = worker_pids(server)
    try:
        os.kill(server.process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for pid in children_of(workers):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def worker_pids(server: Server) -> set[int]:
    """The gunicorn workers of ``server`` (children of its master; chem_db's pool are their children)."""
    return children_of({server.process.pid})


def children_of(parents: set[int]) -> set[int]:
    """Processes whose parent is one of ``parents`` (from /proc)."""
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) in parents:
            pids.add(int(entry))
    return pids


def worker_boots(server: Server) -> int:
    """How many workers the master has booted so far (more than the worker count means restarts)."""
    return server.log().count("Booting worker with pid")


def wait_for_workers(servers: list[Server], workers: int, timeout: float = 180) -> None:
    """Until every server has ``workers`` workers again and answers /healthz (after a kill, a restart)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(len(worker_pids(s)) == workers for s in servers) and all(_healthy(s) for s in servers):
            return
        time.sleep(0.5)
    raise AssertionError(f"the servers did not get their {workers} workers back within {timeout:.0f} s")


def _healthy(server: Server) -> bool:
    try:
        return request(server, "GET", "/healthz", timeout=10)[0] == 200
    except (OSError, http.client.HTTPException):
        return False


# --- requests ----------------------------------------------------------------------------------------


@dataclass
class Call:
    kind: str
    status: int  # 0: no HTTP answer (connection refused/reset, timeout)
    seconds: float
    body: Any = None
    error: str | None = None
    key: str | None = None  # Idempotency-Key
    reference: str | None = None
    attempts: int = 1


def request(
    server: Server,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 120,
    form: dict[str, str] | None = None,
) -> tuple[int, Any, dict[str, str]]:
    """One HTTP exchange on a fresh connection: (status, parsed JSON or text, headers).

    ``body`` is sent as JSON, ``form`` as an HTML form."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        if form is not None:
            data: bytes | None = urlencode(form).encode()
            all_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        else:
            data = None if body is None else json.dumps(body).encode()
            all_headers = {"Content-Type": "application/json"} if data is not None else {}
        all_headers.update(headers or {})
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        payload = response.read()
        response_headers = {k.lower(): v for k, v in response.getheaders()}
        if response_headers.get("content-type", "").startswith("application/json") and payload:
            return response.status, json.loads(payload), response_headers
        return response.status, payload.decode("utf-8", "replace"), response_headers
    finally:
        connection.close()


def make_order(rng: random.Random, reference: str, lines: int | None = None) -> dict[str, Any]:
    consignee, country = rng.choice(CONSIGNEES)
    count = lines if lines is not None else rng.randint(1, 10)
    return {
        "reference": reference,
        "order_date": date.today().isoformat(),
        "destination_country": country,
        "consignee": {"name": consignee, "country": country, "kind": "distributor"},
        "lines": [
            {
                **rng.choice(CATALOGUE),
                "quantity": rng.choice([1, 5, 20, 50, 200, 800]),
                "unit": rng.choice(["kg", "kg", "L", "g"]),
            }
            for _ in range(count)
        ],
    }


def submit_order(
    server_for_attempt: Callable[[int], Server],
    api_key: str,
    order: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    retries: int = 0,
    retry_pause: float = 0.5,
    kind: str = "order",
) -> Call:
    """POST an order; on no answer, a 5xx or a 429, retry with the same Idempotency-Key (on the server
    ``server_for_attempt(n)`` picks: retries may land elsewhere)."""
    key = idempotency_key or uuid.uuid4().hex
    headers = {"Authorization": f"Bearer {api_key}", "Idempotency-Key": key}
    started = time.perf_counter()
    status, body, error = 0, None, None
    attempt = 0
    for attempt in range(retries + 1):
        try:
            status, body, response_headers = request(
                server_for_attempt(attempt), "POST", "/api/v1/screenings", order, headers
            )
            error = None
        except (OSError, http.client.HTTPException) as exc:
            status, body, error = 0, None, f"{type(exc).__name__}: {exc}"
            response_headers = {}
        if status in (200, 201) or (400 <= status < 500 and status != 429):
            break
        if attempt < retries:
            pause = (
                float(response_headers.get("retry-after") or retry_pause) if status == 429 else retry_pause
            )
            time.sleep(min(pause, 5.0))
    return Call(
        kind, status, time.perf_counter() - started, body, error, key, order["reference"], attempt + 1
    )


def prepare_liaison(database_url: str) -> tuple[str, str]:
    """A new HSI liaison account (e-mail, password) for the review pages in the mix."""
    import secrets

    from screening.database import Database, create_db_engine
    from screening.services import Actor, create_user

    email = f"liaison-{uuid.uuid4().hex[:8]}@example.gov"
    password = "Lz-" + secrets.token_urlsafe(18)
    engine = create_db_engine(database_url)
    try:
        with Database(engine).session_scope() as session:
            create_user(session, email, "hsi_liaison", password, Actor.system("load"))
    finally:
        engine.dispose()
    return email, password


_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_CASE_RE = re.compile(r'href="(/review/cases/\d+)"')


def sign_in(server: Server, email: str, password: str) -> str:
    """Sign in through the login form like a browser; return the session ``Cookie`` header value."""
    status, page, headers = request(server, "GET", "/login")
    cookie = headers.get("set-cookie", "").split(";")[0]
    match = _CSRF_RE.search(page if isinstance(page, str) else "")
    if status != 200 or not match:
        raise RuntimeError(f"no sign-in form on {server.port}: HTTP {status}")
    form = {"csrf_token": match.group(1), "email": email, "password": password}
    status, _, headers = request(server, "POST", "/login", headers={"Cookie": cookie}, form=form)
    if status not in (302, 303) or "set-cookie" not in headers:
        raise RuntimeError(f"sign-in failed on {server.port}: HTTP {status}")
    return headers["set-cookie"].split(";")[0]


# --- the mix -----------------------------------------------------------------------------------------


@dataclass
class LoadRunner:
    """Clients on threads sending the mix to ``servers`` until ``seconds`` pass or :meth:`stop`."""

    servers: list[Server]
    api_keys: list[str]
    clients: int = 8
    seconds: float = 10.0
    hostile_clients: int = 0
    retries: int = 0  # retries of an order with its Idempotency-Key (fault tests)
    seed: int = 7
    mix: dict[str, float] = field(
        default_factory=lambda: {"order": 55, "check": 10, "get": 20, "list": 10, "health": 5}
    )
    liaison: tuple[str, str] | None = None  # (e-mail, password): adds the review pages to the mix
    liaison_share: float = 5
    calls: list[Call] = field(default_factory=list)
    hostile_calls: list[Call] = field(default_factory=list)
    elapsed: float = 0.0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._created: list[tuple[str, str]] = []  # (screening id, api key)
        self._counter = 0
        self._run = uuid.uuid4().hex[:8]  # references stay unique across runs on one database
        self._cookies: dict[tuple[int, int], str] = {}  # (client, server) -> session cookie
        if self.liaison is not None:
            self.mix = {**self.mix, "liaison": self.liaison_share}

    def stop(self) -> None:
        self._stop.set()

    def _reference(self, prefix: str) -> str:
        with self._lock:
            self._counter += 1
            return f"{prefix}-{self._run}-{self._counter:06d}"

    def _record(self, call: Call, hostile: bool = False, api_key: str = "") -> None:
        with self._lock:
            (self.hostile_calls if hostile else self.calls).append(call)
            if call.kind == "order" and call.status in (200, 201) and isinstance(call.body, dict):
                self._created.append((call.body["id"], api_key))

    def _client(self, number: int, deadline: float) -> None:
        rng = random.Random(self.seed * 1000 + number)
        kinds = list(self.mix)
        weights = [self.mix[k] for k in kinds]
        while not self._stop.is_set() and time.perf_counter() < deadline:
            index = rng.randrange(len(self.servers))
            server = self.servers[index]
            api_key = self.api_keys[number % len(self.api_keys)]
            kind = rng.choices(kinds, weights)[0]
            if kind == "order":
                order = make_order(rng, self._reference("LOAD"))
                call = submit_order(
                    lambda attempt, i=index: self.servers[(i + attempt) % len(self.servers)],
                    api_key,
                    order,
                    retries=self.retries,
                )
                self._record(call, api_key=api_key)
                continue
            if kind == "liaison":
                self._record(self._liaison_page(number, index, rng))
                continue
            headers = {"Authorization": f"Bearer {api_key}"}
            method, path, body = "GET", "/healthz", None
            if kind == "check":
                items = [
                    {k: v for k, v in rng.choice(CATALOGUE).items() if k != "product"}
                    for _ in range(rng.randint(5, 40))
                ]
                method, path, body = "POST", "/api/v1/structures/check", {"items": items}
            elif kind == "get":
                with self._lock:
                    mine = [sid for sid, key in self._created if key == api_key]
                if not mine:
                    continue
                path = f"/api/v1/screenings/{rng.choice(mine)}"
            elif kind == "list":
                path = "/api/v1/screenings?per_page=20"
            self._record(self._timed(kind, server, method, path, body, headers))

    def _liaison_page(self, number: int, index: int, rng: random.Random) -> Call:
        """A liaison's page view: the review queue, the dashboard, or a case from the queue."""
        assert self.liaison is not None
        server = self.servers[index]
        started = time.perf_counter()
        try:
            cookie = self._cookies.get((number, index))
            if cookie is None:
                cookie = self._cookies[(number, index)] = sign_in(server, *self.liaison)
            path = rng.choice(["/review/", "/review/", "/review/dashboard"])
            status, page, _ = request(server, "GET", path, headers={"Cookie": cookie})
            cases = _CASE_RE.findall(page) if isinstance(page, str) else []
            if status == 200 and cases and rng.random() < 0.5:
                status, page, _ = request(server, "GET", rng.choice(cases), headers={"Cookie": cookie})
            return Call("liaison", status, time.perf_counter() - started)
        except (OSError, http.client.HTTPException, RuntimeError) as exc:
            return Call("liaison", 0, time.perf_counter() - started, None, f"{type(exc).__name__}: {exc}")

    def _hostile_client(self, number: int, deadline: float) -> None:
        rng = random.Random(self.seed * 7777 + number)
        payloads = list(hostile_smiles().items())
        api_key = self.api_keys[number % len(self.api_keys)]
        while not self._stop.is_set() and time.perf_counter() < deadline:
            server = rng.choice(self.servers)
            name, smiles = rng.choice(payloads)
            if rng.random() < 0.5:
                order = make_order(rng, self._reference("HOSTILE"), lines=1)
                order["lines"].append({"product": name, "smiles": smiles, "quantity": 1, "unit": "kg"})
                call = submit_order(lambda _attempt, s=server: s, api_key, order, kind="hostile-order")
            else:
                items = [{"smiles": smiles, "ref": name}] + [{"cas": "67-64-1"}]
                headers = {"Authorization": f"Bearer {api_key}"}
                call = self._timed(
                    "hostile-check", server, "POST", "/api/v1/structures/check", {"items": items}, headers
                )
            call.reference = name
            self._record(call, hostile=True)

    def _timed(
        self, kind: str, server: Server, method: str, path: str, body: Any, headers: dict[str, str]
    ) -> Call:
        started = time.perf_counter()
        try:
            status, payload, _ = request(server, method, path, body, headers)
            return Call(kind, status, time.perf_counter() - started, payload)
        except (OSError, http.client.HTTPException) as exc:
            return Call(kind, 0, time.perf_counter() - started, None, f"{type(exc).__name__}: {exc}")

    def run(self) -> LoadRunner:
        deadline = time.perf_counter() + self.seconds
        threads = [
            threading.Thread(target=self._client, args=(n, deadline), daemon=True)
            for n in range(self.clients)
        ]
        threads += [
            threading.Thread(target=self._hostile_client, args=(n, deadline), daemon=True)
            for n in range(self.hostile_clients)
        ]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.elapsed = time.perf_counter() - began
        return self

    def start(self) -> threading.Thread:
        """Run in the background (fault tests); join the returned thread."""
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        return thread


# --- what was stored --------------------------------------------------------------------------------


@dataclass
class StoredState:
    """What the database holds after a run, read in one transaction."""

    orders: dict[str, dict[str, Any]]  # order id -> reference, org, latest screening id
    screenings: dict[str, str]  # screening id -> order id
    screening_flags: dict[str, list[str]]  # order id -> flag codes of its latest screening
    audited_orders: list[str]  # target ids of screening.created entries, in chain order
    idempotency: dict[tuple[int, str], str]  # (org id, key) -> order id
    chain_ok: bool
    chain_report: str


def stored_state(database_url: str) -> StoredState:
    from sqlalchemy import select

    from screening.database import Database, create_db_engine
    from screening.models import AuditEntry, IdempotencyKey, Order, Screening, ScreeningFlag
    from screening.services import verify_chain

    engine = create_db_engine(database_url)
    try:
        with Database(engine).session_scope() as session:
            orders = {
                oid: {"reference": ref, "org": org, "latest": latest}
                for oid, ref, org, latest in session.execute(
                    select(Order.id, Order.reference, Order.organisation_id, Order.latest_screening_id)
                )
            }
            screenings = {sid: oid for sid, oid in session.execute(select(Screening.id, Screening.order_id))}
            flags: dict[str, list[str]] = {}
            for order_id, code in session.execute(
                select(Order.id, ScreeningFlag.code)
                .join(Screening, Screening.id == Order.latest_screening_id)
                .join(ScreeningFlag, ScreeningFlag.screening_id == Screening.id)
            ):
                flags.setdefault(order_id, []).append(code)
            audited = [
                str(t)
                for t in session.scalars(
                    select(AuditEntry.target_id)
                    .where(AuditEntry.action == "screening.created")
                    .order_by(AuditEntry.id)
                )
            ]
            idempotency = {
                (org, key): oid
                for org, key, oid in session.execute(
                    select(IdempotencyKey.organisation_id, IdempotencyKey.key, IdempotencyKey.order_id)
                )
            }
            report = verify_chain(session)
            return StoredState(orders, screenings, flags, audited, idempotency, report.ok, report.describe())
    finally:
        engine.dispose()


def consistency_problems(state: StoredState, accepted: dict[str, str]) -> list[str]:
    """What breaks the invariants that must hold after any load or fault (empty when all hold).

    ``accepted`` maps each order id that got a 200/201 to the reference its client sent (one
    reference per client order, sent with one Idempotency-Key): every accepted order is stored with
    its screening and its audit entry; no reference is stored twice; no order lacks its screening,
    no screening its order or audit entry; the audit chain is intact.
    """
    problems = []
    missing = [oid for oid in accepted if oid not in state.orders]
    if missing:
        problems.append(f"{len(missing)} orders answered 200/201 are not stored, e.g. {missing[:3]}")
    wrong = [
        oid for oid, ref in accepted.items() if oid in state.orders and state.orders[oid]["reference"] != ref
    ]
    if wrong:
        problems.append(f"accepted ids stored under another reference: {wrong[:3]}")
    seen: dict[tuple[int, str], int] = {}
    for order in state.orders.values():
        seen[(order["org"], order["reference"])] = seen.get((order["org"], order["reference"]), 0) + 1
    duplicates = sorted(ref for (_, ref), n in seen.items() if n > 1)
    if duplicates:
        problems.append(f"orders stored twice: {duplicates[:5]}")
    half = [oid for oid, o in state.orders.items() if o["latest"] not in state.screenings]
    if half:
        problems.append(f"orders without a screening: {half[:5]}")
    orphans = [sid for sid, oid in state.screenings.items() if oid not in state.orders]
    if orphans:
        problems.append(f"screenings without an order: {orphans[:5]}")
    audited = set(state.audited_orders)
    unaudited = [oid for oid in state.orders if oid not in audited]
    if unaudited:
        problems.append(f"screenings without an audit entry: {unaudited[:5]}")
    if len(state.audited_orders) != len(audited):
        problems.append("an order was audited as created twice")
    if not state.chain_ok:
        problems.append(state.chain_report)
    return problems


# --- reporting -------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` fall (nearest rank).

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5), percentile([1.0, 2.0, 3.0, 4.0], 0.99)
    (2.0, 4.0)
    """
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), int(round(fraction * len(ordered) + 0.4999))))
    return ordered[rank - 1]


def summarise(calls: list[Call], elapsed: float) -> dict[str, dict[str, float]]:
    """Per kind and overall: requests, req/s, p50/p99 ms, errors (no answer or 5xx or unexpected 4xx)."""
    kinds: dict[str, list[Call]] = {}
    for call in calls:
        kinds.setdefault(call.kind, []).append(call)
    kinds["all"] = list(calls)
    table = {}
    for kind, group in kinds.items():
        ok = [c for c in group if 200 <= c.status < 300]
        table[kind] = {
            "requests": len(group),
            "rps": len(group) / elapsed if elapsed else 0.0,
            "p50_ms": statistics.median([c.seconds for c in ok]) * 1000 if ok else float("nan"),
            "p99_ms": percentile([c.seconds for c in ok], 0.99) * 1000 if ok else float("nan"),
            "errors": sum(1 for c in group if not 200 <= c.status < 300),
        }
    return table


def hostile_outcomes(calls: list[Call]) -> dict[str, int]:
    """How the hostile lines came back: refused by validation (422), unresolved with a limit finding,
    or anything else (which would be a defect: never ``clear``, never a 5xx)."""
    outcome = {
        "refused_422": 0,
        "unresolved_limit": 0,
        "unresolved_other": 0,
        "order_clear": 0,
        "other": 0,
        "no_answer": 0,
    }
    for call in calls:
        if call.status == 0:
            outcome["no_answer"] += 1
        elif call.status == 422:
            outcome["refused_422"] += 1
        elif call.status in (200, 201) and isinstance(call.body, dict) and call.body.get("status") == "clear":
            outcome["order_clear"] += 1
        elif call.status in (200, 201) and isinstance(call.body, dict):
            lines = call.body.get("lines") or call.body.get("results") or []
            line = lines[-1] if call.kind == "hostile-order" else lines[0]
            codes = {f.get("code") for f in line.get("findings") or []}
            if line.get("classification") == "unresolved" and "LIMIT_EXCEEDED" in codes:
                outcome["unresolved_limit"] += 1
            elif line.get("classification") == "unresolved":
                outcome["unresolved_other"] += 1
            else:
                outcome["other"] += 1
        else:
            outcome["other"] += 1
    return outcome


def print_table(title: str, table: dict[str, dict[str, float]]) -> None:
    print(title)
    print(f"  {'kind':<16}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for kind, row in table.items():
        print(
            f"  {kind:<16}{row['requests']:>9.0f}{row['rps']:>9.1f}{row['p50_ms']:>9.1f}"
            f"{row['p99_ms']:>9.1f}{row['errors']:>8.0f}"
        )


def run_scenario(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    keys = prepare_keys(database_url)
    liaison = prepare_liaison(database_url)
    env = {"SCREENING_LOG_LEVEL": "WARNING"}
    with running_servers(database_url, args.servers, args.workers, extra_env=env) as servers:
        boots_before = [worker_boots(s) for s in servers]
        LoadRunner(servers, keys, clients=2, seconds=1.5, seed=1).run()  # warm every code path
        runner = LoadRunner(
            servers,
            keys,
            clients=args.clients,
            seconds=args.seconds,
            hostile_clients=args.hostile_clients if args.hostile else 0,
            seed=args.seed,
            liaison=liaison,
        ).run()
        restarts = sum(worker_boots(s) - b for s, b in zip(servers, boots_before, strict=True))
    return {"runner": runner, "restarts": restarts}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--servers", type=int, choices=[1, 2], default=1)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers per server"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--hostile", action="store_true", help="add hostile structures at the same time")
    parser.add_argument("--hostile-clients", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pg-admin-url", default=None, help="maintenance database URL (default: local postgres)"
    )
    args = parser.parse_args()

    with ExitStack() as stack:
        if args.db == "postgresql":
            problem = postgres_reachable(args.pg_admin_url)
            if problem:
                print(f"PostgreSQL is not reachable: {problem}", file=sys.stderr)
                return 2
            url = stack.enter_context(scratch_postgres_database(args.pg_admin_url, prefix="bench_load"))
        else:
            scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="load-"))
            url = f"sqlite:///{os.path.join(scratch, 'load.db')}"
        print(
            f"{args.db}, {args.servers} server(s) x {args.workers} sync workers, {args.clients} clients"
            f"{f' + {args.hostile_clients} hostile clients' if args.hostile else ''}, {args.seconds:.0f} s"
        )
        result = run_scenario(args, url)

    runner: LoadRunner = result["runner"]
    print_table("normal traffic", summarise(runner.calls, runner.elapsed))
    if runner.hostile_calls:
        print_table("hostile traffic", summarise(runner.hostile_calls, runner.elapsed))
        print("hostile lines:", hostile_outcomes(runner.hostile_calls))
    print(f"worker restarts during the run: {result['restarts']}")
    failures = [c for c in runner.calls if not 200 <= c.status < 300]
    for call in failures[:5]:
        print(f"  e.g. {call.kind} -> {call.status} {call.error or str(call.body)[:200]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
