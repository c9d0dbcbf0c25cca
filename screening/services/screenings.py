"""Screen orders and catalogue items; find and list an organisation's screenings.

The flow of :func:`screen_order`: the chemistry runs first (chem_db resolves and
matches each line), then the exporter's history with the consignee is read and
the rules evaluate the order, all outside any lock. Then the write lock is taken
(:func:`screening.database.lock_for_write`); a stamp of the history confirms
that no other writer changed it meanwhile (else the rules run again, under the
lock). The rows (the order, its lines, the screening, its flags and matches, a
review item when needed, the idempotency key) are built before the lock and only
written under it, with plain INSERTs (:class:`screening.services.rows.RowBatch`),
followed by the audit entry. The caller commits once.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import String, and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..database import lock_for_write
from ..models import (
    CLEAR,
    INITIAL,
    RESCREEN,
    ConsigneeSpelling,
    IdempotencyKey,
    Order,
    OrderLine,
    Organisation,
    ReviewItem,
    Screening,
    ScreeningFlag,
    ScreeningLine,
    ScreeningMatch,
    UTCDateTime,
    new_id,
)
from .actors import Actor
from .audit import canonical_json, jsonable, record_audit
from .errors import IdempotencyConflict, NotFound
from .pagination import page_offset
from .reviews import open_review_for, start_review
from .rows import RowBatch

if TYPE_CHECKING:
    from chem_db.results import Identifiers, LineResult
    from rules.facts import History, LineFacts, Outcome, Party

IDENTIFIER_FIELDS = ("cas", "smiles", "name", "inchi", "inchikey")


@dataclass
class ScreeningOutcome:
    """What :func:`screen_order` did: the order, its screening, and whether it was an idempotent replay."""

    order: Order
    screening: Screening
    replayed: bool = False


def body_hash(raw_body: Any) -> str:
    """SHA-256 of the canonical JSON of a request body (key order and spacing do not matter).

    >>> body_hash({"a": 1, "b": 2}) == body_hash({"b": 2, "a": 1})
    True
    """
    return hashlib.sha256(canonical_json(raw_body).encode()).hexdigest()


def identifiers_of(line: Mapping[str, Any]) -> Identifiers:
    from chem_db.results import Identifiers

    return Identifiers(**{f: line.get(f) or None for f in IDENTIFIER_FIELDS})


# chem_db and rules are imported when first used, so account and audit commands (and their
# tests) do not load RDKit or the rule data.


class ResultCache:
    """Recent chem_db results per worker, keyed on the watchlist version, the identifiers and the product.

    The engine is deterministic for one watchlist version, and exporters order
    the same catalogue chemicals again and again; a repeat costs a dictionary
    lookup instead of a trip to the chemistry workers. Each result's JSON form
    (what a screening stores) is kept beside it. Results that did not come from
    a completed screening (timeouts, failures) are never kept. Cached results
    are shared: callers must not modify them.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], tuple[LineResult, dict[str, Any]]] = OrderedDict()
        self._documents: dict[int, tuple[LineResult, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> LineResult | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: tuple[Any, ...], result: LineResult) -> None:
        if any(f.code in UNCACHEABLE_FINDINGS for f in result.findings):
            return
        item = (result, jsonable(result.to_dict()))
        with self._lock:
            self._items[key] = item
            self._documents[id(result)] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                _, (old, _) = self._items.popitem(last=False)
                self._documents.pop(id(old), None)

    def document(self, result: LineResult) -> dict[str, Any]:
        """``result`` as JSON-ready data (from the cache when it is a cached result)."""
        with self._lock:
            item = self._documents.get(id(result))
        if item is not None and item[0] is result:
            return item[1]
        return jsonable(result.to_dict())

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._documents.clear()


# Findings of a screening that did not run to completion: worth retrying, not remembering.
UNCACHEABLE_FINDINGS = frozenset({"SCREENING_FAILED", "TIMEOUT", "OPSIN_UNAVAILABLE"})
result_cache = ResultCache()


def screen_lines(lines: Sequence[Mapping[str, Any]]) -> list[LineResult]:
    """The chemistry of each line (never raises on bad structures: those come back ``unresolved``).

    Lines not in the cache go to chem_db in one batch.
    """
    from chem_db import get_engine

    engine = get_engine()
    keys = [
        (engine.version, *(line.get(f) or None for f in IDENTIFIER_FIELDS), line.get("product") or None)
        for line in lines
    ]
    results: list[LineResult | None] = [result_cache.get(key) for key in keys]
    missing = [i for i, result in enumerate(results) if result is None]
    if missing:
        fresh = engine.screen_many(
            [identifiers_of(lines[i]) for i in missing], products=[lines[i].get("product") for i in missing]
        )
        for i, result in zip(missing, fresh, strict=True):
            results[i] = result
            result_cache.put(keys[i], result)
    return [result for result in results if result is not None]


def check_structures(
    items: Sequence[Mapping[str, Any]], progress: Callable[[int, int], None] | None = None
) -> list[LineResult]:
    """Screen catalogue items (no order, nothing stored), with the same chemistry as an order line."""
    from chem_db import get_engine

    identifiers = [identifiers_of(item) for item in items]
    return list(get_engine().screen_many(identifiers, progress=progress))


# --- screening an order ---


def screen_order(
    session: Session,
    org: Organisation,
    order_data: Mapping[str, Any],
    actor: Actor,
    idempotency_key: str | None = None,
    *,
    raw_body: Any = None,
    via: str = "api",
    history_days: int | None = None,
) -> ScreeningOutcome:
    """Screen and store an order for ``org``; flushes, never commits.

    ``order_data`` is an order as ``screening.schemas.OrderSchema`` loads it
    (dates as ``date``, parties as dicts, lines as dicts). ``raw_body`` is the
    JSON as submitted (defaults to ``order_data``). With ``idempotency_key``,
    a repeat of the same body returns the first result (``replayed=True``) and
    stores nothing; a different body raises :class:`IdempotencyConflict`.
    """
    raw = jsonable(order_data) if raw_body is None else raw_body
    digest = body_hash(raw)
    org_id = org.id
    if idempotency_key:
        replay = _idempotent_replay(session, org_id, idempotency_key, digest)
        if replay is not None:
            return replay

    started = time.perf_counter()
    line_results = screen_lines(order_data["lines"])
    order_date: date = order_data.get("order_date") or datetime.now(UTC).date()
    consignee = order_data["consignee"]
    # The history and the rules run before the write lock, so that writers wait for each other only for
    # the writing; under the lock a cheap check that no order to this consignee was stored or re-screened
    # in between keeps the result exact (and when one was, they run again).
    evaluation = _evaluate_with_history(session, org_id, order_data, order_date, line_results, history_days)

    submission = _Submission(
        org_id, order_data, order_date, raw, digest, idempotency_key, line_results, started, actor, via
    )
    rows = _NewOrderRows(submission, evaluation)  # made ready outside the lock: under it, only statements

    lock_for_write(session)  # from here on, one writer at a time
    if idempotency_key:  # a concurrent retry may have committed while the chemistry ran
        replay = _idempotent_replay(session, org_id, idempotency_key, digest)
        if replay is not None:
            return replay
    if not evaluation.still_current(session, org_id, consignee):
        evaluation = _evaluate_with_history(
            session, org_id, order_data, order_date, line_results, history_days
        )
        rows = _NewOrderRows(submission, evaluation)
    rows.batch.write(session)
    record_audit(
        session,
        actor,
        "screening.created",
        "order",
        rows.order.id,
        _audit_detail(rows.order, rows.screening, evaluation.outcome),
        organisation_id=org_id,
    )
    return ScreeningOutcome(rows.order, rows.screening)


@dataclass(frozen=True)
class _Submission:
    """What an order submission brings to its rows, whatever its history turns out to be."""

    org_id: int
    order_data: Mapping[str, Any]
    order_date: date
    raw: Any  # the JSON body as submitted
    digest: str
    idempotency_key: str | None
    line_results: Sequence[LineResult]
    started: float  # perf_counter() when the screening began
    actor: Actor
    via: str


class _NewOrderRows:
    """Everything a newly screened order writes but the audit entry: the order and its lines, the
    consignee's spelling when new, the screening with its rows, the review case when it needs one, and
    the idempotency key when there is one."""

    def __init__(self, submission: _Submission, evaluation: _Evaluation) -> None:
        org_id, order_data, actor = submission.org_id, submission.order_data, submission.actor
        consignee = order_data["consignee"]
        consignee_key = evaluation.keys[0]  # the consignee's own normalised name comes first
        self.batch = batch = RowBatch()
        self.order = order = Order(
            id=new_id(),
            organisation_id=org_id,
            reference=order_data["reference"],
            order_date=submission.order_date,
            destination_country=order_data["destination_country"],
            transit_countries=list(order_data.get("transit_countries") or []),
            ship_date=order_data.get("ship_date"),
            declared_end_use=order_data.get("declared_end_use"),
            consignee_name=consignee["name"],
            consignee_address=consignee.get("address"),
            consignee_country=consignee["country"],
            consignee_kind=consignee["kind"],
            consignee_key=consignee_key,
            end_user=jsonable(order_data["end_user"]) if order_data.get("end_user") else None,
            raw_body=submission.raw,
            body_hash=submission.digest,
            submitted_via=submission.via,
            submitted_by=actor.label,
        )
        batch.new(order)
        if not evaluation.known_spelling:
            batch.new(
                ConsigneeSpelling(
                    organisation_id=org_id,
                    consignee_country=order.consignee_country,
                    consignee_key=consignee_key,
                    consignee_name=order.consignee_name,
                    consignee_address=order.consignee_address,
                )
            )
        batch.rows(
            OrderLine,
            [
                {
                    "order_id": order.id,
                    "index": i,
                    "product": line.get("product"),
                    "quantity": line["quantity"],
                    "unit": line["unit"],
                    "concentration_percent": line.get("concentration_percent"),
                    **{f: line.get(f) or None for f in IDENTIFIER_FIELDS},
                }
                for i, line in enumerate(order_data["lines"])
            ],
        )
        batch.relate(order, "review_item", None)  # a new order has no case yet (no query needed)
        duration_ms = (time.perf_counter() - submission.started) * 1000
        self.screening = screening = _screening_rows(
            batch, order, submission.line_results, evaluation.outcome, duration_ms, actor, INITIAL, None
        )
        if screening.status != CLEAR:
            start_review(batch, order, screening)
        if submission.idempotency_key:
            batch.new(
                IdempotencyKey(
                    organisation_id=org_id,
                    key=submission.idempotency_key,
                    body_hash=submission.digest,
                    order_id=order.id,
                )
            )


@dataclass
class _Evaluation:
    """An order's rules outcome, with what it was based on: the consignee's related keys and the state
    of its history (see :func:`_history_stamp`)."""

    keys: list[str]
    known_spelling: bool
    stamp: HistoryStamp
    outcome: Outcome

    def still_current(self, session: Session, org_id: int, consignee: Mapping[str, Any]) -> bool:
        """True when the consignee's spellings and history are as they were (call under the write lock)."""
        return _history_stamp(session, org_id, self.keys, consignee["country"]) == self.stamp


def _evaluate_with_history(
    session: Session,
    org_id: int,
    order_data: Mapping[str, Any],
    order_date: date,
    line_results: Sequence[LineResult],
    history_days: int | None,
) -> _Evaluation:
    consignee = order_data["consignee"]
    country = consignee["country"]
    match = _match_consignee(session, org_id, consignee["name"], consignee.get("address"), country)
    # The spellings are counted as read (a spelling added after that changes the stamp), then the orders.
    history, (orders, screenings) = _read_history(
        session, org_id, match.keys, country, order_date, days=history_days, reference=order_data["reference"]
    )
    outcome = evaluate_order(order_data, order_date, line_results, history)
    stamp = (match.spellings_seen, orders, screenings)
    return _Evaluation(match.keys, match.known_spelling, stamp, outcome)


def rescreen_order(
    session: Session, order: Order, actor: Actor, *, history_days: int | None = None
) -> Screening | None:
    """Screen a stored order again with the current watchlist and rules; flushes, never commits.

    Returns the new screening, or None when the latest screening already used
    the current watchlist, rules and engine versions (an order is never screened
    twice with the same versions). The new screening supersedes the previous
    one; a review case is opened or reopened when the result needs a person.
    """
    lines = [
        {"product": line.product, **line.identifiers()} for line in sorted(order.lines, key=lambda x: x.index)
    ]
    started = time.perf_counter()
    line_results = screen_lines(lines)
    order_id = order.id
    lock_for_write(session)
    order = session.get(Order, order_id, populate_existing=True) or order
    previous = order.latest_screening
    from rules import current_ruleset

    ruleset = current_ruleset()
    if previous is not None and _same_versions(previous, line_results, ruleset.version):
        return None
    keys = related_consignee_keys(
        session, order.organisation_id, order.consignee_name, order.consignee_address, order.consignee_country
    )
    history = read_history(
        session,
        order.organisation_id,
        keys,
        order.consignee_country,
        order.order_date,
        exclude_order_id=order.id,
        created_before=order.created_at,
        days=history_days,
        reference=order.reference,
    )
    order_data = order_data_from(order)
    outcome = evaluate_order(order_data, order.order_date, line_results, history, ruleset=ruleset)
    duration_ms = (time.perf_counter() - started) * 1000
    batch = RowBatch()
    screening = _screening_rows(batch, order, line_results, outcome, duration_ms, actor, RESCREEN, previous)
    batch.write(session)
    if screening.status != CLEAR:
        open_review_for(session, order, screening)
    detail = _audit_detail(order, screening, outcome)
    detail["supersedes"] = previous.id if previous else None
    detail["previous_status"] = previous.status if previous else None
    record_audit(
        session,
        actor,
        "screening.rescreened",
        "order",
        order.id,
        detail,
        organisation_id=order.organisation_id,
    )
    return screening


def _same_versions(previous: Screening, line_results: Sequence[LineResult], rules_version: str) -> bool:
    if not line_results:
        return False
    return (
        previous.watchlist_version == line_results[0].watchlist_version
        and previous.engine_version == (line_results[0].engine_version or "")
        and previous.rules_version == rules_version
    )


def _idempotent_replay(session: Session, org_id: int, key: str, digest: str) -> ScreeningOutcome | None:
    stored = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.organisation_id == org_id, IdempotencyKey.key == key)
    )
    if stored is None:
        return None
    if stored.body_hash != digest:
        raise IdempotencyConflict(
            "this Idempotency-Key was already used with a different request body;"
            " use a new key for a new order",
            {"headers": {"Idempotency-Key": ["already used with a different request body"]}},
        )
    order = stored.order
    screening = order.latest_screening
    assert screening is not None
    return ScreeningOutcome(order, screening, replayed=True)


