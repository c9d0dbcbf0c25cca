"""rules' small public helpers (units, countries), its doctests, and evaluate's robustness."""

from __future__ import annotations

import doctest
import importlib
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import evaluate
from rules.countries import all_countries, country_name, is_valid_country
from rules.facts import FindingFacts, History, LineFacts, MatchFacts, OrderFacts, Party
from rules.units import UNITS, UnitError, canonical_unit, density_for, to_kg, to_litres

MODULES = [
    "rules.engine",
    "rules.errors",
    "rules.flags",
    "rules.ruleset",
    "rules.units",
    "rules.countries",
    "rules.parties",
    "rules.text",
    "rules.context",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0


def test_units_cover_the_api_contract():
    assert {"mg", "g", "kg", "t", "lb", "mL", "L", "gal"} <= set(UNITS)


@pytest.mark.parametrize(
    ("quantity", "unit", "kg"),
    [
        (1500, "mg", 0.0015),
        (2500, "g", 2.5),
        (3, "KG", 3.0),
        (1.5, "t", 1500.0),
        (100, "lb", 45.359237),
    ],
)
def test_mass_units(ruleset, quantity, unit, kg):
    assert to_kg(quantity, unit, None, ruleset) == pytest.approx(kg)


@pytest.mark.parametrize(
    ("quantity", "unit", "litres"), [(250, "mL", 0.25), (2, "l", 2.0), (1, "gal", 3.785411784)]
)
def test_volume_units(quantity, unit, litres):
    assert to_litres(quantity, unit) == pytest.approx(litres)


def test_unknown_unit_is_refused_by_name():
    with pytest.raises(UnitError, match="unknown unit 'barrel'"):
        canonical_unit("barrel")


def test_volume_to_mass_uses_pure_or_solution_density(ruleset):
    pure = density_for("methylamine", ruleset)
    solution = density_for("methylamine", ruleset, 40)
    assert pure is not None and solution is not None and solution.solution and not pure.solution
    assert to_kg(1, "L", "methylamine", ruleset, 40) == pytest.approx(solution.kg_per_l)
    assert to_kg(1, "gal", "toluene", ruleset) == pytest.approx(
        3.785411784 * ruleset.densities["toluene"].kg_per_l
    )
    with pytest.raises(UnitError, match="no density"):
        to_kg(1, "L", "potassium-permanganate", ruleset)


def test_densities_are_plausible_and_cited(ruleset):
    assert 0.78 < ruleset.densities["acetone"].kg_per_l < 0.80  # 0.784-0.791 g/mL at 20-25 C
    assert 0.86 < ruleset.densities["toluene"].kg_per_l < 0.875
    assert 1.82 < ruleset.densities["sulfuric-acid"].kg_per_l < 1.85
    assert all(d.citation for d in ruleset.densities.values())


def test_countries():
    assert is_valid_country("GT") and not is_valid_country("ZZ") and not is_valid_country(None)
    assert country_name("MX") == "Mexico"
    codes = dict(all_countries())
    assert codes["PA"] == "Panama" and len(codes) >= 249


# ---- robustness: evaluate never raises, and never clears an unscreened line ----
ENTRIES = [
    "acetone",
    "mibk",
    "npp",
    "4-piperidone",
    "methylamine",
    "pseudoephedrine",
    "p2p",
    "bmk-methyl-glycidate",
    "potassium-permanganate",
    "unknown-entry",
    None,
]


@st.composite
def orders(draw):
    lines = []
    for i in range(draw(st.integers(1, 4))):
        entry = draw(st.sampled_from(ENTRIES))
        listed = draw(st.booleans())
        matches = (
            [
                MatchFacts(
                    entry,
                    entry,
                    draw(st.sampled_from(["exact", "class", "similarity"])),
                    0.9,
                    draw(st.sampled_from([[], ["DEA List I"], ["INCB Table I"]])),
                    listed,
                )
            ]
            if entry
            else []
        )
        classification = draw(st.sampled_from(["listed", "analog", "none", "unresolved"]))
        lines.append(
            LineFacts(
                index=i,
                quantity=draw(st.floats(0, 1e7, allow_nan=False)),
                unit=draw(st.sampled_from([*UNITS, "GAL", "bbl"])),
                classification=classification,
                screened=draw(st.booleans()),
                matches=matches,
                concentration_percent=draw(st.none() | st.floats(0, 100)),
                product=draw(st.none() | st.text(max_size=30)),
                parent_mass_fraction=draw(st.none() | st.floats(0, 1)),
                findings=[FindingFacts("IDENTIFIER_CONFLICT", "x")] if draw(st.booleans()) else [],
            )
        )
    country = draw(st.sampled_from(["MX", "GT", "CA", "CO", "PA", "CU", "XX", "mx"]))
    return OrderFacts(
        reference="PO-H",
        order_date=draw(st.dates(date(1990, 1, 1), date(2030, 12, 31))),
        destination_country=country,
        consignee=Party(
            draw(st.text(max_size=40)),
            draw(st.sampled_from(["MX", "PA", "US"])),
            draw(st.sampled_from(["end_user", "distributor", "freight_forwarder", "broker", "other"])),
            draw(st.none() | st.text(max_size=40)),
        ),
        lines=lines,
        transit_countries=draw(st.lists(st.sampled_from(["PA", "GT", "US", "IR"]), max_size=2)),
        ship_date=draw(st.none() | st.dates(date(1990, 1, 1), date(2031, 12, 31))),
        declared_end_use=draw(st.none() | st.text(max_size=40)),
        history=History(),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders())
def test_evaluate_never_raises_and_never_clears_an_unscreened_line(facts):
    outcome = evaluate(facts)
    assert outcome.status in ("clear", "review", "hold")
    if any(line.classification == "unresolved" or not line.screened for line in facts.lines):
        assert outcome.status != "clear"
    conflicted = [line for line in facts.lines if any(f.code == "IDENTIFIER_CONFLICT" for f in line.findings)]
    if conflicted:
        assert outcome.status != "clear"
    if any(line.matches for line in conflicted):  # a conflict touching a watchlist match is held
        assert outcome.status == "hold"
    from rules.schemas import TEMPLATE_KEYS

    for action in outcome.required_actions:  # every placeholder filled (party names may contain braces)
        assert action.text and not any("{" + key + "}" in action.text for key in TEMPLATE_KEYS)


@pytest.mark.parametrize(
    "spelling, unit",
    [("lbs", "lb"), ("Pounds", "lb"), ("kgs.", "kg"), ("Kilogramos", "kg"), ("MT", "t"), ("toneladas", "t"),
     ("litres", "L"), ("Litros", "L"), ("ltr", "L"), ("gallons", "gal"), ("galones", "gal"), ("cc", "mL")],
)
def test_usual_spellings_of_the_units_are_read(spelling, unit):
    from rules.units import canonical_unit

    assert canonical_unit(spelling) == unit


@pytest.mark.parametrize("ambiguous", ["ton", "tons", "gr", "oz", "qt", "imperial gallon", "barrel"])
def test_ambiguous_units_are_refused_not_guessed(ambiguous):
    from rules.units import UnitError, canonical_unit

    with pytest.raises(UnitError):
        canonical_unit(ambiguous)
