"""Thresholds (21 CFR 1310.04): boundaries, zero thresholds, destinations, units, mixtures, dates, months."""

from __future__ import annotations

from datetime import date

import pytest

from rules import evaluate
from rules.facts import Flag, Outcome
from rules.units import LITRES_PER_GALLON


def codes(outcome: Outcome) -> set[str]:
    return {f.code for f in outcome.flags}


def flag(outcome: Outcome, code: str) -> Flag:
    return next(f for f in outcome.flags if f.code == code)


EPS = 1e-6


def _status_and_codes(order, line, entry_id, quantity, unit="kg", destination="MX", **kwargs):
    as_of = kwargs.pop("as_of", None)
    facts = order(
        [line(0, entry_id, quantity, unit, **kwargs)],
        destination=destination,
        order_date=as_of or date(2026, 11, 20),
    )
    outcome = evaluate(facts)
    return outcome.status, codes(outcome), outcome


# ---- the verified MIBK threshold: 1,523 kg / 500 gal, Western Hemisphere except Canada (60 FR 19509) ----
MIBK = [
    ("MX", 1522.0, "kg", "clear", "LISTED_BELOW_THRESHOLD"),
    ("MX", 1523.0, "kg", "review", "THRESHOLD_MET"),  # at the threshold: 'at_or_above' in ruleset.yaml
    ("MX", 1524.0, "kg", "review", "THRESHOLD_MET"),
    ("MX", 499.0, "gal", "clear", "LISTED_BELOW_THRESHOLD"),
    ("MX", 501.0, "gal", "review", "THRESHOLD_MET"),
    ("GT", 1524.0, "kg", "review", "THRESHOLD_MET"),
    ("CA", 1524.0, "kg", "clear", "NOT_REGULATED_FOR_DESTINATION"),
    ("CA", 5000.0, "gal", "clear", "NOT_REGULATED_FOR_DESTINATION"),
    ("DE", 5000.0, "kg", "clear", "NOT_REGULATED_FOR_DESTINATION"),  # outside the Western Hemisphere
]


@pytest.mark.parametrize(("destination", "quantity", "unit", "status", "code"), MIBK)
def test_mibk_western_hemisphere_threshold(order, line, destination, quantity, unit, status, code):
    got_status, got_codes, _ = _status_and_codes(
        order, line, "mibk", quantity, unit, destination, lists=["DEA List II"], product="MIBK"
    )
    assert got_status == status
    assert code in got_codes


def test_mibk_volume_is_compared_in_gallons_not_through_density(order, line):
    # 501 gal * 0.80 kg/L = ~1,517 kg, under 1,523 kg: the declared dimension (volume) decides.
    _, got, outcome = _status_and_codes(order, line, "mibk", 501, "gal", product="MIBK")
    evidence = flag(outcome, "THRESHOLD_MET").evidence
    assert evidence["this_order"]["unit"] == "gal"


# ---- zero thresholds (verified): any quantity is a regulated export ----
ZERO = [
    "4-piperidone",
    "1-boc-4-piperidone",
    "4-ap",
    "1-boc-4-ap",
    "benzylfentanyl",
    "mapa",
    "pmk-glycidate",
    "pmk-glycidic-acid",
    "apaa",
]


@pytest.mark.parametrize("entry_id", ZERO)
@pytest.mark.parametrize(("quantity", "unit"), [(1, "mg"), (0.001, "g"), (5, "kg")])
def test_zero_threshold_chemicals_are_regulated_at_any_quantity(order, line, entry_id, quantity, unit):
    status, got, outcome = _status_and_codes(order, line, entry_id, quantity, unit, product=entry_id)
    assert status in ("review", "hold")
    assert "THRESHOLD_MET" in got
    assert flag(outcome, "THRESHOLD_MET").evidence["scope"] == "any_quantity"
    assert any(a.code == "DEA_FORM_486" for a in outcome.required_actions)


