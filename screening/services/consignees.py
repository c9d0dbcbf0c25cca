"""Consignees across orders and organisations: links, the exporter's history, monthly totals.

The same consignee under several spellings is matched with ``rules.parties.same_party`` (names
normalised for accents, case, punctuation and company-form suffixes such as "S.A. de C.V.", then
compared word by word with rapidfuzz). A link is shown when the score is at or above
``rules.parties.SAME_PARTY_CUTOFF`` (0.90): every significant word of one name must have a close
counterpart in the other, so "Quimica del Norte" and "Química del Noreste" never link. Each link
carries its score and the reasons ``same_party`` gives.

Cost: candidates come from the consignee's country only (index ``ix_orders_consignee_country_key``)
and are narrowed by a vectorised rapidfuzz prefilter on the normalised names before the exact
scoring, so a case page or the dashboard stays fast with many thousands of consignees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..models import CLEAR, Order, OrderLine, Organisation, ReviewItem, Screening, ScreeningMatch

# Prefilter: a pair whose normalised names score below this (rapidfuzz token_sort_ratio, 0..100)
# cannot reach the same-party cut-off, unless one name's words contain the other's (checked too).
PREFILTER_RATIO = 70.0


def link_cutoff() -> float:
    """The score at or above which two consignee records are the same party (from rules.parties)."""
    from rules.parties import SAME_PARTY_CUTOFF

    return float(SAME_PARTY_CUTOFF)


def _tokens(key: str) -> set[str]:
    from rules import parties

    # the same small words same_party() ignores ("del", "de", "the"...); none if rules stops exposing them
    stopwords = getattr(parties, "_STOPWORDS", frozenset())
    words = {w for w in key.split() if w not in stopwords}
    return words or set(key.split())


def candidate_keys(key: str, keys: Iterable[str]) -> list[str]:
    """The keys that could be the same party as ``key`` (cheap prefilter before ``same_party``).

    >>> candidate_keys("quimica del norte", ["quimica del noreste", "acme chemicals", "quimica norte"])
    ['quimica del noreste', 'quimica norte']
    >>> candidate_keys("quimica del norte", ["acme chemicals"])
    []
    """
    from rapidfuzz import fuzz, process

    pool = [k for k in dict.fromkeys(keys) if k]
    if not key or not pool:
        return []
    scored = process.extract(
        key, pool, scorer=fuzz.token_sort_ratio, score_cutoff=PREFILTER_RATIO, limit=None
    )
    found = {match for match, _score, _index in scored}
    mine = _tokens(key)
    found.update(k for k in pool if mine <= _tokens(k) or _tokens(k) <= mine)
    return [k for k in pool if k in found]


@dataclass
class ConsigneeLink:
    """Another exporter's consignee record that is the same party as this order's consignee."""

    organisation_id: int
    organisation_name: str
    consignee_name: str
    consignee_address: str | None
    consignee_country: str
    score: float
    reasons: list[str]
    order_count: int
    flagged_count: int
    first_order_date: date
    last_order_date: date
    open_case_ids: list[int] = field(default_factory=list)


def find_consignee_links(session: Session, order: Order) -> list[ConsigneeLink]:
    """Other organisations' orders to the same consignee (same country), best score first."""
    from rules.parties import same_party

    keys = session.scalars(
        select(Order.consignee_key)
        .where(
            Order.consignee_country == order.consignee_country,
            Order.organisation_id != order.organisation_id,
        )
        .distinct()
    ).all()
    candidates = candidate_keys(order.consignee_key, keys)
    if not candidates:
        return []
    flagged = func.sum(case((Screening.status != CLEAR, 1), else_=0))
    rows = session.execute(
        select(
            Order.organisation_id,
            Organisation.name,
            Order.consignee_name,
            Order.consignee_address,
            func.count(Order.id),
            flagged,
            func.min(Order.order_date),
            func.max(Order.order_date),
        )
        .join(Organisation, Organisation.id == Order.organisation_id)
        .join(Screening, Screening.id == Order.latest_screening_id)
        .where(
            Order.consignee_country == order.consignee_country,
            Order.organisation_id != order.organisation_id,
            Order.consignee_key.in_(candidates),
        )
        .group_by(Order.organisation_id, Organisation.name, Order.consignee_name, Order.consignee_address)
    ).all()
    cutoff = link_cutoff()
    links = []
    for org_id, org_name, name, address, count, n_flagged, first, last in rows:
        score, reasons = same_party(order.consignee_name, order.consignee_address, name, address)
        if score < cutoff:
            continue
        links.append(
            ConsigneeLink(
                org_id,
                org_name,
                name,
                address,
                order.consignee_country,
                score,
                reasons,
                count,
                int(n_flagged or 0),
                first,
                last,
            )
        )
    _attach_open_cases(session, order.consignee_country, links)
    links.sort(key=lambda link: (-link.score, -link.order_count, link.organisation_name))
    return links


