"""The liaisons' pages: who reaches them, and every action on a case."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from screening.db import get_database
from screening.models import AuditEntry, ReviewDecision, ReviewItem, ReviewNote

from .conftest import NPP, SAFROLE, csrf_of, post_form, sign_in

PAGES = [
    "/review/",
    "/review/queue.csv",
    "/review/dashboard",
    "/review/dashboard/weekly.csv",
    "/review/rescreens",
]


@pytest.fixture()
def held(as_exporter: Any, flag_order: Any) -> Any:
    return flag_order(as_exporter, reference="PO-HOLD", lines=[NPP])


def test_liaison_reaches_every_page(as_liaison: Any, held: Any) -> None:
    for url in [*PAGES, f"/review/cases/{held.case_id}"]:
        response = as_liaison.get(url)
        assert response.status_code == 200, url
    page = as_liaison.get("/review/").get_data(as_text=True)
    assert "PO-HOLD" in page and "Review queue" in page


@pytest.mark.parametrize("who", ["as_officer", "as_exporter_key", "anonymous"])
def test_nobody_else_reaches_any_page(request: Any, app: Any, who: str, held: Any, as_exporter: Any) -> None:
    case = f"/review/cases/{held.case_id}"
    gets = [*PAGES, case, "/review/rescreens/1"]
    posts = [
        f"{case}/claim",
        f"{case}/notes",
        f"{case}/decisions",
        f"{case}/assign",
        "/review/rescreens/start",
    ]
    if who == "as_officer":
        client, headers, refused = request.getfixturevalue("as_officer"), {}, {403}
    elif who == "as_exporter_key":
        client, headers, refused = app.test_client(), as_exporter.headers, {403}
    else:
        client, headers, refused = app.test_client(), {}, {302, 400, 401}
    for url in gets:
        response = client.get(url, headers=headers)
        assert response.status_code in refused | {404}, (url, response.status_code)
        assert "PO-HOLD" not in response.get_data(as_text=True)
    for url in posts:
        response = client.post(url, headers=headers, data={"reason_code": "cleared", "explanation": "x"})
        assert response.status_code in refused | {400, 404}, (url, response.status_code)
    with get_database(app).session_scope() as session:
        assert session.scalar(select(func.count(ReviewDecision.id))) == 0
        assert session.scalar(select(func.count(ReviewNote.id))) == 0


def test_anonymous_browser_is_sent_to_sign_in(client: Any) -> None:
    response = client.get("/review/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_sees_rescreening_runs_but_no_case(as_admin: Any, held: Any) -> None:
    assert as_admin.get("/review/rescreens").status_code == 200
    assert as_admin.get("/review/").status_code == 403
    assert as_admin.get(f"/review/cases/{held.case_id}").status_code == 403
    assert as_admin.get("/review/dashboard").status_code == 403


def test_viewing_a_case_is_audited_with_who_and_where(app: Any, liaison: int, held: Any) -> None:
    as_liaison = sign_in(app, "liaison@hsi.example", address="10.1.2.3")
    page = as_liaison.get(f"/review/cases/{held.case_id}")
    assert page.status_code == 200
    with get_database(app).session_scope() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "review.case_viewed").order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None
        assert (entry.actor_label, entry.source_address, entry.target_id) == (
            "liaison@hsi.example",
            "10.1.2.3",
            str(held.case_id),
        )
    # the case shows its own trail: the screening and this view
    text = as_liaison.get(f"/review/cases/{held.case_id}").get_data(as_text=True)
    assert "screening.created" in text and "review.case_viewed" in text


def test_case_page_shows_order_flags_evidence_and_depiction(as_liaison: Any, held: Any) -> None:
    text = as_liaison.get(f"/review/cases/{held.case_id}").get_data(as_text=True)
    assert "FENTANYL_PRECURSOR_NOT_END_USER" in text  # the hold flag
    assert "Evidence" in text
    assert "<svg" in text and "Matched: " in text  # depiction with the matched part highlighted
    assert "O=C1CCN(CCc2ccccc2)CC1" in text  # as submitted
    assert "Quimica del Norte SA de CV" in text


def test_claim_assign_note_and_decide(app: Any, as_liaison: Any, other_liaison: int, held: Any) -> None:
    case = f"/review/cases/{held.case_id}"
    assert post_form(as_liaison, f"{case}/claim", {}).status_code == 302
    assert post_form(as_liaison, f"{case}/assign", {"assignee": other_liaison}).status_code == 302
    assert (
        post_form(as_liaison, f"{case}/notes", {"body": "Called the exporter; awaiting permit."}).status_code
        == 302
    )
    with get_database(app).session_scope() as session:
        item = session.get(ReviewItem, held.case_id)
        assert item.assignee_id == other_liaison and item.state == "claimed"
        screening_id = item.screening_id
    # an explanation is required
    response = post_form(
        as_liaison,
        f"{case}/decisions",
        {"reason_code": "cleared", "explanation": " ", "screening_id": screening_id},
    )
    assert response.status_code == 422 and "Explain the decision" in response.get_data(as_text=True)
    response = post_form(
        as_liaison,
        f"{case}/decisions",
        {
            "reason_code": "cleared_with_conditions",
            "explanation": "Permit checked.",
            "screening_id": screening_id,
            "message_to_exporter": "Ship with the permit copy attached.",
        },
    )
    assert response.status_code == 302
    with get_database(app).session_scope() as session:
        item = session.get(ReviewItem, held.case_id)
        assert item.state == "decided" and item.latest_decision.reason_code == "cleared_with_conditions"
        actions = [
            e.action
            for e in session.scalars(select(AuditEntry).where(AuditEntry.target_id == str(held.case_id)))
        ]
    assert {"review.claimed", "review.assigned", "review.note_added", "review.decided"} <= set(actions)


def test_unknown_reason_code_is_refused(app: Any, as_liaison: Any, held: Any) -> None:
    case = f"/review/cases/{held.case_id}"
    response = post_form(
        as_liaison, f"{case}/decisions", {"reason_code": "waved_through", "explanation": "x"}
    )
    assert response.status_code == 422
    with get_database(app).session_scope() as session:
        assert session.scalar(select(func.count(ReviewDecision.id))) == 0


def test_decisions_are_append_only(app: Any, as_liaison: Any, held: Any, as_exporter: Any) -> None:
    case = f"/review/cases/{held.case_id}"
    with get_database(app).session_scope() as session:
        screening_id = session.get(ReviewItem, held.case_id).screening_id
    for code, text in (
        ("information_requested", "Need end-user statement."),
        ("escalated", "Pattern across exporters."),
    ):
        response = post_form(
            as_liaison,
            f"{case}/decisions",
            {"reason_code": code, "explanation": text, "screening_id": screening_id},
        )
        assert response.status_code == 302
    with get_database(app).session_scope() as session:
        decisions = session.scalars(select(ReviewDecision).order_by(ReviewDecision.id)).all()
        assert [d.reason_code for d in decisions] == ["information_requested", "escalated"]
        assert decisions[1].supersedes_id == decisions[0].id
        assert decisions[0].explanation == "Need end-user statement."  # untouched
        first_id = decisions[0].id
    # there is no way to change one: no route takes a decision id, and other methods are refused
    token = csrf_of(as_liaison, case)
    for method in ("put", "patch", "delete"):
        assert getattr(as_liaison, method)(f"{case}/decisions", data={"csrf_token": token}).status_code in (
            400,
            405,
        )
    for url in (f"{case}/decisions/{first_id}", f"{case}/decisions/{first_id}/edit"):
        assert as_liaison.post(url, data={"csrf_token": token, "reason_code": "cleared"}).status_code == 404
    # the exporter sees the decision in force, never the explanation
    document = as_exporter.get(f"/api/v1/screenings/{held.order_id}").get_json()
    assert document["review"]["decision"]["reason_code"] == "escalated"
    assert "Pattern across exporters" not in str(document)


def test_notes_never_reach_the_exporter(app: Any, as_liaison: Any, held: Any, as_exporter: Any) -> None:
    case = f"/review/cases/{held.case_id}"
    post_form(as_liaison, f"{case}/notes", {"body": "SECRET-NOTE-7 suspected diversion"})
    document = as_exporter.get(f"/api/v1/screenings/{held.order_id}").get_json()
    assert "SECRET-NOTE-7" not in str(document)
    assert document["review"] is None  # a note is internal: it is not even a visible review action


def test_a_decision_on_a_case_moved_by_rescreening_is_refused(app: Any, as_liaison: Any, held: Any) -> None:
    case = f"/review/cases/{held.case_id}"
    response = post_form(
        as_liaison,
        f"{case}/decisions",
        {"reason_code": "cleared", "explanation": "ok", "screening_id": "stale-id"},
    )
    assert response.status_code == 409
    assert "re-screening has changed this case" in response.get_data(as_text=True)


def test_csrf_is_required(as_liaison: Any, held: Any) -> None:
    response = as_liaison.post(f"/review/cases/{held.case_id}/notes", data={"body": "no token"})
    assert response.status_code == 400


def test_missing_case_is_404(as_liaison: Any) -> None:
    assert as_liaison.get("/review/cases/999999").status_code == 404


def test_review_line_for_safrole_order(as_liaison: Any, as_exporter: Any, flag_order: Any) -> None:
    reviewed = flag_order(as_exporter, reference="PO-SAF", lines=[SAFROLE])
    assert reviewed.status == "review" and reviewed.case_id is not None
    assert "PO-SAF" in as_liaison.get("/review/?status=review").get_data(as_text=True)
