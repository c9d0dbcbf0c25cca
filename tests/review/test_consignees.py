"""The same consignee across exporters: found despite spelling, never for a different company."""

from __future__ import annotations

from typing import Any

import pytest

from screening.db import get_database
from screening.models import Order
from screening.services.consignees import (
    candidate_keys,
    consignee_clusters,
    find_consignee_links,
    monthly_totals,
)

from .conftest import SAFROLE

NORTE = {
    "name": "Quimica del Norte SA de CV",
    "address": "Av. Industrial 12, Monterrey, NL",
    "country": "MX",
    "kind": "distributor",
}
NORTE_SHOUTED = {
    "name": "QUÍMICA DEL NORTE, S.A. DE C.V.",
    "address": "Avenida Industrial #12, Monterrey, N.L.",
    "country": "MX",
    "kind": "distributor",
}
NORESTE = {
    "name": "Química del Noreste SA de CV",
    "address": "Blvd. Norte 400, Saltillo, Coah.",
    "country": "MX",
    "kind": "distributor",
}
NORTE_IN_GT = {**NORTE, "country": "GT", "address": "Zona 12, Guatemala"}


@pytest.fixture()
def orders(make_exporter: Any, flag_order: Any) -> dict[str, Any]:
    acme, other, third, fourth = (
        make_exporter(n)
        for n in ("Acme Exports LLC", "Other Chemicals Corp", "Tercera Quimica Inc", "Fourth Supply Co")
    )
    return {
        "acme": flag_order(acme, reference="PO-ACME", consignee=NORTE, lines=[SAFROLE]),
        "other": flag_order(other, reference="PO-OTHER", consignee=NORTE_SHOUTED, lines=[SAFROLE]),
        "third": flag_order(third, reference="PO-THIRD", consignee=NORESTE, lines=[SAFROLE]),
        "fourth": flag_order(
            fourth, reference="PO-GT", consignee=NORTE_IN_GT, destination_country="GT", lines=[SAFROLE]
        ),
    }


def links_of(app: Any, order_id: str) -> list[Any]:
    with get_database(app).session_scope() as session:
        return find_consignee_links(session, session.get(Order, order_id))


def test_same_consignee_is_linked_across_exporters_with_score_and_reasons(app: Any, orders: Any) -> None:
    links = links_of(app, orders["acme"].order_id)
    assert [(link.organisation_name, link.consignee_name) for link in links] == [
        ("Other Chemicals Corp", "QUÍMICA DEL NORTE, S.A. DE C.V.")
    ]
    link = links[0]
    assert link.score == 1.0 and link.order_count == 1 and link.flagged_count == 1
    assert any("same name after normalisation" in r for r in link.reasons)
    assert any("same address" in r for r in link.reasons)
    assert link.open_case_ids == [orders["other"].case_id]


def test_a_different_company_and_another_country_are_not_linked(app: Any, orders: Any) -> None:
    names = {link.consignee_name for link in links_of(app, orders["third"].order_id)}
    assert names == set()  # "Química del Noreste" is not "Quimica del Norte"
    assert links_of(app, orders["fourth"].order_id) == []  # same name, other country


def test_case_page_shows_links(orders: Any, as_liaison: Any) -> None:
    text = as_liaison.get(f"/review/cases/{orders['acme'].case_id}").get_data(as_text=True)
    assert "Other Chemicals Corp" in text and "1.00" in text
    assert "Tercera Quimica Inc" not in text


def test_prefilter_keeps_plausible_spellings_only() -> None:
    keys = ["quimica del noreste", "acme chemicals", "quimica norte", "quimca del norte", "norte"]
    # a cheap, permissive first pass: "norte" stays because one name containing the other can still be
    # the same party at the same address; same_party() decides
    assert candidate_keys("quimica del norte", keys) == [
        "quimica del noreste",
        "quimica norte",
        "quimca del norte",
        "norte",
    ]


def test_dashboard_clusters_merge_spellings_not_companies(app: Any, orders: Any) -> None:
    with get_database(app).session_scope() as session:
        clusters = consignee_clusters(session)
    assert [(c.country, len(c.exporters), sorted(c.names)) for c in clusters] == [
        ("MX", 2, ["QUÍMICA DEL NORTE, S.A. DE C.V.", "Quimica del Norte SA de CV"])
    ]


def test_monthly_totals_sum_the_month_against_the_threshold(
    app: Any, make_exporter: Any, flag_order: Any
) -> None:
    from rules import current_ruleset
    from rules.context import select_threshold

    acme = make_exporter("Acme Exports LLC")
    flag_order(acme, reference="PO-1", order_date="2026-10-05", lines=[{**SAFROLE, "quantity": 1.5}])
    flag_order(acme, reference="PO-2", order_date="2026-11-03", lines=[{**SAFROLE, "quantity": 2}])
    last = flag_order(acme, reference="PO-3", order_date="2026-11-20", lines=[{**SAFROLE, "quantity": 3}])
    with get_database(app).session_scope() as session:
        totals = monthly_totals(session, session.get(Order, last.order_id))
    by_month = {(t.month, t.entry_id): t for t in totals}
    assert set(by_month) == {("2026-11", "safrole"), ("2026-10", "safrole")}
    november = by_month[("2026-11", "safrole")]
    assert november.amount == pytest.approx(5.0) and november.orders == ["PO-2", "PO-3"]
    scope, threshold = select_threshold(
        "safrole", "MX", current_ruleset(), __import__("datetime").date(2026, 11, 1)
    )
    assert november.scope == scope
    if threshold is not None and threshold.mass_kg:
        assert november.threshold == pytest.approx(threshold.mass_kg)
        assert november.met == (5.0 >= threshold.mass_kg)
    assert by_month[("2026-10", "safrole")].amount == pytest.approx(1.5)


def test_history_counts_the_same_consignee_under_another_spelling(
    app: Any, make_exporter: Any, flag_order: Any
) -> None:
    from screening.services.consignees import consignee_history

    acme = make_exporter("Acme Exports LLC")
    flag_order(acme, reference="PO-1", consignee=NORTE_SHOUTED, lines=[{**SAFROLE, "quantity": 2}])
    flag_order(acme, reference="PO-X", consignee=NORESTE, lines=[{**SAFROLE, "quantity": 7}])
    last = flag_order(acme, reference="PO-2", consignee=NORTE, lines=[{**SAFROLE, "quantity": 3}])
    with get_database(app).session_scope() as session:
        order = session.get(Order, last.order_id)
        history = [p.reference for p in consignee_history(session, order)]
        totals = {(t.month, t.entry_id): t for t in monthly_totals(session, order)}
    assert history == ["PO-1"]  # not the other company's order
    assert totals[("2026-11", "safrole")].amount == pytest.approx(5.0)
