"""A liaison takes a held order from the queue to a decision; the exporter's view follows.

Set ``SCREENING_SCREENSHOTS=/some/dir`` to keep full-page screenshots of the pages visited.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from .conftest import OFFICER, PASSWORD, sign_in

LIAISON = "lee@hsi.test"
HELD_ORDER = {
    "reference": "PO-BRW-HOLD",
    "order_date": "2026-11-20",
    "destination_country": "MX",
    "transit_countries": ["PA"],
    "declared_end_use": "Pharmaceutical intermediate synthesis",
    "consignee": {
        "name": "Quimica del Norte SA de CV",
        "address": "Av. Industrial 12, Monterrey, NL",
        "country": "MX",
        "kind": "distributor",
    },
    "lines": [
        {"product": "Acetone, technical grade", "cas": "67-64-1", "quantity": 200, "unit": "kg"},
        {"product": "Intermediate X", "smiles": "O=C1CCN(CCc2ccccc2)CC1", "quantity": 5, "unit": "kg"},
    ],
}


def shot(page: Any, name: str) -> None:
    directory = os.environ.get("SCREENING_SCREENSHOTS")
    if directory:
        os.makedirs(directory, exist_ok=True)
        page.screenshot(path=os.path.join(directory, f"{name}.png"), full_page=True)


@pytest.fixture()
def seeded(live_server: Any) -> dict[str, Any]:
    """A liaison, and a held order screened through the API by the officer's organisation."""
    from sqlalchemy import select

    from screening.db import get_database
    from screening.models import HSI_LIAISON, Organisation
    from screening.services import Actor, create_api_key, create_user, find_user, get_or_create_organisation

    app = live_server.app
    setup = Actor.system("browser-tests")
    with get_database(app).session_scope() as session:
        if find_user(session, LIAISON) is None:
            create_user(session, LIAISON, HSI_LIAISON, PASSWORD, setup, name="Lee Ortiz")
        org = session.scalar(select(Organisation).where(Organisation.name == "Acme Exports LLC"))
        _, key = create_api_key(session, org, setup, label="browser")
        other, _ = get_or_create_organisation(session, "Frontera Solvents Inc", setup)
        _, other_key = create_api_key(session, other, setup, label="browser")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    held = client.post("/api/v1/screenings", json=HELD_ORDER, headers=headers)
    assert held.status_code == 201 and held.get_json()["status"] == "hold", held.get_json()
    same_consignee = {
        **HELD_ORDER,
        "reference": "FS-881",
        "consignee": {**HELD_ORDER["consignee"], "name": "QUÍMICA DEL NORTE, S.A. DE C.V."},
        "lines": [{"product": "Safrole", "cas": "94-59-7", "quantity": 2, "unit": "kg"}],
    }
    other_response = client.post(
        "/api/v1/screenings", json=same_consignee, headers={"Authorization": f"Bearer {other_key}"}
    )
    assert other_response.status_code == 201
    return {"order_id": held.get_json()["id"], "headers": headers, "client": client}


def test_held_order_from_queue_to_decision(
    browser: Any, live_server: Any, page: Any, seeded: dict[str, Any]
) -> None:
    sign_in(page, LIAISON)
    page.goto("/review/")
    assert page.get_by_role("heading", name="Review queue").is_visible()
    shot(page, "review-queue")
    row = page.locator("tr", has=page.get_by_role("link", name="PO-BRW-HOLD"))
    assert "Hold" in row.inner_text()
    row.get_by_role("link", name="PO-BRW-HOLD").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="PO-BRW-HOLD").is_visible()
    assert page.get_by_text("FENTANYL_PRECURSOR_NOT_END_USER").first.is_visible()
    assert page.get_by_text("Frontera Solvents Inc").is_visible()  # the same consignee, another exporter
    shot(page, "review-case")

    page.get_by_role("button", name="Claim this case").click()
    page.wait_for_load_state()
    assert page.get_by_text("You have claimed this case.").is_visible()
    page.get_by_role("combobox", name="Decision").select_option("cleared_with_conditions")
    page.get_by_role("textbox", name="Explanation (internal)").fill(
        "INTERNAL-7731: permit verified by phone; end user confirmed."
    )
    page.get_by_role("textbox", name="Message to the exporter (optional)").fill(
        "Ship with the import permit copy attached."
    )
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    assert page.get_by_text("Decision recorded").is_visible()
    assert page.locator(".decision").first.get_by_text("Cleared with conditions").is_visible()
    shot(page, "review-case-decided")
    assert not page.errors, page.errors

    # the case has left the queue
    page.goto("/review/")
    assert page.get_by_role("link", name="PO-BRW-HOLD").count() == 0

    # the exporter sees the decision through the API and on the officer's page, never the explanation
    document = (
        seeded["client"].get(f"/api/v1/screenings/{seeded['order_id']}", headers=seeded["headers"]).get_json()
    )
    assert document["review"]["decision"]["reason_code"] == "cleared_with_conditions"
    assert document["review"]["decision"]["message"] == "Ship with the import permit copy attached."
    assert "INTERNAL-7731" not in str(document)
    officer = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    try:
        officer_page = officer.new_page()
        sign_in(officer_page, OFFICER)
        officer_page.goto(f"/screenings/{seeded['order_id']}")
        review = officer_page.locator("section.review-state")
        assert "Cleared with conditions" in review.inner_text()
        assert "Ship with the import permit copy attached." in review.inner_text()
        assert "INTERNAL-7731" not in officer_page.content()
        shot(officer_page, "exporter-view")
        assert officer_page.goto("/review/").status == 403
    finally:
        officer.close()


def test_dashboard_renders_its_charts(page: Any, seeded: dict[str, Any]) -> None:
    sign_in(page, LIAISON)
    page.goto("/review/dashboard")
    assert page.locator("svg[role=img] title").count() >= 6
    assert page.get_by_role("heading", name="Flagged shipments per week").is_visible()
    shot(page, "review-dashboard")
    assert not page.errors, page.errors
