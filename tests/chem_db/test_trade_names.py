"""English trade, common and industrial names as they appear on US invoices (bench/data/trade_names.yaml, a
list written before reading the code): they resolve to the chemical they mean, ambiguous abbreviations stay
unresolved, and a bare abbreviation is never read from an unreviewed PubChem synonym."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from rdkit import Chem

from chem_db import Identifiers
from chem_db.dictionary import get_dictionary

_ROOT = Path(__file__).resolve().parents[2]


def _key(smiles: str) -> str:
    return Chem.MolToInchiKey(Chem.MolFromSmiles(smiles))


def _codes(result) -> set[str]:
    return {f.code for f in result.findings}


# --- the guard: a bare capital abbreviation is not read from a dictionary synonym ---------------------


@pytest.mark.parametrize("name", ["DEA", "PG", "LPG", "PDC", "DMI", "SAN", "NPA"])
def test_dictionary_does_not_answer_a_bare_abbreviation_only_its_synonyms_carry(name):
    # PubChem's synonyms gave deethylatrazine, 1,3-propanediol, L-alanine, methyl 10-hydroxydecanoate,
    # desipramine, sulfanilamide and neopentyl glycol diacrylate
    assert get_dictionary().lookup_name(name) is None


@pytest.mark.parametrize(
    "name, cas",
    [
        ("KOH", "1310-58-3"),  # a formula in capitals is not an abbreviation
        ("NaOH", "1310-73-2"),
        ("soda", "497-19-8"),  # a word in lower case is a name
        ("tin", "7440-31-5"),
        ("urea", "57-13-6"),
        ("dehp", "117-81-7"),  # the row's common name, not a synonym
    ],
)
def test_dictionary_still_answers_formulas_words_and_common_names(name, cas):
    hit = get_dictionary().lookup_name(name)
    assert hit is not None and hit.cas == cas


def test_bare_abbreviation_shape():
    from chem_db.names import is_bare_abbreviation

    assert is_bare_abbreviation("DEA") and is_bare_abbreviation(" TEA ")
    assert (
        not is_bare_abbreviation("KOH") and not is_bare_abbreviation("HI") and not is_bare_abbreviation("CO")
    )
    assert (
        not is_bare_abbreviation("Dea")
        and not is_bare_abbreviation("DMSO2")
        and not is_bare_abbreviation("A")
    )


@pytest.mark.parametrize("name", ["DEA", "PG", "TEA", "MEA", "MMA", "DPG", "TSP", "TCA", "DIPA", "TBP"])
def test_ambiguous_trade_abbreviations_stay_unresolved(engine, name):
    # each means different chemicals in different trades (MEA and MMA include List I amines): a person looks
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "unresolved", (name, result.resolved)


# --- names that resolve to the chemical they mean ----------------------------------------------------


@pytest.mark.parametrize(
    "name, reference",
    [
        ("PM acetate", {"smiles": "COCC(C)OC(C)=O"}),  # was phenylmercuric acetate
        (
            "Dowanol PM",
            {"smiles": "COCC(C)O"},
        ),  # was 1-methoxypropan-1-ol (the dictionary's "methoxypropanol")
        ("methoxypropanol", {"smiles": "COCC(C)O"}),
        ("MDI", {"smiles": "O=C=Nc1ccc(Cc2ccc(N=C=O)cc2)cc1"}),
        ("HDI", {"smiles": "O=C=NCCCCCCN=C=O"}),
        ("DOP", {"smiles": "CCCCC(CC)COC(=O)c1ccccc1C(=O)OCC(CC)CCCC"}),
        ("TEG", {"smiles": "OCCOCCOCCO"}),
        ("MPG", {"smiles": "CC(O)CO"}),
        ("BDO", {"smiles": "OCCCCO"}),
        ("VAM", {"smiles": "CC(=O)OC=C"}),
        ("DBU", {"smiles": "C1CCC2=NCCCN2CC1"}),
        ("cream of tartar", {"smiles": "O=C(O)[C@H](O)[C@@H](O)C(=O)O"}),  # L-(+)-tartaric acid, (2R,3R)
        ("caustic soda beads", {"smiles": "[Na+].[OH-]"}),
        ("urea prills", {"smiles": "NC(N)=O"}),
        ("ethyl alcohol 200 proof", {"smiles": "CCO"}),
        ("potassium permanganate free flowing", {"smiles": "[K+].[O-][Mn](=O)(=O)=O"}),
        ("R-32", {"smiles": "FCF"}),
        # old and trade names of inorganics, against their CAS number
        ("slaked lime", {"cas": "1305-62-0"}),
        ("green vitriol", {"cas": "7782-63-0"}),
        ("Epsom salt", {"cas": "10034-99-8"}),  # the heptahydrate
        ("sulfate of potash", {"cas": "7778-80-5"}),  # was potassium carbonate sulfate
        ("cal hypo", {"cas": "7778-54-3"}),
        ("trichlor", {"cas": "87-90-1"}),
        ("red lead", {"cas": "1314-41-6"}),
        ("whiting", {"cas": "471-34-1"}),
    ],
)
def test_trade_names_resolve_to_their_chemical(engine, name, reference):
    by_name = engine.screen(Identifiers(name=name))
    by_reference = engine.screen(Identifiers(**reference))
    assert by_name.resolved is not None and by_reference.resolved is not None, name
    assert by_name.resolved.inchikey == by_reference.resolved.inchikey, (name, by_name.resolved.smiles)


def test_oil_of_bitter_almonds_is_listed_benzaldehyde(engine):
    result = engine.screen(Identifiers(name="oil of bitter almonds"))
    assert result.classification == "listed"
    assert {m.entry_id for m in result.matches} == {"benzaldehyde"}


@pytest.mark.parametrize(
    "name, components",
    [
        ("TDI", ["Cc1ccc(N=C=O)cc1N=C=O", "Cc1c(N=C=O)cccc1N=C=O"]),
        ("TDI 80/20", ["Cc1ccc(N=C=O)cc1N=C=O", "Cc1c(N=C=O)cccc1N=C=O"]),
        # the dictionary drew 25265-71-8 as a hemiacetal, 1,1'-oxydipropan-1-ol
        ("dipropylene glycol", ["CC(O)COCC(C)O", "CC(O)COC(C)CO", "CC(CO)OC(C)CO"]),
        ("R-410A", ["FCF", "FC(F)C(F)(F)F"]),
    ],
)
def test_commodity_mixtures_resolve_to_every_component(engine, name, components):
    result = engine.screen(Identifiers(name=name))
    assert result.resolved is not None, name
    assert "MIXTURE" in _codes(result)
    assert {c.inchikey for c in result.resolved.components} == {_key(s) for s in components}


@pytest.mark.parametrize(
    "ids, code",
    [
        ({"name": "xanthan gum"}, "POLYMER"),  # was xanthene
        ({"cas": "11138-66-2"}, "POLYMER"),  # xanthan gum's number, also xanthene in the dictionary
        ({"cas": "9003-07-0"}, "POLYMER"),  # polypropylene: an epoxy fatty acid in the dictionary
        ({"name": "PVC resin"}, "POLYMER"),
        ({"name": "PDMS"}, "POLYMER"),
        ({"name": "Triton X-100"}, "POLYMER"),
        ({"name": "denatured alcohol"}, "VARIABLE_COMPOSITION"),  # was plain ethanol
        ({"name": "LPG"}, "VARIABLE_COMPOSITION"),  # was L-alanine
        ({"name": "polymeric MDI"}, "VARIABLE_COMPOSITION"),
        ({"name": "VM&P naphtha"}, "VARIABLE_COMPOSITION"),
    ],
)
def test_polymers_and_variable_substances_say_so(engine, ids, code):
    result = engine.screen(Identifiers(**ids))
    assert result.resolved is not None, ids
    assert code in _codes(result), (ids, result.resolved.smiles)
    assert result.classification == "none"


# --- the blind list as a whole ------------------------------------------------------------------------


def test_blind_trade_name_list_has_no_wrong_reading_left_but_the_known_ones(engine):
    sys.path.insert(0, str(_ROOT / "bench"))
    from trade_names import measure

    names = yaml.safe_load((_ROOT / "bench" / "data" / "trade_names.yaml").read_text(encoding="utf-8"))[
        "names"
    ]
    rows = measure(engine, names)
    wrong = sorted(x["name"] for x, s, _ in rows if s in ("wrong", "skeleton_only"))
    unresolved = [x["name"] for x, s, _ in rows if s == "unresolved"]
    # potash: potassium carbonate to a chemist, potassium chloride to the fertilizer trade; mothballs:
    # naphthalene or p-dichlorobenzene. Both benign either way, left to the dictionary.
    assert wrong == ["mothballs", "potash"]
    assert len(unresolved) <= 10, unresolved


@pytest.mark.parametrize("name", ["TALC", "TALC USP", "SALT", "Talco"])
def test_everyday_words_in_capitals_are_not_taken_for_abbreviations(engine, name):
    """Invoices printed in capitals: a short word is no trade abbreviation (the ChEMBL list has TALC)."""
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "none" and result.resolved is not None


@pytest.mark.parametrize(
    "cas, name",
    [
        ("64742-88-7", "Solvent naphtha (petroleum), medium aliphatic"),  # mineral spirits on an SDS
        ("64742-47-8", "Distillates (petroleum), hydrotreated light"),
        ("8012-95-1", "Paraffin oils (petroleum)"),
        ("1327-41-9", "Polyaluminium chloride"),  # a water-treatment coagulant
    ],
)
def test_the_cas_numbers_of_common_substances_on_safety_data_sheets_resolve(engine, cas, name):
    result = engine.screen(Identifiers(cas=cas))
    assert result.classification == "none" and result.resolved is not None and result.resolved.name == name
    assert "VARIABLE_COMPOSITION" in [f.code for f in result.findings]