def _audit_detail(order: Order, screening: Screening, outcome: Outcome) -> dict[str, Any]:
    return {
        "reference": order.reference,
        "screening_id": screening.id,
        "status": screening.status,
        "flags": [flag.code for flag in outcome.flags],
        "watchlist_version": screening.watchlist_version,
        "rules_version": screening.rules_version,
    }


def _screening_rows(
    batch: RowBatch,
    order: Order,
    line_results: Sequence[LineResult],
    outcome: Outcome,
    duration_ms: float,
    actor: Actor,
    trigger: str,
    previous: Screening | None,
) -> Screening:
    """Add the screening with its matches, line rows and flags to ``batch``, and make it the order's latest.

    The review case is the caller's: a new order's is new, a re-screened order's may exist already.
    """
    first = line_results[0] if line_results else None
    screening = Screening(
        id=new_id(),
        order_id=order.id,
        status=outcome.status,
        trigger=trigger,
        supersedes_id=previous.id if previous else None,
        watchlist_version=first.watchlist_version if first else "",
        rules_version=outcome.rules_version,
        engine_version=(first.engine_version if first else "") or "",
        duration_ms=round(duration_ms, 3),
        lines=[{"index": i, **result_cache.document(result)} for i, result in enumerate(line_results)],
        required_actions=[
            {**jsonable(asdict(action)), "text": text}
            for action, text in zip(outcome.required_actions, _action_texts(outcome), strict=True)
        ],
        screened_by=actor.label,
    )
    batch.new(screening)
    batch.relate(screening, "order", order)
    batch.relate(screening, "supersedes", previous)
    batch.rows(
        ScreeningMatch,
        [
            {
                "screening_id": screening.id,
                "line": i,
                "entry_id": match.entry_id,
                "match_type": match.match_type,
                "listed": match.listed,
                "score": match.score,
                "regimes": [regime.regime for regime in match.regimes],
                "classification": result.classification,
                "parent_mass_fraction": result.parent_mass_fraction,
            }
            for i, result in enumerate(line_results)
            for match in result.matches
        ],
    )
    batch.rows(
        ScreeningLine,
        [
            {
                "screening_id": screening.id,
                "line": i,
                "classification": result.classification,
                "screened": result.screened,
                "inchikey": result.resolved.inchikey if result.resolved else None,
                "component_inchikeys": [c.inchikey for c in result.resolved.components]
                if result.resolved
                else [],
                "resolved_name": (result.resolved.name or None) if result.resolved else None,
            }
            for i, result in enumerate(line_results)
        ],
    )
    batch.children(
        screening,
        "flags",
        [
            ScreeningFlag(
                screening_id=screening.id,
                position=i,
                code=flag.code,
                severity=flag.severity,
                line=flag.line,
                message=flag.message,
                citation=flag.citation,
                evidence=jsonable(flag.evidence),
                verified=flag.verified,
            )
            for i, flag in enumerate(outcome.flags)
        ],
    )
    batch.execute(_MOVE_LATEST_SCREENING, {"order_id": order.id, "latest_screening_id": screening.id})
    batch.relate(order, "latest_screening_id", screening.id)
    batch.relate(order, "latest_screening", screening)
    if "screenings" in order.__dict__:  # keep a loaded collection true
        batch.relate(order, "screenings", [*order.screenings, screening])
    return screening


