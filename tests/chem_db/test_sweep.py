"""A sweep of ~310 ordinary industrial chemicals (solvents, acids, bases, salts, monomers, surfactants,
flavour and fragrance chemicals, excipients, APIs): each resolves by name and by CAS number, the two
agree on the parent (stereo aside: a CAS number for the racemate, a name for the natural isomer), and
the chemical screens `none` unless it is listed. An unresolved benign line sends an order to review."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdkit import Chem

from chem_db import Identifiers

_ROWS = [
    tuple(line.split("\t"))
    for line in (Path(__file__).parent / "data" / "industrial_chemicals.tsv").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]


def _flat(result) -> list[str]:
    smiles = [c.smiles for c in result.resolved.components]
    return sorted(Chem.MolToSmiles(Chem.MolFromSmiles(s), isomericSmiles=False) for s in smiles)


@pytest.mark.parametrize("name, cas, expected", _ROWS, ids=[r[0] for r in _ROWS])
def test_an_industrial_chemical_resolves_by_name_and_cas_and_screens_as_expected(engine, name, cas, expected):
    by_name = engine.screen(Identifiers(name=name))
    by_cas = engine.screen(Identifiers(cas=cas))
    assert by_name.classification == expected, by_name.to_dict()
    assert by_cas.classification == expected, by_cas.to_dict()
    assert _flat(by_name) == _flat(by_cas)


def test_the_sweep_is_large_and_mostly_unlisted():
    assert len(_ROWS) >= 300
    assert sum(r[2] == "none" for r in _ROWS) >= 280
