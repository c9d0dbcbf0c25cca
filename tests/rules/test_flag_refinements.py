"""Refinements found by running whole orders end to end (tests/acceptance): each was a wrong outcome."""

from __future__ import annotations

from datetime import date

import pytest

from rules import evaluate
from rules.facts import History, Outcome, Party

FLAVOUR_HOUSE = Party("Sabores y Fragancias de Mexico SA de CV", "MX", "end_user", "Toluca, Mex.")
NEW = History(prior_lines=[], prior_order_count=0)


def codes(outcome: Outcome) -> set[str]:
    return {f.code for f in outcome.flags}


def severity(outcome: Outcome, code: str) -> str | None:
    return next((f.severity for f in outcome.flags if f.code == code), None)


@pytest.mark.parametrize(
    ("end_use", "vague"),
    [
        ("Paint manufacturing", False),  # "paint" is left once "manufacturing" is taken out
        ("Manufacture of industrial paints and coatings", False),
        ("Resale to pharmaceutical companies", False),
        ("Manufacturing", True),
        ("Para reventa y uso general", True),
        ("general use", True),
        ("varios", True),
        ("For resale to our customers", True),
    ],
)
def test_an_end_use_is_vague_only_when_nothing_specific_is_left(order, line, end_use, vague):
    outcome = evaluate(order([line(0, "methylamine", 50, product="Methylamine")], end_use=end_use))
    assert ("END_USE_VAGUE" in codes(outcome)) is vague


def test_a_specific_end_use_that_does_not_fit_is_a_mismatch_not_vague(order, line):
    outcome = evaluate(
        order([line(0, "methylamine", 50, product="Methylamine")], end_use="Paint manufacturing")
    )
    assert severity(outcome, "END_USE_MISMATCH") == "review"
    assert "END_USE_VAGUE" not in codes(outcome)


def test_acetone_for_paint_manufacturing_raises_no_end_use_flag(order, line):
    outcome = evaluate(
        order(
            [line(0, "acetone", 200, product="Acetone", lists=["DEA List II"])], end_use="paint manufacturing"
        )
    )
    assert not codes(outcome) & {"END_USE_VAGUE", "END_USE_MISMATCH"}
    assert outcome.status == "clear"


@pytest.mark.parametrize(
    "product",
    [
        "Industrial cleaning solvent",
        "Wheel cleaner concentrate",
        "Limpiador industrial",
        "Nail polish remover",
    ],
)
def test_gbl_sold_as_a_cleaner_is_mislabelled(order, line, product):
    """GBL's real use as a solvent does not make "cleaner" an honest description of it."""
    outcome = evaluate(order([line(0, "gbl", 200, product=product)], end_use="Industrial cleaning"))
    assert severity(outcome, "PRODUCT_NAME_MISMATCH") == "hold"
    assert outcome.status == "hold"


@pytest.mark.parametrize("product", ["GBL cleaning solvent", "gamma-Butyrolactone (electronics cleaning)"])
def test_gbl_named_on_the_label_is_not_mislabelled(order, line, product):
    outcome = evaluate(order([line(0, "gbl", 200, product=product)], end_use="Electronics cleaning"))
    assert "PRODUCT_NAME_MISMATCH" not in codes(outcome)


def test_a_flavour_word_is_still_no_disguise_for_methyl_anthranilate(order, line):
    outcome = evaluate(
        order(
            [
                line(
                    0,
                    "anthranilic-acid",
                    20,
                    product="Grape flavour base",
                    resolved_name="methyl anthranilate",
                )
            ],
            end_use="Grape flavour",
        )
    )
    assert severity(outcome, "PRODUCT_NAME_MISMATCH") != "hold"


def test_new_flavour_house_buying_methyl_anthranilate_below_threshold_is_clear(order, line):
    """A List I flavour below its threshold to a new end user with a fitting use: nothing for a person."""
    outcome = evaluate(
        order(
            [
                line(
                    0,
                    "anthranilic-acid",
                    20,
                    product="Methyl anthranilate",
                    resolved_name="methyl anthranilate",
                )
            ],
            consignee=FLAVOUR_HOUSE,
            end_use="Grape flavour for beverages",
            history=NEW,
        )
    )
    assert severity(outcome, "NEW_CONSIGNEE") == "info"
    assert outcome.status == "clear"


@pytest.mark.parametrize(
    ("entry_id", "quantity", "expected"),
    [
        ("anthranilic-acid", 200, "review"),  # over its threshold: a regulated List I export
        ("npp", 0.1, "review"),  # no threshold: every export regulated
        ("4-piperidone", 0.1, "review"),
    ],
)
def test_new_consignee_is_review_when_a_high_risk_chemical_is_regulated(
    order, line, entry_id, quantity, expected
):
    outcome = evaluate(
        order([line(0, entry_id, quantity, product=entry_id)], consignee=FLAVOUR_HOUSE, history=NEW)
    )
    assert severity(outcome, "NEW_CONSIGNEE") == expected


