"""The liaisons' queue and the reading side of a case (no Flask; the caller commits).

The queue is every review case without a final decision (state ``open`` or ``claimed``), across
organisations, most severe first (``hold`` before ``review``; a case whose re-screening came out
``clear`` sorts last, still waiting for a person to close it), then oldest first. Filters narrow it;
each filter's values come with the number of cases they would show given the *other* filters, so
the counts never contradict the list. Everything here is a fixed number of queries per page,
whatever the page size (no query per case).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from ..models import (
    CLEAR,
    DECIDED,
    HOLD,
    HSI_LIAISON,
    REVIEW,
    AuditEntry,
    Order,
    Organisation,
    ReviewDecision,
    ReviewItem,
    ReviewNote,
    Screening,
    ScreeningFlag,
    ScreeningMatch,
    User,
)
from ..review.models import RESCREENED, RescreenRunOrder
from .actors import Actor
from .audit import record_audit
from .errors import InvalidInput, NotFound
from .pagination import page_offset

# Human labels of the regime codes (the team's shared vocabulary, TEAM.md).
REGIME_LABELS = {
    "list_I": "DEA List I",
    "list_II": "DEA List II",
    "schedule_II_immediate_precursor": "Schedule II immediate precursor",
    "schedule_I/II_drug": "Controlled substance (Schedule I/II)",
    "INCB_table_I": "INCB Table I",
    "INCB_table_II": "INCB Table II",
}
STATUS_LABELS = {HOLD: "Hold", REVIEW: "Review", CLEAR: "Clear (after re-screening)"}
SEVERITY_ORDER = case({HOLD: 2, REVIEW: 1}, value=ReviewItem.severity, else_=0)
UNASSIGNED = "unassigned"
FACETS = ("status", "destination", "exporter", "chemical", "regime", "flag", "assignee")


def chemical_name(entry_id: str) -> str:
    """The watchlist entry's name as the rule data knows it (its id when unknown)."""
    from rules import current_ruleset

    chemical = current_ruleset().chemical(entry_id)
    return chemical.name if chemical is not None else entry_id


