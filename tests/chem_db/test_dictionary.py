"""The offline dictionary and the reviewed lexicon: ordinary chemicals resolve to the right structure and
come back `none` (listed ones `listed`), never `unresolved`."""

from __future__ import annotations

import pytest
from rdkit import Chem

from chem_db import Identifiers
from chem_db.dictionary import get_dictionary


def _canon(smiles: str) -> str:
    return Chem.MolToSmiles(Chem.MolFromSmiles(smiles))


def _components(result) -> list[str]:
    return [c.smiles for c in result.resolved.components]


@pytest.mark.parametrize(
    "cas, parent",
    [
        ("110-54-3", "CCCCCC"),  # n-hexane: only in the "example user db" table
        ("61-76-7", "CNC[C@H](O)c1cccc(O)c1"),  # phenylephrine HCl: a secondary number of phenylephrine
        ("53179-11-6", "CN(C)C(=O)C(CCN1CCC(O)(c2ccc(Cl)cc2)CC1)(c1ccccc1)c1ccccc1"),  # loperamide
        ("34552-83-5", "CN(C)C(=O)C(CCN1CCC(O)(c2ccc(Cl)cc2)CC1)(c1ccccc1)c1ccccc1"),  # loperamide HCl
    ],
)
def test_cas_numbers_the_dictionary_has_elsewhere_resolve_and_screen_none(engine, cas, parent):
    result = engine.screen(Identifiers(cas=cas))
    assert result.classification == "none", result.to_dict()
    assert _components(result) == [_canon(parent)]


def test_ethyl_phenylacetate_by_cas_is_a_listed_ester_of_phenylacetic_acid(engine):
    result = engine.screen(Identifiers(cas="101-97-3"))
    assert result.classification == "listed"
    assert {m.entry_id for m in result.matches} == {"phenylacetic-acid"}
    assert _components(result) == [_canon("CCOC(=O)Cc1ccccc1")]


def test_a_secondary_cas_number_does_not_claim_a_mass_fraction():
    entry = get_dictionary().lookup_cas("61-76-7")  # phenylephrine hydrochloride
    assert entry is not None and entry.secondary and entry.cas == "59-42-7"


@pytest.mark.parametrize("name", ["hexane", "n-hexane", "Hexane"])
def test_hexane_is_the_alkane_not_the_2_hexyl_radical(engine, name):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "none"
    assert _components(result) == ["CCCCCC"]


def test_no_name_resolves_to_a_radical_when_a_proper_record_exists():
    # PubChem's 2-hexyl radical row carries "hexane" as its IUPAC name.
    assert get_dictionary().lookup_name("hexane").smiles == "CCCCCC"


@pytest.mark.parametrize(
    "ids",
    [
        {"name": "xylenes"},
        {"name": "mixed xylenes"},
        {"name": "Xylene, mixed isomers"},
        {"cas": "1330-20-7"},
        {"name": "xileno"},
    ],
)
def test_mixed_xylenes_are_a_mixture_of_the_isomers_and_screen_none(engine, ids):
    result = engine.screen(Identifiers(**ids))
    assert result.classification == "none"
    assert set(_components(result)) == {
        _canon(s) for s in ("Cc1ccccc1C", "Cc1cccc(C)c1", "Cc1ccc(C)cc1", "CCc1ccccc1")
    }
    assert "MIXTURE" in [f.code for f in result.findings]


def test_petroleum_ether_is_alkanes_not_benzene(engine):
    result = engine.screen(Identifiers(name="petroleum ether"))
    assert result.classification == "none"
    assert "c1ccccc1" not in _components(result)


@pytest.mark.parametrize(
    "abbreviation, smiles",
    [
        ("IPA", "CC(C)O"),
        ("DCM", "ClCCl"),
        ("THF", "C1CCOC1"),
        ("DMF", "CN(C)C=O"),
        ("DMSO", "CS(C)=O"),
        ("EtOAc", "CCOC(C)=O"),
        ("MeOH", "CO"),
        ("NMP", "CN1CCCC1=O"),
        ("MTBE", "COC(C)(C)C"),
        ("MeCN", "CC#N"),
    ],
)
def test_solvent_abbreviations_resolve_and_screen_none(engine, abbreviation, smiles):
    result = engine.screen(Identifiers(name=abbreviation))
    assert result.classification == "none", result.to_dict()
    assert _components(result) == [_canon(smiles)]


