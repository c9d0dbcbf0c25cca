"""The liaisons' review of flagged orders: one review item per order, append-only decisions, notes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

if TYPE_CHECKING:
    from .accounts import User
    from .orders import Order
    from .screenings import Screening

OPEN = "open"
CLAIMED = "claimed"
DECIDED = "decided"
REVIEW_STATES = (OPEN, CLAIMED, DECIDED)

CLEARED = "cleared"
CLEARED_WITH_CONDITIONS = "cleared_with_conditions"
INFORMATION_REQUESTED = "information_requested"
REFERRED_FOR_INVESTIGATION = "referred_for_investigation"
ESCALATED = "escalated"
REASON_CODES = (
    CLEARED,
    CLEARED_WITH_CONDITIONS,
    INFORMATION_REQUESTED,
    REFERRED_FOR_INVESTIGATION,
    ESCALATED,
)
# How people read each reason code (the officers' pages and the liaisons' pages alike).
REASON_LABELS = {
    CLEARED: "Cleared",
    CLEARED_WITH_CONDITIONS: "Cleared with conditions",
    INFORMATION_REQUESTED: "Information requested",
    REFERRED_FOR_INVESTIGATION: "Referred for investigation",
    ESCALATED: "Escalated",
}
# Decisions after which the case leaves the queue; the others keep it open for follow-up.
FINAL_REASON_CODES = (CLEARED, CLEARED_WITH_CONDITIONS, REFERRED_FOR_INVESTIGATION)


class ReviewItem(Base):
    """The review case of one order whose screening came out ``review`` or ``hold``.

    ``screening_id`` is the screening the case is about (moves forward when a
    re-screening reopens it); ``severity`` is that screening's status, kept here
    so the queue sorts without a join.
    """

    __tablename__ = "review_items"
    __table_args__ = (
        CheckConstraint(f"state IN {REVIEW_STATES!r}", name="state_known"),
        Index("ix_review_items_queue", "state", "severity", "opened_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id"))
    severity: Mapped[str] = mapped_column(String(16))  # review | hold
    state: Mapped[str] = mapped_column(String(16), default=OPEN)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    latest_decision_id: Mapped[int | None] = mapped_column(ForeignKey("review_decisions.id", use_alter=True))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="review_item")
    screening: Mapped[Screening] = relationship()
    assignee: Mapped[User | None] = relationship()
    decisions: Mapped[list[ReviewDecision]] = relationship(
        back_populates="review_item",
        foreign_keys="ReviewDecision.review_item_id",
        order_by="ReviewDecision.id",
    )
    latest_decision: Mapped[ReviewDecision | None] = relationship(
        foreign_keys=[latest_decision_id], post_update=True
    )
    notes: Mapped[list[ReviewNote]] = relationship(back_populates="review_item", order_by="ReviewNote.id")


class ReviewDecision(Base):
    """A liaison's decision on a case. Append-only: a later decision supersedes, never edits."""

    __tablename__ = "review_decisions"
    __table_args__ = (CheckConstraint(f"reason_code IN {REASON_CODES!r}", name="reason_code_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id"), index=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id"))  # what was decided on
    reason_code: Mapped[str] = mapped_column(String(40))
    explanation: Mapped[str] = mapped_column(Text)  # internal: liaisons only
    message_to_exporter: Mapped[str | None] = mapped_column(Text)  # what the exporter reads, if anything
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("review_decisions.id"))

    review_item: Mapped[ReviewItem] = relationship(back_populates="decisions", foreign_keys=[review_item_id])
    decided_by: Mapped[User] = relationship()
    supersedes: Mapped[ReviewDecision | None] = relationship(remote_side=[id])


class ReviewNote(Base):
    """A liaison's internal note on a case. Never shown to exporters."""

    __tablename__ = "review_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    review_item: Mapped[ReviewItem] = relationship(back_populates="notes")
    author: Mapped[User] = relationship()
