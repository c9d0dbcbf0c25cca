"""Consignee name normalisation and matching (rapidfuzz, word-by-word)."""

from __future__ import annotations

import pytest

from rules.parties import SAME_PARTY_CUTOFF, normalize_party_name, same_party


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Química del Norte, S.A. de C.V.", "quimica del norte"),
        ("QUIMICA DEL NORTE SA DE CV", "quimica del norte"),
        ("Quimica del Norte S. de R.L. de C.V.", "quimica del norte"),
        ("Quimica del Norte, S. de R.L.", "quimica del norte"),
        ("Distribuidora Azteca SAPI de CV", "distribuidora azteca"),
        ("Acme Chemicals, Inc.", "acme chemicals"),
        ("Acme Chemicals LLC", "acme chemicals"),
        ("Insumos Andinos Ltda.", "insumos andinos"),
        ("  Solventes   y Derivados  ", "solventes y derivados"),
    ],
)
def test_normalize_party_name(raw, normal):
    assert normalize_party_name(raw) == normal


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Quimica del Norte SA de CV", "Química del Norte, S.A. de C.V.", True),
        ("Quimica del Norte", "Quimica del Nrote", False),
        ("Quimica del Norte", "Química del Noreste", False),
        ("Quimica del Norte", "Quimica del Sur", False),
        ("Solventes Industriales de Monterrey", "Solventes Industriales de Monterey", True),
        ("Acme Chemicals Inc", "ACME CHEMICALS, LLC", True),
        ("Acme Chemicals", "Acme Chemical Logistics", False),
    ],
)
def test_same_party_by_name(a, b, same):
    score, reasons = same_party(a, None, b, None)
    assert (score >= SAME_PARTY_CUTOFF) is same, (score, reasons)
    assert reasons


def test_same_address_rescues_a_contained_name():
    score, reasons = same_party(
        "Quimica del Norte",
        "Av. Industrial 12, Monterrey, N.L.",
        "Quimica del Norte Industrial",
        "Avenida Industrial #12 Monterrey NL",
    )
    assert score >= SAME_PARTY_CUTOFF and any("same address" in r for r in reasons)


def test_different_address_does_not_split_one_party():
    score, reasons = same_party(
        "Quimica del Norte SA de CV", "Monterrey", "QUIMICA DEL NORTE", "Saltillo, Coah."
    )
    assert score >= SAME_PARTY_CUTOFF and any("several locations" in r for r in reasons)
