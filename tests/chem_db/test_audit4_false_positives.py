"""False positives found by screening the offline dictionary (~76,000 structures) and ChEMBL's approved
drugs (fourth chemistry audit): each benign structure screens ``none`` and the real members of the
class or transform it was caught by still match."""

from __future__ import annotations

import pytest

from chem_db import Identifiers


def _entries(result) -> set[str]:
    return {m.entry_id for m in result.matches}


# ---- ephedrine-masked: a ring lactam/lactone is not an N-acyl/O-acyl ephedrine ----------------------


@pytest.mark.parametrize(
    "smiles",
    [
        "CC1C(OCC(=O)N1)C2=CC=CC=C2",  # fenmetramide (5-methyl-6-phenylmorpholin-3-one), 5588-29-4
        "CC1NCC(=O)OC1c1ccccc1",  # 5-methyl-6-phenylmorpholin-2-one
    ],
)
def test_a_morpholinone_is_not_a_masked_ephedrine(engine, smiles):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "none", result.to_dict()


@pytest.mark.parametrize(
    "smiles, entry",
    [
        ("C[C@@H]([C@@H](c1ccccc1)O)N(C)C(C)=O", "ephedrine"),  # N-acetylephedrine
        ("C[C@@H]([C@@H](c1ccccc1)OC(C)=O)NC", "ephedrine"),  # O-acetylephedrine
        ("CN1[C@@H](C)[C@@H](c2ccccc2)OC1=O", "ephedrine"),  # ephedrine oxazolidin-2-one
        ("C[C@H]1[C@H](OC(=O)N1)c1ccccc1", "phenylpropanolamine"),  # norephedrine oxazolidin-2-one
    ],
)
def test_masked_ephedrines_still_match(engine, smiles, entry):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "analog"
    assert entry in _entries(result)


# ---- imine hydrolysis: an imidic acid is how some databases write an amide -------------------------


@pytest.mark.parametrize(
    "smiles",
    [
        "O=C(O)CN=C(O)Cc1ccccc1",  # phenylacetylglycine, 500-98-1, as PubChem writes it
        "CC1=C(C(=O)O)N2C(=O)[C@@H](N=C(O)Cc3ccccc3)[C@H]2SC1",  # phenylacetyl-7-ADCA, 27255-72-7
    ],
)
def test_an_amide_written_as_its_imidic_acid_is_not_an_imine(engine, smiles):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "none", result.to_dict()
    amide = smiles.replace("N=C(O)", "NC(=O)")
    assert engine.screen(Identifiers(smiles=amide)).classification == "none"


@pytest.mark.parametrize(
    "smiles, entry",
    [
        ("CC(=NO)Cc1ccccc1", "p2p"),  # P2P oxime
        ("C1OC2=C(O1)C=C(C=C2)C=NC3=CC=CC=C3", "piperonal"),  # N-piperonylideneaniline
    ],
)
def test_real_imines_still_hydrolyse_to_the_listed_carbonyl(engine, smiles, entry):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "analog"
    assert entry in _entries(result)


# ---- salts of weak bases and metal complexes are not hydrogen chloride -----------------------------


@pytest.mark.parametrize(
    "identifiers",
    [
        {"smiles": "COC(=N)CCCCCCC(=N)OC.Cl.Cl"},  # dimethyl suberimidate dihydrochloride (crosslinker)
        {"smiles": "CC(=N)OC.Cl"},  # methyl acetimidate hydrochloride (Pinner salt)
        {"smiles": "C=NO.Cl"},  # formaldoxime hydrochloride
        {"smiles": "CCOC(=O)C1(CC[N+](CC1)(C)[O-])C2=CC=CC=C2.[Cl-]"},  # pethidine N-oxide hydrochloride
        {"cas": "14694-95-2"},  # Wilkinson's catalyst, written as PPh3 x3 . Cl . [Rh]
        {"smiles": "C1=CC=CC=C1.C1=CC=CC=C1.[Cr].[I-]"},  # dibenzenechromium iodide
    ],
)
def test_a_salt_or_metal_halide_is_not_a_free_mineral_acid(engine, identifiers):
    result = engine.screen(Identifiers(**identifiers))
    assert result.classification == "none", result.to_dict()


