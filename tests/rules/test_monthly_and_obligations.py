"""Calendar-month cumulation (1310.04(f)), splitting, history, and the required actions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rules import evaluate
from rules.facts import Flag, History, Outcome, PriorLine

ORDER_DATE = date(2026, 11, 20)


def codes(outcome: Outcome) -> set[str]:
    return {f.code for f in outcome.flags}


def flag(outcome: Outcome, code: str) -> Flag:
    return next(f for f in outcome.flags if f.code == code)


def prior(
    reference: str, when: date, entry_id: str, quantity: float, unit: str = "kg", **kwargs
) -> PriorLine:
    return PriorLine(
        order_id=reference.lower(),
        reference=reference,
        order_date=when,
        entry_ids=[entry_id],
        quantity=quantity,
        unit=unit,
        **kwargs,
    )


def history(*lines: PriorLine) -> History:
    return History(
        prior_lines=list(lines), prior_order_count=max(len(lines), 3), first_order_date=date(2024, 1, 5)
    )


def mibk_order(order, line, quantity, *priors, unit="kg", **kwargs):
    return evaluate(
        order(
            [line(0, "mibk", quantity, unit, product="MIBK", lists=["DEA List II"])],
            history=history(*priors),
            **kwargs,
        )
    )


def test_orders_split_within_a_month_are_summed_and_held(order, line):
    outcome = mibk_order(
        order,
        line,
        600,
        prior("PO-A", date(2026, 11, 3), "mibk", 500),
        prior("PO-B", date(2026, 11, 12), "mibk", 500),
    )
    assert outcome.status == "hold"
    split = flag(outcome, "SPLIT_BELOW_THRESHOLD")
    assert split.severity == "hold"
    assert split.evidence["month_total"]["amount"] == pytest.approx(1600)
    assert {o["reference"] for o in split.evidence["orders"]} == {"PO-A", "PO-B", "PO-TEST-1"}
    assert "THRESHOLD_MET" not in codes(outcome)
    assert any(a.code == "DEA_FORM_486" for a in outcome.required_actions)  # the month is regulated


def test_orders_in_another_month_are_not_summed(order, line):
    outcome = mibk_order(
        order,
        line,
        600,
        prior("PO-A", date(2026, 10, 30), "mibk", 500),
        prior("PO-B", date(2026, 12, 1), "mibk", 500),
    )
    assert "SPLIT_BELOW_THRESHOLD" not in codes(outcome)
    assert flag(outcome, "LISTED_BELOW_THRESHOLD").evidence["month_total"]["amount"] == pytest.approx(600)
    assert outcome.status == "clear"


def test_a_month_already_regulated_by_one_order_is_review_not_split(order, line):
    outcome = mibk_order(order, line, 100, prior("PO-A", date(2026, 11, 2), "mibk", 1600))
    assert "CUMULATIVE_THRESHOLD_MET" in codes(outcome)
    assert "SPLIT_BELOW_THRESHOLD" not in codes(outcome)
    assert outcome.status == "review"


def test_rescreening_the_same_order_does_not_count_it_twice(order, line):
    outcome = mibk_order(order, line, 1000, prior("PO-TEST-1", ORDER_DATE, "mibk", 1000))
    assert "SPLIT_BELOW_THRESHOLD" not in codes(outcome)


def test_other_chemicals_in_the_month_are_not_summed(order, line):
    outcome = mibk_order(order, line, 1000, prior("PO-A", date(2026, 11, 3), "acetone", 1000))
    assert "SPLIT_BELOW_THRESHOLD" not in codes(outcome)


def test_earlier_volumes_and_masses_are_summed_in_kg(order, line):
    outcome = mibk_order(order, line, 1000, prior("PO-A", date(2026, 11, 3), "mibk", 200, "gal"))
    split = flag(outcome, "SPLIT_BELOW_THRESHOLD")
    assert split.evidence["month_total"]["unit"] == "kg"
    assert split.evidence["month_total"]["amount"] > 1523


def test_quantity_far_beyond_history(ruleset, order, line):
    multiple = ruleset.red_flags.history_multiple
    earlier = prior("PO-OLD", ORDER_DATE - timedelta(days=60), "mibk", 100)
    within = mibk_order(order, line, 100 * multiple, earlier)
    beyond = mibk_order(order, line, 100 * multiple + 1, earlier)
    assert "QUANTITY_BEYOND_HISTORY" not in codes(within)
    assert flag(beyond, "QUANTITY_BEYOND_HISTORY").severity == "review"
    old = prior(
        "PO-OLDER", ORDER_DATE - timedelta(days=ruleset.red_flags.history_window_days + 1), "mibk", 100
    )
    assert "QUANTITY_BEYOND_HISTORY" not in codes(mibk_order(order, line, 100 * multiple + 1, old))


# ---- required actions ----
def _actions(outcome: Outcome) -> dict[str, list]:
    found: dict[str, list] = {}
    for action in outcome.required_actions:
        found.setdefault(action.code, []).append(action)
    return found


def test_form_486_due_15_days_before_ship_date_and_return_30_days_after(ruleset, order, line):
    outcome = mibk_order(order, line, 2000, ship_date=date(2026, 12, 15))
    actions = _actions(outcome)
    form = actions["DEA_FORM_486"][0]
    days = next(o for o in ruleset.obligations if o.code == "DEA_FORM_486").days_before_ship
    assert days == 15
    assert form.due_date == date(2026, 11, 30)
    assert "2026-11-30" in form.text and "2026-12-15" in form.text and form.line == 0
    assert actions["RETURN_DECLARATION"][0].due_date == date(2027, 1, 14)
    assert "FOREIGN_IMPORT_PERMIT" in actions and "COFEPRIS" in actions["FOREIGN_IMPORT_PERMIT"][0].text
    assert all(a.citation for a in outcome.required_actions)
    assert outcome.required_action_texts == [a.text for a in outcome.required_actions]


def test_without_a_ship_date_the_text_says_so(order, line):
    outcome = mibk_order(order, line, 2000, ship_date=None)
    form = _actions(outcome)["DEA_FORM_486"][0]
    assert form.due_date is None and "no ship date" in form.text


def test_ship_date_too_soon_is_flagged_unless_regular_customer(order, line):
    soon = mibk_order(order, line, 2000, ship_date=ORDER_DATE + timedelta(days=5))
    assert flag(soon, "FILING_WINDOW_SHORT").severity == "review"
    regular = mibk_order(
        order,
        line,
        2000,
        prior("PO-OLD", date(2026, 6, 1), "mibk", 2000),
        ship_date=ORDER_DATE + timedelta(days=5),
    )
    assert "REGULAR_CUSTOMER_WAIVER" in _actions(regular)
    assert _actions(regular)["REGULAR_CUSTOMER_WAIVER"][0].due_date == ORDER_DATE + timedelta(days=5)
    assert "FILING_WINDOW_SHORT" not in codes(regular)


def test_waiver_group_acetone_qualifies_for_toluene(order, line):
    outcome = evaluate(
        order(
            [line(0, "toluene", 5000, product="Toluene", lists=["DEA List II"])],
            history=history(prior("PO-OLD", date(2026, 5, 1), "acetone", 3000)),
        )
    )
    assert "REGULAR_CUSTOMER_WAIVER" in _actions(outcome)


def test_pre_export_notification_for_table_I_to_mexico_not_canada(order, line):
    mexico = evaluate(
        order([line(0, "acetic-anhydride", 5000, product="Acetic anhydride")], destination="MX")
    )
    canada = evaluate(
        order([line(0, "acetic-anhydride", 5000, product="Acetic anhydride")], destination="CA")
    )
    assert "INCB_PRE_EXPORT_NOTIFICATION" in _actions(mexico)
    assert "INCB_PRE_EXPORT_NOTIFICATION" not in _actions(canada)
    assert "DEA_FORM_486" in _actions(canada)


def test_schedule_II_immediate_precursor_needs_a_1312_permit_not_form_486(order, line):
    outcome = evaluate(
        order([line(0, "p2p", 1, product="Phenylacetone (P2P)", lists=["Schedule II immediate precursor"])])
    )
    actions = _actions(outcome)
    assert "DEA_EXPORT_PERMIT" in actions and "part 1312" in actions["DEA_EXPORT_PERMIT"][0].text
    assert "DEA_FORM_486" not in actions
    # Held even for an end user: the permit is DEA's prior authorization, which a reviewer must see.
    assert flag(outcome, "CONTROLLED_SUBSTANCE").severity == "hold"


def test_foreign_permit_names_end_user_and_transit_intermediaries(order, line):
    from rules.facts import Party

    outcome = evaluate(
        order(
            [line(0, "mibk", 2000, product="MIBK")],
            transit_countries=["GT"],
            consignee=Party("Distribuidora Quimica Azteca SA de CV", "MX", "distributor"),
            end_user=Party("Pinturas del Golfo SA de CV", "MX", "end_user"),
        )
    )
    text = _actions(outcome)["FOREIGN_IMPORT_PERMIT"][0].text
    assert "Pinturas del Golfo" in text and "Guatemala" in text


def test_held_listed_order_suggests_a_suspicious_order_report(order, line):
    from rules.facts import Party

    outcome = evaluate(
        order(
            [line(0, "npp", 5, product="NPP")],
            consignee=Party("Global Freight Forwarding SA", "MX", "freight_forwarder"),
        )
    )
    assert outcome.status == "hold"
    assert "SUSPICIOUS_ORDER_REPORT" in _actions(outcome)


def test_norfentanyl_reports_both_regimes_and_needs_the_1312_permit_instead_of_form_486(order, line):
    outcome = evaluate(
        order(
            [
                line(
                    0,
                    "norfentanyl",
                    0.5,
                    product="Norfentanyl",
                    lists=["DEA List I", "Schedule II immediate precursor", "INCB Table I"],
                )
            ]
        )
    )
    controlled = flag(outcome, "CONTROLLED_SUBSTANCE")
    assert {"list_I", "schedule_II_immediate_precursor", "INCB_table_I"} <= set(
        controlled.evidence["regimes"]
    )
    actions = _actions(outcome)
    assert "DEA_EXPORT_PERMIT" in actions and "DEA_FORM_486" not in actions
    assert "INCB_PRE_EXPORT_NOTIFICATION" in actions


def test_norfentanyl_as_chem_db_reports_it_exact_and_as_a_4ap_amide(order, line):
    from rules.facts import MatchFacts

    both = line(0, "norfentanyl", 0.5, product="Norfentanyl", lists=["Schedule II immediate precursor"])
    both.matches.append(
        MatchFacts(
            "4-ap",
            "4-AP",
            "class",
            1.0,
            ["DEA List I", "INCB Table I"],
            True,
            class_id="4-ap:amides, carbamates, halides",
        )
    )
    outcome = evaluate(order([both]))
    actions = _actions(outcome)
    assert "DEA_EXPORT_PERMIT" in actions and "DEA_FORM_486" not in actions
    assert {"norfentanyl", "4-ap"} <= set(flag(outcome, "CONTROLLED_SUBSTANCE").evidence["entries"])


def test_foreign_permit_of_an_end_user_abroad_is_issued_by_its_own_country(order, line):
    from rules.facts import Party

    outcome = evaluate(
        order(
            [line(0, "mibk", 2000, product="MIBK")],
            consignee=Party("Distribuidora Quimica Azteca SA de CV", "MX", "distributor"),
            end_user=Party("Aguas Tratadas de Guatemala SA", "GT", "end_user"),
        )
    )
    text = _actions(outcome)["FOREIGN_IMPORT_PERMIT"][0].text
    assert "COFEPRIS" in text and "Distribuidora Quimica Azteca" in text
    # the Guatemalan end user's permit is Guatemala's, not COFEPRIS's
    assert "of Guatemala to the end user Aguas Tratadas de Guatemala SA" in text
