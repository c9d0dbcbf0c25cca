"""The dashboard: charts with the right numbers, accessible SVG, the same numbers as CSV."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from screening.db import get_database
from screening.models import ReviewItem, User
from screening.services import Actor, record_decision
from screening.services.dashboard import build_dashboard

from .conftest import NPP, SAFROLE, SALT

ACTOR = Actor.system("test")


@pytest.fixture()
def data(app: Any, as_exporter: Any, other_exporter: Any, flag_order: Any, liaison: int) -> None:
    held = flag_order(as_exporter, reference="PO-1", lines=[NPP])
    flag_order(as_exporter, reference="PO-2", lines=[SAFROLE])
    flag_order(other_exporter, reference="PO-3", lines=[SAFROLE], destination_country="GT")
    flag_order(other_exporter, reference="PO-4", lines=[SALT])
    with get_database(app).session_scope() as session:
        record_decision(
            session,
            session.get(ReviewItem, held.case_id),
            session.get(User, liaison),
            "escalated",
            "x",
            ACTOR,
        )


def charts(app: Any) -> dict[str, Any]:
    with get_database(app).session_scope() as session:
        return {chart.key: chart for chart in build_dashboard(session, weeks=4)}


def test_numbers(app: Any, data: None) -> None:
    c = charts(app)
    weekly = c["weekly"].rows
    assert len(weekly) == 4 and sum(r[1] for r in weekly) == 2 and sum(r[2] for r in weekly) == 1
    assert weekly[-1][1:] == (2, 1)  # this week: two review, one hold (the clear order is not counted)
    assert c["chemicals"].rows[0][1:] == ("safrole", 2)
    assert ("npp", 1) in [r[1:] for r in c["chemicals"].rows]
    assert dict((r[1], r[2]) for r in c["destinations"].rows) == {"MX": 2, "GT": 1}
    assert dict((r[1], r[2]) for r in c["decisions"].rows)["escalated"] == 1
    assert c["consignees"].rows[0][0] == "Quimica del Norte SA de CV" and c["consignees"].rows[0][2] == 2
    regimes = dict((r[1], r[2]) for r in c["regimes"].rows)
    assert regimes["list_I"] >= 2


def test_page_has_accessible_charts_and_csv(as_liaison: Any, data: None) -> None:
    text = as_liaison.get("/review/dashboard?weeks=4").get_data(as_text=True)
    svgs = re.findall(r"<svg[^>]*role=\"img\"[^>]*>\s*<title id=\"[^\"]+\">([^<]+)</title>\s*<desc", text)
    assert "Flagged shipments per week" in svgs and "Decisions by reason" in svgs and len(svgs) == 6
    assert 'style="' not in text.split("<svg", 1)[1]  # presentation attributes only (CSP)
    response = as_liaison.get("/review/dashboard/destinations.csv?weeks=4")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["destination", "code", "orders"]
    assert sorted((r[1], r[2]) for r in rows[1:]) == [("GT", "1"), ("MX", "2")]
    assert as_liaison.get("/review/dashboard/nonsense.csv").status_code == 404


def test_empty_dashboard_renders(as_liaison: Any) -> None:
    response = as_liaison.get("/review/dashboard")
    assert response.status_code == 200 and "No data in this period." in response.get_data(as_text=True)
