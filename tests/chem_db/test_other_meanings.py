"""Watchlist abbreviations that ordinary trade also uses for another chemical ("4-AP" is 4-anilinopiperidine
on the watchlist and 4-aminopyridine in a reagent catalogue): alone the name keeps its watchlist reading,
but beside identifiers of the other chemical it agrees with them (data/lexicon.yaml, kind other_meaning)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chem_db import Identifiers
from chem_db.watchlist import load_watchlist

from .test_watchlist import NPP, refused, write_data

FOUR_AMINOPYRIDINE = "504-24-5"


def _codes(result) -> list[str]:
    return [f.code for f in result.findings]


def test_the_abbreviation_alone_keeps_its_watchlist_reading(engine):
    result = engine.screen(Identifiers(name="4-AP"))
    assert result.classification == "listed" and {m.entry_id for m in result.matches} == {"4-ap"}


@pytest.mark.parametrize(
    "identifiers",
    [
        {"cas": FOUR_AMINOPYRIDINE, "name": "4-AP"},
        {"smiles": "Nc1ccncc1", "name": "4-AP"},
        {"smiles": "Nc1ccncc1.Cl", "name": "4-AP"},  # its hydrochloride
        {"cas": "330-13-2", "name": "NPP"},  # 4-nitrophenyl phosphate
        {"cas": "26299-14-9", "name": "PCC"},  # pyridinium chlorochromate
    ],
)
def test_beside_the_other_chemical_the_name_agrees_and_nothing_is_listed(engine, identifiers):
    result = engine.screen(Identifiers(**identifiers))
    assert result.classification == "none", result.matches
    assert "IDENTIFIER_CONFLICT" not in _codes(result) and "NAME_OTHER_MEANING" in _codes(result)


@pytest.mark.parametrize(
    "identifiers",
    [
        {"smiles": "c1ccc(NC2CCNCC2)cc1", "name": "4-AP"},  # 4-anilinopiperidine itself: agrees, listed
        {"cas": "21409-26-7", "name": "4-AP"},  # ANPP's CAS number: a real conflict, both screened
        {"smiles": "Nc1ccc(cc1)N1CCCCC1", "name": "4-AP"},  # a third chemical: a real conflict
    ],
)
def test_any_other_structure_still_gets_the_watchlist_reading(engine, identifiers):
    result = engine.screen(Identifiers(**identifiers))
    assert result.classification == "listed" and "4-ap" in {m.entry_id for m in result.matches}
    assert "NAME_OTHER_MEANING" not in _codes(result)


@pytest.mark.parametrize("product", ["4-AP", "4-AP, 98%", "4-AP 25 kg drum"])
def test_a_product_label_of_the_other_meaning_is_honest(engine, product):
    result = engine.screen(Identifiers(cas=FOUR_AMINOPYRIDINE), product=product)
    assert "PRODUCT_NAME_MISMATCH" not in _codes(result) and "PRODUCT_NAME_AGREES" in _codes(result)


def test_a_label_that_names_another_watchlist_chemical_is_still_a_mismatch(engine):
    result = engine.screen(Identifiers(cas=FOUR_AMINOPYRIDINE), product="NPP")
    assert "PRODUCT_NAME_MISMATCH" in _codes(result)


def _with_lexicon(root: Path, names: list[dict]) -> Path:
    (root / "lexicon.yaml").write_text(yaml.safe_dump({"names": names}), encoding="utf-8")
    return root


def test_an_other_meaning_must_be_of_a_watchlist_name(tmp_path: Path) -> None:
    root = _with_lexicon(
        write_data(tmp_path, [NPP]),
        [{"name": "XYZ", "kind": "other_meaning", "smiles": "Nc1ccncc1", "note": "4-aminopyridine"}],
    )
    err = refused(root)
    assert "no watchlist name" in str(err)


def test_an_other_meaning_must_be_another_chemical(tmp_path: Path) -> None:
    root = _with_lexicon(
        write_data(tmp_path, [NPP]),
        [{"name": "NPP", "kind": "other_meaning", "smiles": NPP["smiles"], "note": "NPP itself"}],
    )
    err = refused(root)
    assert "not another meaning" in str(err)


def test_the_bundled_other_meanings_load():
    other = {ln.name for ln in load_watchlist().lexicon if ln.kind == "other_meaning"}
    assert {"4-AP", "NPP", "PCC"} <= other