# ---- every mass threshold in the data, just under and just over (reads the figure from the data) ----
def _mass_thresholds(ruleset, on):
    for t in ruleset.thresholds:
        if t.meta.in_force(on) and t.destinations == "any" and t.mass_kg and t.mass_kg > 0:
            # the lowest applicable row decides; skip entries that have a lower row for MX as well
            rows = [
                r for r in ruleset.thresholds_for(t.entry_id, on) if r.destinations == "any" and r.mass_kg
            ]
            if min(r.mass_kg for r in rows) == t.mass_kg:
                yield t


def test_every_general_mass_threshold_boundary(ruleset, order, line):
    on = date(2026, 11, 20)
    checked = 0
    for t in _mass_thresholds(ruleset, on):
        chem = ruleset.chemical(t.entry_id)
        below = evaluate(order([line(0, t.entry_id, t.mass_kg * (1 - 1e-4), "kg", product=chem.name)]))
        above = evaluate(order([line(0, t.entry_id, t.mass_kg * (1 + 1e-4), "kg", product=chem.name)]))
        assert "THRESHOLD_MET" not in codes(below), t.id
        assert "LISTED_BELOW_THRESHOLD" in codes(below), t.id
        assert "THRESHOLD_MET" in codes(above), t.id
        assert flag(above, "THRESHOLD_MET").evidence["threshold"]["id"] == t.id
        checked += 1
    assert checked >= 20


def test_designated_country_uses_the_reduced_list_II_threshold(ruleset, order, line):
    on = date(2026, 11, 20)
    general = next(t for t in ruleset.thresholds_for("acetone", on) if t.destinations == "any")
    reduced = next(
        t for t in ruleset.thresholds_for("acetone", on) if t.destinations == "designated_countries"
    )
    quantity = (general.mass_kg + reduced.mass_kg) / 2  # between the two figures, whatever they are
    to_colombia = evaluate(order([line(0, "acetone", quantity, product="Acetone")], destination="CO"))
    to_mexico = evaluate(order([line(0, "acetone", quantity, product="Acetone")], destination="MX"))
    assert flag(to_colombia, "THRESHOLD_MET").evidence["threshold"]["id"] == reduced.id
    assert "THRESHOLD_MET" not in codes(to_mexico)


def test_hydrochloric_acid_to_mexico_is_not_a_regulated_export(order, line):
    status, got, _ = _status_and_codes(
        order, line, "hydrochloric-acid", 20_000, "kg", product="Hydrochloric acid 32%", lists=["DEA List II"]
    )
    assert status == "clear" and "NOT_REGULATED_FOR_DESTINATION" in got


# ---- units and density ----
def test_pounds_tonnes_and_grams_convert(order, line):
    # methylamine threshold from the data; 1 t is far above anything, 1 g far below
    assert "THRESHOLD_MET" in _status_and_codes(order, line, "methylamine", 1, "t", product="Methylamine")[1]
    assert (
        "THRESHOLD_MET" not in _status_and_codes(order, line, "methylamine", 1, "g", product="Methylamine")[1]
    )


def test_unit_strings_are_case_insensitive(order, line):
    a = _status_and_codes(order, line, "mibk", 501, "GAL", product="MIBK")
    b = _status_and_codes(order, line, "mibk", 1524, "KG", product="MIBK")
    assert "THRESHOLD_MET" in a[1] and "THRESHOLD_MET" in b[1]


def test_volume_of_a_chemical_without_density_is_flagged_and_treated_as_regulated(order, line):
    status, got, _ = _status_and_codes(
        order, line, "potassium-permanganate", 1, "L", product="Potassium permanganate", lists=["DEA List II"]
    )
    assert status == "review"
    assert {"QUANTITY_UNCONVERTIBLE", "THRESHOLD_MET"} <= got


