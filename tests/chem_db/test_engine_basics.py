"""The first contract the screening service relies on: exact parent, CAS and name lookups."""

from __future__ import annotations

import pytest

from chem_db import Identifiers, get_engine


@pytest.mark.parametrize(
    "ids, entry",
    [
        ({"cas": "67-64-1"}, "acetone"),
        ({"smiles": "O=C1CCN(CCc2ccccc2)CC1"}, "npp"),
        ({"name": "N-phenethyl-4-piperidone"}, "npp"),
        ({"name": "Acetona"}, "acetone"),
        ({"cas": "103-79-7"}, "p2p"),
    ],
)
def test_listed_chemical_found_by_each_identifier(engine, ids, entry):
    result = engine.screen(Identifiers(**ids))
    assert result.classification == "listed"
    assert entry in [m.entry_id for m in result.matches]
    assert result.screened
    assert result.watchlist_version == engine.version


@pytest.mark.parametrize(
    "ids",
    [
        {"cas": "64-17-5"},
        {"name": "ethanol"},
        {"smiles": "CCO"},
        {"name": "ethyl acetate"},
        {"cas": "58-08-2"},
    ],
)
def test_ordinary_chemicals_resolve_and_come_back_none(engine, ids):
    result = engine.screen(Identifiers(**ids))
    assert result.classification == "none"
    assert result.resolved is not None and result.resolved.inchikey
    assert result.nearest is not None  # "checked, nothing close" is visible


def test_isolated_engine_screens_like_in_process(engine):
    isolated = get_engine()
    ids = Identifiers(smiles="CC(=O)Cc1ccccc1")
    assert isolated.screen(ids).to_dict()["matches"] == engine.screen(ids).to_dict()["matches"]