def test_new_consignee_is_review_for_a_designer_analogue(order, line):
    analogue = line(0, "npp", 5, product="4-F-NPP", match_type="class", listed=False, leads_to="npp")
    outcome = evaluate(order([analogue], history=NEW))
    assert severity(outcome, "NEW_CONSIGNEE") == "review"


DISTRIBUTOR = Party("Comercializadora Quimica Azteca SA de CV", "MX", "distributor", "Culiacan, Sin.")
FORWARDER = Party("Logistica Express Aduanal SA de CV", "MX", "freight_forwarder", "Nuevo Laredo, Tamps.")


@pytest.mark.parametrize("entry_id", ["apaan", "apaa", "mapa", "pmk-glycidate", "pmk-glycidic-acid", "pmk"])
@pytest.mark.parametrize("consignee", [DISTRIBUTOR, FORWARDER], ids=["distributor", "forwarder"])
def test_precursors_without_a_legitimate_market_to_an_intermediary_are_held(order, line, entry_id, consignee):
    outcome = evaluate(
        order([line(0, entry_id, 5, product=entry_id)], consignee=consignee, end_use="reventa")
    )
    assert severity(outcome, "RESTRICTED_PRECURSOR_NOT_END_USER") == "hold"
    assert outcome.status == "hold"


def test_a_restricted_precursor_to_its_end_user_is_not_this_flag(order, line):
    outcome = evaluate(order([line(0, "pmk-glycidate", 5, product="PMK glycidate")], end_use="Research"))
    assert "RESTRICTED_PRECURSOR_NOT_END_USER" not in codes(outcome)
    assert outcome.status in ("review", "hold")


@pytest.mark.parametrize("entry_id", ["piperonal", "benzaldehyde", "anthranilic-acid"])
def test_precursors_with_a_real_market_may_go_through_distributors(order, line, entry_id):
    outcome = evaluate(order([line(0, entry_id, 0.5, product=entry_id)], consignee=DISTRIBUTOR))
    assert "RESTRICTED_PRECURSOR_NOT_END_USER" not in codes(outcome)


@pytest.mark.parametrize(
    "end_use", ["Antiseptic manufacture", "Povidone-iodine production", "Fabricacion de antisepticos"]
)
def test_antiseptics_are_a_real_use_of_iodine(order, line, end_use):
    outcome = evaluate(order([line(0, "iodine", 100, product="Iodine")], end_use=end_use))
    assert not codes(outcome) & {"END_USE_MISMATCH", "END_USE_VAGUE"}


def test_the_end_user_only_list_is_reported_as_unverified_data(ruleset):
    rows = [row for row in ruleset.unverified_rules() if "end_user_only" in str(row)]
    assert rows


def _acetone_history(*months: int) -> History:
    from datetime import date

    from rules.facts import PriorLine

    lines = [
        PriorLine(f"o{m}", f"PO-{m}", date(2026, m, 3), ["acetone"], 1000, "kg", status="clear")
        for m in months
    ]
    return History(prior_lines=lines, prior_order_count=len(lines))


def _second_acetone_order_of_the_month(order, line, history, **kwargs):
    return evaluate(
        order([line(0, "acetone", 1000, product="Acetone", lists=["DEA List II"])], history=history, **kwargs)
    )


def test_split_by_a_regular_end_user_of_a_list_II_solvent_is_review(order, line):
    """Sep, Oct and 3 Nov: 1,000 kg each; a second 1,000 kg on 20 Nov crosses 1,500 kg for November."""
    outcome = _second_acetone_order_of_the_month(order, line, _acetone_history(9, 10, 11))
    split = next(f for f in outcome.flags if f.code == "SPLIT_BELOW_THRESHOLD")
    assert split.severity == "review" and split.evidence["earlier_purchase_months"] == ["2026-09", "2026-10"]
    assert outcome.status == "review"


def test_split_without_an_established_pattern_is_hold(order, line):
    outcome = _second_acetone_order_of_the_month(order, line, _acetone_history(11))
    assert severity(outcome, "SPLIT_BELOW_THRESHOLD") == "hold"


def test_split_through_a_distributor_is_hold_even_with_history(order, line):
    outcome = _second_acetone_order_of_the_month(
        order, line, _acetone_history(9, 10, 11), consignee=DISTRIBUTOR
    )
    assert severity(outcome, "SPLIT_BELOW_THRESHOLD") == "hold"