def _split(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return sorted({v.strip() for value in values for v in str(value).split(",") if v.strip()})


def _date(args: Mapping[str, Any], name: str) -> date | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        message = f"{name}: expected a date as YYYY-MM-DD"
        raise InvalidInput(message, {name: ["expected YYYY-MM-DD"]}) from None


@dataclass(frozen=True)
class QueueFilters:
    """What the liaison narrowed the queue to. Every list means "any of"."""

    status: tuple[str, ...] = ()
    destination: tuple[str, ...] = ()
    exporter: tuple[int, ...] = ()
    chemical: tuple[str, ...] = ()
    regime: tuple[str, ...] = ()
    flag: tuple[str, ...] = ()
    assignee: tuple[str, ...] = ()  # user ids, or "unassigned"
    consignee: str = ""
    opened_from: date | None = None
    opened_to: date | None = None
    changed: bool = False  # only cases whose latest re-screening changed something

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> QueueFilters:
        """Read filters from query arguments (a MultiDict's ``getlist`` or plain lists/strings).

        >>> QueueFilters.from_args({"status": "hold,review", "exporter": "3"}).status
        ('hold', 'review')
        """
        getlist = getattr(args, "getlist", None)

        def many(name: str) -> list[str]:
            return _split(getlist(name) if getlist else args.get(name))

        exporters = []
        for value in many("exporter"):
            if not value.isdigit():
                raise InvalidInput("exporter: expected an organisation id", {"exporter": ["not an id"]})
            exporters.append(int(value))
        statuses = many("status")
        unknown = [s for s in statuses if s not in STATUS_LABELS]
        if unknown:
            raise InvalidInput(f"status: unknown value {unknown[0]!r}", {"status": ["hold, review or clear"]})
        assignees = many("assignee")
        if any(a != UNASSIGNED and not a.isdigit() for a in assignees):
            raise InvalidInput("assignee: expected a user id or 'unassigned'", {"assignee": ["not a user"]})
        opened_from, opened_to = _date(args, "opened_from"), _date(args, "opened_to")
        if opened_from and opened_to and opened_from > opened_to:
            raise InvalidInput("opened_from is after opened_to", {"opened_from": ["after opened_to"]})
        consignee = str(args.get("consignee") or "").strip()[:200]
        return cls(
            status=tuple(statuses),
            destination=tuple(d.upper() for d in many("destination")),
            exporter=tuple(sorted(exporters)),
            chemical=tuple(many("chemical")),
            regime=tuple(many("regime")),
            flag=tuple(f.upper() for f in many("flag")),
            assignee=tuple(assignees),
            consignee=consignee,
            opened_from=opened_from,
            opened_to=opened_to,
            changed=str(args.get("changed") or "").lower() in ("1", "true", "yes", "on"),
        )

    def to_args(self) -> dict[str, Any]:
        """The filters as query arguments (for links and the CSV export)."""
        args: dict[str, Any] = {}
        for name in FACETS:
            values = getattr(self, name)
            if values:
                args[name] = [str(v) for v in values]
        if self.consignee:
            args["consignee"] = self.consignee
        if self.opened_from:
            args["opened_from"] = self.opened_from.isoformat()
        if self.opened_to:
            args["opened_to"] = self.opened_to.isoformat()
        if self.changed:
            args["changed"] = "1"
        return args

    @property
    def active(self) -> bool:
        return bool(self.to_args())

    def without(self, facet: str) -> QueueFilters:
        empty: Any = "" if facet == "consignee" else (False if facet == "changed" else ())
        if facet in ("opened_from", "opened_to"):
            empty = None
        return replace(self, **{facet: empty})


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(filters: QueueFilters, skip: str | None = None) -> list[ColumnElement[bool]]:
    """WHERE clauses for the filters (leaving out ``skip``, for that facet's counts)."""
    conds: list[ColumnElement[bool]] = [ReviewItem.state != DECIDED]
    if filters.status and skip != "status":
        conds.append(ReviewItem.severity.in_(filters.status))
    if filters.destination and skip != "destination":
        conds.append(Order.destination_country.in_(filters.destination))
    if filters.exporter and skip != "exporter":
        conds.append(ReviewItem.organisation_id.in_(filters.exporter))
    # Aliases, so these subqueries never correlate with a facet query that joins the same table.
    match, flag, rescreened = aliased(ScreeningMatch), aliased(ScreeningFlag), aliased(RescreenRunOrder)
    if filters.chemical and skip != "chemical":
        conds.append(
            exists().where(
                match.screening_id == ReviewItem.screening_id, match.entry_id.in_(filters.chemical)
            )
        )
    if filters.regime and skip != "regime":
        # regimes is a JSON list of codes; its text form contains each code in double quotes.
        text = cast(match.regimes, String)
        conds.append(
            exists().where(
                match.screening_id == ReviewItem.screening_id,
                or_(*[text.like(f'%"{_like_escape(r)}"%', escape="\\") for r in filters.regime]),
            )
        )
    if filters.flag and skip != "flag":
        conds.append(
            exists().where(flag.screening_id == ReviewItem.screening_id, flag.code.in_(filters.flag))
        )
    if filters.assignee and skip != "assignee":
        ids = [int(a) for a in filters.assignee if a != UNASSIGNED]
        parts = [ReviewItem.assignee_id.in_(ids)] if ids else []
        if UNASSIGNED in filters.assignee:
            parts.append(ReviewItem.assignee_id.is_(None))
        conds.append(or_(*parts))
    if filters.consignee and skip != "consignee":
        from rules.parties import normalize_party_name

        key = normalize_party_name(filters.consignee) or filters.consignee.lower()
        conds.append(Order.consignee_key.like(f"%{_like_escape(key)}%", escape="\\"))
    if filters.opened_from and skip != "opened_from":
        conds.append(ReviewItem.opened_at >= datetime.combine(filters.opened_from, time.min, UTC))
    if filters.opened_to and skip != "opened_to":
        conds.append(
            ReviewItem.opened_at < datetime.combine(filters.opened_to + timedelta(days=1), time.min, UTC)
        )
    if filters.changed and skip != "changed":
        conds.append(
            exists().where(rescreened.screening_id == ReviewItem.screening_id, rescreened.changed.is_(True))
        )
    return conds


def _queue_select(filters: QueueFilters, skip: str | None = None) -> Any:
    return (
        select(ReviewItem.id)
        .join(Order, Order.id == ReviewItem.order_id)
        .where(and_(*_conditions(filters, skip)))
    )


# --- rows ---


@dataclass
class ScreeningChange:
    """What a re-screening changed compared with the screening it superseded."""

    status_before: str | None
    status_after: str
    direction: str  # up | down | same
    flags_added: list[dict[str, Any]]
    flags_removed: list[dict[str, Any]]

    @property
    def changed(self) -> bool:
        return self.direction != "same" or bool(self.flags_added or self.flags_removed)


@dataclass
class QueueRow:
    item: ReviewItem
    order: Order
    exporter: str
    flags: list[ScreeningFlag]
    chemicals: list[tuple[str, str]]  # (entry id, name), listed or analogue matches
    regimes: list[str]
    change: ScreeningChange | None

    @property
    def hold_flags(self) -> list[ScreeningFlag]:
        return [f for f in self.flags if f.severity == HOLD]


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class QueuePage:
    rows: list[QueueRow]
    page: int
    per_page: int
    total: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_queue(
    session: Session,
    filters: QueueFilters,
    *,
    page: int = 1,
    per_page: int = 25,
    with_facets: bool = True,
) -> QueuePage:
    """One page of the queue, most severe then oldest first, with the counts per filter value."""
    page = max(1, page)
    ids = _queue_select(filters)
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    items = session.scalars(
        select(ReviewItem)
        .join(Order, Order.id == ReviewItem.order_id)
        .where(and_(*_conditions(filters)))
        .options(
            joinedload(ReviewItem.order).joinedload(Order.organisation),
            joinedload(ReviewItem.screening),
            joinedload(ReviewItem.assignee),
        )
        .order_by(SEVERITY_ORDER.desc(), ReviewItem.opened_at, ReviewItem.id)
        .limit(per_page)
        .offset(page_offset(page, per_page))
    ).all()
    result = QueuePage(queue_rows(session, list(items)), page, per_page, total)
    if with_facets:
        result.facets = queue_facets(session, filters)
    return result


def queue_rows(session: Session, items: Sequence[ReviewItem]) -> list[QueueRow]:
    """Rows for these cases, their flags, chemicals and re-screening changes in three batched queries."""
    screening_ids = [item.screening_id for item in items]
    flags: dict[str, list[ScreeningFlag]] = {}
    matches: dict[str, list[tuple[str, list[str]]]] = {}
    changes = latest_changes(session, screening_ids)
    if screening_ids:
        for flag in session.scalars(
            select(ScreeningFlag)
            .where(ScreeningFlag.screening_id.in_(screening_ids))
            .order_by(ScreeningFlag.screening_id, ScreeningFlag.position)
        ):
            flags.setdefault(flag.screening_id, []).append(flag)
        for screening_id, entry_id, regimes in session.execute(
            select(ScreeningMatch.screening_id, ScreeningMatch.entry_id, ScreeningMatch.regimes)
            .where(ScreeningMatch.screening_id.in_(screening_ids))
            .order_by(ScreeningMatch.id)
        ):
            matches.setdefault(screening_id, []).append((entry_id, list(regimes or [])))
    rows = []
    for item in items:
        entries: list[str] = []
        regimes: list[str] = []
        for entry_id, entry_regimes in matches.get(item.screening_id, []):
            if entry_id not in entries:
                entries.append(entry_id)
            regimes.extend(r for r in entry_regimes if r not in regimes)
        rows.append(
            QueueRow(
                item=item,
                order=item.order,
                exporter=item.order.organisation.name,
                flags=flags.get(item.screening_id, []),
                chemicals=[(e, _name_of(e, item.screening)) for e in entries],
                regimes=regimes,
                change=changes.get(item.screening_id),
            )
        )
    return rows


def _name_of(entry_id: str, screening: Screening) -> str:
    """The rule data's name for an entry, else the name chem_db gave the match (already loaded)."""
    name = chemical_name(entry_id)
    if name != entry_id:
        return name
    for line in screening.lines or []:
        for match in line.get("matches") or []:
            if match.get("entry_id") == entry_id and match.get("name"):
                return str(match["name"])
    return entry_id


def latest_changes(session: Session, screening_ids: Sequence[str]) -> dict[str, ScreeningChange]:
    """The change each screening made when a re-screening run produced it (batched)."""
    if not screening_ids:
        return {}
    changes = {}
    for row in session.scalars(
        select(RescreenRunOrder).where(
            RescreenRunOrder.screening_id.in_(list(screening_ids)), RescreenRunOrder.state == RESCREENED
        )
    ):
        changes[row.screening_id or ""] = ScreeningChange(
            row.status_before,
            row.status_after or "",
            row.direction or "same",
            list(row.flags_added or []),
            list(row.flags_removed or []),
        )
    return changes


def queue_facets(session: Session, filters: QueueFilters) -> dict[str, list[FacetValue]]:
    """For each filter, its values with the number of cases each would show (given the other filters)."""
    facets: dict[str, list[FacetValue]] = {}

    def grouped(facet: str, column: Any, join: Any = None) -> dict[str, int]:
        query = select(column, func.count(func.distinct(ReviewItem.id))).select_from(ReviewItem)
        query = query.join(Order, Order.id == ReviewItem.order_id)
        if join is not None:
            query = query.join(*join)
        query = query.where(and_(*_conditions(filters, facet))).group_by(column)
        return {str(value): count for value, count in session.execute(query) if value is not None}

    status = grouped("status", ReviewItem.severity)
    facets["status"] = _facet(status, filters.status, lambda v: STATUS_LABELS.get(v, v), order=[HOLD, REVIEW])
    destination = grouped("destination", Order.destination_country)
    facets["destination"] = _facet(destination, filters.destination, _country_label)
    exporters = grouped("exporter", ReviewItem.organisation_id)
    names = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_([int(i) for i in exporters] + list(filters.exporter))
            )
        ).all()
    )
    facets["exporter"] = _facet(
        exporters, tuple(str(e) for e in filters.exporter), lambda v: names.get(int(v), v)
    )
    chemicals = grouped(
        "chemical",
        ScreeningMatch.entry_id,
        (ScreeningMatch, ScreeningMatch.screening_id == ReviewItem.screening_id),
    )
    facets["chemical"] = _facet(chemicals, filters.chemical, chemical_name)
    flags = grouped(
        "flag", ScreeningFlag.code, (ScreeningFlag, ScreeningFlag.screening_id == ReviewItem.screening_id)
    )
    facets["flag"] = _facet(flags, filters.flag, lambda v: v)
    assignees = grouped("assignee", func.coalesce(cast(ReviewItem.assignee_id, String), UNASSIGNED))
    people = dict(
        session.execute(
            select(User.id, User.email).where(
                User.id.in_([int(a) for a in list(assignees) + list(filters.assignee) if a.isdigit()])
            )
        ).all()
    )
    facets["assignee"] = _facet(
        assignees,
        filters.assignee,
        lambda v: "Unassigned" if v == UNASSIGNED else people.get(int(v), v),
    )
    # Regimes are a JSON list per match: count distinct cases per code in Python (one query).
    regime_cases: dict[str, set[int]] = {}
    for item_id, regimes in session.execute(
        select(ReviewItem.id, ScreeningMatch.regimes)
        .join(Order, Order.id == ReviewItem.order_id)
        .join(ScreeningMatch, ScreeningMatch.screening_id == ReviewItem.screening_id)
        .where(and_(*_conditions(filters, "regime")))
    ):
        for regime in regimes or []:
            regime_cases.setdefault(regime, set()).add(item_id)
    facets["regime"] = _facet(
        {k: len(v) for k, v in regime_cases.items()},
        filters.regime,
        lambda v: REGIME_LABELS.get(v, v),
        order=list(REGIME_LABELS),
    )
    return facets