_MOVE_LATEST_SCREENING = update(Order.__table__).where(Order.__table__.c.id == bindparam("order_id"))


def _action_texts(outcome: Outcome) -> list[str]:
    """The API's ``required_actions`` strings, as the rules word them (due dates included)."""
    texts = getattr(outcome, "required_action_texts", None)
    return list(texts) if texts is not None else [action.text for action in outcome.required_actions]


# --- history and rules ---

HISTORY_DAYS = 730


def related_consignee_keys(
    session: Session, org_id: int, name: str, address: str | None, country: str
) -> list[str]:
    """The normalised names of this exporter's consignees in ``country`` that are the same party.

    ``rules.parties.same_party`` decides (company suffixes, accents, word-by-word
    fuzzy match, same address), so a consignee spelt differently on a later
    order still counts towards the monthly totals (21 CFR 1310.04(e)).
    """
    return _match_consignee(session, org_id, name, address, country).keys


class ConsigneeMatch(NamedTuple):
    keys: list[str]  # the related consignee keys, this consignee's own first
    known_spelling: bool  # this exact spelling (name, address) is already recorded
    spellings_seen: int  # how many spellings in the country were compared


def _match_consignee(
    session: Session, org_id: int, name: str, address: str | None, country: str
) -> ConsigneeMatch:
    own_key = consignee_key_of(name)
    keys = [own_key]
    known = False
    seen = 0
    for key, other_name, other_address in session.connection().execute(
        _SPELLINGS, {"org": org_id, "country": country, "limit": MAX_CONSIGNEE_CANDIDATES}
    ):
        seen += 1
        known = known or (key == own_key and other_name == name and other_address == address)
        if key not in keys and is_same_party(name, address, other_name, other_address):
            keys.append(key)
    return ConsigneeMatch(keys, known, seen)


