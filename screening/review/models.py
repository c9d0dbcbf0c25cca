"""Tables of the review workbench: re-screening runs and their per-order progress.

A :class:`RescreenRun` re-screens a set of orders with one combination of watchlist, rules and
engine versions; each order of the run is one :class:`RescreenRunOrder` row, written as ``pending``
when the run is planned and completed in the same transaction as the new screening. Both tables live
in the database, so a run interrupted by a crash or a restart resumes where it stopped.

Never twice for the same versions: ``rescreen_run_orders`` is unique on the order and the three
versions, so an order cannot be planned (and so re-screened) twice for one combination of versions,
whichever process or run tries; ``rescreen_runs`` is unique on the versions, so starting a run for
versions already planned resumes that run instead of creating another.

Also declared here: the indexes on the core tables that the queue, the consignee links, the
re-screening window and the dashboard rely on (created by migration 0003).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models.base import Base, JSONDocument, utcnow
from ..models.orders import Order
from ..models.reviews import ReviewDecision

if TYPE_CHECKING:
    from ..models.screenings import Screening

PENDING = "pending"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
RUN_STATES = (PENDING, RUNNING, DONE, FAILED)

# Per-order states: re-screened (a new screening was stored), skipped (the order's latest screening
# already used these versions), failed (an error; the message is kept, the run goes on).
RESCREENED = "rescreened"
SKIPPED = "skipped"
ORDER_STATES = (PENDING, RESCREENED, SKIPPED, FAILED)

UP = "up"
DOWN = "down"
SAME = "same"


class RescreenRun(Base):
    """One re-screening of open cases and recent orders with one set of versions."""

    __tablename__ = "rescreen_runs"
    __table_args__ = (
        UniqueConstraint("watchlist_version", "rules_version", "engine_version"),
        CheckConstraint(f"state IN {RUN_STATES!r}", name="state_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watchlist_version: Mapped[str] = mapped_column(String(100))
    rules_version: Mapped[str] = mapped_column(String(100))
    engine_version: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(64))  # watchlist.reloaded | rules.reloaded | manual
    window_days: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    requested_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # The worker currently processing the run; another may take over once the lease has expired.
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.processed / self.total)


class RescreenRunOrder(Base):
    """One order of a run: pending until re-screened, then what changed."""

    __tablename__ = "rescreen_run_orders"
    __table_args__ = (
        UniqueConstraint("order_id", "watchlist_version", "rules_version", "engine_version"),
        CheckConstraint(f"state IN {ORDER_STATES!r}", name="state_known"),
        Index("ix_rescreen_run_orders_progress", "run_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("rescreen_runs.id", ondelete="CASCADE"))
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    watchlist_version: Mapped[str] = mapped_column(String(100))
    rules_version: Mapped[str] = mapped_column(String(100))
    engine_version: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    previous_screening_id: Mapped[str | None] = mapped_column(ForeignKey("screenings.id"))
    screening_id: Mapped[str | None] = mapped_column(ForeignKey("screenings.id"), index=True)
    status_before: Mapped[str | None] = mapped_column(String(16))
    status_after: Mapped[str | None] = mapped_column(String(16))
    direction: Mapped[str | None] = mapped_column(String(8))  # up | down | same
    flags_added: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    flags_removed: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    changed: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]

    run: Mapped[RescreenRun] = relationship()
    screening: Mapped[Screening | None] = relationship(foreign_keys=[screening_id])


# Indexes on the core tables for the workbench's queries (see migration 0003):
# the same consignee across organisations (consignee links, dashboard), the re-screening window,
# the dashboard's weeks, and decisions by reason.
_orders = Order.__table__.c
Index("ix_orders_consignee_country_key", _orders.consignee_country, _orders.consignee_key)
Index("ix_orders_order_date", _orders.order_date)
Index("ix_orders_created_at", _orders.created_at)
Index("ix_review_decisions_decided_at", ReviewDecision.__table__.c.decided_at)
