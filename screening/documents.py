"""The JSON documents a screening is shown as, per audience (no Flask; used by the API and the pages).

Exporters (API keys, compliance officers) see the contract's document plus the
review state once a liaison has acted, never internal notes or explanations.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .models import Order, ReviewItem, Screening
from .services.reviews import exporter_review_view

NOTICE = (
    "These results are risk signals for people to act on, not legal advice. "
    "Check obligations against the current regulations before shipping."
)


def iso_utc(value: datetime) -> str:
    """A UTC timestamp as the contract shows it.

    >>> iso_utc(datetime(2026, 11, 22, 10, 15, 0, 123000, tzinfo=UTC))
    '2026-11-22T10:15:00Z'
    """
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def review_document(item: ReviewItem | None) -> dict[str, Any] | None:
    """The review state the exporter may see, with timestamps as strings (None until a liaison acts)."""
    view = exporter_review_view(item)
    if view is None:
        return None
    view["updated_at"] = iso_utc(view["updated_at"])
    if view["decision"] is not None:
        view["decision"]["decided_at"] = iso_utc(view["decision"]["decided_at"])
    return view


def line_document(line: dict[str, Any]) -> dict[str, Any]:
    """One stored line result, in the contract's shape (the screening carries the versions)."""
    doc = dict(line)
    for internal in ("watchlist_version", "engine_version", "identifiers_used", "identifiers_given"):
        doc.pop(internal, None)
    return doc


def screening_document(order: Order, screening: Screening, review_item: ReviewItem | None) -> dict[str, Any]:
    """The exporter's document for an order's screening (``POST``/``GET /api/v1/screenings``).

    Exactly what ``screening.api.schemas.ScreeningSchema`` describes, so it is sent as it is (a test
    checks that the schema's dump leaves it unchanged).
    """
    actions = screening.required_actions or []
    return {
        "id": order.id,
        "reference": order.reference,
        "status": screening.status,
        "screened_at": iso_utc(screening.screened_at),
        "watchlist_version": screening.watchlist_version,
        "rules_version": screening.rules_version,
        "engine_version": screening.engine_version,
        "screening_id": screening.id,
        "trigger": screening.trigger,
        "order_date": order.order_date.isoformat(),
        "destination_country": order.destination_country,
        "lines": [line_document(line) for line in screening.lines],
        "flags": [
            {
                "code": f.code,
                "severity": f.severity,
                "line": f.line,
                "message": f.message,
                "citation": f.citation,
                "evidence": f.evidence,
                "verified": f.verified,
            }
            for f in screening.flags
        ],
        "required_actions": [a.get("text", "") for a in actions],
        "required_actions_detail": actions,
        "review": review_document(review_item),
        "notice": NOTICE,
    }


def screening_summary(order: Order, review_item: ReviewItem | None) -> dict[str, Any]:
    screening = order.latest_screening
    assert screening is not None
    return {
        "id": order.id,
        "reference": order.reference,
        "status": screening.status,
        "screened_at": iso_utc(screening.screened_at),
        "order_date": order.order_date.isoformat(),
        "destination_country": order.destination_country,
        "consignee": order.consignee_name,
        "flags": [f.code for f in screening.flags],
        "review": review_document(review_item),
    }


def check_document(index: int, result: dict[str, Any], ref: str | None = None) -> dict[str, Any]:
    doc = line_document(result)
    doc["index"] = index
    if ref is not None:
        doc["ref"] = ref
    return doc
