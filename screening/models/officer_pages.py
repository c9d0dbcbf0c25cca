"""State the officers' pages keep in the database, so every app server (gunicorn worker) shares it.

- :class:`LoginFailure`: recent failed sign-ins, counted per account and per source address to
  throttle password guessing (rows older than the throttling window are pruned).
- :class:`CatalogueJob` and :class:`CatalogueRow`: a catalogue file being checked. The upload stores
  one row per item; the page then asks for the next chunk to be screened, request after request, so
  no single request comes near gunicorn's timeout and any worker can take the next chunk.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONDocument, new_id, utcnow

ACCOUNT = "account"
ADDRESS = "address"

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
JOB_STATES = (QUEUED, RUNNING, DONE)


class LoginFailure(Base):
    """One failed sign-in, keyed once by account (normalised e-mail) and once by source address."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key", "scope", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # account | address
    key: Mapped[str] = mapped_column(String(254))
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CatalogueJob(Base):
    """A catalogue file uploaded by an officer, screened in chunks; its rows hold items and results."""

    __tablename__ = "catalogue_jobs"
    __table_args__ = (Index("ix_catalogue_jobs_org_created", "organisation_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default=QUEUED)
    total: Mapped[int] = mapped_column(Integer)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    unresolved: Mapped[int] = mapped_column(Integer, default=0)
    watchlist_version: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    rows: Mapped[list[CatalogueRow]] = relationship(
        back_populates="job", order_by="CatalogueRow.index", cascade="all, delete-orphan"
    )


class CatalogueRow(Base):
    """One item of a catalogue file: the identifiers as read, and chem_db's result once screened."""

    __tablename__ = "catalogue_rows"
    __table_args__ = (
        UniqueConstraint("job_id", "index"),
        Index("ix_catalogue_rows_job_classification", "job_id", "classification"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("catalogue_jobs.id", ondelete="CASCADE"))
    index: Mapped[int]
    identifiers: Mapped[dict[str, Any]] = mapped_column(JSONDocument)  # cas / smiles / name ... as read
    classification: Mapped[str | None] = mapped_column(String(16))  # None until screened
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)  # LineResult.to_dict()

    job: Mapped[CatalogueJob] = relationship(back_populates="rows")