def _attach_open_cases(session: Session, country: str, links: list[ConsigneeLink]) -> None:
    if not links:
        return
    wanted = {(link.organisation_id, link.consignee_name) for link in links}
    by_key: dict[tuple[int, str], list[int]] = defaultdict(list)
    for item_id, org_id, name in session.execute(
        select(ReviewItem.id, Order.organisation_id, Order.consignee_name)
        .join(Order, Order.id == ReviewItem.order_id)
        .where(
            Order.consignee_country == country,
            Order.organisation_id.in_({org for org, _ in wanted}),
            Order.consignee_name.in_({name for _, name in wanted}),
            ReviewItem.state != "decided",
        )
        .order_by(ReviewItem.id)
    ):
        by_key[(org_id, name)].append(item_id)
    for link in links:
        link.open_case_ids = by_key.get((link.organisation_id, link.consignee_name), [])


# --- the exporter's history with this consignee ---


def same_consignee_keys(session: Session, order: Order) -> list[str]:
    """The normalised names under which this order's exporter has shipped to the same consignee."""
    from .screenings import related_consignee_keys

    return related_consignee_keys(
        session, order.organisation_id, order.consignee_name, order.consignee_address, order.consignee_country
    )


@dataclass
class PriorOrder:
    order_id: str
    reference: str
    order_date: date
    status: str
    review_state: str | None
    decision: str | None
    case_id: int | None
    chemicals: list[str]


def consignee_history(session: Session, order: Order, limit: int = 100) -> list[PriorOrder]:
    """The exporter's other orders to this consignee, newest first.

    The consignee is matched as the screening matches it for cumulative monthly thresholds
    (``related_consignee_keys``: same country, same party by ``rules.parties.same_party``).
    """
    rows = session.execute(
        select(Order.id, Order.reference, Order.order_date, Screening.id, Screening.status, ReviewItem)
        .join(Screening, Screening.id == Order.latest_screening_id)
        .outerjoin(ReviewItem, ReviewItem.order_id == Order.id)
        .where(
            Order.organisation_id == order.organisation_id,
            Order.consignee_key.in_(same_consignee_keys(session, order)),
            Order.consignee_country == order.consignee_country,
            Order.id != order.id,
        )
        .order_by(Order.order_date.desc(), Order.created_at.desc())
        .limit(limit)
    ).all()
    entries: dict[str, list[str]] = defaultdict(list)
    screening_ids = [row[3] for row in rows]
    if screening_ids:
        for screening_id, entry_id in session.execute(
            select(ScreeningMatch.screening_id, ScreeningMatch.entry_id)
            .where(ScreeningMatch.screening_id.in_(screening_ids))
            .order_by(ScreeningMatch.id)
        ):
            if entry_id not in entries[screening_id]:
                entries[screening_id].append(entry_id)
    history = []
    for order_id, reference, order_date, screening_id, status, item in rows:
        decision = item.latest_decision.reason_code if item is not None and item.latest_decision else None
        history.append(
            PriorOrder(
                order_id,
                reference,
                order_date,
                status,
                item.state if item is not None else None,
                decision,
                item.id if item is not None else None,
                entries.get(screening_id, []),
            )
        )
    return history


