"""Catalogue files, depictions, the pattern prefilter's soundness, and the package boundary."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from rdkit import Chem, RDConfig

from chem_db import Identifiers, depict_svg
from chem_db.catalogue import CatalogueError, read_items, write_results
from chem_db.compiled import compile_watchlist
from chem_db.identity import identify
from chem_db.watchlist import load_watchlist

ROOT = Path(__file__).resolve().parents[2]


def test_read_csv_with_any_header_case(tmp_path):
    p = tmp_path / "cat.csv"
    p.write_text(
        "Product Name;CAS No;SMILES\nAcetone;67-64-1;\nNPP;;O=C1CCN(CCc2ccccc2)CC1\n;;\n", encoding="utf-8"
    )
    items = read_items(p)
    assert items == [
        Identifiers(cas="67-64-1", name="Acetone"),
        Identifiers(smiles="O=C1CCN(CCc2ccccc2)CC1", name="NPP"),
    ]


def test_read_smi_file(tmp_path):
    p = tmp_path / "cat.smi"
    p.write_text("CCO ethanol\n# comment\n\nO=C1CCN(CCc2ccccc2)CC1\tNPP\n", encoding="utf-8")
    assert [i.smiles for i in read_items(p)] == ["CCO", "O=C1CCN(CCc2ccccc2)CC1"]


def test_read_items_errors_name_the_file(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("colour,size\nred,1\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="bad.csv"):
        read_items(p)


def test_write_results(engine):
    items = [
        Identifiers(cas="67-64-1"),
        Identifiers(smiles="CCO <x>"),
        Identifiers(smiles="CCOC(=O)Cc1ccccc1"),
    ]
    out = io.StringIO()
    write_results(engine.screen_many(items), out)  # identifiers come from the results themselves
    rows = out.getvalue().splitlines()
    assert rows[0].startswith("index,cas,smiles,name,classification")
    assert rows[1].startswith("0,67-64-1,,,listed") and "acetone" in rows[1]
    assert "unresolved" in rows[2] and "SMILES_INVALID" in rows[2]
    assert "phenylacetic-acid:class" in rows[3]


def test_depiction_highlights_and_is_safe(engine):
    result = engine.screen(Identifiers(smiles="CCOC(=O)Cc1ccccc1"))
    m = result.matches[0]
    svg = depict_svg(result.resolved.components[m.component].smiles, m.atoms, m.bonds)
    assert svg.startswith("<svg") and "<script" not in svg and "<?xml" not in svg
    assert depict_svg("CCO <script>alert(1)</script>").startswith("<svg")
    assert depict_svg("CCO", highlight_atoms=[99], highlight_bonds=[-1]).startswith("<svg")


def test_pattern_screen_never_skips_a_real_match(nci_and_watchlist_mols):
    cw = compile_watchlist(load_watchlist())
    checked = 0
    for smi, mol in nci_and_watchlist_mols:
        try:
            present = identify(mol).element_counts()
        except ValueError:
            continue  # no InChI: the engine never matches such a structure
        possible = cw.screen.possible(mol, present)
        for p in cw.screen.patterns:
            if p.index not in possible:
                assert not mol.HasSubstructMatch(p.query), (smi, p.owner, p.smarts)
            checked += 1
    assert checked > 10000


def test_fast_path_standardization_equals_full_chain():
    """Skipping steps the input does not need must not change the result."""
    from chem_db.standardize import cues_from_smiles, standardize

    path = Path(RDConfig.RDDataDir) / "NCI" / "first_5K.smi"
    lines = path.read_text().splitlines()
    lines += ["[Na]OC(=O)Cc1ccccc1", "C[NH3+].[Cl-]", "[2H]C([2H])([2H])C(=O)Cc1ccccc1", "[NH3+]CC([O-])=O"]
    for line in lines:
        smi = line.split()[0]
        mol = Chem.MolFromSmiles(smi)
        if mol is None:
            continue
        fast = standardize(mol, cues_from_smiles(smi))
        full = standardize(mol)
        assert [Chem.MolToSmiles(c) for c in fast.components] == [
            Chem.MolToSmiles(c) for c in full.components
        ]


def test_chem_db_imports_no_flask_screening_or_rules():
    code = (
        "import sys; import chem_db, chem_db.catalogue, chem_db.engine; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'screening', 'rules')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