_spelling = ConsigneeSpelling.__table__.c
_SPELLINGS = (
    select(_spelling.consignee_key, _spelling.consignee_name, _spelling.consignee_address)
    .where(_spelling.organisation_id == bindparam("org"), _spelling.consignee_country == bindparam("country"))
    .order_by(_spelling.id)
    .limit(bindparam("limit"))
)


@functools.lru_cache(maxsize=65536)
def is_same_party(name: str, address: str | None, other_name: str, other_address: str | None) -> bool:
    """``rules.parties.same_party`` at its cut-off, remembered (the same consignees recur on every order)."""
    from rules.parties import SAME_PARTY_CUTOFF, same_party

    return same_party(name, address, other_name, other_address)[0] >= SAME_PARTY_CUTOFF


MAX_CONSIGNEE_CANDIDATES = 5000  # distinct consignee spellings compared per order (bounds the cost)


def read_history(
    session: Session,
    org_id: int,
    consignee_key: str | Sequence[str],
    consignee_country: str,
    order_date: date,
    *,
    exclude_order_id: str | None = None,
    created_before: datetime | None = None,
    days: int | None = None,
    reference: str | None = None,
) -> History:
    """The exporter's earlier orders to this consignee (same normalised name and country).

    ``created_before`` keeps a re-screening to what was known when its order was
    submitted: orders that came in later are not "earlier orders" of it.

    An order is its ``reference``: orders stored under this order's own reference (a resubmission or
    a retry without an idempotency key) are not earlier orders of it, and of several orders stored
    under one earlier reference only the latest counts, so a resubmitted order is neither a known
    customer's earlier order nor counted twice in a month's total.

    Lines carry the listed watchlist entries their order's latest screening
    matched, for cumulative monthly thresholds. Every line of ``order_date``'s
    calendar month is included; from earlier months, only lines of listed
    chemicals (all the rules look at there). Under the write lock a concurrent
    order to the same consignee is either fully seen or not at all; read before
    it, check the stamp under it (see :class:`_Evaluation`).
    """
    return _read_history(
        session,
        org_id,
        consignee_key,
        consignee_country,
        order_date,
        exclude_order_id=exclude_order_id,
        created_before=created_before,
        days=days,
        reference=reference,
    )[0]