@dataclass
class MonthlyTotal:
    """One chemical's base-weight total to this consignee in one calendar month, against its threshold."""

    month: str  # YYYY-MM
    entry_id: str
    name: str
    orders: list[str]  # references
    amount: float | None  # None: a quantity could not be converted
    unit: str
    threshold: float | None  # None: regulated at any quantity, or none for this destination
    scope: str  # threshold | any_quantity | not_for_destination | no_data
    met: bool
    citation: str | None = None
    verified: bool | None = None

    @property
    def percent(self) -> float | None:
        if self.amount is None or not self.threshold:
            return None
        return 100.0 * self.amount / self.threshold


def monthly_totals(session: Session, order: Order, months: int = 12) -> list[MonthlyTotal]:
    """Per calendar month and listed chemical, what the exporter shipped to this consignee.

    Quantities are base weight (concentration and salt fraction applied) as the rules count them
    toward the cumulative monthly thresholds of 21 CFR 1310.04, with the threshold for this order's
    destination from the current rule data. Covers this order's month and the ``months`` before it;
    each order counts with its latest screening's listed matches.
    """
    from rules import current_ruleset
    from rules.context import contribution, measure, select_threshold

    ruleset = current_ruleset()
    start = _month_start(order.order_date, months)
    orders = session.execute(
        select(Order.id, Order.reference, Order.order_date, Order.latest_screening_id)
        .where(
            Order.organisation_id == order.organisation_id,
            Order.consignee_key.in_(same_consignee_keys(session, order)),
            Order.consignee_country == order.consignee_country,
            Order.order_date >= start,
            Order.order_date < _month_start(order.order_date, -1),
        )
        .order_by(Order.order_date)
    ).all()
    if not orders:
        return []
    by_screening = {row[3]: row for row in orders if row[3]}
    listed: dict[tuple[str, int], tuple[list[str], float | None]] = {}
    for screening_id, line, entry_id, fraction in session.execute(
        select(
            ScreeningMatch.screening_id,
            ScreeningMatch.line,
            ScreeningMatch.entry_id,
            ScreeningMatch.parent_mass_fraction,
        )
        .where(ScreeningMatch.screening_id.in_(list(by_screening)), ScreeningMatch.listed.is_(True))
        .order_by(ScreeningMatch.id)
    ):
        entries, _ = listed.get((screening_id, line), ([], None))
        if entry_id not in entries:
            entries.append(entry_id)
        listed[(screening_id, line)] = (entries, fraction)
    lines: dict[str, list[OrderLine]] = defaultdict(list)
    for line in session.scalars(select(OrderLine).where(OrderLine.order_id.in_([r[0] for r in orders]))):
        lines[line.order_id].append(line)

    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    references: dict[tuple[str, str], list[str]] = defaultdict(list)
    for order_id, reference, order_date, screening_id in orders:
        for line in lines.get(order_id, []):
            entries, fraction = listed.get((screening_id, line.index), ([], None))
            for entry_id in entries:
                key = (order_date.strftime("%Y-%m"), entry_id)
                groups[key].append(
                    contribution(
                        entry_id,
                        ruleset,
                        reference,
                        order_date,
                        line.index,
                        line.quantity,
                        line.unit,
                        line.concentration_percent,
                        fraction,
                        order_id == order.id,
                    )
                )
                if reference not in references[key]:
                    references[key].append(reference)
    totals = []
    for (month, entry_id), contributions in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        on = date.fromisoformat(month + "-01")
        scope, threshold = select_threshold(entry_id, order.destination_country, ruleset, on)
        chemical = ruleset.chemical(entry_id)
        name = chemical.name if chemical else entry_id
        kg = [c.base_kg for c in contributions]
        amount: float | None = None if any(k is None for k in kg) else sum(k or 0.0 for k in kg)
        total = MonthlyTotal(
            month, entry_id, name, references[(month, entry_id)], amount, "kg", None, scope, False
        )
        if threshold is not None:
            total.citation, total.verified = threshold.meta.citation, threshold.meta.verified
            measured = measure(contributions, threshold, entry_id, ruleset)
            if measured is not None:
                total.amount, total.unit, total.threshold = measured.amount, measured.unit, measured.limit
                over = (
                    measured.amount > measured.limit
                    if ruleset.threshold_comparison == "above"
                    else measured.amount >= measured.limit
                )
                total.met = over if scope == "threshold" else True
        if scope in ("any_quantity", "no_data"):
            total.met = True  # regulated at any quantity
        totals.append(total)
    totals.sort(key=lambda t: (t.month, t.name), reverse=True)
    return totals