def test_solution_concentration_counts_toward_base_weight(ruleset, order, line):
    t = next(r for r in ruleset.thresholds_for("methylamine", date(2026, 11, 20)))
    # 40 % methylamine solution: a solution mass of 2.4 x threshold is 0.96 x threshold of methylamine
    below = _status_and_codes(
        order,
        line,
        "methylamine",
        t.mass_kg * 2.4,
        "kg",
        concentration_percent=40,
        product="Methylamine 40% solution",
    )
    above = _status_and_codes(
        order,
        line,
        "methylamine",
        t.mass_kg * 2.6,
        "kg",
        concentration_percent=40,
        product="Methylamine 40% solution",
    )
    assert "THRESHOLD_MET" not in below[1] and "THRESHOLD_MET" in above[1]


def test_parent_mass_fraction_makes_thresholds_base_weight(ruleset, order, line):
    t = next(r for r in ruleset.thresholds_for("methylamine", date(2026, 11, 20)))
    # methylamine hydrochloride: about 46 % methylamine by mass
    salt = _status_and_codes(
        order,
        line,
        "methylamine",
        t.mass_kg * 2.0,
        "kg",
        parent_mass_fraction=0.46,
        product="Methylamine hydrochloride",
    )
    assert "THRESHOLD_MET" not in salt[1]
    assert flag(salt[2], "LISTED_BELOW_THRESHOLD").evidence["month_total"]["amount"] == pytest.approx(
        t.mass_kg * 0.92
    )


def test_volume_uses_the_density_from_the_data(ruleset, order, line):
    _, _, outcome = _status_and_codes(order, line, "acetone", 100, "L", product="Acetone")
    evidence = flag(outcome, "LISTED_BELOW_THRESHOLD").evidence
    assert evidence["month_total"]["unit"] == "gal"
    assert evidence["month_total"]["amount"] == pytest.approx(100 / LITRES_PER_GALLON)
    # mixed with a mass line, the total is compared in kg with the density
    mixed = evaluate(
        order(
            [line(0, "acetone", 100, "L", product="Acetone"), line(1, "acetone", 10, "kg", product="Acetone")]
        )
    )
    total = flag(mixed, "LISTED_BELOW_THRESHOLD").evidence["month_total"]
    assert total["unit"] == "kg"
    assert total["amount"] == pytest.approx(100 * ruleset.densities["acetone"].kg_per_l + 10)


# ---- mixtures ----
def test_mixture_at_or_below_its_limit_is_exempt(ruleset, order, line):
    limit = ruleset.mixture_rule("acetone", date(2026, 11, 20)).exempt_at_or_below_percent
    status, got, _ = _status_and_codes(
        order,
        line,
        "acetone",
        100_000,
        "kg",
        concentration_percent=limit,
        product="Acetone-based cleaner blend",
    )
    assert status == "clear" and "MIXTURE_EXEMPT" in got and "THRESHOLD_MET" not in got
    over = _status_and_codes(
        order, line, "acetone", 100_000, "kg", concentration_percent=limit + 1, product="Acetone blend"
    )
    assert "THRESHOLD_MET" in over[1]


@pytest.mark.parametrize(
    "entry_id", ["4-piperidone", "4-ap", "benzylfentanyl", "mapa", "pmk-glycidate", "apaa"]
)
def test_any_concentration_families_are_never_exempt(order, line, entry_id):
    status, got, _ = _status_and_codes(
        order, line, entry_id, 1, "kg", concentration_percent=0.1, product=entry_id
    )
    assert "MIXTURE_EXEMPT" not in got and "THRESHOLD_MET" in got and status != "clear"


def test_unknown_concentration_means_regulated(order, line):
    got = _status_and_codes(
        order, line, "acetone", 2000, "kg", concentration_percent=None, product="Acetone"
    )[1]
    assert "THRESHOLD_MET" in got and "MIXTURE_EXEMPT" not in got