def test_split_of_a_list_I_chemical_is_hold_even_with_history(order, line):
    from datetime import date

    from rules.facts import PriorLine

    history = History(
        prior_lines=[
            PriorLine(f"o{m}", f"PO-{m}", date(2026, m, 3), ["benzaldehyde"], 3, "kg") for m in (9, 10, 11)
        ],
        prior_order_count=3,
    )
    outcome = evaluate(order([line(0, "benzaldehyde", 3, product="Benzaldehyde")], history=history))
    assert severity(outcome, "SPLIT_BELOW_THRESHOLD") == "hold"


def _conflict(line, quantity, sides):
    """A line whose two identifiers chem_db resolved to two different chemicals (entry, label, SMILES)."""
    from rules.facts import FindingFacts, MatchFacts

    matches = [MatchFacts(entry, entry, "exact", 1.0, [label]) for entry, label, _ in sides]
    detail = {"identifiers": ["cas", "name"], "resolved": [smiles for *_, smiles in sides], "entries": []}
    detail["entries"] = [entry if label != "-" else None for entry, label, _ in sides]
    conflict = FindingFacts("IDENTIFIER_CONFLICT", "the identifiers disagree", "cas", detail)
    return line(0, None, quantity, product="Acetone", matches=matches, findings=[conflict])


ACETONE_SIDE = ("acetone", "DEA List II", "CC(C)=O")
TOLUENE_SIDE = ("toluene", "DEA List II", "Cc1ccccc1")
P2P_SIDE = ("p2p", "Schedule II immediate precursor", "CC(=O)Cc1ccccc1")


def _acetone_toluene_conflict(line, quantity):
    return _conflict(line, quantity, [TOLUENE_SIDE, ACETONE_SIDE])


def test_a_clerical_conflict_between_two_list_II_solvents_below_threshold_is_review(order, line):
    outcome = evaluate(order([_acetone_toluene_conflict(line, 200)]))
    assert severity(outcome, "IDENTIFIER_CONFLICT") == "review"
    assert outcome.status == "review"


def test_a_conflict_on_a_regulated_quantity_is_hold(order, line):
    outcome = evaluate(order([_acetone_toluene_conflict(line, 20000)]))
    assert severity(outcome, "IDENTIFIER_CONFLICT") == "hold"


def test_a_conflict_with_a_list_I_side_is_hold(order, line):
    outcome = evaluate(order([_conflict(line, 5, [P2P_SIDE, ACETONE_SIDE])]))
    assert severity(outcome, "IDENTIFIER_CONFLICT") == "hold"


def test_npp_with_aniline_is_already_a_route_to_anpp(order, line):
    outcome = evaluate(
        order(
            [
                line(0, "npp", 5, product="NPP"),
                line(1, None, 10, product="Anilina", identifiers={"name": "anilina"}),
            ],
            end_use="Pharmaceutical synthesis",
        )
    )
    assert severity(outcome, "SYNTHESIS_ROUTE") == "hold"


def test_spanish_reagent_names_complete_the_siegfried_route(order, line):
    """The propionyl chloride line is given only by its Spanish name (chem_db may not resolve it)."""
    outcome = evaluate(
        order(
            [
                line(0, "npp", 5, product="NPP"),
                line(1, None, 10, product="Anilina"),
                line(
                    2,
                    None,
                    10,
                    product="Cloruro de propionilo",
                    classification="unresolved",
                    screened=False,
                    identifiers={"name": "cloruro de propionilo"},
                ),
            ]
        )
    )
    messages = [f.message for f in outcome.flags if f.code == "SYNTHESIS_ROUTE"]
    assert any("Siegfried method (NPP to ANPP to fentanyl)" in m for m in messages)


def test_4_piperidone_with_phenethyl_bromide_is_a_route_to_npp(order, line):
    outcome = evaluate(
        order(
            [
                line(0, "4-piperidone", 5, product="4-Piperidone HCl"),
                line(1, None, 10, product="Bromuro de fenetilo"),
            ]
        )
    )
    messages = [f.message for f in outcome.flags if f.code == "SYNTHESIS_ROUTE"]
    assert any("N-phenethylation" in m for m in messages)


def test_aniline_alone_or_with_an_unrelated_ketone_is_no_route(order, line):
    outcome = evaluate(
        order(
            [
                line(0, "acetone", 500, product="Acetone", lists=["DEA List II"]),
                line(1, None, 100, product="Aniline"),
                line(2, None, 100, product="N-Methylaniline"),
            ],
            end_use="Dye manufacturing",
        )
    )
    assert "SYNTHESIS_ROUTE" not in codes(outcome)


GUATEMALA_PHARMA = Party("Laboratorios Centroamericanos SA", "GT", "end_user", "Zona 11, Guatemala")