def test_an_abbreviation_of_a_listed_solvent_is_the_watchlist_entry(engine):
    result = engine.screen(Identifiers(name="DEE"))
    assert result.classification == "listed"
    assert {m.entry_id for m in result.matches} == {"ethyl-ether"}


def test_watchlist_abbreviations_stay_with_the_watchlist(engine):
    assert {m.entry_id for m in engine.screen(Identifiers(name="MEK")).matches} == {"mek"}
    assert {m.entry_id for m in engine.screen(Identifiers(name="GBL")).matches} == {"gbl"}


@pytest.mark.parametrize(
    "name", ["ethyl methylphenylglycidate", "Ethyl methylphenylglycidate", "strawberry aldehyde"]
)
def test_the_flavour_glycidate_name_gives_the_3_methyl_3_phenyl_isomer(engine, name):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "none"
    assert _components(result) == [_canon("CCOC(=O)C1OC1(C)c1ccccc1")]


@pytest.mark.parametrize("name", ["para-fluorofentanyl", "p-fluorofentanyl", "4-fluorofentanyl"])
def test_fentanyl_analogue_trade_names_resolve_to_the_class(engine, name):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "listed"
    assert _components(result) == [_canon("CCC(=O)N(c1ccc(F)cc1)C1CCN(CCc2ccccc2)CC1")]


def test_furanylfentanyl_by_name_is_a_fentanyl_related_substance(engine):
    result = engine.screen(Identifiers(name="furanylfentanyl"))
    assert result.classification == "listed"


