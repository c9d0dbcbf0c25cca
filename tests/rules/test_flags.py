"""Each red flag: raised when it should be, silent when it should not, with its severity."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from rules import evaluate, outcome_for
from rules.facts import FindingFacts, Flag, History, LineFacts, MatchFacts, Outcome, Party, PriorLine
from rules.flags import CHECKS


def codes(outcome: Outcome) -> set[str]:
    return {f.code for f in outcome.flags}


def flag(outcome: Outcome, code: str) -> Flag:
    return next(f for f in outcome.flags if f.code == code)


DISTRIBUTOR = Party("Distribuidora Quimica Azteca SA de CV", "MX", "distributor", "Calz. Vallejo 1200, CDMX")
FORWARDER = Party("Transportes y Logistica Rapida SA de CV", "MX", "freight_forwarder", "Manzanillo, Col.")
NEW = History(prior_lines=[], prior_order_count=0)


def test_flag_codes_are_unique_upper_snake_and_documented():
    seen = set()
    for check in CHECKS:
        assert check.code.isupper() and " " not in check.code and check.code not in seen
        assert check.doc and len(check.doc) > 40, check.code
        seen.add(check.code)


def test_unresolved_line_is_never_clear(order, line):
    bad = LineFacts(
        index=0,
        quantity=5,
        unit="kg",
        classification="unresolved",
        screened=False,
        findings=[FindingFacts("CAS_INVALID", "check digit wrong", "cas")],
        identifiers={"cas": "67-64-2"},
    )
    outcome = evaluate(order([bad]))
    assert outcome.status == "review" and flag(outcome, "UNRESOLVED_LINE").line == 0


def test_unscreened_but_resolved_line_is_never_clear(order, line):
    limited = LineFacts(
        index=0,
        quantity=5,
        unit="kg",
        classification="none",
        screened=False,
        findings=[FindingFacts("LIMIT_EXCEEDED", "too many atoms")],
    )
    assert evaluate(order([limited])).status == "review"


def test_identifier_conflict_is_hold(order, line):
    conflict = line(
        0,
        "acetone",
        10,
        product="Acetone",
        lists=["DEA List II"],
        findings=[FindingFacts("IDENTIFIER_CONFLICT", "CAS 67-64-1 is acetone; the SMILES is NPP", "cas")],
    )
    assert flag(evaluate(order([conflict])), "IDENTIFIER_CONFLICT").severity == "hold"


def test_designer_precursor_class_match_is_hold(order, line):
    analog = line(
        0,
        "4-ap",
        1,
        match_type="class",
        listed=False,
        classification="analog",
        leads_to="4-ap",
        step="removal of a benzyl group",
        product="1-benzyl-4-anilinopiperidine",
    )
    outcome = evaluate(order([analog]))
    assert outcome.status == "hold" and "DESIGNER_PRECURSOR" in codes(outcome)


def test_similarity_only_analog_is_review(order, line):
    similar = line(
        0, "npp", 1, match_type="similarity", listed=False, classification="analog", product="Compound 7"
    )
    outcome = evaluate(order([similar]))
    assert outcome.status == "review" and "STRUCTURAL_ANALOG" in codes(outcome)


def test_fentanyl_related_substance_is_hold(order, line):
    frs = line(
        0,
        "fentanyl",
        0.01,
        match_type="class",
        class_id="fentanyl-related-substance",
        lists=["Schedule I controlled substance"],
        product="Research chemical",
    )
    frs.matches[0].entry_id = "fentanyl-related-substance"
    outcome = evaluate(order([frs]))
    assert flag(outcome, "CONTROLLED_SUBSTANCE").severity == "hold"


def test_incb_only_bmk_glycidate_is_hold(order, line):
    outcome = evaluate(
        order([line(0, "bmk-methyl-glycidate", 25, product="BMK methyl glycidate", lists=["INCB Table I"])])
    )
    assert flag(outcome, "INCB_ONLY_PRECURSOR").severity == "hold"
    assert "INCB_PRE_EXPORT_NOTIFICATION" in {a.code for a in outcome.required_actions}


def test_mexico_bans_pseudoephedrine(order, line):
    pse = line(0, "pseudoephedrine", 1, product="Pseudoephedrine HCl", parent_mass_fraction=0.82)
    assert flag(evaluate(order([pse], destination="MX")), "DESTINATION_BAN").severity == "hold"
    assert "DESTINATION_BAN" not in codes(evaluate(order([pse], destination="CR")))


@pytest.mark.parametrize(
    ("product", "severity"),
    [
        ("Strawberry flavour concentrate", "hold"),
        ("Intermediate X", "hold"),
        ("Limpiador industrial", "hold"),
        ("Lot 7734-B", "review"),
        ("Methylamine 40% aqueous solution", None),
        ("Monometilamina 40%", None),
    ],
)
def test_product_name_that_does_not_fit_a_list_I_chemical(order, line, product, severity):
    outcome = evaluate(order([line(0, "methylamine", 0.1, product=product, concentration_percent=40)]))
    if severity is None:
        assert "PRODUCT_NAME_MISMATCH" not in codes(outcome)
    else:
        assert flag(outcome, "PRODUCT_NAME_MISMATCH").severity == severity


def test_product_name_uses_chem_db_resolved_name(order, line):
    ester = line(
        0,
        "anthranilic-acid",
        1,
        product="Grape flavor (methyl anthranilate)",
        resolved_name="methyl anthranilate",
    )
    assert "PRODUCT_NAME_MISMATCH" not in codes(evaluate(order([ester])))


def test_list_II_trade_name_is_only_info(order, line):
    outcome = evaluate(order([line(0, "toluene", 100, product="Thinner T-100", lists=["DEA List II"])]))
    assert flag(outcome, "PRODUCT_NAME_MISMATCH").severity == "info" and outcome.status == "clear"


def test_forwarder_consignee_for_a_fentanyl_precursor_is_hold(order, line):
    outcome = evaluate(order([line(0, "npp", 2, product="NPP")], consignee=FORWARDER))
    assert flag(outcome, "INTERMEDIARY_CONSIGNEE").severity == "hold"
    assert flag(outcome, "FENTANYL_PRECURSOR_NOT_END_USER").severity == "hold"


def test_forwarder_consignee_for_unlisted_chemicals_is_info(order, line):
    outcome = evaluate(order([line(0, None, 20_000, product="Glycerin USP")], consignee=FORWARDER))
    assert flag(outcome, "INTERMEDIARY_CONSIGNEE").severity == "info" and outcome.status == "clear"


def test_free_zone_consignee(order, line):
    zone = Party("Global Chem Trading SA", "PA", "distributor", "Zona Libre de Colon, Calle 16, Colon")
    listed = evaluate(
        order(
            [line(0, "acetic-anhydride", 2000, product="Acetic anhydride")], destination="PA", consignee=zone
        )
    )
    assert flag(listed, "FREE_ZONE_CONSIGNEE").severity == "hold"
    benign = evaluate(order([line(0, None, 2000, product="Sorbitol")], destination="PA", consignee=zone))
    assert flag(benign, "FREE_ZONE_CONSIGNEE").severity == "info" and benign.status == "clear"


def test_transit_through_a_hub_with_a_list_I_chemical_is_hold(order, line):
    via_panama = evaluate(
        order([line(0, "safrole", 10, product="Safrole")], destination="HN", transit_countries=["PA"])
    )
    assert flag(via_panama, "TRANSSHIPMENT").severity == "hold"
    # Eighth audit: Guatemala is on the road from the US to Honduras (overland_transit_to_hn), so 10 kg
    # of acetone trucked through it is info; a non-hub transit off that road stays review.
    via_colombia = evaluate(
        order(
            [line(0, "acetone", 10, product="Acetone", lists=["DEA List II"])],
            destination="HN",
            transit_countries=["CO"],
        )
    )
    assert flag(via_colombia, "TRANSSHIPMENT").severity == "review"


def test_ship_to_country_differs_from_consignee_country(order, line):
    guatemalan = Party("Quimicos de Occidente SA", "GT", "end_user")
    outcome = evaluate(order([line(0, "benzaldehyde", 1, product="Benzaldehyde FCC")], consignee=guatemalan))
    assert flag(outcome, "SHIP_TO_COUNTRY_MISMATCH").severity == "review"


def test_embargoed_destination_is_hold_whatever_the_chemical(order, line):
    outcome = evaluate(
        order(
            [line(0, None, 5, product="Glycerin")],
            destination="IR",
            consignee=Party("Tehran Chem", "IR", "end_user"),
        )
    )
    assert outcome.status == "hold" and "EMBARGOED_DESTINATION" in codes(outcome)


def test_new_consignee_and_unknown_end_user(order, line):
    outcome = evaluate(
        order(
            [line(0, "ephedrine", 0.5, product="Ephedrine sulfate")],
            destination="CR",
            consignee=DISTRIBUTOR,
            history=NEW,
        )
    )
    assert flag(outcome, "NEW_CONSIGNEE").severity == "review"
    assert flag(outcome, "END_USER_UNKNOWN").severity == "review"
    benign = evaluate(order([line(0, None, 5, product="Glycerin")], consignee=DISTRIBUTOR, history=NEW))
    assert benign.status == "clear" and not codes(benign) & {"NEW_CONSIGNEE", "END_USER_UNKNOWN"}


@pytest.mark.parametrize(
    ("end_use", "code"),
    [
        ("uso industrial", "END_USE_VAGUE"),
        ("Reventa", "END_USE_VAGUE"),
        (None, "END_USE_VAGUE"),
        ("Water treatment", "END_USE_MISMATCH"),
        ("Agrochemical (herbicide) synthesis", None),
        ("Fabricación de plaguicidas", None),
    ],
)
def test_declared_end_use(order, line, end_use, code):
    outcome = evaluate(order([line(0, "methylamine", 0.5, product="Methylamine")], end_use=end_use))
    found = codes(outcome) & {"END_USE_VAGUE", "END_USE_MISMATCH"}
    assert found == ({code} if code else set())


ROUTES = [
    (
        "siegfried-fentanyl",
        [("npp", None, None), (None, "62-53-3", "aniline"), (None, "79-03-8", "propionyl chloride")],
    ),
    ("anpp-acylation", [("anpp", None, None), ("propionic-anhydride", None, None)]),
    (
        "gupta-fentanyl",
        [("4-piperidone", None, None), (None, "103-63-9", "phenethyl bromide"), (None, "62-53-3", "aniline")],
    ),
    (
        "ephedrine-hi-red-p",
        [("ephedrine", None, None), ("red-phosphorus", None, None), ("iodine", None, None)],
    ),
    ("p2p-reductive-amination", [("p2p", None, None), ("methylamine", None, None)]),
    (
        "mdma-reductive-amination",
        [
            ("pmk-glycidate", None, None),
            ("methylamine", None, None),
            (None, "16940-66-2", "sodium borohydride"),
        ],
    ),
    ("p2np-henry", [("benzaldehyde", None, None), ("nitroethane", None, None)]),
    # audit 7: kits that drew no route flag before
    (
        "paa-acetic-anhydride-p2p",
        [(None, "103-82-2", "phenylacetic acid"), ("acetic-anhydride", None, None)],
    ),
    ("apaan-hydrolysis-p2p", [("apaan", None, None), (None, "7664-38-2", "phosphoric acid")]),
    (
        "isosafrole-peracid-pmk",
        [
            ("isosafrole", None, None),
            (None, "7722-84-1", "hydrogen peroxide"),
            (None, "64-18-6", "formic acid"),
        ],
    ),
    ("safrole-wacker-pmk", [("safrole", None, None), (None, "7647-10-1", "palladium chloride")]),
    ("piperidone-aniline-4ap", [("1-boc-4-piperidone", None, None), (None, "62-53-3", "aniline")]),
    (
        "benzyl-cyanide-apaan",
        [
            ("benzyl-cyanide", None, None),
            (None, "141-78-6", "ethyl acetate"),
            (None, "141-52-6", "sodium ethoxide"),
        ],
    ),
    (
        "ephedrine-birch",
        [
            ("pseudoephedrine", None, None),
            (None, "7439-93-2", "lithium metal"),
            (None, "7664-41-7", "anhydrous ammonia"),
        ],
    ),
]


def _route_lines(parts):
    lines = []
    for i, (entry_id, cas, name) in enumerate(parts):
        if entry_id:
            lines.append(
                LineFacts(
                    index=i,
                    quantity=1,
                    unit="kg",
                    classification="listed",
                    product=entry_id,
                    matches=[MatchFacts(entry_id, entry_id, "exact", 1.0, ["DEA List I"])],
                )
            )
        else:
            lines.append(
                LineFacts(
                    index=i,
                    quantity=1,
                    unit="kg",
                    classification="none",
                    product=name,
                    identifiers={"cas": cas, "name": name},
                )
            )
    return lines


@pytest.mark.parametrize(("route_id", "parts"), ROUTES, ids=[r[0] for r in ROUTES])
def test_synthesis_route_on_one_order(order, route_id, parts):
    outcome = evaluate(order(_route_lines(parts), destination="GT"))
    routes = [f for f in outcome.flags if f.code == "SYNTHESIS_ROUTE"]
    assert route_id in {f.evidence["route"] for f in routes}
    assert outcome.status == "hold"


def test_incomplete_route_is_not_flagged(order):
    # NPP with propionyl chloride but no aniline: no ANPP can be made, so no route (NPP with aniline
    # is one: the reductive amination to ANPP, route npp-aniline-anpp).
    outcome = evaluate(
        order(_route_lines([("npp", None, None), (None, "79-03-8", "propionyl chloride")]), destination="GT")
    )
    assert "SYNTHESIS_ROUTE" not in codes(outcome)


def test_phenylacetic_ester_with_acetic_anhydride_is_no_p2p_route(order):
    # the condensation to P2P needs the free acid (or a salt); ethyl phenylacetate is covered by the
    # phenylacetic-acid listing but, with acetic anhydride, is an ordinary fragrance order
    ester, anhydride = _route_lines([("phenylacetic-acid", None, None), ("acetic-anhydride", None, None)])
    ester = replace(
        ester,
        product="Ethyl phenylacetate",
        identifiers={"cas": "101-97-3"},
        resolved_inchikey="DULCUDSUACXJJC-UHFFFAOYSA-N",
    )
    outcome = evaluate(order([ester, anhydride], destination="GT"))
    assert "SYNTHESIS_ROUTE" not in codes(outcome)


def test_route_completed_across_the_month_by_inchikey(order):
    earlier = History(
        prior_lines=[
            PriorLine("o1", "PO-A", date(2026, 11, 2), ["npp"], 1, "kg"),
            PriorLine(
                "o2", "PO-B", date(2026, 11, 9), [], 5, "kg", inchikeys=["PAYRUJLWNCNPSJ-UHFFFAOYSA-N"]
            ),
        ],
        prior_order_count=2,
    )
    propionyl = LineFacts(
        index=0,
        quantity=2,
        unit="kg",
        classification="none",
        product="Propanoyl chloride 98%",
        resolved_inchikey="RZWZRACFZGVKFM-UHFFFAOYSA-N",
    )
    outcome = evaluate(order([propionyl], history=earlier, destination="GT"))
    route = flag(outcome, "SYNTHESIS_ROUTE")
    assert route.evidence["across_orders"] is True and route.evidence["route"] == "siegfried-fentanyl"
    next_month = History(
        prior_lines=[
            PriorLine("o1", "PO-A", date(2026, 10, 2), ["npp"], 1, "kg"),
            PriorLine(
                "o2", "PO-B", date(2026, 10, 9), [], 5, "kg", inchikeys=["PAYRUJLWNCNPSJ-UHFFFAOYSA-N"]
            ),
        ],
        prior_order_count=2,
    )
    assert "SYNTHESIS_ROUTE" not in codes(evaluate(order([propionyl], history=next_month, destination="GT")))


def test_outcome_for_is_the_only_status_rule():
    assert outcome_for([Flag("A", "info", "", "")]) == "clear"
    assert outcome_for([Flag("A", "review", "", ""), Flag("B", "info", "", "")]) == "review"
    assert outcome_for([Flag("A", "review", "", ""), Flag("B", "hold", "", "")]) == "hold"


def test_unknown_listed_entry_is_not_let_through(order, line):
    mystery = line(0, "new-precursor-2027", 0.001, lists=[], product="new-precursor-2027")
    assert evaluate(order([mystery])).status == "review"


@pytest.mark.parametrize(
    ("entry_id", "product"),
    [
        ("anthranilic-acid", "Grape flavor"),
        ("benzaldehyde", "Natural almond flavour"),
        ("piperonal", "Fragrance ingredient"),
    ],
)
def test_a_real_use_of_the_chemical_is_not_a_disguise(order, line, entry_id, product):
    outcome = evaluate(
        order([line(0, entry_id, 0.5, product=product)], end_use="Flavor and fragrance manufacturing")
    )
    assert flag(outcome, "PRODUCT_NAME_MISMATCH").severity == "review"
    assert outcome.status == "review"


def test_generic_manufacturing_end_use_is_vague(order, line):
    outcome = evaluate(order([line(0, "methylamine", 0.5, product="Methylamine")], end_use="Manufacturing"))
    assert "END_USE_VAGUE" in codes(outcome) and "END_USE_MISMATCH" not in codes(outcome)


def test_product_naming_another_watchlist_chemical(order, line):
    claims_acetone = line(
        0,
        None,
        100,
        product="Acetone",
        classification="none",
        findings=[
            FindingFacts(
                "PRODUCT_NAME_MISMATCH",
                "The product name 'Acetone' names Acetone, but the identifiers resolve to something else.",
                "product",
                {"product_entry": "acetone"},
            )
        ],
    )
    assert flag(evaluate(order([claims_acetone])), "PRODUCT_NAME_MISMATCH").severity == "review"
    claims_pse = line(
        0,
        None,
        100,
        product="Pseudoephedrine",
        classification="none",
        findings=[
            FindingFacts(
                "PRODUCT_NAME_MISMATCH",
                "names Pseudoephedrine",
                "product",
                {"product_entry": "pseudoephedrine"},
            )
        ],
    )
    assert flag(evaluate(order([claims_pse])), "PRODUCT_NAME_MISMATCH").severity == "review"
    npp_as_acetone = line(
        0,
        "npp",
        100,
        product="Acetone",
        lists=["DEA List I"],
        findings=[
            FindingFacts("PRODUCT_NAME_MISMATCH", "names Acetone", "product", {"product_entry": "acetone"})
        ],
    )
    assert flag(evaluate(order([npp_as_acetone])), "PRODUCT_NAME_MISMATCH").severity == "hold"


def test_invalid_identifier_on_a_resolved_line(order, line):
    listed = line(
        0, "safrole", 1, product="Safrole", findings=[FindingFacts("CAS_INVALID", "bad check digit", "cas")]
    )
    assert flag(evaluate(order([listed])), "IDENTIFIER_INVALID").severity == "review"
    benign = line(
        0, None, 1, product="Glycerin", findings=[FindingFacts("CAS_INVALID", "bad check digit", "cas")]
    )
    outcome = evaluate(order([benign]))
    assert flag(outcome, "IDENTIFIER_INVALID").severity == "info" and outcome.status == "clear"


def test_a_refused_structure_beside_a_benign_identifier_needs_review(order, line):
    """A SMILES (or InChI) that was refused leaves the exporter's structure unscreened, even when the
    CAS number resolved the line to something benign (audit 6: "CCO <NPP>" beside ethanol's CAS)."""
    for code, fld in (("SMILES_INVALID", "smiles"), ("INCHI_INVALID", "inchi")):
        benign = line(
            0, None, 1, product="Ethanol", findings=[FindingFacts(code, "refused: contains a space", fld)]
        )
        outcome = evaluate(order([benign]))
        assert flag(outcome, "IDENTIFIER_INVALID").severity == "review" and outcome.status == "review"


def test_end_user_in_another_country_than_the_destination(order, line):
    outcome = evaluate(
        order(
            [line(0, "safrole", 1, product="Safrole")],
            destination="MX",
            end_user=Party("Aromas del Sur", "GT", "end_user"),
        )
    )
    mismatch = flag(outcome, "SHIP_TO_COUNTRY_MISMATCH")
    assert mismatch.severity == "review" and "Guatemala" in mismatch.message


def test_manufacturer_in_a_costa_rican_free_zone_is_review_not_hold(order, line):
    plant = Party("Medical Devices CR SRL", "CR", "end_user", "Zona Franca Coyol, Alajuela")
    outcome = evaluate(
        order(
            [line(0, "acetone", 5000, product="Acetone", lists=["DEA List II"])],
            destination="CR",
            consignee=plant,
        )
    )
    assert flag(outcome, "FREE_ZONE_CONSIGNEE").severity == "review" and outcome.status == "review"


def test_conflict_between_two_unlisted_chemicals_is_review(order, line):
    clerical = line(
        0,
        None,
        100,
        product="Ethanol",
        classification="none",
        findings=[
            FindingFacts("IDENTIFIER_CONFLICT", "CAS 64-17-5 is ethanol; the SMILES is methanol", "cas")
        ],
    )
    outcome = evaluate(order([clerical]))
    assert flag(outcome, "IDENTIFIER_CONFLICT").severity == "review" and outcome.status == "review"
