"""The pattern prefilter sees inside recursive SMARTS, and InChI is computed once per distinct structure
(speed paths whose results must equal the slow path's)."""

from __future__ import annotations

from rdkit import Chem

from chem_db import Identifiers
from chem_db.compiled import compile_watchlist, required_recursions
from chem_db.identity import identify
from chem_db.watchlist import load_watchlist


def test_required_recursions_reads_the_alternatives_of_each_and_term():
    q = Chem.MolFromSmarts("[CX4;H1](-[$(C#N),$(C(=O)-[OX2])])-[c;$(c1ccccc1),$(c1ccco1)]")
    assert required_recursions(q) == [("C#N", "C(=O)-[O&X2]"), ("c1ccccc1", "c1ccco1")]


def test_negated_or_mixed_recursion_requires_nothing():
    assert required_recursions(Chem.MolFromSmarts("[NX3;!$(N-C=O)]-C")) == []
    assert required_recursions(Chem.MolFromSmarts("[NX3;H1,$(N-C=O)]-C")) == []


def test_a_recursive_class_is_not_searched_in_a_molecule_lacking_every_alternative():
    cw = compile_watchlist(load_watchlist())
    rows = {p.index for p in cw.screen.patterns if p.owner == "aryl-acetoacetic-derivative"}
    # 3-phenylbutan-2-one: CH3-C(=O)-CH(-CH3)-Ph has the common atoms but no nitrile, ester, acid or amide
    mol = Chem.MolFromSmiles("CC(=O)C(C)c1ccccc1")
    assert not rows & cw.screen.possible(mol, identify(mol).element_counts())
    # ... while the real thing (methyl 2-phenylacetoacetate, MAPA) is let through and matched
    mapa = Chem.MolFromSmiles("CC(=O)C(C(=O)OC)c1ccccc1")
    assert rows & cw.screen.possible(mapa, identify(mapa).element_counts())


def _count_inchi_calls(monkeypatch) -> list[str]:
    import chem_db.screen as screen

    calls: list[str] = []
    real = screen.identify

    def counting(mol):
        calls.append(Chem.MolToSmiles(mol))
        return real(mol)

    monkeypatch.setattr(screen, "identify", counting)
    screen._IDENTITIES.clear()
    return calls


def test_one_line_named_three_ways_computes_its_inchi_once(engine, monkeypatch):
    calls = _count_inchi_calls(monkeypatch)
    result = engine.screen(Identifiers(cas="64-17-5", name="ethanol", smiles="OCC"))
    assert result.classification == "none" and result.resolved.inchikey == "LFQSCWFLJHTTHZ-UHFFFAOYSA-N"
    assert calls.count("CCO") == 1


def test_a_watchlist_structure_needs_no_inchi_of_its_own(engine, monkeypatch):
    """An entry's identity is computed when the watchlist is compiled; an order line of that structure
    (by CAS, name and SMILES alike) reuses it, with the same InChIKey as computing it afresh."""
    calls = _count_inchi_calls(monkeypatch)
    result = engine.screen(Identifiers(cas="103-79-7", name="phenylacetone", smiles="CC(=O)Cc1ccccc1"))
    assert result.classification == "listed"
    assert calls.count("CC(=O)Cc1ccccc1") == 0
    assert result.resolved.inchikey == identify(Chem.MolFromSmiles("CC(=O)Cc1ccccc1")).inchikey


def test_recursion_free_guard_matches_wherever_its_pattern_does(nci_and_watchlist_mols):
    """The guard searched before a recursive pattern is a generalization of it: on the NCI set and the
    watchlist's own structures and examples, every molecule the pattern matches, the guard matches."""
    cw = compile_watchlist(load_watchlist())
    guarded = [p for p in cw.screen.patterns if p.guard is not None]
    assert len(guarded) >= 20  # the classes and transforms written with $(...) have one
    misses = [
        (smi, p.owner, p.smarts)
        for smi, mol in nci_and_watchlist_mols
        for p in guarded
        if mol.HasSubstructMatch(p.query) and not mol.HasSubstructMatch(p.guard)
    ]
    assert misses == []


def test_transform_product_gates_keep_every_analogue_target():
    """The cheap gates on transform products list every analogue target (and any entry sharing its
    skeleton), so a product that is one is never dropped before its InChI is compared."""
    cw = compile_watchlist(load_watchlist())
    targets = [ce for ce in cw.entries.values() if ce.entry.analog_target]
    assert targets
    for ce in targets:
        assert ce.heavy_atoms in cw.product_sizes
        assert Chem.MolToSmiles(ce.mol, isomericSmiles=False) in cw.product_flat_smiles
    assert len(cw.product_flat_smiles) < len(cw.entries)  # and not every entry