# ---- dates: rules in force on the order date (or as_of) ----
@pytest.mark.parametrize(("when", "regulated"), [(date(2023, 5, 11), False), (date(2023, 5, 12), True)])
def test_4_piperidone_listing_effective_12_may_2023(order, line, when, regulated):
    outcome = evaluate(
        order(
            [line(0, "4-piperidone", 1, "kg", product="4-Piperidone HCl monohydrate")],
            order_date=when,
            ship_date=None,
        )
    )
    assert ("THRESHOLD_MET" in codes(outcome)) is regulated
    assert ("NOT_LISTED_ON_DATE" in codes(outcome)) is not regulated


def test_as_of_rejudges_an_order_by_another_date(order, line):
    facts = order([line(0, "mapa", 1, "kg", product="MAPA")], order_date=date(2021, 12, 19), ship_date=None)
    assert "THRESHOLD_MET" not in codes(evaluate(facts))
    assert "THRESHOLD_MET" in codes(evaluate(facts, as_of=date(2021, 12, 20)))


def test_expired_rule_applies_only_in_its_period(order, line):
    # the verified 2001 pseudoephedrine threshold (1 kg per customer per month) ended with CMEA
    def judged(quantity, when):
        facts = order(
            [line(0, "pseudoephedrine", quantity, "kg", product="Pseudoephedrine HCl")],
            destination="GT",
            order_date=when,
            ship_date=None,
        )
        return evaluate(facts)

    assert "THRESHOLD_MET" not in codes(judged(0.99, date(2001, 6, 1)))
    assert "THRESHOLD_MET" in codes(judged(1.01, date(2001, 6, 1)))
    assert (
        flag(judged(1.01, date(2001, 6, 1)), "THRESHOLD_MET").evidence["threshold"]["id"]
        == "pseudoephedrine-2001"
    )


@pytest.mark.parametrize(("when", "listed"), [(date(2023, 11, 29), False), (date(2023, 11, 30), True)])
def test_4ap_halides_are_listed_from_30_november_2023(order, line, when, listed):
    halide = line(
        0,
        "4-ap",
        1,
        "kg",
        match_type="class",
        product="4-Fluoro-4-AP",
        resolved_smiles="Fc1ccc(NC2CCNCC2)cc1",
        class_id="4-ap:amides, carbamates, halides",
    )
    outcome = evaluate(order([halide], order_date=when, ship_date=None))
    assert ("THRESHOLD_MET" in codes(outcome)) is listed
    assert ("DESIGNER_PRECURSOR" in codes(outcome)) is not listed
    assert outcome.status != "clear"


def test_4ap_amide_hydrochloride_is_not_taken_for_a_halide(order, line):
    amide_salt = line(
        0,
        "4-ap",
        1,
        "kg",
        match_type="class",
        product="N-acetyl-4-AP HCl",
        resolved_smiles="CC(=O)N(c1ccccc1)C1CCNCC1.Cl",
    )
    assert "THRESHOLD_MET" in codes(
        evaluate(order([amide_salt], order_date=date(2023, 6, 1), ship_date=None))
    )


# ---- the threshold of every country the goods are destined for (consignee's, end user's), the lowest ----
DESTINED = [
    # destination, consignee country, end user country, entry, kg, status, code, threshold country
    ("PA", "PA", "CO", "acetone", 500.0, "review", "THRESHOLD_MET", "CO"),  # designated 150 kg via Panama
    ("PA", "EC", None, "toluene", 300.0, "review", "THRESHOLD_MET", "EC"),  # the consignee's country
    ("CA", "CA", "MX", "mibk", 2000.0, "review", "THRESHOLD_MET", "MX"),  # not a Canadian export
    ("CA", "CA", "CA", "mibk", 2000.0, "clear", "NOT_REGULATED_FOR_DESTINATION", None),
    ("MX", "MX", "CA", "mibk", 2000.0, "review", "THRESHOLD_MET", "MX"),
    ("MX", "MX", "US", "acetone", 500.0, None, "LISTED_BELOW_THRESHOLD", "MX"),  # a US party is no export
]


