"""Gaps found by a blind evaluation set (fifth chemistry audit): carbon-free mixtures of listed acids,
and 4-AP with an alkyl group on the piperidine ring."""

from __future__ import annotations

import pytest

from chem_db import Identifiers


def _entries(result) -> set[str]:
    return {m.entry_id for m in result.matches}


# ---- a carbon-free mixture: each listed neutral component counts --------------------------------------


@pytest.mark.parametrize(
    "smiles, entries",
    [
        ("OS(=O)(=O)O.O=S(=O)=O", {"sulfuric-acid"}),  # oleum (fuming sulfuric acid), 8014-95-7
        ("Cl.OS(=O)(=O)O", {"hydrochloric-acid", "sulfuric-acid"}),  # mixed acids
        ("O[N+](=O)[O-].Cl", {"hydrochloric-acid"}),  # aqua regia (nitric + hydrochloric)
        ("Cl.[Na+].[Cl-]", {"hydrochloric-acid"}),  # hydrochloric acid with sodium chloride
        # salts written as their ions, in the order written
        ("[K+].[O-][Mn](=O)(=O)=O.[Na+].[Cl-]", {"potassium-permanganate"}),
        ("[K+].[O-][Mn](=O)(=O)=O.OS(=O)(=O)O", {"potassium-permanganate", "sulfuric-acid"}),
        (
            "[K+].[O-][Mn](=O)(=O)=O.[Na+].[O-][Mn](=O)(=O)=O",
            {"potassium-permanganate", "sodium-permanganate"},
        ),
    ],
)
def test_listed_acids_in_a_carbon_free_mixture_are_found(engine, smiles, entries):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "listed", result.to_dict()
    assert entries <= _entries(result), result.to_dict()


@pytest.mark.parametrize(
    "smiles",
    [
        "[Na+].[Cl-]",  # sodium chloride: a chloride ion is not hydrogen chloride
        "[Pd].Cl.Cl",  # palladium chloride written as a bare metal and its ligands
        "[Fe].[P]",  # iron phosphide written atom by atom, not red phosphorus
        "O[N+](=O)[O-].O",  # nitric acid
        "Cl.NO",  # hydroxylamine hydrochloride: the acid is the base's salt
        "Cl.NN",  # hydrazine hydrochloride
        "OS(=O)(=O)O.NN",  # hydrazine sulfate
        "N.Cl",  # ammonium chloride written as ammonia and hydrogen chloride
        "[K+].[I-].[Na+].[Cl-]",  # potassium iodide with sodium chloride: no iodine, no hydriodic acid
    ],
)
def test_carbon_free_look_alikes_stay_unlisted(engine, smiles):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "none", result.to_dict()


# ---- 3-alkyl-4-AP: the step between substituted-4-piperidone and 3-methyl-ANPP ------------------------


@pytest.mark.parametrize(
    "smiles",
    [
        "CC1CNCCC1Nc1ccccc1",  # 3-methyl-4-AP
        "CCC(=O)N(c1ccccc1)C1CCNCC1C",  # 3-methylnorfentanyl
        "CC(C)(C)OC(=O)N1CCC(Nc2ccccc2)C(C)C1",  # 1-boc-3-methyl-4-AP
        "CC1CN(Cc2ccccc2)CCC1Nc1ccccc1",  # 1-benzyl-3-methyl-4-AP
    ],
)
def test_ring_alkylated_4ap_is_an_analogue_of_4ap(engine, smiles):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "analog", result.to_dict()
    assert "4-ap" in _entries(result), result.to_dict()


@pytest.mark.parametrize(
    "smiles",
    [
        "CN1CCC(Nc2ccccc2)C(C)C1",  # 1,3-dimethyl-4-AP: N-methyl is not a removable group
        "NC1CCNCC1",  # 4-aminopiperidine
    ],
)
def test_ring_alkylated_4ap_look_alikes_stay_none(engine, smiles):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "none", result.to_dict()


# ---- an element (iodine, phosphorus) forms no salt: a mineral acid beside it is a component ----------


@pytest.mark.parametrize(
    "smiles, entries",
    [
        ("[P].I", {"red-phosphorus", "hydriodic-acid"}),  # red phosphorus with hydriodic acid
        ("II.Cl", {"iodine", "hydrochloric-acid"}),  # iodine in hydrochloric acid
        ("II.I.O", {"iodine", "hydriodic-acid"}),  # hydriodic acid with dissolved iodine
    ],
)
def test_a_mineral_acid_beside_an_element_is_kept(engine, smiles, entries):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "listed", result.to_dict()
    assert entries <= _entries(result), result.to_dict()


@pytest.mark.parametrize(
    "smiles, entries",
    [
        ("II.[K+].[I-]", {"iodine"}),  # Lugol's iodine: potassium iodide is not hydriodic acid
        ("[P].[K+].[I-]", {"red-phosphorus"}),
    ],
)
def test_an_iodide_salt_beside_an_element_is_not_hydriodic_acid(engine, smiles, entries):
    result = engine.screen(Identifiers(smiles=smiles))
    assert _entries(result) == entries, result.to_dict()


def test_a_permanganate_beside_another_salt_is_that_permanganate_only(engine):
    # the sodium and the permanganate ions are written in different salts: no sodium permanganate
    result = engine.screen(Identifiers(smiles="[K+].[O-][Mn](=O)(=O)=O.[Na+].[Cl-]"))
    assert _entries(result) == {"potassium-permanganate"}
