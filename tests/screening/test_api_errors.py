"""Every error has one JSON shape that names the failing fields, and nothing is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from screening.models import AuditEntry, Order

ERROR_KEYS = {"code", "status", "message"}


def orders_stored(session):
    return session.scalar(select(func.count()).select_from(Order))


def assert_error(response, code):
    assert response.status_code == code, response.get_data(as_text=True)
    body = response.get_json()
    assert ERROR_KEYS <= set(body), body
    assert body["code"] == code
    return body


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer psk_unknown_key", "Basic abc", "psk_x_y"])
def test_missing_or_unknown_key_is_401(client, order, header):
    headers = {"Authorization": header} if header else {}
    response = client.post("/api/v1/screenings", json=order(), headers=headers)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(client.get("/api/v1/screenings", headers=headers), 401)
    assert_error(
        client.post("/api/v1/structures/check", json={"items": [{"cas": "67-64-1"}]}, headers=headers), 401
    )


def test_revoked_key_is_401(app, as_exporter, order, runner):
    prefix = "_".join(as_exporter.key.split("_", 2)[:2])  # psk_<id>; the secret part follows
    result = runner.invoke(args=["api-keys", "revoke", prefix])
    assert result.exit_code == 0, result.output
    assert_error(as_exporter.screen(order()), 401)


def test_a_body_that_is_not_json_is_400(as_exporter, db_session):
    body = assert_error(
        as_exporter.post(
            "/api/v1/screenings", data="reference=PO-1", content_type="application/x-www-form-urlencoded"
        ),
        400,
    )
    assert "JSON" in body["message"]
    assert_error(
        as_exporter.post("/api/v1/screenings", data="{not json", content_type="application/json"), 400
    )
    assert orders_stored(db_session) == 0


def test_a_json_body_that_is_not_an_object_is_rejected(as_exporter):
    response = as_exporter.post("/api/v1/screenings", json=[1, 2])
    assert response.status_code in (400, 422)


def test_every_failing_field_is_named(as_exporter, order, db_session):
    bad = order(
        destination_country="XX",
        transit_countries=["PA", "Panama"],
        order_date="20-11-2026",
        consignee={"name": "Q", "country": "MX", "kind": "cartel"},
        lines=[
            {"cas": "67-64-1", "quantity": 0, "unit": "kg"},
            {"cas": "67-64-1", "quantity": 5, "unit": "barrels"},
            {"quantity": 5, "unit": "kg"},
            {"cas": "67-64-1", "quantity": 5, "unit": "kg", "concentration_percent": 0},
            {"cas": "67-64-1", "quantity": 5, "unit": "kg", "concentration_percent": 100.5},
            {"cas": "67-64-1", "quantity": -1, "unit": "kg", "concentraton_percent": 50},
        ],
    )
    body = assert_error(as_exporter.screen(bad), 422)
    errors = body["errors"]["json"]
    assert "destination_country" in errors
    assert "1" in errors["transit_countries"]
    assert "order_date" in errors
    assert "kind" in errors["consignee"]
    lines = errors["lines"]
    assert "quantity" in lines["0"]
    assert "unit" in lines["1"]
    assert "_schema" in lines["2"] and "cas" in lines["2"]["_schema"][0]
    assert "concentration_percent" in lines["3"]
    assert "concentration_percent" in lines["4"]
    assert "quantity" in lines["5"] and "concentraton_percent" in lines["5"]  # misspelt field refused
    assert orders_stored(db_session) == 0


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"reference": ""}, ["reference"]),
        ({"reference": "R" * 101}, ["reference"]),
        ({"lines": []}, ["lines"]),
        ({"consignee": None}, ["consignee"]),
        ({"ship_date": "tomorrow"}, ["ship_date"]),
        ({"declared_end_use": "x" * 1001}, ["declared_end_use"]),
        ({"destination_country": "mex"}, ["destination_country"]),
        ({"lines": [{"name": "n" * 301, "quantity": 1, "unit": "kg"}]}, ["lines", "0", "name"]),
        ({"lines": [{"cas": "67-64-1", "quantity": "lots", "unit": "kg"}]}, ["lines", "0", "quantity"]),
        ({"lines": [{"cas": "67-64-1", "quantity": 1}]}, ["lines", "0", "unit"]),
        ({"lines": "acetone"}, ["lines"]),
    ],
)
def test_single_field_errors(as_exporter, order, change, path):
    errors = assert_error(as_exporter.screen(order(**change)), 422)["errors"]["json"]
    for key in path:
        assert key in errors, errors
        errors = errors[key]


def test_missing_required_fields_are_all_named(as_exporter):
    errors = assert_error(as_exporter.screen({}), 422)["errors"]["json"]
    assert {"reference", "destination_country", "consignee", "lines"} <= set(errors)


def test_units_and_countries_are_accepted_in_any_case(as_exporter, order):
    response = as_exporter.screen(
        order(destination_country="mx", lines=[{"cas": "67-64-1", "quantity": 3, "unit": "ML"}])
    )
    assert response.status_code == 201, response.get_json()


@pytest.fixture()
def app_config(app_config):
    return {
        **app_config,
        "SCREENING_MAX_LINES": 3,
        "SCREENING_MAX_CHECK_ITEMS": 4,
        "SCREENING_MAX_BODY_BYTES": 20_000,
    }


def test_too_many_lines_is_a_clear_error(as_exporter, order):
    lines = [{"cas": "67-64-1", "quantity": 1, "unit": "kg"}] * 4
    errors = assert_error(as_exporter.screen(order(lines=lines)), 422)["errors"]["json"]
    assert "At most 3 lines" in errors["lines"][0]


def test_too_many_check_items_is_a_clear_error(as_exporter):
    response = as_exporter.post("/api/v1/structures/check", json={"items": [{"cas": "67-64-1"}] * 5})
    errors = assert_error(response, 422)["errors"]["json"]
    assert "At most 4 items" in errors["items"][0]


def test_an_oversized_body_is_413(as_exporter, order, db_session):
    huge = order(declared_end_use="x" * 30_000)
    assert_error(as_exporter.screen(huge), 413)
    assert orders_stored(db_session) == 0


def test_unknown_paths_and_methods_use_the_same_shape(as_exporter):
    assert_error(as_exporter.get("/api/v1/nothing-here"), 404)
    response = as_exporter.client.delete("/api/v1/screenings", headers=as_exporter.headers)
    assert_error(response, 405)


def test_an_unexpected_failure_is_a_500_with_the_shape_and_nothing_stored(
    as_exporter, order, db_session, monkeypatch
):
    import screening.services.screenings as screenings

    audit_before = db_session.scalar(select(func.count()).select_from(AuditEntry))

    def broken(*args, **kwargs):
        raise RuntimeError("rules exploded")

    monkeypatch.setattr(screenings, "evaluate_order", broken)
    body = assert_error(as_exporter.screen(order()), 500)
    assert "rules exploded" not in body["message"]  # internals are logged, not shown
    assert orders_stored(db_session) == 0
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before


def test_a_key_revoked_while_remembered_stops_working_at_once(as_exporter, runner):
    assert as_exporter.get("/api/v1/screenings").status_code == 200  # authenticated and remembered
    prefix = "_".join(as_exporter.key.split("_", 2)[:2])
    assert runner.invoke(args=["api-keys", "revoke", prefix]).exit_code == 0
    assert_error(as_exporter.get("/api/v1/screenings"), 401)


def test_last_used_is_recorded_even_by_read_only_calls(as_exporter, db_session):
    from screening.models import ApiKey

    assert as_exporter.get("/api/v1/screenings").status_code == 200
    db_session.expire_all()
    key = db_session.scalar(select(ApiKey).where(ApiKey.organisation_id == as_exporter.org_id))
    assert key.last_used_at is not None


def test_null_transit_countries_means_no_transit(as_exporter, order):
    response = as_exporter.screen(order(transit_countries=None))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] in ("clear", "review", "hold")


def test_a_domestic_destination_or_a_ship_date_before_the_order_is_refused(as_exporter, order, db_session):
    body = assert_error(as_exporter.screen(order(destination_country="PR")), 422)
    assert "United States" in body["errors"]["json"]["destination_country"][0]
    body = assert_error(as_exporter.screen(order(order_date="2026-11-20", ship_date="2026-11-19")), 422)
    assert "ship_date" in body["errors"]["json"]
    assert orders_stored(db_session) == 0
