"""The liaisons' dashboard: the numbers behind each chart, for a period of weeks (no Flask).

Every chart is a :class:`Chart`: a title, what it counts, column names and rows; the page draws it
as SVG and offers the same rows as CSV, so what people see and what they download never differ.
"Flagged" means an order whose latest screening is ``review`` or ``hold``. Each chart is one or two
grouped queries over the period (indexes on ``orders.created_at`` and ``review_decisions.decided_at``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import CLEAR, HOLD, REVIEW, Order, ReviewDecision, Screening, ScreeningMatch
from ..models.reviews import REASON_LABELS
from .consignees import consignee_clusters
from .review_queue import REGIME_LABELS, _country_label, chemical_name

PERIODS = (4, 12, 26, 52)  # weeks offered on the page
DEFAULT_WEEKS = 12
TOP = 10


@dataclass
class Chart:
    """One chart's data: ``rows`` are tuples in the order of ``columns``."""

    key: str
    title: str
    description: str
    kind: str  # stacked_columns | bars
    columns: list[str]
    rows: list[tuple[Any, ...]]
    series: list[str] = field(default_factory=list)  # stacked: the value columns, in stack order

    @property
    def empty(self) -> bool:
        """True when every count in the chart is zero."""
        counts = [v for row in self.rows for v in row[1:] if isinstance(v, int | float)]
        return not any(counts)


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week.

    >>> week_start(date(2026, 11, 26))
    datetime.date(2026, 11, 23)
    """
    return day - timedelta(days=day.weekday())


def build_dashboard(session: Session, weeks: int = DEFAULT_WEEKS, today: date | None = None) -> list[Chart]:
    """Every chart of the dashboard for the last ``weeks`` weeks (the current one included)."""
    today = today or datetime.now(UTC).date()
    first_week = week_start(today) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first_week, time.min, UTC)
    return [
        weekly_flagged(session, first_week, since, weeks),
        chemicals_flagged(session, since),
        regimes_flagged(session, since),
        destinations_flagged(session, since),
        consignees_across_exporters(session, first_week),
        decisions_by_reason(session, since),
    ]


def _flagged(since: datetime) -> Any:
    return (
        select(Order.id)
        .join(Screening, Screening.id == Order.latest_screening_id)
        .where(Order.created_at >= since, Screening.status != CLEAR)
    )


def weekly_flagged(session: Session, first_week: date, since: datetime, weeks: int) -> Chart:
    counts: dict[date, Counter[str]] = defaultdict(Counter)
    for created_at, status in session.execute(
        select(Order.created_at, Screening.status)
        .join(Screening, Screening.id == Order.latest_screening_id)
        .where(Order.created_at >= since, Screening.status != CLEAR)
    ):
        counts[week_start(created_at.astimezone(UTC).date())][status] += 1
    rows = []
    for i in range(weeks):
        week = first_week + timedelta(weeks=i)
        rows.append((week.isoformat(), counts[week][REVIEW], counts[week][HOLD]))
    return Chart(
        "weekly",
        "Flagged shipments per week",
        "Orders submitted each week (weeks start on Monday) whose latest screening is review or hold.",
        "stacked_columns",
        ["week", "review", "hold"],
        rows,
        series=["review", "hold"],
    )


def chemicals_flagged(session: Session, since: datetime) -> Chart:
    flagged = _flagged(since).subquery()
    rows = session.execute(
        select(ScreeningMatch.entry_id, func.count(func.distinct(Order.id)))
        .join(Order, Order.latest_screening_id == ScreeningMatch.screening_id)
        .where(Order.id.in_(select(flagged.c.id)))
        .group_by(ScreeningMatch.entry_id)
        .order_by(func.count(func.distinct(Order.id)).desc(), ScreeningMatch.entry_id)
        .limit(TOP)
    ).all()
    return Chart(
        "chemicals",
        "Chemicals most flagged",
        f"Watchlist entries matched on flagged orders (top {TOP}), counted once per order.",
        "bars",
        ["chemical", "entry_id", "orders"],
        [(chemical_name(entry), entry, count) for entry, count in rows],
    )


def regimes_flagged(session: Session, since: datetime) -> Chart:
    flagged = _flagged(since).subquery()
    orders: dict[str, set[str]] = defaultdict(set)
    for order_id, regimes in session.execute(
        select(Order.id, ScreeningMatch.regimes)
        .join(ScreeningMatch, ScreeningMatch.screening_id == Order.latest_screening_id)
        .where(Order.id.in_(select(flagged.c.id)))
    ):
        for regime in regimes or []:
            orders[regime].add(order_id)
    ranked = sorted(orders.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return Chart(
        "regimes",
        "Regimes most flagged",
        "Control regimes of the chemicals on flagged orders, counted once per order.",
        "bars",
        ["regime", "code", "orders"],
        [(REGIME_LABELS.get(code, code), code, len(ids)) for code, ids in ranked],
    )


def destinations_flagged(session: Session, since: datetime) -> Chart:
    rows = session.execute(
        select(Order.destination_country, func.count(Order.id))
        .join(Screening, Screening.id == Order.latest_screening_id)
        .where(Order.created_at >= since, Screening.status != CLEAR)
        .group_by(Order.destination_country)
        .order_by(func.count(Order.id).desc(), Order.destination_country)
        .limit(TOP)
    ).all()
    return Chart(
        "destinations",
        "Destinations of flagged shipments",
        f"Destination countries of flagged orders (top {TOP}).",
        "bars",
        ["destination", "code", "orders"],
        [(_country_label(code), code, count) for code, count in rows],
    )


def consignees_across_exporters(session: Session, first_week: date) -> Chart:
    clusters = consignee_clusters(session, since=first_week)[:TOP]
    return Chart(
        "consignees",
        "Consignees supplied by most exporters",
        "Consignees (spellings merged with the same-party matching of the case pages) that received"
        f" orders from two or more exporters in the period (top {TOP}).",
        "bars",
        ["consignee", "country", "exporters", "orders", "flagged_orders", "spellings", "exporter_names"],
        [
            (
                c.label,
                c.country,
                len(c.exporters),
                c.order_count,
                c.flagged_count,
                " | ".join(c.names),
                " | ".join(c.exporters),
            )
            for c in clusters
        ],
    )


def decisions_by_reason(session: Session, since: datetime) -> Chart:
    counts = dict(
        session.execute(
            select(ReviewDecision.reason_code, func.count(ReviewDecision.id))
            .where(ReviewDecision.decided_at >= since)
            .group_by(ReviewDecision.reason_code)
        ).all()
    )
    return Chart(
        "decisions",
        "Decisions by reason",
        "Decisions recorded in the period (a superseded decision still counts), by reason code.",
        "bars",
        ["reason", "code", "decisions"],
        [(label, code, counts.get(code, 0)) for code, label in REASON_LABELS.items()],
    )
