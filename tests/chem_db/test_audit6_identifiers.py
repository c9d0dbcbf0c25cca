"""Gaps found by a blind evaluation of order lines that carry several identifiers (sixth audit,
audit6_identifiers.yaml): a mixture labelled by its benign solvent, a mineral acid in an organic
solvent labelled by the acid, a trade name's "-D" suffix read as a deuterium label, and CAS numbers in
full-width characters or brackets."""

from __future__ import annotations

import pytest
from rdkit import Chem

from chem_db import Identifiers

PIPERONAL = "O=Cc1ccc2c(c1)OCO2"
P2P = "CC(=O)Cc1ccccc1"
NPP = "O=C1CCN(CCc2ccccc2)CC1"
SAFROLE = "C=CCc1ccc2c(c1)OCO2"


def _codes(result) -> list[str]:
    return [f.code for f in result.findings]


def _entries(result) -> set[str]:
    return {m.entry_id for m in result.matches}


# ---- a listed chemical in a mixture labelled only by its benign components ------------------------


@pytest.mark.parametrize(
    "ids, entry",
    [
        # ethanol's CAS number (and product) for piperonal in ethanol: the SMILES alone with that CAS
        # number is a conflict; adding the solvent to the SMILES must not make the label agree
        ({"cas": "64-17-5", "smiles": f"CCO.{PIPERONAL}"}, "piperonal"),
        ({"name": "ethanol", "smiles": f"CCO.{SAFROLE}"}, "safrole"),
        ({"cas": "64-17-5", "smiles": f"{NPP}.CCO"}, "npp"),
        # a carbon-free benign label (sodium chloride's CAS number) for a salt mixture holding P2P
        ({"cas": "7647-14-5", "smiles": f"[Na+].[Cl-].{P2P}"}, "p2p"),
    ],
)
def test_a_benign_label_for_part_of_a_mixture_hiding_a_listed_chemical_is_a_conflict(engine, ids, entry):
    result = engine.screen(Identifiers(**ids))
    assert result.classification == "listed", result.to_dict()
    assert entry in _entries(result)
    assert "IDENTIFIER_CONFLICT" in _codes(result), result.to_dict()


def test_a_mixture_given_by_a_second_identifier_is_screened_whole(engine):
    """The SMILES (preferred) names ethanol; the InChI gives ethanol and piperonal. Before, the two
    agreed (ethanol is a component of the InChI's mixture) and only the SMILES was screened: none."""
    inchi = Chem.MolToInchi(Chem.MolFromSmiles(f"CCO.{PIPERONAL}"))
    result = engine.screen(Identifiers(smiles="CCO", inchi=inchi))
    assert result.classification == "listed", result.to_dict()
    assert "piperonal" in _entries(result)
    assert "IDENTIFIER_CONFLICT" in _codes(result)


@pytest.mark.parametrize(
    "ids",
    [
        {"cas": "39742-60-4", "smiles": f"{NPP}.CCO"},  # NPP's CAS number for NPP in ethanol
        {"cas": "64-17-5", "name": "piperonal", "smiles": f"CCO.{PIPERONAL}"},  # the name declares it
        {"cas": "90-82-4", "smiles": "Cc1ccc(cc1)S(=O)(=O)O.C[C@@H]([C@H](c1ccccc1)O)NC"},  # a tosylate
        {"cas": "64-17-5", "smiles": "CCO.O"},  # aqueous ethanol, nothing watched in it
    ],
)
def test_a_label_that_names_the_watched_component_or_a_harmless_mixture_agrees(engine, ids):
    result = engine.screen(Identifiers(**ids))
    assert "IDENTIFIER_CONFLICT" not in _codes(result), result.to_dict()


# ---- a mineral acid in an organic solvent, by the acid's CAS number ------------------------------


@pytest.mark.parametrize("solvent", ["CCOCC", "C1COCCO1", "CC(C)O", "CO"])
def test_hydrogen_chloride_in_an_organic_solvent_by_its_cas_number_agrees(engine, solvent):
    """ "Hydrogen chloride 4 M in dioxane" (or ether, isopropanol, methanol) sold under 7647-01-0: the
    acid is one component of the solution, as an organic solute would be."""
    result = engine.screen(Identifiers(cas="7647-01-0", smiles=f"Cl.{solvent}"))
    assert "IDENTIFIER_CONFLICT" not in _codes(result), result.to_dict()
    assert "hydrochloric-acid" in _entries(result)


def test_a_carbon_free_chemical_that_is_not_in_the_mixture_still_conflicts(engine):
    result = engine.screen(Identifiers(cas="7647-01-0", smiles="CCOCC"))
    assert "IDENTIFIER_CONFLICT" in _codes(result)


# ---- "-D" after a trade name is not a deuterium label -----------------------------------------------


@pytest.mark.parametrize("name", ["Claritin-D", "claritin-d", "Mucinex-D"])
def test_a_decongestant_product_line_suffix_is_not_read_as_deuterium(engine, name):
    """Claritin-D is loratadine with pseudoephedrine; reading "-D" as one deuterium resolved it to
    loratadine alone and screened it none."""
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "unresolved", result.to_dict()
    assert "NAME_UNKNOWN" in _codes(result)


@pytest.mark.parametrize(
    "name, smiles",
    [("Chloroform-D", "ClC(Cl)Cl"), ("bromoform-d", "BrC(Br)Br"), ("acetone-d6", "CC(C)=O")],
)
def test_isotope_labels_still_name_the_labelled_chemical(engine, name, smiles):
    result = engine.screen(Identifiers(name=name))
    assert result.resolved is not None, result.to_dict()
    assert result.resolved.smiles == Chem.MolToSmiles(Chem.MolFromSmiles(smiles))


# ---- CAS numbers as they are printed ----------------------------------------------------------------


@pytest.mark.parametrize(
    "cas", ["\uff16\uff17\uff0d\uff16\uff14\uff0d\uff11", "[67-64-1]", "(67-64-1)", "CAS [67-64-1]"]
)
def test_cas_numbers_in_full_width_characters_or_brackets_resolve(engine, cas):
    result = engine.screen(Identifiers(cas=cas))
    assert result.classification == "listed", result.to_dict()
    assert _entries(result) == {"acetone"}