HistoryStamp = tuple[int, int, int]  # the consignee spellings, orders and screenings counted (capped)


def _read_history(
    session: Session,
    org_id: int,
    consignee_key: str | Sequence[str],
    consignee_country: str,
    order_date: date,
    *,
    exclude_order_id: str | None = None,
    created_before: datetime | None = None,
    days: int | None = None,
    reference: str | None = None,
) -> tuple[History, tuple[int, int]]:
    """:func:`read_history`, and how many orders and screenings it counted (see :func:`_history_stamp`)."""
    from rules.facts import History, PriorLine

    keys = [consignee_key] if isinstance(consignee_key, str) else list(consignee_key)
    count_statement, lines_statement = _history_statements(
        exclude_order_id is not None, created_before is not None
    )
    params: dict[str, Any] = {
        "org": org_id,
        "keys": keys,
        "country": consignee_country,
        "exclude": exclude_order_id,
        "before": created_before,
        "reference": reference or "",  # references are never empty: "" leaves out no order
    }
    connection = session.connection()  # Core queries: the session's own execute only adds cost
    count, first, screening_count, _spellings, other_references = connection.execute(
        count_statement, params
    ).one()
    counts = (int(count or 0), int(screening_count or 0))
    history = History(prior_order_count=int(other_references or 0), first_order_date=first)
    if not count:
        return history, counts
    params["since"] = order_date - timedelta(days=days if days is not None else HISTORY_DAYS)
    params["month_start"] = order_date.replace(day=1)
    current: PriorLine | None = None
    current_index = -1
    for (
        order_id,
        prior_reference,
        prior_date,
        status,
        index,
        quantity,
        unit,
        percent,
        cas,
        product,
        name,
        inchikey,
        components,
        resolved_name,
        entry_id,
        fraction,
    ) in connection.execute(lines_statement, params):
        if current is None or (current.order_id, current_index) != (order_id, index):
            current = PriorLine(
                order_id=order_id,
                reference=prior_reference,
                order_date=prior_date,
                entry_ids=[],
                quantity=quantity,
                unit=unit,
                concentration_percent=percent,
                parent_mass_fraction=None,
                status=status,
                cas=cas,
                product=product,
                name=name or resolved_name,
                inchikeys=list(dict.fromkeys(k for k in [inchikey, *(components or [])] if k)),
                line=index,
            )
            current_index = index
            history.prior_lines.append(current)
        if entry_id is not None and entry_id not in current.entry_ids:
            current.entry_ids.append(entry_id)
            current.parent_mass_fraction = fraction
    # One order per reference: this order's own is no earlier order, and an earlier one stored more
    # than once (resubmitted) counts as its latest submission (lines come in order of date, then storage).
    latest = {prior.reference: prior.order_id for prior in history.prior_lines}
    history.prior_lines = [
        prior
        for prior in history.prior_lines
        if prior.reference != reference and latest[prior.reference] == prior.order_id
    ]
    return history, counts