def test_a_ban_follows_the_end_user_into_the_banning_country(order, line):
    from rules.facts import Party as P

    outcome = evaluate(
        order(
            [line(0, "pseudoephedrine", 10, product="Pseudoephedrine HCl")],
            destination="GT",
            consignee=Party("Distribuidora Farmaceutica Maya SA", "GT", "distributor", "Guatemala"),
            end_user=P("Farmacias del Sureste SA de CV", "MX", "end_user", "Tapachula, Chis."),
        )
    )
    ban = next(f for f in outcome.flags if f.code == "DESTINATION_BAN")
    assert ban.severity == "hold" and ban.evidence["party"] == "end user"


def test_pseudoephedrine_to_guatemala_for_a_guatemalan_end_user_is_not_banned_by_mexico(order, line):
    outcome = evaluate(
        order(
            [line(0, "pseudoephedrine", 10, product="Pseudoephedrine HCl")],
            destination="GT",
            consignee=GUATEMALA_PHARMA,
            end_use="Decongestant tablet manufacture",
        )
    )
    assert "DESTINATION_BAN" not in codes(outcome)


@pytest.mark.parametrize(
    ("end_use", "expected"), [("varios", "review"), ("Reventa", "review"), (None, "info")]
)
def test_an_explicitly_vague_end_use_for_a_list_II_solvent_is_review(order, line, end_use, expected):
    outcome = evaluate(
        order([line(0, "acetone", 200, product="Acetone", lists=["DEA List II"])], end_use=end_use)
    )
    assert severity(outcome, "END_USE_VAGUE") == expected
    assert outcome.status == ("clear" if expected == "info" else "review")


COSTA_RICA_PAINT = Party("Pinturas Centroamericanas SA", "CR", "end_user", "Heredia, Costa Rica")


@pytest.mark.parametrize(
    ("entry_id", "quantity", "consignee", "expected"),
    [
        ("toluene", 20000, COSTA_RICA_PAINT, "review"),  # regulated List II, own end user
        ("toluene", 20000, Party("Distribuidora Tica SA", "CR", "distributor", "San Jose"), "hold"),
        ("anthranilic-acid", 20, COSTA_RICA_PAINT, "review"),  # List I below threshold
        ("npp", 5, COSTA_RICA_PAINT, "hold"),  # no threshold: always at stake
    ],
)
def test_transshipment_through_a_hub(order, line, entry_id, quantity, consignee, expected):
    lists = ["DEA List II"] if entry_id == "toluene" else ["DEA List I"]
    outcome = evaluate(
        order(
            [line(0, entry_id, quantity, product=entry_id, lists=lists)],
            destination="CR",
            consignee=consignee,
            transit_countries=["PA"],
        )
    )
    assert severity(outcome, "TRANSSHIPMENT") == expected


@pytest.mark.parametrize(
    ("country", "on", "code", "level"),
    [
        ("RU", date(2026, 11, 20), "LICENCE_REQUIRED_DESTINATION", "review"),
        ("BY", date(2026, 11, 20), "LICENCE_REQUIRED_DESTINATION", "review"),
        ("SY", date(2026, 11, 20), "LICENCE_REQUIRED_DESTINATION", "review"),  # after the program ended
        ("SY", date(2024, 11, 20), "EMBARGOED_DESTINATION", "hold"),  # while it was in force
        ("MX", date(2026, 11, 20), None, None),
    ],
)
def test_broadly_restricted_destinations_are_reviewed_even_for_unlisted_chemicals(
    order, line, country, on, code, level
):
    consignee = Party("Customer", country, "end_user", "City")
    outcome = evaluate(
        order(
            [line(0, None, 100, product="Citric acid")],
            destination=country,
            consignee=consignee,
            order_date=on,
        )
    )
    wanted = ("LICENCE_REQUIRED_DESTINATION", "EMBARGOED_DESTINATION")
    found = {f.code: f.severity for f in outcome.flags if f.code in wanted}
    assert found == ({code: level} if code else {})


@pytest.mark.parametrize(
    ("entry_id", "product", "expected"),
    [
        ("npp", "Sodium chloride", "hold"),  # no innocent trade name for a fentanyl precursor
        ("pmk-glycidate", "Product 7", "hold"),  # end-user-only precursor
        ("piperidine", "Rubber chemical", "review"),  # List I with real trade names: omission is review
    ],
)
def test_a_description_that_does_not_name_a_chemical_without_innocent_trade_names(
    order, line, entry_id, product, expected
):
    outcome = evaluate(order([line(0, entry_id, 5, product=product)], end_use="Pharmaceutical synthesis"))
    assert severity(outcome, "PRODUCT_NAME_MISMATCH") == expected


@pytest.mark.parametrize(
    "end_use", ["Ergonovine maleate injection manufacture", "Uterotonic for postpartum haemorrhage"]
)
def test_injectables_are_a_real_use_of_ergonovine(order, line, end_use):
    outcome = evaluate(order([line(0, "ergonovine", 0.1, product="Ergonovine maleate")], end_use=end_use))
    assert not codes(outcome) & {"END_USE_MISMATCH", "END_USE_VAGUE"}
