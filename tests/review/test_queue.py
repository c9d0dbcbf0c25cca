"""The queue: what is in it, its order, every filter and its counts, pages and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest

from screening.db import get_database
from screening.models import ReviewItem, User
from screening.services import Actor, record_decision
from screening.services.review_queue import QueueFilters, list_queue

from .conftest import NPP, SAFROLE, SALT

ACTOR = Actor.system("test")
GT_CONSIGNEE = {
    "name": "Distribuidora Maya SA",
    "address": "5a Avenida 3-20, Guatemala",
    "country": "GT",
    "kind": "distributor",
}


@pytest.fixture()
def queue(as_exporter: Any, other_exporter: Any, flag_order: Any) -> dict[str, Any]:
    orders = {
        "hold": flag_order(as_exporter, reference="PO-A1", lines=[NPP]),
        "review_acme": flag_order(as_exporter, reference="PO-A2", lines=[SAFROLE]),
        "review_other": flag_order(
            other_exporter,
            reference="PO-B1",
            destination_country="GT",
            consignee=GT_CONSIGNEE,
            lines=[SAFROLE],
        ),
        "clear": flag_order(other_exporter, reference="PO-B2", lines=[SALT]),
    }
    assert [orders[k].status for k in orders] == ["hold", "review", "review", "clear"]
    return {"orders": orders, "acme": as_exporter.org_id, "other": other_exporter.org_id}


def references(app: Any, **args: Any) -> list[str]:
    with get_database(app).session_scope() as session:
        page = list_queue(session, QueueFilters.from_args(args), per_page=50)
        return [row.order.reference for row in page.rows]


def test_most_severe_first_then_oldest_and_no_clear_orders(app: Any, queue: Any) -> None:
    assert references(app) == ["PO-A1", "PO-A2", "PO-B1"]


def test_final_decisions_leave_the_queue_and_follow_ups_stay(app: Any, queue: Any, liaison: int) -> None:
    orders = queue["orders"]
    with get_database(app).session_scope() as session:
        user = session.get(User, liaison)
        record_decision(
            session, session.get(ReviewItem, orders["hold"].case_id), user, "cleared", "ok", ACTOR
        )
        record_decision(
            session,
            session.get(ReviewItem, orders["review_acme"].case_id),
            user,
            "information_requested",
            "?",
            ACTOR,
        )
    assert references(app) == ["PO-A2", "PO-B1"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"status": "review"}, ["PO-A2", "PO-B1"]),
        ({"status": ["hold", "review"]}, ["PO-A1", "PO-A2", "PO-B1"]),
        ({"destination": "gt"}, ["PO-B1"]),
        ({"chemical": "safrole"}, ["PO-A2", "PO-B1"]),
        ({"chemical": "npp"}, ["PO-A1"]),
        ({"regime": "INCB_table_I", "destination": "MX"}, ["PO-A1", "PO-A2"]),
        ({"flag": "FENTANYL_PRECURSOR_NOT_END_USER"}, ["PO-A1"]),
        ({"consignee": "QUÍMICA DEL NORTE, S.A. de C.V."}, ["PO-A1", "PO-A2"]),
        ({"consignee": "maya"}, ["PO-B1"]),
        ({"assignee": "unassigned", "status": "hold"}, ["PO-A1"]),
        ({"opened_from": (date.today() + timedelta(days=2)).isoformat()}, []),
        ({"opened_to": (date.today() + timedelta(days=2)).isoformat(), "status": "hold"}, ["PO-A1"]),
        ({"changed": "1"}, []),
    ],
)
def test_filters(app: Any, queue: Any, args: dict[str, Any], expected: list[str]) -> None:
    assert references(app, **args) == expected


def test_exporter_filter(app: Any, queue: Any) -> None:
    assert references(app, exporter=str(queue["other"])) == ["PO-B1"]
    assert references(app, exporter=[str(queue["acme"]), str(queue["other"])]) == ["PO-A1", "PO-A2", "PO-B1"]


def test_counts_per_filter_value_follow_the_other_filters(app: Any, queue: Any) -> None:
    with get_database(app).session_scope() as session:
        page = list_queue(session, QueueFilters.from_args({"exporter": str(queue["acme"]), "status": "hold"}))
        facets = {
            name: {v.value: (v.count, v.selected) for v in values} for name, values in page.facets.items()
        }
    assert page.total == 1
    # the status facet counts Acme's cases by status, ignoring its own selection
    assert facets["status"] == {"hold": (1, True), "review": (1, False)}
    # the exporter facet counts hold cases per exporter
    assert facets["exporter"] == {str(queue["acme"]): (1, True)}
    assert facets["chemical"] == {"npp": (1, False)}
    assert facets["destination"] == {"MX": (1, False)}


def test_bad_filters_are_named(app: Any, as_liaison: Any) -> None:
    response = as_liaison.get("/review/?opened_from=yesterday")
    assert response.status_code == 422 and "opened_from" in response.get_data(as_text=True)
    assert as_liaison.get("/review/?status=maybe").status_code == 422


def test_pages(app: Any, queue: Any, as_liaison: Any) -> None:
    with get_database(app).session_scope() as session:
        pages = [list_queue(session, QueueFilters(), page=p, per_page=2) for p in (1, 2)]
    assert [[r.order.reference for r in p.rows] for p in pages] == [["PO-A1", "PO-A2"], ["PO-B1"]]
    assert pages[0].pages == 2 and pages[0].total == 3
    text = as_liaison.get("/review/?status=review").get_data(as_text=True)
    assert "PO-A2" in text and "PO-A1" not in text and "2 open cases" in text
    for page in ("35566015834264268079076737024", "-3"):  # clamped to a real page, never a 500
        assert as_liaison.get(f"/review/?page={page}").status_code == 200


def test_csv_export_of_the_filtered_queue(
    app: Any, queue: Any, as_liaison: Any, as_exporter: Any, flag_order: Any
) -> None:
    flag_order(as_exporter, reference="=HYPERLINK(1)", lines=[SAFROLE])
    response = as_liaison.get("/review/queue.csv?status=review")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["reference"] for r in rows] == ["PO-A2", "PO-B1", "'=HYPERLINK(1)"]  # formulas neutralised
    assert rows[0]["exporter"] == "Acme Exports LLC" and rows[0]["chemicals"] == "safrole"
    assert rows[1]["destination"] == "GT"