def _history_stamp(session: Session, org_id: int, keys: Sequence[str], country: str) -> HistoryStamp:
    """How many spellings of consignees the exporter has in ``country``, and how many orders to these
    consignees are stored and screenings they have had.

    All three are only ever added to (a re-screening is a new row), so a write that
    could change the related consignees or what :func:`read_history` returns changes
    the stamp.
    """
    params = {"org": org_id, "keys": list(keys), "country": country, "reference": ""}
    count, _first, screening_count, spelling_count, _references = (
        session.connection().execute(_history_statements(False, False)[0], params).one()
    )
    return min(int(spelling_count or 0), MAX_CONSIGNEE_CANDIDATES), int(count or 0), int(screening_count or 0)


@functools.lru_cache(maxsize=4)
def _history_statements(excluding_order: bool, created_before: bool) -> tuple[Any, Any]:
    """The two history queries, built once.

    1. The earlier orders' count and first date, with the counts of their
       screenings and of the exporter's consignee spellings in the country (the stamp);
    2. their lines in the window, each with the listed entries its order's latest
       screening matched (the outer join keeps lines that matched nothing listed).
    """
    orders, lines = Order.__table__.c, OrderLine.__table__.c
    screenings, screening_lines, matches = (
        Screening.__table__.c,
        ScreeningLine.__table__.c,
        ScreeningMatch.__table__.c,
    )
    spellings = ConsigneeSpelling.__table__.c
    same_consignee = [
        orders.organisation_id == bindparam("org"),
        orders.consignee_key.in_(bindparam("keys", expanding=True)),
        orders.consignee_country == bindparam("country"),
    ]
    if excluding_order:
        same_consignee.append(orders.id != bindparam("exclude"))
    if created_before:
        same_consignee.append(orders.created_at < bindparam("before", type_=UTCDateTime()))
    spelling_count = (
        select(func.count(spellings.id))
        .where(
            spellings.organisation_id == bindparam("org"), spellings.consignee_country == bindparam("country")
        )
        .scalar_subquery()
    )
    # distinct references other than the order's own: how many earlier orders the consignee had
    other_references = func.count(
        func.distinct(
            case((orders.reference != bindparam("reference", type_=String()), orders.reference), else_=None)
        )
    )
    count = (
        select(
            func.count(func.distinct(orders.id)),
            func.min(orders.order_date),
            func.count(screenings.id),
            spelling_count,
            other_references,
        )
        .select_from(Order.__table__)
        .join(Screening.__table__, screenings.order_id == orders.id)
        .where(*same_consignee)
    )
    prior_lines = (
        select(
            orders.id,
            orders.reference,
            orders.order_date,
            screenings.status,
            lines.index,
            lines.quantity,
            lines.unit,
            lines.concentration_percent,
            lines.cas,
            lines.product,
            lines.name,
            screening_lines.inchikey,
            screening_lines.component_inchikeys,
            screening_lines.resolved_name,
            matches.entry_id,
            matches.parent_mass_fraction,
        )
        .select_from(Order.__table__)
        .join(Screening.__table__, screenings.id == orders.latest_screening_id)
        .join(OrderLine.__table__, lines.order_id == orders.id)
        .outerjoin(
            ScreeningLine.__table__,
            and_(screening_lines.screening_id == screenings.id, screening_lines.line == lines.index),
        )
        .outerjoin(
            ScreeningMatch.__table__,
            and_(
                matches.screening_id == screenings.id,
                matches.line == lines.index,
                matches.listed.is_(True),
            ),
        )
        .where(
            *same_consignee,
            orders.order_date >= bindparam("since"),
            # Before this order's month the rules only look at listed chemicals (months of purchase,
            # largest earlier quantity, regular customer); the month's lines count whatever they are.
            or_(orders.order_date >= bindparam("month_start"), matches.entry_id.is_not(None)),
        )
        .order_by(orders.order_date, orders.created_at, orders.id, lines.index, matches.id)
    )
    return count, prior_lines