@pytest.mark.parametrize(
    ("destination", "consignee", "end_user", "entry_id", "kg", "status", "code", "country"), DESTINED
)
def test_threshold_of_the_country_the_goods_are_destined_for(
    order, line, destination, consignee, end_user, entry_id, kg, status, code, country
):
    from rules.facts import Party

    facts = order(
        [line(0, entry_id, kg, "kg", lists=["DEA List II"], product=entry_id)],
        destination=destination,
        consignee=Party(
            "Importadora Andina SA", consignee, "end_user" if end_user is None else "distributor", "x"
        ),
    )
    if end_user is not None:
        facts.end_user = Party("Usuario Final SA", end_user, "end_user", "y")
    outcome = evaluate(facts)
    if status is not None:
        assert outcome.status == status or (status == "review" and outcome.status == "hold")
    hit = flag(outcome, code)
    if code == "THRESHOLD_MET":
        assert hit.evidence["threshold_country"] == country


def test_aqueous_solution_between_tabulated_strengths_is_interpolated(ruleset):
    """30 % methylamine lies between water and the tabulated 40 % solution, not at liquefied methylamine's
    0.66 kg/L; 35 % hydrochloric acid between the 32 % and 37 % rows."""
    from rules.units import WATER_KG_PER_L, density_for

    methylamine = density_for("methylamine", ruleset, 30)
    assert methylamine is not None and methylamine.solution and not methylamine.verified
    assert methylamine.kg_per_l == pytest.approx(WATER_KG_PER_L + (0.90 - WATER_KG_PER_L) * 30 / 40)
    hcl = density_for("hydrochloric-acid", ruleset, 35)
    assert hcl is not None and 1.16 < hcl.kg_per_l < 1.18
    assert density_for("methylamine", ruleset, 40).kg_per_l == 0.90  # a tabulated strength as it is
    assert (
        density_for("acetone", ruleset, 30).kg_per_l == ruleset.densities["acetone"].kg_per_l
    )  # no solutions


def test_a_total_below_another_countrys_threshold_says_which_country(order, line):
    """100 kg acetone to a Colon free-zone distributor for a Colombian end user is measured against
    Colombia's 150 kg (designated country), not the 1,500 kg the destination alone would have: the
    message says so, as THRESHOLD_MET's does."""
    from rules.facts import Party

    facts = order(
        [line(0, "acetone", 100.0, "kg", lists=["DEA List II"], product="Acetone")],
        destination="PA",
        consignee=Party("Global Chem Trading Corp", "PA", "distributor", "Zona Libre de Colon"),
    )
    facts.end_user = Party("Pinturas Andinas SAS", "CO", "end_user", "Medellin")
    hit = flag(evaluate(facts), "LISTED_BELOW_THRESHOLD")
    assert hit.evidence["threshold_country"] == "CO"
    assert "destined for Colombia (the end user's country)" in hit.message


def test_messages_show_sub_gram_amounts_as_they_are(order, line):
    """Propionic anhydride's threshold is 1 g: a 0.5 g laboratory sample read '0.001 kg this month is
    below the export threshold of 0.001 kg' (three decimals rounded it up to the threshold), and 1.4 g
    read as exactly the threshold. Amounts that three decimals would misstate keep their digits."""
    below = flag(_status_and_codes(order, line, "propionic-anhydride", 0.5, "g")[2], "LISTED_BELOW_THRESHOLD")
    assert "0.0005 kg this month is below the export threshold of 0.001 kg" in below.message
    met = flag(_status_and_codes(order, line, "propionic-anhydride", 1.4, "g")[2], "THRESHOLD_MET")
    assert "0.0014 kg on this order is at or above the export threshold of 0.001 kg" in met.message
    # ordinary amounts keep three decimals and thousands separators
    mibk = flag(_status_and_codes(order, line, "mibk", 2000, "kg", product="MIBK")[2], "THRESHOLD_MET")
    assert "2,000.000 kg on this order is at or above the export threshold of 1,523.000 kg" in mibk.message
