"""Catalogue checks, health, the OpenAPI document and docs page, review state, history, hostile input."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from screening.db import get_database
from screening.models import Order, ReviewItem
from screening.services import (
    Actor,
    add_review_note,
    claim_review,
    create_user,
    read_history,
    record_decision,
)


def test_structures_check_screens_each_item_in_order(as_exporter):
    response = as_exporter.post(
        "/api/v1/structures/check",
        json={
            "items": [
                {"cas": "110-89-4"},
                {"smiles": "CCOC(=O)C"},
                {"name": "safrole", "ref": "SKU-3"},
                {"smiles": "this is not a molecule"},
            ]
        },
    )
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3]
    assert results[0]["classification"] == "listed" and results[0]["matches"][0]["entry_id"] == "piperidine"
    assert results[1]["classification"] == "none"  # ethyl acetate
    assert results[2]["classification"] == "listed" and results[2]["ref"] == "SKU-3"
    assert results[3]["classification"] == "unresolved" and results[3]["resolved"] is None


def test_structures_check_needs_an_identifier_per_item(as_exporter):
    response = as_exporter.post("/api/v1/structures/check", json={"items": [{"cas": "67-64-1"}, {}]})
    assert response.status_code == 422
    assert "1" in response.get_json()["errors"]["json"]["items"]


def test_a_structure_that_cannot_be_screened_is_never_clear(as_exporter, order, client):
    hostile = "C" * 4000  # accepted by the schema, beyond the chemistry engine's SMILES limit
    response = as_exporter.screen(
        order(
            lines=[{"smiles": hostile, "quantity": 1, "unit": "kg"}],
            consignee={"name": "End User Co", "country": "MX", "kind": "end_user"},
            transit_countries=[],
        )
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["lines"][0]["classification"] == "unresolved"
    assert body["status"] != "clear"
    assert client.get("/healthz").status_code == 200  # and the worker is still there


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_healthz_is_503_without_a_database(app_config):
    from screening import create_app

    app = create_app({**app_config, "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["code"] == 503


def test_openapi_document_describes_the_contract(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert {"/api/v1/screenings", "/api/v1/screenings/{screening_id}", "/api/v1/structures/check"} <= set(
        spec["paths"]
    )
    post = spec["paths"]["/api/v1/screenings"]["post"]
    assert {"201", "200", "422"} <= set(post["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_docs_page_is_served_from_the_repository(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"openapi.json" in page.data
    script = client.get("/api/v1/docs/apidocs.js")
    assert script.status_code == 200
    for asset in (page.data, script.data):
        assert b"http://" not in asset and b"https://" not in asset  # nothing from outside


def test_exporter_sees_the_review_state_once_a_liaison_acts_never_notes(app, as_exporter, order, db_session):
    created = as_exporter.screen(order()).get_json()
    assert created["status"] != "clear"
    assert as_exporter.get(f"/api/v1/screenings/{created['id']}").get_json()["review"] is None
    with get_database(app).session_scope() as session:
        liaison = create_user(
            session, "liaison@hsi.example", "hsi_liaison", "a long passphrase", Actor.system()
        )
        actor = Actor.for_user(liaison, "198.51.100.7")
        item = session.scalar(select(ReviewItem).where(ReviewItem.order_id == created["id"]))
        claim_review(session, item, liaison, actor)
        add_review_note(session, item, liaison, "INTERNAL: consignee linked to case 42", actor)
        record_decision(
            session,
            item,
            liaison,
            "information_requested",
            "INTERNAL: need end-user statement",
            actor,
            message_to_exporter="Please send the end-user statement.",
        )
    body = as_exporter.get(f"/api/v1/screenings/{created['id']}")
    text = body.get_data(as_text=True)
    review = body.get_json()["review"]
    assert review["state"] == "claimed"
    assert review["decision"]["reason_code"] == "information_requested"
    assert review["decision"]["message"] == "Please send the end-user statement."
    assert review["decision"]["decided_at"].endswith("Z") and review["updated_at"].endswith("Z")
    assert "INTERNAL" not in text
    assert_schema_shape(body.get_json())
    listed = as_exporter.get("/api/v1/screenings").get_json()["items"][0]
    assert listed["review"]["decision"]["reason_code"] == "information_requested"
    assert "INTERNAL" not in as_exporter.get("/api/v1/screenings").get_data(as_text=True)


def assert_schema_shape(document):
    """The document is sent as built: ScreeningSchema (the OpenAPI description) must leave it unchanged."""
    from screening.api.schemas import ScreeningSchema

    assert ScreeningSchema().dump(document) == document


def test_screening_documents_are_exactly_what_the_schema_describes(as_exporter, order):
    lines = [
        {"product": "Acetone", "cas": "67-64-1", "quantity": 200, "unit": "kg"},  # listed (List II)
        {"smiles": "O=C1CCN(CCc2ccccc2)CC1.Cl", "quantity": 5, "unit": "kg"},  # a salt of NPP
        {"name": "tert-butyl 4-oxopiperidine-1-carboxylate", "quantity": 1, "unit": "kg"},  # by name
        {"smiles": "CC(=O)C(C(=O)OC)c1ccccc1", "quantity": 1, "unit": "kg"},  # MAPA, a designer precursor
        {"smiles": "CCO.O", "quantity": 3, "unit": "L", "concentration_percent": 70},  # a mixture
        {"cas": "50-00-1", "smiles": "CCO", "quantity": 1, "unit": "kg"},  # identifiers that disagree
        {"smiles": "not a molecule", "quantity": 1, "unit": "kg"},  # unresolved
    ]
    created = as_exporter.screen(order(lines=lines))
    assert created.status_code == 201
    assert_schema_shape(created.get_json())
    fetched = as_exporter.get(f"/api/v1/screenings/{created.get_json()['id']}").get_json()
    assert fetched == created.get_json()


def test_decisions_are_append_only(app, as_exporter, order):
    created = as_exporter.screen(order()).get_json()
    with get_database(app).session_scope() as session:
        liaison = create_user(session, "l2@hsi.example", "hsi_liaison", "a long passphrase", Actor.system())
        actor = Actor.for_user(liaison)
        item = session.scalar(select(ReviewItem).where(ReviewItem.order_id == created["id"]))
        first = record_decision(session, item, liaison, "escalated", "needs a supervisor", actor)
        second = record_decision(session, item, liaison, "cleared", "supervisor agreed", actor)
        assert second.supersedes_id == first.id
        assert [d.reason_code for d in item.decisions] == ["escalated", "cleared"]
        assert item.latest_decision_id == second.id and item.state == "decided"


def test_history_with_the_consignee_reaches_the_rules(as_exporter, order, db_session):
    as_exporter.screen(order(reference="EARLIER", lines=[{"cas": "67-64-1", "quantity": 100, "unit": "kg"}]))
    stored = db_session.scalar(select(Order).where(Order.reference == "EARLIER"))
    same = read_history(db_session, as_exporter.org_id, stored.consignee_key, "MX", stored.order_date)
    assert same.prior_order_count == 1
    assert [(p.reference, p.entry_ids, p.quantity, p.unit) for p in same.prior_lines] == [
        ("EARLIER", ["acetone"], 100.0, "kg")
    ]
    other_country = read_history(
        db_session, as_exporter.org_id, stored.consignee_key, "GT", stored.order_date
    )
    assert other_country.prior_order_count == 0


def test_history_keeps_each_earlier_line_index_and_one_order_per_reference(as_exporter, order, db_session):
    lines = [
        {"cas": "64-17-5", "quantity": 5, "unit": "kg"},
        {"cas": "67-64-1", "quantity": 100, "unit": "kg"},
    ]
    as_exporter.screen(order(reference="EARLIER", lines=lines))
    as_exporter.screen(order(reference="EARLIER", lines=lines))  # sent again without an idempotency key
    stored = db_session.scalars(select(Order).where(Order.reference == "EARLIER")).first()
    history = read_history(db_session, as_exporter.org_id, stored.consignee_key, "MX", stored.order_date)
    assert history.prior_order_count == 1
    assert [(p.reference, p.line, p.entry_ids) for p in history.prior_lines] == [
        ("EARLIER", 0, []),
        ("EARLIER", 1, ["acetone"]),
    ]
    # the order itself (a resubmission) has no earlier orders
    own = read_history(
        db_session, as_exporter.org_id, stored.consignee_key, "MX", stored.order_date, reference="EARLIER"
    )
    assert own.prior_order_count == 0 and own.prior_lines == []


def test_the_consignee_is_matched_by_normalised_name(as_exporter, order, db_session):
    as_exporter.screen(order(reference="A"))
    as_exporter.screen(
        order(
            reference="B",
            consignee={"name": "QUIMICA DEL NORTE, S.A. de C.V.", "country": "MX", "kind": "distributor"},
        )
    )
    keys = set(db_session.scalars(select(Order.consignee_key)).all())
    assert len(keys) == 1


@pytest.mark.parametrize("liaison_role", ["compliance_officer", "admin"])
def test_only_liaisons_decide(app, as_exporter, order, liaison_role, db_session):
    from screening.services import PermissionDenied, get_or_create_organisation

    created = as_exporter.screen(order()).get_json()
    with get_database(app).session_scope() as session:
        org, _ = get_or_create_organisation(session, as_exporter.org_name, Actor.system())
        user = create_user(
            session,
            f"{liaison_role}@x.example",
            liaison_role,
            "a long passphrase",
            Actor.system(),
            organisation=org,
        )
        item = session.scalar(select(ReviewItem).where(ReviewItem.order_id == created["id"]))
        with pytest.raises(PermissionDenied):
            record_decision(session, item, user, "cleared", "fine", Actor.for_user(user))


def test_a_consignee_spelt_differently_is_the_same_party_in_the_history(as_exporter, order, db_session):
    from screening.services.screenings import related_consignee_keys

    as_exporter.screen(
        order(
            reference="FIRST",
            consignee={"name": "Quimica del Norte SA de CV", "country": "MX", "kind": "distributor"},
        )
    )
    as_exporter.screen(
        order(
            reference="OTHER",
            consignee={"name": "Química del Noreste SA", "country": "MX", "kind": "distributor"},
        )
    )
    keys = related_consignee_keys(db_session, as_exporter.org_id, "QUIMICA DEL NORTE S.A.", None, "MX")
    history = read_history(db_session, as_exporter.org_id, keys, "MX", date.today())
    assert {line.reference for line in history.prior_lines} == {"FIRST"}  # not the Noreste company
    assert any(line.cas == "67-64-1" for line in history.prior_lines)


def test_each_spelling_of_a_consignee_is_recorded_once(as_exporter, order, db_session):
    from screening.models import ConsigneeSpelling

    norte = {"name": "Quimica del Norte SA de CV", "country": "MX", "kind": "distributor"}
    as_exporter.screen(order(reference="S-1", consignee=norte))
    as_exporter.screen(order(reference="S-2", consignee=norte))
    as_exporter.screen(order(reference="S-3", consignee={**norte, "address": "Av. Juarez 10"}))
    as_exporter.screen(order(reference="S-4", consignee={**norte, "country": "GT"}))
    rows = db_session.execute(
        select(
            ConsigneeSpelling.consignee_country,
            ConsigneeSpelling.consignee_name,
            ConsigneeSpelling.consignee_address,
        ).where(ConsigneeSpelling.organisation_id == as_exporter.org_id)
    ).all()
    assert sorted(rows, key=str) == sorted(
        [
            ("MX", "Quimica del Norte SA de CV", None),
            ("MX", "Quimica del Norte SA de CV", "Av. Juarez 10"),
            ("GT", "Quimica del Norte SA de CV", None),
        ],
        key=str,
    )


def test_required_actions_are_the_rules_texts(as_exporter, order):
    body = as_exporter.screen(order()).get_json()
    assert body["required_actions"] == [a["text"] for a in body["required_actions_detail"]]


def test_prior_lines_carry_their_resolved_inchikeys(as_exporter, order, db_session):
    as_exporter.screen(
        order(reference="ROUTE-1", lines=[{"smiles": "CCOC(C)=O", "quantity": 5, "unit": "L"}])
    )
    stored = db_session.scalar(select(Order).where(Order.reference == "ROUTE-1"))
    history = read_history(db_session, as_exporter.org_id, stored.consignee_key, "MX", stored.order_date)
    assert history.prior_lines[0].inchikeys == ["XEKOWRVHYACXOJ-UHFFFAOYSA-N"]  # ethyl acetate


def test_history_keeps_the_whole_month_and_only_listed_chemicals_before_it(as_exporter, order, db_session):
    acetone = {"product": "Acetone", "cas": "67-64-1", "quantity": 100, "unit": "kg"}
    salt = {"product": "Sodium chloride", "cas": "7647-14-5", "quantity": 10, "unit": "kg"}
    for reference, day in (("OCT", "2026-10-15"), ("NOV", "2026-11-03")):
        assert (
            as_exporter.screen(order(reference=reference, order_date=day, lines=[acetone, salt])).status_code
            == 201
        )
    stored = db_session.scalar(select(Order).where(Order.reference == "NOV"))
    history = read_history(db_session, as_exporter.org_id, stored.consignee_key, "MX", date(2026, 11, 20))
    lines = {(line.reference, line.cas) for line in history.prior_lines}
    assert lines == {("OCT", "67-64-1"), ("NOV", "67-64-1"), ("NOV", "7647-14-5")}
    assert history.prior_order_count == 2


@pytest.mark.parametrize(
    "concurrent_consignee",
    [
        {},  # the same spelling
        {"name": "Quimica Norte SA de CV", "address": None},  # another key, the same party
    ],
    ids=["same-spelling", "new-spelling"],
)
def test_an_order_stored_while_the_rules_ran_is_part_of_the_history(
    as_exporter, order, app, monkeypatch, concurrent_consignee
):
    """The history is read and the rules run before the write lock; an order to the same consignee
    stored in between (by another worker) must still count, so the rules run again under the lock."""
    import screening.services.screenings as screenings
    from screening.models import Organisation
    from screening.schemas import OrderSchema
    from screening.services import Actor, screen_order

    real_lock = screenings.lock_for_write
    evaluations = []
    real_evaluate = screenings._evaluate_with_history

    def counting_evaluate(*args, **kwargs):
        evaluations.append(args[2]["reference"])
        return real_evaluate(*args, **kwargs)

    def another_worker_commits_first(session):
        if evaluations == ["FIRST"]:
            other = get_database(app).new_session()
            try:
                org = other.get(Organisation, as_exporter.org_id)
                concurrent = order(reference="CONCURRENT")
                concurrent["consignee"].update(concurrent_consignee)
                screen_order(other, org, OrderSchema().load(concurrent), Actor.system("w2"))
                other.commit()
            finally:
                other.close()
        return real_lock(session)

    monkeypatch.setattr(screenings, "_evaluate_with_history", counting_evaluate)
    monkeypatch.setattr(screenings, "lock_for_write", another_worker_commits_first)
    first = as_exporter.screen(order(reference="FIRST")).get_json()

    # evaluated before the concurrent order was stored, then again under the lock
    assert evaluations == ["FIRST", "CONCURRENT", "FIRST"]
    assert "NEW_CONSIGNEE" not in {flag["code"] for flag in first["flags"]}
    listed = as_exporter.get("/api/v1/screenings").get_json()["items"]
    concurrent = next(item for item in listed if item["reference"] == "CONCURRENT")
    assert "NEW_CONSIGNEE" in concurrent["flags"]


def test_the_rules_run_once_when_nothing_changed_in_between(as_exporter, order, monkeypatch):
    import screening.services.screenings as screenings

    evaluations = []
    real_evaluate = screenings._evaluate_with_history
    monkeypatch.setattr(
        screenings,
        "_evaluate_with_history",
        lambda *args, **kwargs: evaluations.append(1) or real_evaluate(*args, **kwargs),
    )
    assert as_exporter.screen(order(reference="ONE")).status_code == 201
    assert as_exporter.screen(order(reference="TWO")).status_code == 201
    assert len(evaluations) == 2