def consignee_key_of(name: str) -> str:
    """The consignee's name normalised the way the rules compare parties."""
    from rules.parties import normalize_party_name

    return normalize_party_name(name)[:300]


def _party(data: Mapping[str, Any]) -> Party:
    from rules.facts import Party

    return Party(name=data["name"], country=data["country"], kind=data["kind"], address=data.get("address"))


def line_facts(index: int, line: Mapping[str, Any], result: LineResult) -> LineFacts:
    from rules.facts import FindingFacts, LineFacts, MatchFacts

    resolved = result.resolved
    return LineFacts(
        index=index,
        quantity=float(line["quantity"]),
        unit=line["unit"],
        classification=result.classification,
        screened=result.screened,
        product=line.get("product"),
        concentration_percent=line.get("concentration_percent"),
        resolved_name=resolved.name if resolved else None,
        resolved_smiles=resolved.smiles if resolved else None,
        resolved_inchikey=resolved.inchikey if resolved else None,
        component_inchikeys=[c.inchikey for c in resolved.components] if resolved else [],
        matches=[
            MatchFacts(
                entry_id=m.entry_id,
                name=m.name,
                match_type=m.match_type,
                score=m.score,
                lists=list(m.lists),
                listed=m.listed,
                class_id=m.class_id,
                leads_to=m.leads_to,
                step=m.step,
                citation=m.citation,
            )
            for m in result.matches
        ],
        findings=[
            FindingFacts(code=f.code, message=f.message, field=f.field, detail=dict(f.detail))
            for f in result.findings
        ],
        parent_mass_fraction=result.parent_mass_fraction,
        identifiers={f: line[f] for f in IDENTIFIER_FIELDS if line.get(f)},
    )


