"""Eighth audit (realistic multi-line orders to Mexico and Central America): false positives and a
missed mislabelling signal found by running 106 blind-written orders through the API."""

from __future__ import annotations

from rules import evaluate
from rules.facts import Outcome, Party
from rules.text import contains_phrase


def codes(outcome: Outcome, code: str) -> list[str]:
    return [f.severity for f in outcome.flags if f.code == code]


# --- road transit to Central America -------------------------------------------------------------


def test_road_transit_to_central_america_below_threshold_is_info(order, line):
    """A Costa Rican university's reagents trucked through Mexico, Guatemala and Nicaragua: the road
    route, nothing regulated at stake."""
    outcome = evaluate(
        order(
            [line(0, "benzaldehyde", 0.5, product="Benzaldehido 99%")],
            destination="CR",
            transit_countries=["MX", "GT", "NI"],
            end_use="Docencia en quimica organica",
        )
    )
    assert codes(outcome, "TRANSSHIPMENT") == ["info"]
    assert outcome.status == "clear"


def test_road_transit_with_a_regulated_quantity_stays_review(order, line):
    outcome = evaluate(
        order(
            [line(0, "phenylacetic-acid", 200, product="Acido fenilacetico")],
            destination="SV",
            transit_countries=["MX", "GT"],
            end_use="Sintesis de principios activos farmaceuticos",
        )
    )
    assert codes(outcome, "TRANSSHIPMENT") == ["review"]


def test_transit_beyond_the_destination_is_not_the_road_route(order, line):
    """Costa Rica is not on the road from the US to Guatemala."""
    outcome = evaluate(
        order(
            [line(0, "benzaldehyde", 0.5, product="Benzaldehyde")],
            destination="GT",
            transit_countries=["MX", "CR"],
            end_use="Flavours",
        )
    )
    assert codes(outcome, "TRANSSHIPMENT") == ["review"]


# --- end uses ------------------------------------------------------------------------------------


def test_spanish_plural_end_use_fits():
    assert contains_phrase("Sintesis de principios activos", "principio activo", prefix=True)
    assert contains_phrase("Potabilizacion de aguas potables", "agua potable", prefix=True)
    assert not contains_phrase("principios activos", "principio activo")  # exact match is unchanged


def test_plural_active_ingredients_fit_ethylamine(order, line):
    outcome = evaluate(
        order(
            [line(0, "ethylamine", 5, product="Etilamina 70%")],
            destination="SV",
            end_use="Sintesis de principios activos",
        )
    )
    assert codes(outcome, "END_USE_MISMATCH") == []


def test_teaching_laboratory_fits_any_listed_reagent(order, line):
    outcome = evaluate(
        order(
            [
                line(0, "methylamine", 0.1, product="Metilamina clorhidrato"),
                line(1, "piperidine", 0.2, product="Piperidina 99%"),
            ],
            destination="CR",
            end_use="Docencia e investigacion en quimica organica",
        )
    )
    assert codes(outcome, "END_USE_MISMATCH") == []
    assert outcome.status == "clear"


def test_diluyente_is_a_solvent_use(order, line):
    outcome = evaluate(
        order([line(0, "toluene", 100, product="Tolueno", lists=["DEA List II"])], end_use="Diluyente")
    )
    assert codes(outcome, "END_USE_MISMATCH") == []


# --- product names another watchlist chemical ----------------------------------------------------


def test_label_naming_the_own_chemical_in_spanish_is_not_a_mismatch(order, line):
    outcome = evaluate(order([line(0, "acetone", 300, product="Acetona tecnica", lists=["DEA List II"])]))
    assert codes(outcome, "PRODUCT_NAME_MISMATCH") == []


def test_free_note_does_not_name_another_chemical(order, line):
    consignee = Party("Pinturas del Bajio SA de CV", "MX", "end_user", "Leon, Gto.")
    outcome = evaluate(
        order(
            [line(0, "toluene", 100, product="Thinner, acetone-free", lists=["DEA List II"])],
            consignee=consignee,
        )
    )
    assert "hold" not in codes(outcome, "PRODUCT_NAME_MISMATCH")