@pytest.mark.parametrize(
    "smiles, entry",
    [
        ("Cl.CO", "hydrochloric-acid"),  # methanolic hydrogen chloride stays a mixture with HCl
        ("c1ccc(P(c2ccccc2)c2ccccc2)cc1.Cl", "hydrochloric-acid"),  # no metal, no base: HCl is a component
        ("CC(N)Cc1ccccc1.Cl", "amphetamine"),
        ("CCO.Cl.[Zn+2].[Cl-].[Cl-]", "hydrochloric-acid"),  # a metal ion, not a bare metal: HCl stays
    ],
)
def test_mineral_acids_in_mixtures_are_still_found(engine, smiles, entry):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "listed"
    assert entry in _entries(result)


# ---- a binary compound written atom by atom is not the element ------------------------------------


@pytest.mark.parametrize(
    "identifiers",
    [
        {"cas": "26508-33-8"},  # iron phosphide FeP, "[Fe].[P]" in the dictionary
        {"cas": "12014-28-7"},  # cadmium phosphide, "[Cd].[P]"
        {"smiles": "[N].[P]"},  # phosphorus nitride as the dictionary writes it
    ],
)
def test_a_metal_phosphide_is_not_red_phosphorus(engine, identifiers):
    result = engine.screen(Identifiers(**identifiers))
    assert result.classification == "none", result.to_dict()


@pytest.mark.parametrize(
    "smiles, entry",
    [("[P]", "red-phosphorus"), ("II.[K+].[I-]", "iodine"), ("[P].CCO", "red-phosphorus")],
)
def test_elements_alone_or_in_mixtures_are_still_found(engine, smiles, entry):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "listed"
    assert entry in _entries(result)


# ---- ring homologues of 1-Boc-4-piperidone are not 4-piperidone ---------------------------------


@pytest.mark.parametrize(
    "smiles",
    [
        "CC(C)(C)OC(=O)N1CCC(=O)C1",  # tert-butyl 3-oxopyrrolidine-1-carboxylate, 101385-93-7
        "CC(C)(C)OC(=O)N1CCCC(=O)CC1",  # tert-butyl 4-oxoazepane-1-carboxylate, 188975-88-4
    ],
)
def test_boc_pyrrolidinone_and_azepanone_are_not_piperidone_analogues(engine, smiles):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "none", result.to_dict()
    assert any(f.code == "EXCLUSION_APPLIED" for f in result.findings)


def test_boc_piperidone_itself_is_still_listed(engine):
    result = engine.screen(Identifiers(smiles="CC(C)(C)OC(=O)N1CCC(=O)CC1"))
    assert result.classification == "listed"
    assert "1-boc-4-piperidone" in _entries(result)


# ---- a masked ephedrine-family member leads to the isomer its stereochemistry gives ----------------


@pytest.mark.parametrize(
    "smiles, entry",
    [
        ("C[C@@H]([C@H](c1ccccc1)O)N(C)C(C)=O", "pseudoephedrine"),  # N-acetylpseudoephedrine
        ("C[C@@H]([C@H](c1ccccc1)OC(C)=O)NC", "pseudoephedrine"),  # O-acetylpseudoephedrine
        ("C[C@@H]([C@@H](c1ccccc1)O)NC(C)=O", "phenylpropanolamine"),  # N-acetylnorephedrine
        ("C[C@H]1[C@H](OC(=O)N1)c1ccccc1", "phenylpropanolamine"),  # norephedrine oxazolidin-2-one
    ],
)
def test_a_masked_isomer_is_not_reported_as_ephedrine(engine, smiles, entry):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "analog"
    assert result.matches[0].entry_id == entry
    assert "ephedrine" not in _entries(result)


def test_without_stereochemistry_both_isomers_stay(engine):
    result = engine.screen(Identifiers(smiles="CC(C(O)c1ccccc1)N(C)C(C)=O"))  # N-acetylephedrine, no stereo
    assert {"ephedrine", "pseudoephedrine"} <= _entries(result)


def test_n_acetylephedrine_still_leads_to_ephedrine(engine):
    result = engine.screen(Identifiers(smiles="C[C@@H]([C@@H](c1ccccc1)O)N(C)C(C)=O"))
    assert _entries(result) == {"ephedrine"}