def _country_label(code: str) -> str:
    from rules.countries import country_name

    try:
        return f"{country_name(code)} ({code})"
    except Exception:  # noqa: BLE001 - an unknown code still shows, as itself
        return code


def _facet(
    counts: Mapping[str, int],
    selected: Sequence[str],
    label: Any,
    order: Sequence[str] | None = None,
) -> list[FacetValue]:
    values = set(counts) | set(selected)
    if order:
        rank = {v: i for i, v in enumerate(order)}
        keys = sorted(values, key=lambda v: (rank.get(v, len(rank)), v))
    else:
        keys = sorted(values, key=lambda v: (-counts.get(v, 0), str(label(v)).lower()))
    return [FacetValue(v, str(label(v)), counts.get(v, 0), v in selected) for v in keys]


# --- CSV export ---

CSV_COLUMNS = (
    "case_id",
    "order_id",
    "reference",
    "exporter",
    "status",
    "state",
    "assignee",
    "opened_at",
    "order_date",
    "destination",
    "consignee",
    "consignee_country",
    "flags",
    "hold_flags",
    "chemicals",
    "regimes",
    "rescreen_change",
)


def csv_safe(value: Any) -> str:
    """A cell value that spreadsheet programs will not run as a formula.

    >>> csv_safe("=HYPERLINK(1)"), csv_safe("Acme"), csv_safe(None)
    ("'=HYPERLINK(1)", 'Acme', '')
    """
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_queue_csv(session: Session, filters: QueueFilters, batch_size: int = 500) -> Iterator[str]:
    """The whole filtered queue as CSV text chunks, in queue order, a batch of cases at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    page = 1
    while True:
        result = list_queue(session, filters, page=page, per_page=batch_size, with_facets=False)
        if not result.rows:
            break
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in result.rows:
            change = row.change
            writer.writerow(
                [
                    csv_safe(v)
                    for v in (
                        row.item.id,
                        row.order.id,
                        row.order.reference,
                        row.exporter,
                        row.item.severity,
                        row.item.state,
                        row.item.assignee.email if row.item.assignee else "",
                        row.item.opened_at.isoformat(),
                        row.order.order_date.isoformat(),
                        row.order.destination_country,
                        row.order.consignee_name,
                        row.order.consignee_country,
                        " ".join(f.code for f in row.flags),
                        " ".join(f.code for f in row.hold_flags),
                        " ".join(e for e, _ in row.chemicals),
                        " ".join(row.regimes),
                        describe_change(change) if change and change.changed else "",
                    )
                ]
            )
        yield buffer.getvalue()
        if page >= result.pages:
            break
        page += 1


def describe_change(change: ScreeningChange) -> str:
    """One line saying what a re-screening changed.

    >>> describe_change(ScreeningChange("review", "hold", "up", [{"code": "X", "line": 0}], []))
    'review -> hold; added X (line 1)'
    """
    parts = []
    if change.direction != "same":
        parts.append(f"{change.status_before} -> {change.status_after}")
    if change.flags_added:
        parts.append("added " + ", ".join(flag_label(f) for f in change.flags_added))
    if change.flags_removed:
        parts.append("removed " + ", ".join(flag_label(f) for f in change.flags_removed))
    return "; ".join(parts) or "no change"


def flag_label(flag: Mapping[str, Any]) -> str:
    line = flag.get("line")
    return f"{flag.get('code')} (line {line + 1})" if isinstance(line, int) else str(flag.get("code"))


# --- a case ---


def get_case(session: Session, item_id: int) -> ReviewItem:
    """A review case with its order, screening, decisions and notes loaded; NotFound if absent."""
    item = session.scalar(
        select(ReviewItem)
        .where(ReviewItem.id == item_id)
        .options(
            joinedload(ReviewItem.order).joinedload(Order.organisation),
            joinedload(ReviewItem.order).selectinload(Order.lines),
            joinedload(ReviewItem.screening).selectinload(Screening.flags),
            joinedload(ReviewItem.assignee),
            selectinload(ReviewItem.decisions).joinedload(ReviewDecision.decided_by),
            selectinload(ReviewItem.notes).joinedload(ReviewNote.author),
        )
    )
    if item is None:
        raise NotFound("no such review case")
    return item


def record_case_view(session: Session, item: ReviewItem, actor: Actor) -> None:
    """Put the liaison's view of a case in the audit log (who looked, when, from where)."""
    record_audit(
        session,
        actor,
        "review.case_viewed",
        "review_item",
        item.id,
        {"order_id": item.order_id, "screening_id": item.screening_id},
        organisation_id=item.organisation_id,
    )


