"""Re-screening when the watchlist or the rules change: plan a run, work through it, resume it.

:func:`start_rescreen` plans a run for the versions now loaded: every order with an open case,
and every order of the recent window (``window_days``, setting ``SCREENING_RESCREEN_WINDOW_DAYS``,
default 90) whose latest screening used other versions. Each planned order is a ``pending`` row of
``rescreen_run_orders``. :func:`process_run` works through the pending rows in id order, one order
per transaction: ``rescreen_order`` stores the new screening beside the old ones (and opens or
reopens the review case when the result needs a person), and the row records what changed (status
up or down, flags added or removed) in the same commit. So a crash loses at most the order being
screened, and the run resumes from the first pending row.

Never twice for the same versions: a run is unique per (watchlist, rules, engine) versions, a
planned order unique per (order, versions) in the database; ``rescreen_order`` itself refuses an
order whose latest screening already has those versions, and a worker that finds its row already
done rolls its screening back.

Cost is linear in the number of orders: planning reads the candidate ids once and inserts them in
batches; processing fetches pending ids a batch at a time by index and does a fixed number of
queries per order. Runs are leased to one worker at a time (``lease_owner``/``lease_expires_at``);
a worker that died stops renewing and another takes over once the lease expires.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..database import begin_write, lock_for_write
from ..models import CLEAR, DECIDED, OPEN, Order, ReviewItem, Screening, utcnow
from ..review.models import (
    DONE,
    FAILED,
    PENDING,
    RESCREENED,
    RUNNING,
    SKIPPED,
    RescreenRun,
    RescreenRunOrder,
)
from .actors import Actor
from .audit import record_audit
from .errors import Conflict, NotFound
from .review_queue import compare_screenings
from .screenings import rescreen_order

if TYPE_CHECKING:
    from ..database import Database

log = logging.getLogger(__name__)

DEFAULT_WINDOW_DAYS = 90
DEFAULT_LEASE_SECONDS = 300
PLAN_BATCH = 1000


@dataclass(frozen=True)
class Versions:
    watchlist: str
    rules: str
    engine: str

    def __str__(self) -> str:
        return f"watchlist {self.watchlist}, rules {self.rules}, engine {self.engine}"


def current_versions() -> Versions:
    """The watchlist, rules and engine versions loaded in this process."""
    from chem_db import get_engine
    from rules import current_ruleset

    engine = get_engine()
    return Versions(engine.version, current_ruleset().version, engine.engine_version or "")


def find_run(session: Session, versions: Versions) -> RescreenRun | None:
    return session.scalar(
        select(RescreenRun).where(
            RescreenRun.watchlist_version == versions.watchlist,
            RescreenRun.rules_version == versions.rules,
            RescreenRun.engine_version == versions.engine,
        )
    )


def start_rescreen(
    session: Session,
    actor: Actor,
    *,
    reason: str = "manual",
    window_days: int = DEFAULT_WINDOW_DAYS,
    today: date | None = None,
    versions: Versions | None = None,
) -> RescreenRun:
    """Plan (or top up) the run for the loaded versions; flushes, never commits.

    Plans every order with an open case and every order dated or submitted within ``window_days``
    whose latest screening used other versions and that is not already planned for these versions.
    Starting again for the same versions returns the same run with any new orders added.
    """
    if window_days < 0:
        raise ValueError("window_days must be zero or more")
    versions = versions or current_versions()
    lock_for_write(session)
    now = utcnow()
    today = today or now.date()
    run = find_run(session, versions)
    if run is None:
        run = RescreenRun(
            watchlist_version=versions.watchlist,
            rules_version=versions.rules,
            engine_version=versions.engine,
            reason=reason,
            window_days=window_days,
            state=PENDING,
            total=0,
            processed=0,
            changed=0,
            failed=0,
            requested_by=actor.label,
            created_at=now,
            updated_at=now,
        )
        session.add(run)
        session.flush()
    since_day = today - timedelta(days=window_days)
    since = datetime.combine(since_day, time.min, UTC)
    already = select(RescreenRunOrder.id).where(
        RescreenRunOrder.order_id == Order.id,
        RescreenRunOrder.watchlist_version == versions.watchlist,
        RescreenRunOrder.rules_version == versions.rules,
        RescreenRunOrder.engine_version == versions.engine,
    )
    up_to_date = and_(
        Screening.watchlist_version == versions.watchlist,
        Screening.rules_version == versions.rules,
        Screening.engine_version == versions.engine,
    )
    open_case = select(ReviewItem.id).where(ReviewItem.order_id == Order.id, ReviewItem.state != DECIDED)
    candidates = (
        select(Order.id)
        .join(Screening, Screening.id == Order.latest_screening_id)
        .where(
            or_(open_case.exists(), Order.order_date >= since_day, Order.created_at >= since),
            ~up_to_date,
            ~already.exists(),
        )
        .order_by(Order.created_at, Order.id)
    )
    planned = 0
    batch: list[dict[str, Any]] = []
    for order_id in session.scalars(candidates).all():
        batch.append(
            {
                "run_id": run.id,
                "order_id": order_id,
                "watchlist_version": versions.watchlist,
                "rules_version": versions.rules,
                "engine_version": versions.engine,
                "state": PENDING,
                "flags_added": [],
                "flags_removed": [],
                "changed": False,
            }
        )
        if len(batch) >= PLAN_BATCH:
            planned += _insert(session, batch)
            batch = []
    planned += _insert(session, batch)
    run.total += planned
    if planned and run.state == DONE:
        run.state, run.finished_at = PENDING, None
    run.updated_at = now
    record_audit(
        session,
        actor,
        "rescreen.planned",
        "rescreen_run",
        run.id,
        {
            "reason": reason,
            "watchlist_version": versions.watchlist,
            "rules_version": versions.rules,
            "engine_version": versions.engine,
            "window_days": window_days,
            "planned": planned,
            "total": run.total,
        },
    )
    session.flush()
    return run


def _insert(session: Session, rows: list[dict[str, Any]]) -> int:
    if rows:
        session.execute(RescreenRunOrder.__table__.insert(), rows)
    return len(rows)


# --- working through a run ---


class RunBusy(Conflict):
    """Another worker holds the run's lease."""