def _month_start(day: date, months_back: int) -> date:
    """The first day of the month ``months_back`` months before ``day``'s month.

    >>> _month_start(date(2026, 3, 15), 12), _month_start(date(2026, 12, 15), -1)
    (datetime.date(2025, 3, 1), datetime.date(2027, 1, 1))
    """
    index = day.year * 12 + (day.month - 1) - months_back
    return date(index // 12, index % 12 + 1, 1)


# --- consignees across exporters (dashboard) ---


@dataclass
class ConsigneeCluster:
    """One consignee (its spellings merged) and the exporters that ship to it."""

    country: str
    names: list[str]
    exporters: list[str]
    order_count: int
    flagged_count: int

    @property
    def label(self) -> str:
        return self.names[0] if self.names else "?"


def consignee_clusters(
    session: Session, since: date | None = None, minimum_exporters: int = 2
) -> list[ConsigneeCluster]:
    """Consignees ordered from by at least ``minimum_exporters`` organisations, most exporters first.

    Records are grouped by country and normalised name, then spellings that ``same_party`` judges the
    same party (names only: at this level an address difference is a second site) are merged.
    """
    from rules.parties import same_party

    query = (
        select(
            Order.consignee_country,
            Order.consignee_key,
            Order.consignee_name,
            Order.organisation_id,
            Organisation.name,
            func.count(Order.id),
            func.sum(case((Screening.status != CLEAR, 1), else_=0)),
        )
        .join(Organisation, Organisation.id == Order.organisation_id)
        .join(Screening, Screening.id == Order.latest_screening_id)
        .group_by(
            Order.consignee_country,
            Order.consignee_key,
            Order.consignee_name,
            Order.organisation_id,
            Organisation.name,
        )
    )
    if since is not None:
        query = query.where(Order.order_date >= since)
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for country, key, name, _org_id, org_name, count, flagged in session.execute(query):
        rec = records.setdefault((country, key), {"names": {}, "exporters": set(), "orders": 0, "flagged": 0})
        rec["names"][name] = rec["names"].get(name, 0) + count
        rec["exporters"].add(org_name)
        rec["orders"] += count
        rec["flagged"] += int(flagged or 0)
    parent: dict[tuple[str, str], tuple[str, str]] = {k: k for k in records}

    def find(k: tuple[str, str]) -> tuple[str, str]:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    by_country: dict[str, list[str]] = defaultdict(list)
    for country, key in records:
        by_country[country].append(key)
    cutoff = link_cutoff()
    for country, keys in by_country.items():
        for i, key in enumerate(keys):
            for other in candidate_keys(key, keys[i + 1 :]):
                if same_party(key, None, other, None)[0] >= cutoff:
                    parent[find((country, other))] = find((country, key))
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for k, rec in records.items():
        root = merged.setdefault(find(k), {"names": {}, "exporters": set(), "orders": 0, "flagged": 0})
        for name, count in rec["names"].items():
            root["names"][name] = root["names"].get(name, 0) + count
        root["exporters"] |= rec["exporters"]
        root["orders"] += rec["orders"]
        root["flagged"] += rec["flagged"]
    clusters = [
        ConsigneeCluster(
            root[0],
            sorted(rec["names"], key=lambda n: -rec["names"][n]),
            sorted(rec["exporters"]),
            rec["orders"],
            rec["flagged"],
        )
        for root, rec in merged.items()
        if len(rec["exporters"]) >= minimum_exporters
    ]
    clusters.sort(key=lambda c: (-len(c.exporters), -c.flagged_count, c.label))
    return clusters


def format_reasons(reasons: Sequence[str]) -> str:
    return "; ".join(reasons)