def evaluate_order(
    order_data: Mapping[str, Any],
    order_date: date,
    line_results: Sequence[LineResult],
    history: History,
    ruleset: Any = None,
) -> Outcome:
    """Build the rules' facts for an order and evaluate them with the current (or given) rule set."""
    from rules.facts import OrderFacts

    facts = OrderFacts(
        reference=order_data["reference"],
        order_date=order_date,
        destination_country=order_data["destination_country"],
        consignee=_party(order_data["consignee"]),
        lines=[
            line_facts(i, line, result)
            for i, (line, result) in enumerate(zip(order_data["lines"], line_results, strict=True))
        ],
        transit_countries=list(order_data.get("transit_countries") or []),
        ship_date=order_data.get("ship_date"),
        declared_end_use=order_data.get("declared_end_use"),
        end_user=_party(order_data["end_user"]) if order_data.get("end_user") else None,
        history=history,
    )
    from rules import current_ruleset, evaluate

    return evaluate(facts, ruleset if ruleset is not None else current_ruleset())


def order_data_from(order: Order) -> dict[str, Any]:
    """A stored order in the shape ``screen_order`` takes (for re-screening)."""
    return {
        "reference": order.reference,
        "order_date": order.order_date,
        "destination_country": order.destination_country,
        "transit_countries": list(order.transit_countries or []),
        "ship_date": order.ship_date,
        "declared_end_use": order.declared_end_use,
        "consignee": {
            "name": order.consignee_name,
            "address": order.consignee_address,
            "country": order.consignee_country,
            "kind": order.consignee_kind,
        },
        "end_user": order.end_user,
        "lines": [
            {
                "product": line.product,
                "quantity": line.quantity,
                "unit": line.unit,
                "concentration_percent": line.concentration_percent,
                **line.identifiers(),
            }
            for line in sorted(order.lines, key=lambda x: x.index)
        ],
    }


# --- reading ---


def get_order(session: Session, order_id: str, org: Organisation | None = None) -> Order:
    """The order ``order_id`` with its latest screening; :class:`NotFound` if absent or another org's.

    With ``org`` None (liaisons, admins) any organisation's order is returned.
    """
    order = session.scalar(
        select(Order)
        .options(
            selectinload(Order.latest_screening).selectinload(Screening.flags), selectinload(Order.lines)
        )
        .where(Order.id == order_id)
    )
    if order is None or (org is not None and order.organisation_id != org.id):
        raise NotFound("no such screening")
    return order


@dataclass
class OrderPage:
    items: list[Order]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_orders(
    session: Session,
    org: Organisation | None,
    *,
    page: int = 1,
    per_page: int = 20,
    status: Iterable[str] | None = None,
    reference: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    entry_id: str | None = None,
) -> OrderPage:
    """An organisation's orders (all organisations when ``org`` is None), newest first, one page.

    Filters: latest screening status (any of), reference (exact, or prefix when it
    ends with ``*``), screening date range (inclusive, UTC), a matched watchlist entry.
    """
    conditions = []
    if org is not None:
        conditions.append(Order.organisation_id == org.id)
    statuses = [s for s in (status or []) if s]
    if statuses:
        conditions.append(Screening.status.in_(statuses))
    if reference:
        if reference.endswith("*"):
            prefix = reference[:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(Order.reference.like(prefix + "%", escape="\\"))
        else:
            conditions.append(Order.reference == reference)
    if date_from:
        conditions.append(Order.created_at >= datetime.combine(date_from, datetime.min.time(), UTC))
    if date_to:
        conditions.append(
            Order.created_at < datetime.combine(date_to + timedelta(days=1), datetime.min.time(), UTC)
        )
    if entry_id:
        conditions.append(
            Screening.id.in_(select(ScreeningMatch.screening_id).where(ScreeningMatch.entry_id == entry_id))
        )
    base = select(Order).join(Screening, Screening.id == Order.latest_screening_id).where(*conditions)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    items = session.scalars(
        base.options(selectinload(Order.latest_screening).selectinload(Screening.flags))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(per_page)
        .offset(page_offset(page, per_page))
    ).all()
    return OrderPage(list(items), page, per_page, total)


def latest_review(session: Session, order: Order) -> ReviewItem | None:
    return session.scalar(select(ReviewItem).where(ReviewItem.order_id == order.id))