@dataclass
class RunReport:
    run_id: int
    state: str
    processed: int
    total: int
    changed: int
    failed: int
    stopped: bool = False


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _claim(session: Session, run_id: int, owner: str, lease_seconds: int) -> bool:
    begin_write(session)
    now = utcnow()
    claimed = session.execute(
        update(RescreenRun)
        .where(
            RescreenRun.id == run_id,
            RescreenRun.state.in_((PENDING, RUNNING, FAILED)),
            or_(
                RescreenRun.lease_owner.is_(None),
                RescreenRun.lease_owner == owner,
                RescreenRun.lease_expires_at < now,
            ),
        )
        .values(
            lease_owner=owner,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            state=RUNNING,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(getattr(claimed, "rowcount", 0))


def process_run(
    database: Database,
    run_id: int,
    actor: Actor,
    *,
    batch_size: int = 50,
    lease_seconds: int = DEFAULT_LEASE_SECONDS,
    history_days: int | None = None,
    progress: Callable[[RunReport], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    max_orders: int | None = None,
    owner: str | None = None,
) -> RunReport:
    """Re-screen the run's pending orders, one transaction per order, and finish the run.

    Takes its own sessions from ``database`` (it commits, unlike the other service functions: a
    run outlives any request). Refuses a run planned for other versions than this process has
    loaded. ``should_stop`` and ``max_orders`` end the work early, leaving the run resumable.
    """
    owner = owner or worker_name()
    with database.session_scope() as session:
        run = session.get(RescreenRun, run_id)
        if run is None:
            raise NotFound(f"no re-screening run {run_id}")
        if run.state == DONE:
            return _report(run)
        loaded = current_versions()
        wanted = Versions(run.watchlist_version, run.rules_version, run.engine_version)
        if loaded != wanted:
            raise Conflict(
                f"run {run_id} is for {wanted}, but this process has {loaded} loaded;"
                " start a new run for the loaded versions"
            )
    session = database.new_session()
    done_here = 0
    stopped = False
    try:
        if not _claim(session, run_id, owner, lease_seconds):
            raise RunBusy(f"run {run_id} is being processed by another worker; try again later")
        _audit_run(session, actor, run_id, "rescreen.started", {"worker": owner})
        last_id = 0
        while True:
            pending = session.execute(
                select(RescreenRunOrder.id, RescreenRunOrder.order_id)
                .where(
                    RescreenRunOrder.run_id == run_id,
                    RescreenRunOrder.state == PENDING,
                    RescreenRunOrder.id > last_id,
                )
                .order_by(RescreenRunOrder.id)
                .limit(batch_size)
            ).all()
            session.rollback()  # end the read snapshot before the per-order write transactions
            if not pending:
                break
            for row_id, order_id in pending:
                if (should_stop and should_stop()) or (max_orders is not None and done_here >= max_orders):
                    stopped = True
                    break
                rescreen_one(session, run_id, row_id, order_id, actor, history_days=history_days)
                done_here += 1
                last_id = row_id
            if stopped:
                break
            if not _claim(session, run_id, owner, lease_seconds):  # renew; lost only if it expired
                raise RunBusy(f"run {run_id}: lease lost to another worker")
            if progress:
                progress(_current_report(session, run_id))
        return _finish(session, run_id, owner, actor, stopped)
    finally:
        session.close()


def rescreen_one(
    session: Session,
    run_id: int,
    row_id: int,
    order_id: str,
    actor: Actor,
    *,
    history_days: int | None = None,
) -> str:
    """Re-screen one planned order and record the result with it; commits. Returns the row's state."""
    try:
        order = session.scalar(select(Order).where(Order.id == order_id).options(selectinload(Order.lines)))
        if order is None:
            raise NotFound(f"order {order_id} is gone")
        new = rescreen_order(session, order, actor, history_days=history_days)  # takes the write lock
        row = session.get(RescreenRunOrder, row_id, populate_existing=True)
        if row is None or row.state != PENDING:
            session.rollback()  # another worker finished it first: keep theirs, store nothing
            return row.state if row is not None else SKIPPED
        now = utcnow()
        row.processed_at = now
        increments = {"processed": RescreenRun.processed + 1}
        if new is None:
            row.state = SKIPPED
        else:
            change = compare_screenings(new.supersedes, new)
            row.state = RESCREENED
            row.screening_id = new.id
            row.previous_screening_id = new.supersedes_id
            row.status_before = change.status_before
            row.status_after = change.status_after
            row.direction = change.direction
            row.flags_added = change.flags_added
            row.flags_removed = change.flags_removed
            row.changed = change.changed
            if change.changed:
                increments["changed"] = RescreenRun.changed + 1
            if new.status == CLEAR:
                _follow_clear(session, order_id, new)
            else:
                _reopen_on_new_hold(session, order_id, change.flags_added, actor)
        session.execute(
            update(RescreenRun)
            .where(RescreenRun.id == run_id)
            .values(updated_at=now, **increments)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        return row.state
    except Exception as exc:  # noqa: BLE001 - one bad order must not stop the run; it is recorded
        session.rollback()
        log.exception("re-screening order %s (run %s) failed", order_id, run_id)
        begin_write(session)
        session.execute(
            update(RescreenRunOrder)
            .where(RescreenRunOrder.id == row_id, RescreenRunOrder.state == PENDING)
            .values(state=FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], processed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(RescreenRun)
            .where(RescreenRun.id == run_id)
            .values(
                processed=RescreenRun.processed + 1,
                failed=RescreenRun.failed + 1,
                last_error=f"order {order_id}: {type(exc).__name__}: {exc}"[:2000],
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
        return FAILED


def _follow_clear(session: Session, order_id: str, screening: Screening) -> None:
    """An undecided case whose order now screens clear moves to that screening.

    It stays in the queue (sorted last, marked "now clear") until a liaison closes it: a change of
    knowledge never closes a case by itself.
    """
    item = session.scalar(select(ReviewItem).where(ReviewItem.order_id == order_id))
    if item is None or item.state == DECIDED:
        return
    item.screening = screening
    item.severity = CLEAR
    item.updated_at = utcnow()


def _reopen_on_new_hold(session: Session, order_id: str, added: list[dict[str, Any]], actor: Actor) -> None:
    """A decided case comes back to the queue when a re-screening adds a hold flag it did not have.

    ``open_review_for`` already reopens a case whose status rose (review -> hold); this covers a
    held shipment cleared by a liaison that is now held again for a new reason.
    """
    new_holds = [f for f in added if f.get("severity") == "hold"]
    if not new_holds:
        return
    item = session.scalar(select(ReviewItem).where(ReviewItem.order_id == order_id))
    if item is None or item.state != DECIDED:
        return
    now = utcnow()
    item.state = OPEN
    item.assignee_id = None
    item.opened_at = now
    item.updated_at = now
    record_audit(
        session,
        actor,
        "review.reopened",
        "review_item",
        item.id,
        {"order_id": order_id, "reason": "re-screening added hold flags", "flags": new_holds},
        organisation_id=item.organisation_id,
    )


def _audit_run(session: Session, actor: Actor, run_id: int, action: str, detail: dict[str, Any]) -> None:
    lock_for_write(session)
    record_audit(session, actor, action, "rescreen_run", run_id, detail)
    session.commit()


def _current_report(session: Session, run_id: int) -> RunReport:
    run = session.get(RescreenRun, run_id, populate_existing=True)
    assert run is not None
    report = _report(run)
    session.rollback()
    return report


def _report(run: RescreenRun, stopped: bool = False) -> RunReport:
    return RunReport(run.id, run.state, run.processed, run.total, run.changed, run.failed, stopped)


def _finish(session: Session, run_id: int, owner: str, actor: Actor, stopped: bool) -> RunReport:
    lock_for_write(session)
    run = session.get(RescreenRun, run_id, populate_existing=True)
    assert run is not None
    remaining = session.scalar(
        select(RescreenRunOrder.id).where(
            RescreenRunOrder.run_id == run_id, RescreenRunOrder.state == PENDING
        )
    )
    now = utcnow()
    if remaining is None:
        run.state = DONE
        run.finished_at = now
        record_audit(
            session,
            actor,
            "rescreen.finished",
            "rescreen_run",
            run_id,
            {"processed": run.processed, "changed": run.changed, "failed": run.failed, "total": run.total},
        )
    if run.lease_owner == owner:
        run.lease_owner = None
        run.lease_expires_at = None
        if run.state == RUNNING:
            run.state = PENDING  # stopped early: resumable by the next worker
    run.updated_at = now
    report = _report(run, stopped)
    session.commit()
    return report


def unfinished_runs(session: Session) -> list[RescreenRun]:
    """Runs with orders still to re-screen, oldest first."""
    return list(
        session.scalars(select(RescreenRun).where(RescreenRun.state != DONE).order_by(RescreenRun.id))
    )


def list_runs(session: Session, limit: int = 20) -> list[RescreenRun]:
    return list(session.scalars(select(RescreenRun).order_by(RescreenRun.id.desc()).limit(limit)))


def run_changes(session: Session, run_id: int, *, changed_only: bool = True, limit: int = 200) -> list[Any]:
    """The orders a run re-screened (those that changed, by default), with their order and case."""
    query = (
        select(RescreenRunOrder, Order, ReviewItem)
        .join(Order, Order.id == RescreenRunOrder.order_id)
        .outerjoin(ReviewItem, ReviewItem.order_id == Order.id)
        .where(RescreenRunOrder.run_id == run_id)
        .order_by(RescreenRunOrder.id)
        .limit(limit)
    )
    if changed_only:
        query = query.where(or_(RescreenRunOrder.changed.is_(True), RescreenRunOrder.state == FAILED))
    return list(session.execute(query).all())


def count_outdated_open_cases(session: Session, versions: Versions) -> int:
    """Open cases whose order's latest screening used other versions than ``versions``."""
    from sqlalchemy import func

    return (
        session.scalar(
            select(func.count(ReviewItem.id))
            .join(Order, Order.id == ReviewItem.order_id)
            .join(Screening, Screening.id == Order.latest_screening_id)
            .where(
                ReviewItem.state != DECIDED,
                ~and_(
                    Screening.watchlist_version == versions.watchlist,
                    Screening.rules_version == versions.rules,
                    Screening.engine_version == versions.engine,
                ),
            )
        )
        or 0
    )