@pytest.mark.parametrize(
    "name, smiles, formula",
    [
        ("thiofentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCc2cccs2)CC1", "C20H26N2OS"),
        ("ortho-fluorofentanyl", "CCC(=O)N(c1ccccc1F)C1CCN(CCc2ccccc2)CC1", "C22H27FN2O"),
        ("meta-fluorofentanyl", "CCC(=O)N(c1cccc(F)c1)C1CCN(CCc2ccccc2)CC1", "C22H27FN2O"),
        ("isobutyrylfentanyl", "CC(C)C(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "C23H30N2O"),
        ("4-fluoroisobutyrylfentanyl", "CC(C)C(=O)N(c1ccc(F)cc1)C1CCN(CCc2ccccc2)CC1", "C23H29FN2O"),
        ("tetrahydrofuranylfentanyl", "O=C(C1CCCO1)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "C24H30N2O2"),
        ("cyclopentylfentanyl", "O=C(C1CCCC1)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "C25H32N2O"),
        ("crotonylfentanyl", "C/C=C/C(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "C23H28N2O"),
        ("benzoylfentanyl", "O=C(c1ccccc1)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "C26H28N2O"),
        ("beta-hydroxyfentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CC(O)c2ccccc2)CC1", "C22H28N2O2"),
        ("ohmefentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CC(O)c2ccccc2)CC1C", "C23H30N2O2"),
        ("lofentanil", "CCC(=O)N(c1ccccc1)[C@@]1(C(=O)OC)CCN(CCc2ccccc2)C[C@H]1C", "C25H32N2O3"),
        ("3-methylthiofentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCc2cccs2)CC1C", "C21H28N2OS"),
        ("alpha-methylthiofentanyl", "CCC(=O)N(c1ccccc1)C1CCN(C(C)Cc2cccs2)CC1", "C21H28N2OS"),
    ],
)
def test_more_fentanyl_related_substances_by_trade_name(engine, name, smiles, formula):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "listed", result.to_dict()
    assert _components(result) == [_canon(smiles)]
    assert result.resolved.formula == formula
    assert any(m.class_id == "fentanyl-related-substance" and m.listed for m in result.matches)


@pytest.mark.parametrize(
    "smiles, parent",
    [
        ("CC1=CC=CC=[C-]1.[Mg+2].[Cl-]", "Cc1[c-]cccc1"),  # o-tolylmagnesium chloride is not toluene
        ("CC1=CC=CC=C1[CH2-].[Mg+2].[Cl-]", "[CH2-]c1ccccc1C"),
        ("[CH3-].[Mg+2].[Br-]", "[CH3-]"),  # methylmagnesium bromide is not methane
        ("[Li+].CCC[CH2-]", "[CH2-]CCC"),  # n-butyllithium is not butane
    ],
)
def test_grignard_and_organolithium_reagents_are_not_their_hydrocarbons(engine, smiles, parent):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "none"
    assert _components(result) == [parent]


@pytest.mark.parametrize(
    "ids, entry",
    [
        ({"name": "acetone-d6"}, "acetone"),
        ({"smiles": "[2H]C([2H])([2H])C(=O)C([2H])([2H])[2H]"}, "acetone"),
        ({"smiles": "[2H]c1c([2H])c([2H])c(C([2H])([2H])[2H])c([2H])c1[2H]"}, "toluene"),  # toluene-d8
    ],
)
def test_a_deuterated_solvent_is_the_chemical_it_labels(engine, ids, entry):
    result = engine.screen(Identifiers(**ids))
    assert {m.entry_id for m in result.matches} == {entry}
    assert "[H]" not in result.resolved.components[0].smiles


@pytest.mark.parametrize("cas", ["9004-34-6", "9003-39-8"])  # microcrystalline cellulose, povidone
def test_polymer_excipients_are_screened_as_their_repeat_unit(engine, cas):
    result = engine.screen(Identifiers(cas=cas))
    assert result.classification == "none"
    assert "POLYMER" in [f.code for f in result.findings]


@pytest.mark.parametrize(
    "name, smiles",
    [
        ("hidróxido de sodio", "[Na+].[OH-]"),
        ("ácido cítrico", "O=C(O)CC(O)(CC(=O)O)C(=O)O"),
        ("alcohol isopropílico", "CC(C)O"),
        ("hexano", "CCCCCC"),
        ("borohidruro de sodio", "[BH4-].[Na+]"),
        ("cloruro de propionilo", "CCC(=O)Cl"),
        ("ciclohexanona", "O=C1CCCCC1"),
        ("nitrometano", "C[N+](=O)[O-]"),
        ("yoduro de potasio", "[K+].[I-]"),
        ("yoduro de sodio", "[Na+].[I-]"),
        ("1,4-butanodiol", "OCCCCO"),
        ("vainillina", "COc1cc(C=O)ccc1O"),
        ("fenetilamina", "NCCc1ccccc1"),
    ],
)
def test_spanish_names_of_common_chemicals_resolve_and_screen_none(engine, name, smiles):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "none", result.to_dict()
    assert _components(result) == [_canon(smiles)]


@pytest.mark.parametrize(
    "name, smiles, entry, kind",
    [
        ("fenilacetato de etilo", "CCOC(=O)Cc1ccccc1", "phenylacetic-acid", "class"),  # an ester: listed
        ("fenilacetato de metilo", "COC(=O)Cc1ccccc1", "phenylacetic-acid", "class"),
        ("éster etílico del ácido fenilacético", "CCOC(=O)Cc1ccccc1", "phenylacetic-acid", "class"),
        ("antranilato de metilo", "COC(=O)c1ccccc1N", "anthranilic-acid", "class"),
        ("antranilato de etilo", "CCOC(=O)c1ccccc1N", "anthranilic-acid", "class"),
        ("glicidato de BMK", "COC(=O)C1(C)OC1c1ccccc1", "bmk-methyl-glycidate", "exact"),
        ("ácido glicídico de BMK", "CC1(C(=O)O)OC1c1ccccc1", "bmk-glycidic-acid", "exact"),
        ("glicidato de metilo de PMK", "COC(=O)C1(C)OC1c1ccc2c(c1)OCO2", "pmk-glycidate", "exact"),
        ("levomethamphetamine", "CN[C@H](C)Cc1ccccc1", "methamphetamine", "salt_or_isomer"),  # (R)
        ("racemethamphetamine", "CNC(C)Cc1ccccc1", "methamphetamine", "salt_or_isomer"),
        ("levamfetamine", "C[C@@H](N)Cc1ccccc1", "amphetamine", "salt_or_isomer"),  # (R)
        ("midomafetamine", "CNC(C)Cc1ccc2c(c1)OCO2", "mdma", "exact"),  # the INN of (racemic) MDMA
        ("ethyl ester of phenylacetic acid", "CCOC(=O)Cc1ccccc1", "phenylacetic-acid", "class"),
        ("Methyl ester of anthranilic acid", "COC(=O)c1ccccc1N", "anthranilic-acid", "class"),
    ],
)
def test_spanish_and_inn_names_of_listed_chemicals_resolve_to_the_named_structure(
    engine, name, smiles, entry, kind
):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "listed", result.to_dict()
    assert _components(result) == [_canon(smiles)]
    assert any(m.entry_id == entry and m.match_type == kind and m.listed for m in result.matches)


@pytest.mark.parametrize("identifiers", [{"name": "cathinone"}, {"name": "catinona"}, {"cas": "71031-15-7"}])
def test_cathinone_is_one_reduction_from_norephedrine(engine, identifiers):
    result = engine.screen(Identifiers(**identifiers))
    assert result.classification == "analog", result.to_dict()
    assert _components(result) == [_canon("C[C@H](N)C(=O)c1ccccc1")]
    assert {m.leads_to or m.entry_id for m in result.matches} & {"phenylpropanolamine", "norpseudoephedrine"}


@pytest.mark.parametrize(
    "inchikey, smiles",
    [
        ("KWGRBVOPPLSCSI-PSASIEDQSA-N", "CN[C@H](C)[C@@H](O)c1ccccc1"),  # (1S,2R)-(+)-ephedrine
        ("KWGRBVOPPLSCSI-SCZZXKLOSA-N", "CN[C@H](C)[C@H](O)c1ccccc1"),  # (1R,2R)-(-)-pseudoephedrine
    ],
)
def test_the_inchikey_of_a_listed_enantiomer_resolves(engine, inchikey, smiles):
    """An InChIKey names one stereoisomer; the mirror image of a listed chemical is in no dictionary as
    often as the chemical, and the listing covers optical isomers."""
    result = engine.screen(Identifiers(inchikey=inchikey))
    assert result.classification == "listed", result.to_dict()
    assert _components(result) == [_canon(smiles)]
    assert any(m.match_type == "salt_or_isomer" and m.listed for m in result.matches)


def test_the_spanish_name_of_p2np_is_a_p2p_designer_precursor(engine):
    result = engine.screen(Identifiers(name="1-fenil-2-nitropropeno"))
    assert result.classification == "analog"
    assert _components(result) == [_canon("CC(=Cc1ccccc1)[N+](=O)[O-]")]
    assert any(m.leads_to == "p2p" for m in result.matches)


@pytest.mark.parametrize(
    "name, english",
    [
        ("salicilato de metilo", "COC(=O)c1ccccc1O"),  # the Spanish ester rule also reads benign esters
        ("acetato de isoamilo", "CC(=O)OCCC(C)C"),
    ],
)
def test_spanish_ester_names_of_benign_esters_screen_none(engine, name, english):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "none"
    assert _components(result) == [_canon(english)]


@pytest.mark.parametrize(
    "ids, smiles",
    [
        ({"name": "ketanserin"}, "O=C(c1ccc(F)cc1)C1CCN(CCn2c(=O)[nH]c3ccccc3c2=O)CC1"),  # C22H22FN3O3
        ({"name": "ebastine"}, "CC(C)(C)c1ccc(C(=O)CCCN2CCC(OC(c3ccccc3)c3ccccc3)CC2)cc1"),  # C32H39NO2
        ({"name": "heliotropyl acetone"}, "CC(=O)CCc1ccc2OCOc2c1"),  # a PMK homologue flavour, not PMK
        ({"name": "strawberry glycidate"}, "CCOC(=O)C1OC1(C)c1ccccc1"),  # the 3-methyl-3-phenyl glycidate
        ({"name": "activated carbon"}, "[C]"),
        ({"cas": "7440-44-0"}, "[C]"),  # carbon
        ({"cas": "34911-55-2"}, "CC(NC(C)(C)C)C(=O)c1cccc(Cl)c1"),  # bupropion
        ({"name": "Helional"}, "CC(C=O)Cc1ccc2OCOc2c1"),  # the dictionary's name row is phenobarbital
        ({"name": "Tropional"}, "CC(C=O)Cc1ccc2OCOc2c1"),
        ({"name": "aluminum foil"}, "[Al]"),  # a metal's form is a product-description word
        ({"name": "magnesium ribbon"}, "[Mg]"),
    ],
)
def test_common_chemicals_the_dictionary_lacks_resolve_and_screen_none(engine, ids, smiles):
    result = engine.screen(Identifiers(**ids))
    assert result.classification == "none", result.to_dict()
    assert _components(result) == [_canon(smiles)]


def test_naphtha_stays_unresolved_rather_than_guessed(engine):
    # Petroleum naphtha (aliphatic) and coal-tar naphtha (benzene/toluene-rich; toluene is List II) share
    # the name: representative components would either hide toluene or flag every petroleum naphtha.
    result = engine.screen(Identifiers(name="naphtha"))
    assert result.classification == "unresolved"
    assert "NAME_UNKNOWN" in [f.code for f in result.findings]


def test_deas_own_abbreviation_4_anpp_is_anpp(engine):
    result = engine.screen(Identifiers(name="4-ANPP"))
    assert result.classification == "listed"
    assert {m.entry_id for m in result.matches} == {"anpp"}


def test_chloropseudoephedrine_hydrolyses_back_to_the_ephedrines(engine):
    result = engine.screen(Identifiers(smiles="CNC(C)C(Cl)c1ccccc1"))
    assert result.classification == "analog"
    assert {m.entry_id for m in result.matches} == {"ephedrine", "pseudoephedrine"}


def test_a_benzylic_chloride_that_gives_no_entry_stays_none(engine):
    piperonyl_chloride = "ClCc1ccc2OCOc2c1"
    assert engine.screen(Identifiers(smiles=piperonyl_chloride)).classification == "none"


def test_every_lexicon_name_given_only_by_cas_is_the_compound_its_english_name_gives(watchlist):
    d = get_dictionary()

    def key(smiles: str) -> str:
        return Chem.MolToInchiKey(Chem.MolFromSmiles(smiles)).split("-")[0]

    for ln in watchlist.lexicon:
        if ln.kind != "name" or ln.smiles is not None:
            continue
        by_cas, by_name = d.lookup_cas(ln.cas), d.lookup_name(ln.note)
        assert by_cas is not None and by_name is not None, ln.name
        assert key(by_cas.smiles) == key(by_name.smiles), ln.name


# Lexicon records that are not "none" although their kind is not trade_name: the abbreviation of a listed
# chemical, stereoisomers of controlled drugs (covered as optical isomers), and P2NP and cathinone (designer
# precursors).
_LEXICON_NOT_NONE = {
    "DEE": "listed",
    "Levomethamphetamine": "listed",
    "Racemethamphetamine": "listed",
    "Levamfetamine": "listed",
    "1-fenil-2-nitropropeno": "analog",
    "Cathinone": "analog",  # one ketone reduction from norephedrine
    "EAPA": "analog",
    "MDP2NP": "analog",
    "Diethyl (phenylacetyl)malonate": "analog",
    "Phenylacetylcarbinol": "analog",
    "L-PAC": "analog",
    "Acetanthranil": "analog",
    "Oil of bitter almonds": "listed",  # benzaldehyde, DEA List I
}


def test_every_lexicon_record_resolves_by_name(engine, watchlist):
    for ln in watchlist.lexicon:
        for name in (ln.name, *ln.synonyms):
            result = engine.screen(Identifiers(name=name))
            assert result.screened, name
            listed_kinds = {"trade_name": "listed", "other_meaning": "listed"}  # other meanings: not alone
            expected = _LEXICON_NOT_NONE.get(ln.name, listed_kinds.get(ln.kind, "none"))
            assert result.classification == expected, name


def test_every_lexicon_cas_number_the_dictionary_also_has_is_the_same_compound(watchlist):
    d = get_dictionary()
    for ln in watchlist.lexicon:
        if ln.cas is None or ln.smiles is None or ln.kind in ("mixture", "polymer", "substance"):
            continue
        other = d.lookup_cas(ln.cas)
        if other is not None and not other.secondary:  # a secondary number gives the free base's row
            mine = Chem.MolToInchiKey(Chem.MolFromSmiles(ln.smiles)).split("-")[0]
            assert Chem.MolToInchiKey(Chem.MolFromSmiles(other.smiles)).split("-")[0] == mine, ln.name


@pytest.mark.parametrize("name", ["kerosene", "mineral oil", "turpentine", "castor oil", "diesel"])
def test_substances_of_variable_composition_are_screened_as_representative_components(engine, name):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "none"
    assert "VARIABLE_COMPOSITION" in [f.code for f in result.findings]


@pytest.mark.parametrize("name", ["sertraline", "cetirizine", "valsartan", "Sertraline hydrochloride"])
def test_common_apis_the_dictionary_lacks_resolve_through_chembl(engine, name):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "none"
    assert result.screened


@pytest.mark.parametrize(
    "cas, parent",
    [
        ("153439-40-8", "CC(C)(C(=O)O)c1ccc(C(O)CCCN2CCC(C(O)(c3ccccc3)c3ccccc3)CC2)cc1"),  # fexofenadine HCl
        ("79559-97-0", "CN[C@H]1CC[C@@H](c2ccc(Cl)c(Cl)c2)c2ccccc21"),  # sertraline HCl
        ("113-92-8", "CN(C)CCC(c1ccc(Cl)cc1)c1ccccn1"),  # chlorpheniramine maleate
    ],
)
def test_common_api_salts_by_cas_resolve_to_their_parent_and_screen_none(engine, cas, parent):
    result = engine.screen(Identifiers(cas=cas))
    assert result.classification == "none"
    assert _components(result) == [_canon(parent)]


@pytest.mark.parametrize(
    "name, smiles", [("DMSO-d6", "CS(C)=O"), ("chloroform-d", "ClC(Cl)Cl"), ("methanol-d4", "CO")]
)
def test_deuterated_solvent_names_resolve_to_the_solvent(engine, name, smiles):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "none"
    assert _components(result) == [_canon(smiles)]


@pytest.mark.parametrize(
    "identifiers, leads_to",
    [
        ({"name": "EAPA"}, "p2p"),
        ({"name": "P2NP"}, "p2p"),
        ({"name": "MDP2NP"}, "pmk"),
        ({"cas": "5438-41-5"}, "pmk"),  # MDP2NP, the number designer_classes.yaml cites
        ({"cas": "20320-59-6"}, "p2p"),  # diethyl (phenylacetyl)malonate, likewise
        ({"name": "L-PAC"}, "ephedrine"),
        # OPSIN reads this name literally as PhCH2-CO-CH2OH (none); it is PhCH(OH)-CO-CH3
        ({"name": "phenylacetylcarbinol"}, "ephedrine"),
    ],
)
def test_designer_precursors_by_trade_abbreviation_and_cited_cas(engine, identifiers, leads_to):
    result = engine.screen(Identifiers(**identifiers))
    assert result.classification == "analog", result.to_dict()
    assert leads_to in {m.leads_to for m in result.matches}
