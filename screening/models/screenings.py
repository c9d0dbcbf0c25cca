"""Screenings: the immutable result of checking one order with given watchlist and rules versions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONDocument, new_id, utcnow

if TYPE_CHECKING:
    from .orders import Order

CLEAR = "clear"
REVIEW = "review"
HOLD = "hold"
STATUSES = (CLEAR, REVIEW, HOLD)
STATUS_RANK = {CLEAR: 0, REVIEW: 1, HOLD: 2}

INITIAL = "initial"
RESCREEN = "rescreen"
TRIGGERS = (INITIAL, RESCREEN)


class Screening(Base):
    """What the service concluded about an order, once. Rows are never updated.

    A re-screening (new watchlist or rules) is a new row whose ``supersedes_id``
    names the screening it replaces; the order's ``latest_screening_id`` moves to it.
    ``lines`` holds each line's chem_db result (``LineResult.to_dict()`` plus the
    line index), ``required_actions`` the rules' actions as dicts; flags and
    matches are also rows below, so queues can filter on them.
    """

    __tablename__ = "screenings"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES!r}", name="status_known"),
        CheckConstraint(f"trigger IN {TRIGGERS!r}", name="trigger_known"),
        Index("ix_screenings_order_screened", "order_id", "screened_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    status: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[str] = mapped_column(String(16), default=INITIAL)
    supersedes_id: Mapped[str | None] = mapped_column(ForeignKey("screenings.id"), index=True)
    screened_at: Mapped[datetime] = mapped_column(default=utcnow)
    watchlist_version: Mapped[str] = mapped_column(String(100))
    rules_version: Mapped[str] = mapped_column(String(100))
    engine_version: Mapped[str] = mapped_column(String(100))
    duration_ms: Mapped[float] = mapped_column(Float)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    required_actions: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    screened_by: Mapped[str] = mapped_column(String(254))  # actor label

    order: Mapped[Order] = relationship(back_populates="screenings", foreign_keys=[order_id])
    supersedes: Mapped[Screening | None] = relationship(remote_side=[id])
    flags: Mapped[list[ScreeningFlag]] = relationship(
        back_populates="screening", order_by="ScreeningFlag.position", cascade="all, delete-orphan"
    )
    matches: Mapped[list[ScreeningMatch]] = relationship(
        back_populates="screening", order_by="ScreeningMatch.id", cascade="all, delete-orphan"
    )
    line_rows: Mapped[list[ScreeningLine]] = relationship(
        back_populates="screening", order_by="ScreeningLine.line", cascade="all, delete-orphan"
    )


class ScreeningFlag(Base):
    """One flag of a screening, with its evidence (as the rules produced it)."""

    __tablename__ = "screening_flags"
    __table_args__ = (Index("ix_screening_flags_code", "code", "screening_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    line: Mapped[int | None]
    message: Mapped[str] = mapped_column(Text)
    citation: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    verified: Mapped[bool] = mapped_column(Boolean, default=True)

    screening: Mapped[Screening] = relationship(back_populates="flags")


class ScreeningMatch(Base):
    """One watchlist match of one line of a screening: what cumulative totals and queues query."""

    __tablename__ = "screening_matches"
    __table_args__ = (Index("ix_screening_matches_entry", "entry_id", "screening_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id", ondelete="CASCADE"), index=True)
    line: Mapped[int]
    entry_id: Mapped[str] = mapped_column(String(100))
    match_type: Mapped[str] = mapped_column(String(32))
    listed: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    regimes: Mapped[list[str]] = mapped_column(JSONDocument, default=list)  # regime codes, e.g. ["list_I"]
    classification: Mapped[str] = mapped_column(String(16))  # the line's classification
    parent_mass_fraction: Mapped[float | None] = mapped_column(Float)  # the line's, from chem_db

    screening: Mapped[Screening] = relationship(back_populates="matches")


class ScreeningLine(Base):
    """What one line of a screening resolved to: the structure keys later orders and queues query.

    The full chem_db result stays in ``Screening.lines``; this row keeps what is
    searched (the InChIKeys, for synthesis routes split over several orders and
    for finding a chemical across screenings) without reading those documents.
    """

    __tablename__ = "screening_lines"
    __table_args__ = (
        UniqueConstraint("screening_id", "line"),
        Index("ix_screening_lines_inchikey", "inchikey"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id", ondelete="CASCADE"))
    line: Mapped[int]
    classification: Mapped[str] = mapped_column(String(16))
    screened: Mapped[bool] = mapped_column(Boolean)
    inchikey: Mapped[str | None] = mapped_column(
        String(64)
    )  # of the standardized structure, None if unresolved
    component_inchikeys: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    resolved_name: Mapped[str | None] = mapped_column(String(300))

    screening: Mapped[Screening] = relationship(back_populates="line_rows")
