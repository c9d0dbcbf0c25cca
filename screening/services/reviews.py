"""Review cases: open them for flagged orders, claim, note, decide (append-only), and what exporters see."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import lock_for_write
from ..models import (
    CLAIMED,
    DECIDED,
    FINAL_REASON_CODES,
    HSI_LIAISON,
    OPEN,
    REASON_CODES,
    STATUS_RANK,
    ReviewDecision,
    ReviewItem,
    ReviewNote,
    User,
    utcnow,
)
from .actors import Actor
from .audit import record_audit
from .errors import InvalidInput, PermissionDenied
from .rows import RowBatch

if TYPE_CHECKING:
    from ..models import Order, Screening

MAX_EXPLANATION = 10_000


def start_review(batch: RowBatch, order: Order, screening: Screening) -> ReviewItem:
    """The review case of an order whose screening needs a person and that has none yet (added to
    ``batch``; a newly screened order has none, so no query is needed)."""
    now = utcnow()
    item = ReviewItem(
        order_id=order.id,
        organisation_id=order.organisation_id,
        screening_id=screening.id,
        severity=screening.status,
        state=OPEN,
        opened_at=now,
        updated_at=now,
    )
    batch.new(item)
    batch.relate(item, "order", order)
    batch.relate(item, "screening", screening)
    batch.relate(item, "latest_decision", None)
    batch.relate(order, "review_item", item)
    return item


def open_review_for(session: Session, order: Order, screening: Screening) -> ReviewItem:
    """Open (or move forward) the review case of an order whose screening needs a person.

    A new screening that is at least as severe as the one last decided on, or any
    screening of an undecided case, moves the case to it; a decided case whose
    new screening is more severe than the one decided comes back to the queue.
    """
    item = session.scalar(select(ReviewItem).where(ReviewItem.order_id == order.id))
    if item is None:
        batch = RowBatch()
        item = start_review(batch, order, screening)
        batch.write(session)
        return item
    now = utcnow()
    decided_on = item.screening
    if item.state == DECIDED and STATUS_RANK[screening.status] > STATUS_RANK.get(decided_on.status, 0):
        item.state = OPEN
        item.assignee_id = None
        item.opened_at = now
    item.screening = screening
    item.severity = screening.status
    item.updated_at = now
    return item


def _require_liaison(user: User) -> None:
    if user.role != HSI_LIAISON or not user.is_active:
        raise PermissionDenied("only an active HSI liaison can work review cases")


def claim_review(
    session: Session, item: ReviewItem, user: User, actor: Actor, assignee: User | None = None
) -> None:
    """Claim a case for ``user`` (or assign it to ``assignee``, another liaison)."""
    _require_liaison(user)
    lock_for_write(session)
    target = assignee or user
    _require_liaison(target)
    previous = item.assignee.email if item.assignee else None
    item.assignee = target
    if item.state == OPEN:
        item.state = CLAIMED
    item.updated_at = utcnow()
    record_audit(
        session,
        actor,
        "review.assigned" if assignee else "review.claimed",
        "review_item",
        item.id,
        {"order_id": item.order_id, "assignee": target.email, "previous_assignee": previous},
        organisation_id=item.organisation_id,
    )


def add_review_note(session: Session, item: ReviewItem, user: User, body: str, actor: Actor) -> ReviewNote:
    """An internal note on a case (never shown to exporters)."""
    _require_liaison(user)
    lock_for_write(session)
    body = (body or "").strip()
    if not body or len(body) > MAX_EXPLANATION:
        raise InvalidInput("a note needs 1 to 10,000 characters", {"body": ["1 to 10,000 characters"]})
    note = ReviewNote(review_item=item, author=user, body=body)
    session.add(note)
    session.flush()
    record_audit(
        session,
        actor,
        "review.note_added",
        "review_item",
        item.id,
        {"order_id": item.order_id, "note_id": note.id},
        organisation_id=item.organisation_id,
    )
    return note


def record_decision(
    session: Session,
    item: ReviewItem,
    user: User,
    reason_code: str,
    explanation: str,
    actor: Actor,
    message_to_exporter: str | None = None,
) -> ReviewDecision:
    """Append a decision; it supersedes the previous one (which stays as it was).

    ``explanation`` is internal and required; ``message_to_exporter`` is what the
    exporter reads with the decision (conditions, information wanted), optional.
    """
    _require_liaison(user)
    lock_for_write(session)
    if reason_code not in REASON_CODES:
        raise InvalidInput(
            f"unknown reason code {reason_code!r}",
            {"reason_code": [f"must be one of {', '.join(REASON_CODES)}"]},
        )
    explanation = (explanation or "").strip()
    if not explanation or len(explanation) > MAX_EXPLANATION:
        raise InvalidInput(
            "a decision needs an explanation (1 to 10,000 characters)",
            {"explanation": ["required, at most 10,000 characters"]},
        )
    message = (message_to_exporter or "").strip() or None
    if message and len(message) > MAX_EXPLANATION:
        raise InvalidInput("message to the exporter is too long", {"message_to_exporter": ["too long"]})
    decision = ReviewDecision(
        review_item=item,
        screening_id=item.screening_id,
        reason_code=reason_code,
        explanation=explanation,
        message_to_exporter=message,
        decided_by=user,
        supersedes=item.latest_decision,
    )
    session.add(decision)
    session.flush()
    item.latest_decision = decision
    item.state = DECIDED if reason_code in FINAL_REASON_CODES else CLAIMED
    if item.assignee is None:
        item.assignee = user
    item.updated_at = utcnow()
    record_audit(
        session,
        actor,
        "review.decided",
        "review_item",
        item.id,
        {
            "order_id": item.order_id,
            "decision_id": decision.id,
            "reason_code": reason_code,
            "screening_id": item.screening_id,
            "supersedes": decision.supersedes_id,
        },
        organisation_id=item.organisation_id,
    )
    return decision


def exporter_review_view(item: ReviewItem | None) -> dict[str, Any] | None:
    """The review state an exporter may see: None until a liaison has acted; never notes or explanations."""
    if item is None or (item.state == OPEN and item.latest_decision is None and item.assignee_id is None):
        return None
    decision = item.latest_decision
    return {
        "state": item.state,
        "updated_at": item.updated_at,
        "decision": None
        if decision is None
        else {
            "reason_code": decision.reason_code,
            "decided_at": decision.decided_at,
            "message": decision.message_to_exporter,
        },
    }
