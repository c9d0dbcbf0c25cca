"""Export orders exactly as submitted, their lines, and idempotency keys."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONDocument, new_id, utcnow

if TYPE_CHECKING:
    from .accounts import Organisation
    from .reviews import ReviewItem
    from .screenings import Screening


class Order(Base):
    """One submitted export order. Never changed after it is stored.

    ``raw_body`` keeps the JSON exactly as the exporter sent it; the columns hold
    the validated values. ``consignee_key`` is the consignee's name normalised by
    ``rules.parties.normalize_party_name``: with ``consignee_country`` it finds the
    exporter's earlier orders to the same consignee (cumulative thresholds, history).
    ``latest_screening_id`` points at the newest screening (re-screenings move it).
    """

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_org_created", "organisation_id", "created_at"),
        Index("ix_orders_org_reference", "organisation_id", "reference"),
        Index(
            "ix_orders_org_consignee", "organisation_id", "consignee_key", "consignee_country", "order_date"
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    reference: Mapped[str] = mapped_column(String(100))
    order_date: Mapped[date]
    destination_country: Mapped[str] = mapped_column(String(2))
    transit_countries: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    ship_date: Mapped[date | None]
    declared_end_use: Mapped[str | None] = mapped_column(Text)
    consignee_name: Mapped[str] = mapped_column(String(300))
    consignee_address: Mapped[str | None] = mapped_column(Text)
    consignee_country: Mapped[str] = mapped_column(String(2))
    consignee_kind: Mapped[str] = mapped_column(String(32))
    consignee_key: Mapped[str] = mapped_column(String(300))
    end_user: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    raw_body: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    body_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the canonical JSON body
    submitted_via: Mapped[str] = mapped_column(String(16))  # api | web | cli
    submitted_by: Mapped[str] = mapped_column(String(254))  # actor label: key prefix or user email
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    latest_screening_id: Mapped[str | None] = mapped_column(
        ForeignKey("screenings.id", use_alter=True), index=True
    )

    organisation: Mapped[Organisation] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.index", cascade="all, delete-orphan"
    )
    screenings: Mapped[list[Screening]] = relationship(
        back_populates="order", foreign_keys="Screening.order_id", order_by="Screening.screened_at"
    )
    review_item: Mapped[ReviewItem | None] = relationship(back_populates="order", uselist=False)
    latest_screening: Mapped[Screening | None] = relationship(
        foreign_keys=[latest_screening_id], post_update=True
    )


class OrderLine(Base):
    """One line of an order, as submitted (identifiers verbatim)."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    index: Mapped[int]
    product: Mapped[str | None] = mapped_column(String(300))
    cas: Mapped[str | None] = mapped_column(String(64))
    smiles: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(300))
    inchi: Mapped[str | None] = mapped_column(Text)
    inchikey: Mapped[str | None] = mapped_column(String(64))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    concentration_percent: Mapped[float | None] = mapped_column(Float)  # None: not declared (100 assumed)

    order: Mapped[Order] = relationship(back_populates="lines")

    def identifiers(self) -> dict[str, str]:
        """The identifiers given on this line, by field name."""
        given = {
            "cas": self.cas,
            "smiles": self.smiles,
            "name": self.name,
            "inchi": self.inchi,
            "inchikey": self.inchikey,
        }
        return {k: v for k, v in given.items() if v}


class IdempotencyKey(Base):
    """An ``Idempotency-Key`` header value an organisation has used, and what it produced."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    key: Mapped[str] = mapped_column(String(255))
    body_hash: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship()


class ConsigneeSpelling(Base):
    """Each distinct way an exporter has written a consignee in a country (name, address, normalised key).

    Written with the first order that uses the spelling. Screening compares a new
    order's consignee with these rows, not with every earlier order, to find the
    spellings that are the same party (``rules.parties.same_party``): the cost
    follows the number of spellings, not the number of orders.
    """

    __tablename__ = "consignee_spellings"
    __table_args__ = (Index("ix_consignee_spellings_org_country", "organisation_id", "consignee_country"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    consignee_country: Mapped[str] = mapped_column(String(2))
    consignee_key: Mapped[str] = mapped_column(String(300))
    consignee_name: Mapped[str] = mapped_column(String(300))
    consignee_address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
