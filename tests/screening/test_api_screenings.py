"""POST/GET /api/v1/screenings against the published contract."""

from __future__ import annotations

from sqlalchemy import func, select

from screening.models import AuditEntry, Order, OrderLine, ReviewItem, Screening, ScreeningFlag
from screening.services import verify_chain

CONTRACT_FIELDS = {
    "id",
    "reference",
    "status",
    "screened_at",
    "watchlist_version",
    "rules_version",
    "lines",
    "flags",
    "required_actions",
}


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_screening_an_order_returns_the_contract_document(as_exporter, order):
    response = as_exporter.screen(order())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert CONTRACT_FIELDS <= set(body)
    assert body["reference"] == "PO-2026-0042"
    assert body["order_date"] == "2026-11-20"
    assert body["status"] in ("clear", "review", "hold")
    assert body["screened_at"].endswith("Z")
    assert response.headers["Location"].endswith(f"/api/v1/screenings/{body['id']}")
    acetone, npp = body["lines"]
    assert acetone["index"] == 0 and npp["index"] == 1
    assert acetone["resolved"]["inchikey"] == "CSCPPACGZOOCGX-UHFFFAOYSA-N"
    assert acetone["resolved"]["source"] == "cas"
    assert acetone["classification"] == "listed"
    assert acetone["matches"][0]["entry_id"] == "acetone"
    assert "DEA List II" in acetone["matches"][0]["lists"]
    assert acetone["matches"][0]["match_type"] in ("exact", "salt_or_isomer", "class", "similarity")
    assert npp["classification"] == "listed" and npp["matches"][0]["entry_id"] == "npp"
    assert all(isinstance(action, str) for action in body["required_actions"])
    for flag in body["flags"]:
        assert {"code", "severity", "line", "message", "citation"} <= set(flag)
        assert flag["severity"] in ("info", "review", "hold")


def test_a_listed_fentanyl_precursor_is_never_clear(as_exporter, order):
    body = as_exporter.screen(
        order(lines=[{"smiles": "O=C1CCN(CCc2ccccc2)CC1", "quantity": 5, "unit": "kg"}])
    )
    assert body.get_json()["status"] in ("review", "hold")


def test_the_order_screening_flags_review_and_audit_entry_are_stored(as_exporter, order, db_session):
    body = as_exporter.screen(order()).get_json()
    stored = db_session.get(Order, body["id"])
    assert stored.organisation_id == as_exporter.org_id
    assert stored.raw_body["lines"][1]["smiles"] == "O=C1CCN(CCc2ccccc2)CC1"
    assert [line.cas for line in stored.lines] == ["67-64-1", None]
    screening = stored.latest_screening
    assert screening.id == body["screening_id"] and screening.status == body["status"]
    assert screening.watchlist_version == body["watchlist_version"]
    assert screening.rules_version == body["rules_version"]
    assert screening.duration_ms >= 0
    assert [f.code for f in screening.flags] == [f["code"] for f in body["flags"]]
    if body["status"] != "clear":
        assert db_session.scalar(select(ReviewItem).where(ReviewItem.order_id == stored.id)).state == "open"
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.target_id == stored.id))
    assert entry.action == "screening.created"
    assert entry.actor_type == "api_key" and entry.detail["status"] == body["status"]
    assert verify_chain(db_session).ok


def test_fetch_returns_the_same_document(as_exporter, order):
    created = as_exporter.screen(order()).get_json()
    fetched = as_exporter.get(f"/api/v1/screenings/{created['id']}")
    assert fetched.status_code == 200
    body = fetched.get_json()
    for key in CONTRACT_FIELDS:
        assert body[key] == created[key], key
    assert body["review"] is None  # nobody has acted yet


def test_another_organisations_screening_is_not_found(as_exporter, other_exporter, order):
    created = as_exporter.screen(order()).get_json()
    response = other_exporter.get(f"/api/v1/screenings/{created['id']}")
    assert response.status_code == 404
    assert response.get_json()["code"] == 404
    assert as_exporter.get("/api/v1/screenings/does-not-exist").status_code == 404


def test_list_shows_own_screenings_newest_first_with_pagination(as_exporter, other_exporter, order):
    ids = [
        as_exporter.screen(
            order(reference=f"PO-{i}", lines=[{"cas": "7647-14-5", "quantity": 1, "unit": "kg"}])
        ).get_json()["id"]
        for i in range(3)
    ]
    other_exporter.screen(order(reference="THEIRS"))
    page = as_exporter.get("/api/v1/screenings?per_page=2").get_json()
    assert page["total"] == 3 and page["pages"] == 2 and page["per_page"] == 2
    assert [item["id"] for item in page["items"]] == [ids[2], ids[1]]
    second = as_exporter.get("/api/v1/screenings?per_page=2&page=2").get_json()
    assert [item["id"] for item in second["items"]] == [ids[0]]
    assert all(item["reference"] != "THEIRS" for item in page["items"] + second["items"])


def test_a_page_number_beyond_any_list_is_a_named_error_not_a_crash(as_exporter):
    response = as_exporter.get("/api/v1/screenings?page=35566015834264268079076737024")
    assert response.status_code == 422
    assert "page" in response.get_data(as_text=True)
    assert as_exporter.get("/api/v1/screenings?page=1000000").status_code == 200  # empty, not an error