def case_trail(session: Session, item: ReviewItem, limit: int = 500) -> list[AuditEntry]:
    """The audit entries about this case and its order, oldest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                or_(
                    and_(AuditEntry.target_type == "order", AuditEntry.target_id == item.order_id),
                    and_(AuditEntry.target_type == "review_item", AuditEntry.target_id == str(item.id)),
                )
            )
            .order_by(AuditEntry.id)
            .limit(limit)
        )
    )


@dataclass
class ScreeningStep:
    """One screening of an order, with what it changed from the one before."""

    screening: Screening
    change: ScreeningChange | None


def screening_steps(session: Session, order: Order) -> list[ScreeningStep]:
    """Every screening of the order, oldest first, each compared with the one it superseded."""
    screenings = list(
        session.scalars(
            select(Screening)
            .where(Screening.order_id == order.id)
            .options(selectinload(Screening.flags))
            .order_by(Screening.screened_at, Screening.id)
        )
    )
    by_id = {s.id: s for s in screenings}
    steps = []
    for screening in screenings:
        previous = by_id.get(screening.supersedes_id or "")
        steps.append(ScreeningStep(screening, compare_screenings(previous, screening) if previous else None))
    return steps


def _flag_keys(flags: Sequence[Any]) -> dict[tuple[str, int | None], dict[str, Any]]:
    return {(f.code, f.line): {"code": f.code, "line": f.line, "severity": f.severity} for f in flags}


def compare_screenings(previous: Screening | None, current: Screening) -> ScreeningChange:
    """What ``current`` changed compared with ``previous``: status up or down, flags added or removed."""
    from ..models import STATUS_RANK

    if previous is None:
        return ScreeningChange(None, current.status, "same", [], [])
    before, after = _flag_keys(previous.flags), _flag_keys(current.flags)
    rank_before, rank_after = STATUS_RANK[previous.status], STATUS_RANK[current.status]
    direction = "up" if rank_after > rank_before else "down" if rank_after < rank_before else "same"
    return ScreeningChange(
        previous.status,
        current.status,
        direction,
        [after[k] for k in after if k not in before],
        [before[k] for k in before if k not in after],
    )


def list_liaisons(session: Session) -> list[User]:
    """Active HSI liaisons (who a case can be assigned to)."""
    return [
        user
        for user in session.scalars(select(User).where(User.role == HSI_LIAISON).order_by(User.email))
        if user.is_active
    ]