def test_list_filters(as_exporter, order):
    as_exporter.screen(order(reference="SALT-1", lines=[{"cas": "7647-14-5", "quantity": 1, "unit": "kg"}]))
    flagged = as_exporter.screen(order(reference="NPP-1")).get_json()
    by_reference = as_exporter.get("/api/v1/screenings?reference=NPP-1").get_json()
    assert [i["id"] for i in by_reference["items"]] == [flagged["id"]]
    by_prefix = as_exporter.get("/api/v1/screenings?reference=SALT*").get_json()
    assert [i["reference"] for i in by_prefix["items"]] == ["SALT-1"]
    by_status = as_exporter.get(f"/api/v1/screenings?status={flagged['status']}").get_json()
    assert flagged["id"] in [i["id"] for i in by_status["items"]]
    by_chemical = as_exporter.get("/api/v1/screenings?chemical=npp").get_json()
    assert [i["id"] for i in by_chemical["items"]] == [flagged["id"]]
    today = flagged["screened_at"][:10]
    in_range = as_exporter.get(f"/api/v1/screenings?date_from={today}&date_to={today}").get_json()
    assert in_range["total"] == 2
    before = as_exporter.get("/api/v1/screenings?date_to=2000-01-01").get_json()
    assert before["total"] == 0
    bad = as_exporter.get("/api/v1/screenings?status=maybe")
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]["query"]


def test_idempotent_retry_returns_the_first_result_and_stores_nothing(as_exporter, order, db_session):
    headers = {"Idempotency-Key": "retry-123"}
    first = as_exporter.screen(order(), headers=headers)
    assert first.status_code == 201
    before = (count(db_session, Order), count(db_session, Screening), count(db_session, AuditEntry))
    again = as_exporter.screen(order(), headers=headers)
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["screening_id"] == first.get_json()["screening_id"]
    assert (count(db_session, Order), count(db_session, Screening), count(db_session, AuditEntry)) == before


def test_same_idempotency_key_with_another_body_is_refused(as_exporter, order, db_session):
    as_exporter.screen(order(), headers={"Idempotency-Key": "k-1"})
    orders = count(db_session, Order)
    response = as_exporter.screen(order(reference="DIFFERENT"), headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 422
    body = response.get_json()
    assert "Idempotency-Key" in body["errors"]["headers"]
    assert "different request body" in body["message"]
    assert count(db_session, Order) == orders


def test_idempotency_keys_belong_to_one_organisation(as_exporter, other_exporter, order):
    mine = as_exporter.screen(order(), headers={"Idempotency-Key": "shared"}).get_json()
    theirs = other_exporter.screen(order(), headers={"Idempotency-Key": "shared"})
    assert theirs.status_code == 201 and theirs.get_json()["id"] != mine["id"]


def test_an_overlong_idempotency_key_is_a_clear_400(as_exporter, order):
    response = as_exporter.screen(order(), headers={"Idempotency-Key": "x" * 300})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.get_json()["errors"]["headers"]


def test_flags_are_stored_as_rows_for_the_queues(as_exporter, order, db_session):
    body = as_exporter.screen(order()).get_json()
    codes = db_session.scalars(
        select(ScreeningFlag.code).where(ScreeningFlag.screening_id == body["screening_id"])
    ).all()
    assert sorted(codes) == sorted(f["code"] for f in body["flags"])


def test_lines_are_stored_exactly_as_submitted(as_exporter, order, db_session):
    submitted = order(lines=[{"product": " Acetone ", "cas": "67-64-1", "quantity": 2.5, "unit": "L"}])
    body = as_exporter.screen(submitted).get_json()
    stored = db_session.get(Order, body["id"])
    assert stored.raw_body == submitted
    line = db_session.scalar(select(OrderLine).where(OrderLine.order_id == stored.id))
    assert (line.quantity, line.unit, line.concentration_percent) == (2.5, "L", None)


def test_a_unit_in_another_usual_spelling_is_screened_in_the_accepted_one(as_exporter, order, db_session):
    """Order systems send "lbs", "gallons" or "litros": read as lb, gal and L (the body is kept as sent), so
    the threshold arithmetic is the same as with the contract's spelling."""
    submitted = order(lines=[{"product": "Toluene", "cas": "108-88-3", "quantity": 600, "unit": "gallons"}])
    response = as_exporter.screen(submitted)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert "THRESHOLD_MET" in {f["code"] for f in body["flags"]}  # 600 gal is over toluene's 500 gal
    stored = db_session.get(Order, body["id"])
    assert stored.raw_body == submitted
    line = db_session.scalar(select(OrderLine).where(OrderLine.order_id == stored.id))
    assert line.unit == "gal"


def test_an_ambiguous_unit_is_refused_naming_the_field(as_exporter, order):
    response = as_exporter.screen(order(lines=[{"cas": "67-64-1", "quantity": 2, "unit": "tons"}]))
    assert response.status_code == 422
    errors = str(response.get_json()["errors"])
    assert "unit" in errors and "Unknown unit" in errors
