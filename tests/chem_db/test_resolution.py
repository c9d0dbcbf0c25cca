"""Identifier resolution: strict SMILES, CAS check digits, names in English and Spanish, InChI,
identifier conflicts."""

from __future__ import annotations

import pytest
from rdkit import Chem

from chem_db import Identifiers
from chem_db.opsin import opsin_available


def _codes(result):
    return [f.code for f in result.findings]


@pytest.mark.parametrize(
    "smiles, code",
    [
        ("CCO <anything>", "SMILES_INVALID"),  # RDKit would read only "CCO": ethanol
        ("CCO\nC", "SMILES_INVALID"),
        ("CCO\tC", "SMILES_INVALID"),
        ("CC\x00O", "SMILES_INVALID"),
        ("", "SMILES_INVALID"),
        ("   ", "SMILES_INVALID"),
        ("[*]CC", "SMILES_INVALID"),  # dummy atom
        ("*CC", "SMILES_INVALID"),
        ("benzene C1=CC", "SMILES_INVALID"),  # a name glued on
        ("acetoneCC(C)=O", "SMILES_INVALID"),
        ("C1CC", "SMILES_INVALID"),  # unclosed ring
        ("C(C)(C)(C)(C)C", "SMILES_INVALID"),  # pentavalent carbon
        ("[C;H2]CC", "SMILES_INVALID"),  # a SMARTS query, not a structure
        ("CC>>CO", "SMILES_INVALID"),  # a reaction
        ("C" * 1001, "LIMIT_EXCEEDED"),
        (".".join(["C"] * 60), "LIMIT_EXCEEDED"),
    ],
)
def test_bad_smiles_is_refused_with_a_reason(engine, smiles, code):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "unresolved"
    assert not result.screened
    assert code in _codes(result)
    assert result.resolved is None


def test_anything_after_a_space_never_becomes_ethanol(engine):
    result = engine.screen(Identifiers(smiles="CCO O=C1CCN(CCc2ccccc2)CC1"))
    assert result.classification == "unresolved"


@pytest.mark.parametrize(
    "cas, code",
    [
        ("67-64-2", "CAS_INVALID"),
        ("67-64", "CAS_INVALID"),
        ("abc", "CAS_INVALID"),
        ("1234567-89-5", "CAS_UNKNOWN"),
    ],
)
def test_bad_cas_numbers(engine, cas, code):
    result = engine.screen(Identifiers(cas=cas))
    assert result.classification == "unresolved"
    assert code in _codes(result)


@pytest.mark.parametrize(
    "cas",
    [
        "64-17-5",
        "67-63-0",
        "100-51-6",
        "141-78-6",
        "58-08-2",
        "15687-27-1",
        "7647-14-5",
        "7732-18-5",
        "64-19-7",
    ],
)
def test_ordinary_reagents_by_cas_resolve_to_none(engine, cas):
    result = engine.screen(Identifiers(cas=cas))
    assert result.classification == "none"
    assert result.screened


@pytest.mark.parametrize(
    "name, entry",
    [
        ("ACETONE", "acetone"),
        ("  acetone ", "acetone"),
        ("Anhídrido acético", "acetic-anhydride"),
        ("anhidrido acetico", "acetic-anhydride"),
        ("metilamina", "methylamine"),
        ("α-phenylacetoacetonitrile", "apaan"),
        ("alpha-Phenylacetoacetonitrile", "apaan"),
        ("Pseudoephedrine HCl", "pseudoephedrine"),
        ("pseudoephedrine hydrochloride", "pseudoephedrine"),
        ("clorhidrato de efedrina", "ephedrine"),
        ("Ephedrine sulfate", "ephedrine"),
        ("methylamine hydrochloride", "methylamine"),
        ("4-AP dihydrochloride", "4-ap"),
        ("phenylacetic acid, sodium salt", "phenylacetic-acid"),
        ("(+)-pseudoephedrine", "pseudoephedrine"),
        ("NPP", "npp"),
        ("P2P", "p2p"),
        ("BMK", "p2p"),
        ("gamma-butyrolactone", "gbl"),
        ("γ-butyrolactone", "gbl"),
    ],
)
def test_names_with_case_accents_greek_and_salt_words(engine, name, entry):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "listed", (result.findings, result.matches)
    assert entry in {m.entry_id for m in result.matches if m.listed}


def test_salt_named_in_words_counts_the_base_weight(engine):
    result = engine.screen(Identifiers(name="pseudoephedrine hydrochloride"))
    assert result.parent_mass_fraction == pytest.approx(0.819, abs=0.002)
    result = engine.screen(Identifiers(name="pseudoephedrine sulfate"))
    assert result.parent_mass_fraction == pytest.approx(0.771, abs=0.002)


def test_unknown_name(engine):
    result = engine.screen(Identifiers(name="zorblaxamine glue"))
    assert result.classification == "unresolved"
    assert "NAME_UNKNOWN" in _codes(result)


@pytest.mark.skipif(not opsin_available(), reason="Java/OPSIN not installed")
def test_systematic_names_through_opsin(engine):
    result = engine.screen(Identifiers(name="tert-butyl 4-anilinopiperidine-1-carboxylate"))
    assert "1-boc-4-ap" in {m.entry_id for m in result.matches}
    result = engine.screen(Identifiers(name="2-methyl-3-phenyloxirane-2-carboxylic acid propyl ester"))
    assert result.classification in ("listed", "analog", "unresolved")


def test_opsin_unavailable_is_reported(engine, monkeypatch):
    import chem_db.resolve as resolve

    monkeypatch.setattr(resolve, "names_to_smiles", lambda names, timeout: None)
    result = engine.screen(Identifiers(name="1-(2-phenylethyl)piperidin-4-one derivative xyz"))
    assert "OPSIN_UNAVAILABLE" in _codes(result)
    assert result.classification == "unresolved"


def test_inchi_and_inchikey(engine):
    npp_inchi = "InChI=1S/C13H17NO/c15-13-7-10-14(11-8-13)9-6-12-4-2-1-3-5-12/h1-5H,6-11H2"
    assert "npp" in {m.entry_id for m in engine.screen(Identifiers(inchi=npp_inchi)).matches}
    key = engine.screen(Identifiers(smiles="O=C1CCN(CCc2ccccc2)CC1")).resolved.inchikey
    assert "npp" in {m.entry_id for m in engine.screen(Identifiers(inchikey=key)).matches}
    assert "INCHI_INVALID" in _codes(engine.screen(Identifiers(inchi="InChI=1S/garbage")))
    assert "INCHIKEY_INVALID" in _codes(engine.screen(Identifiers(inchikey="not-a-key")))


def test_identifier_conflict_names_both_identifiers(engine):
    result = engine.screen(Identifiers(cas="67-64-1", smiles="O=C1CCN(CCc2ccccc2)CC1"))
    conflict = next(f for f in result.findings if f.code == "IDENTIFIER_CONFLICT")
    assert "67-64-1" in conflict.message and "O=C1CCN(CCc2ccccc2)CC1" in conflict.message
    assert "Acetone" in conflict.message
    # both structures are screened: the mislabelled NPP is not hidden behind the acetone CAS
    assert {"npp", "acetone"} <= {m.entry_id for m in result.matches}


@pytest.mark.parametrize(
    "ids",
    [
        {"cas": "345-78-8", "smiles": "CN[C@@H](C)[C@@H](O)c1ccccc1"},  # PSE HCl CAS + free base SMILES
        {"cas": "50-98-6", "name": "ephedrine"},
        {"cas": "67-64-1", "name": "acetone", "smiles": "CC(C)=O"},
        {"cas": "7722-64-7", "smiles": "[K+].[O-][Mn](=O)(=O)=O"},
        {"name": "ephedrine", "smiles": "CNC(C)C(O)c1ccccc1"},  # flat SMILES agrees with a stereo name
    ],
)
def test_agreeing_identifiers_are_not_a_conflict(engine, ids):
    result = engine.screen(Identifiers(**ids))
    assert "IDENTIFIER_CONFLICT" not in _codes(result)
    assert result.classification == "listed"


@pytest.mark.parametrize(
    "ids, entry",
    [
        ({"cas": "90-82-4", "smiles": "CNC(C)C(O)c1ccccc1"}, "pseudoephedrine"),
        ({"cas": "345-78-8", "smiles": "CNC(C)C(O)c1ccccc1.Cl"}, "pseudoephedrine"),  # the HCl salt's CAS
        ({"name": "ephedrine", "smiles": "CNC(C)C(O)c1ccccc1"}, "ephedrine"),
        ({"name": "(±)-ephedrine", "smiles": "CNC(C)C(O)c1ccccc1"}, "ephedrine"),  # racemic, still ephedrine
        ({"cas": "14838-15-4", "smiles": "CC(N)C(O)c1ccccc1"}, "phenylpropanolamine"),
    ],
)
def test_a_flat_smiles_takes_the_stereo_another_identifier_gives(engine, ids, entry):
    result = engine.screen(Identifiers(**ids))
    assert {m.entry_id for m in result.matches} == {entry}
    assert "STEREO_UNSPECIFIED" not in _codes(result) and "IDENTIFIER_CONFLICT" not in _codes(result)
    assert "STEREO_FROM_IDENTIFIER" in _codes(result)


def test_a_flat_smiles_alone_still_reports_both_diastereomers(engine):
    result = engine.screen(Identifiers(smiles="CNC(C)C(O)c1ccccc1"))
    assert {m.entry_id for m in result.matches} == {"ephedrine", "pseudoephedrine"}
    assert "STEREO_UNSPECIFIED" in _codes(result)


@pytest.mark.parametrize(
    "cas, smiles, entry",
    [
        ("7647-01-0", "Cl.O", "hydrochloric-acid"),  # an acid's CAS with its aqueous SMILES
        ("10034-85-2", "I.O", "hydriodic-acid"),
        ("7664-93-9", "OS(=O)(=O)O.O", "sulfuric-acid"),
        ("14838-15-4", "C[C@H]([C@H](c1ccccc1)O)N", "phenylpropanolamine"),  # racemate CAS, (1S,2R) SMILES
        ("154-41-6", "C[C@H]([C@H](c1ccccc1)O)N.Cl", "phenylpropanolamine"),  # racemic PPA HCl
        ("90-81-3", "C[C@H]([C@H](c1ccccc1)O)NC", "ephedrine"),  # racephedrine, (1S,2R) SMILES
        ("134-71-4", "C[C@H]([C@H](c1ccccc1)O)NC.Cl", "ephedrine"),  # racephedrine HCl
        ("40064-34-4", "OC1(O)CCNCC1.Cl", "4-piperidone"),  # HCl monohydrate CAS, gem-diol SMILES
    ],
)
def test_the_same_chemical_written_two_ways_is_not_a_conflict(engine, cas, smiles, entry):
    result = engine.screen(Identifiers(cas=cas, smiles=smiles))
    assert "IDENTIFIER_CONFLICT" not in _codes(result), result.findings
    assert result.classification == "listed"
    assert entry in {m.entry_id for m in result.matches if m.listed}


@pytest.mark.parametrize(
    "cas, smiles",
    [
        ("299-42-3", "C[C@@H]([C@H](c1ccccc1)O)NC"),  # (1R,2S)-ephedrine CAS, pseudoephedrine SMILES
        ("90-81-3", "C[C@@H]([C@H](c1ccccc1)O)NC"),  # racephedrine is not pseudoephedrine either
        ("14838-15-4", "C[C@@H]([C@H](c1ccccc1)O)N"),  # racemic PPA is not cathine (threo)
        ("299-42-3", "C[C@H]([C@H](c1ccccc1)O)NC"),  # one named enantiomer is not the other
        ("67-64-1", "Cc1ccccc1"),  # acetone CAS, toluene SMILES
        ("7647-01-0", "I.O"),  # HCl CAS, aqueous HI
        ("41661-47-6", "OC1(O)CCN(CCc2ccccc2)CC1"),  # 4-piperidone CAS, the gem-diol of NPP
    ],
)
def test_water_racemates_and_gem_diols_do_not_hide_a_real_conflict(engine, cas, smiles):
    assert "IDENTIFIER_CONFLICT" in _codes(engine.screen(Identifiers(cas=cas, smiles=smiles)))


def test_red_and_white_phosphorus_conflict(engine):
    result = engine.screen(Identifiers(cas="7723-14-0", name="white phosphorus"))
    assert "IDENTIFIER_CONFLICT" in _codes(result)


def test_diastereomer_conflict(engine):
    result = engine.screen(Identifiers(cas="299-42-3", smiles="CN[C@@H](C)[C@@H](O)c1ccccc1"))
    assert "IDENTIFIER_CONFLICT" in _codes(result)


def test_one_bad_identifier_does_not_hide_a_good_one(engine):
    result = engine.screen(Identifiers(cas="67-64-2", smiles="O=C1CCN(CCc2ccccc2)CC1"))
    assert result.classification == "listed"
    assert "CAS_INVALID" in _codes(result)


def test_no_identifier(engine):
    result = engine.screen(Identifiers())
    assert result.classification == "unresolved" and not result.screened


def test_mapping_input_is_accepted(engine):
    assert engine.screen({"cas": "103-79-7"}).classification == "listed"


def test_product_name_that_names_another_listed_chemical(engine):
    result = engine.screen(Identifiers(cas="67-64-1"), product="N-Phenethyl-4-piperidone, 98%")
    assert "PRODUCT_NAME_MISMATCH" in _codes(result)
    result = engine.screen(Identifiers(cas="67-64-1"), product="Acetone, technical grade")
    assert "PRODUCT_NAME_MISMATCH" not in _codes(result)
    # a product naming a listed chemical on a line that matched nothing is still a mismatch
    result = engine.screen(Identifiers(smiles="CCOC(C)=O"), product="NPP")
    assert "PRODUCT_NAME_MISMATCH" in _codes(result)


@pytest.mark.parametrize(
    "product, identifiers",
    [
        ("1-(2-Phenylethyl)piperidin-4-one", {"cas": "39742-60-4"}),  # a systematic name of NPP
        ("Methyl 3-(1,3-benzodioxol-5-yl)-2-methyloxirane-2-carboxylate", {"cas": "13605-48-6"}),
        ("1,4-Dioxa-8-azaspiro[4.5]decane", {"smiles": "C1CC2(CCN1)OCCO2"}),  # dictionary name, no entry
    ],
)
def test_a_product_that_names_the_line_chemical_agrees(engine, product, identifiers):
    result = engine.screen(Identifiers(**identifiers), product=product)
    assert "PRODUCT_NAME_AGREES" in _codes(result)
    assert "PRODUCT_NAME_MISMATCH" not in _codes(result)


@pytest.mark.parametrize(
    "cas, product",
    [
        ("74-89-5", "Sodium chloride"),
        ("67-64-1", "Ethanol"),
        ("96-48-0", "1,4-Butanediol"),
        ("108-88-3", "Xylene"),
    ],
)
def test_a_product_naming_another_unlisted_chemical_on_a_listed_line_is_a_mismatch(engine, cas, product):
    result = engine.screen(Identifiers(cas=cas), product=product)
    finding = next(f for f in result.findings if f.code == "PRODUCT_NAME_MISMATCH")
    assert finding.detail["product_entry"] is None and finding.detail["product_smiles"]


@pytest.mark.parametrize(
    "cas, product",
    [
        ("79-24-3", "NE (nitroethane) 99%"),  # bulk dictionary: NE = neon
        ("74-89-5", "MA 40%"),  # 5-aminosalicylic acid
        ("108-88-3", "BTX"),  # benzene-toluene-xylene, not batrachotoxin
        ("7647-01-0", "AR"),  # analytical reagent grade, not argon
    ],
)
def test_a_capital_letter_abbreviation_is_no_other_chemical(engine, cas, product):
    result = engine.screen(Identifiers(cas=cas), product=product)
    assert "PRODUCT_NAME_MISMATCH" not in _codes(result)


@pytest.mark.parametrize("cas, product", [("67-64-1", "IPA"), ("67-64-1", "DCM"), ("74-89-5", "NaCl")])
def test_a_reviewed_abbreviation_or_formula_of_another_chemical_is_a_mismatch(engine, cas, product):
    result = engine.screen(Identifiers(cas=cas), product=product)
    assert "PRODUCT_NAME_MISMATCH" in _codes(result)


def test_a_product_naming_an_unlisted_chemical_on_an_unlisted_line_is_no_finding(engine):
    result = engine.screen(Identifiers(cas="64-17-5"), product="Sodium chloride")  # ethanol
    assert not {"PRODUCT_NAME_AGREES", "PRODUCT_NAME_MISMATCH"} & set(_codes(result))


def test_a_flavour_label_on_npp_does_not_agree(engine):
    result = engine.screen(Identifiers(cas="39742-60-4"), product="Strawberry flavour")
    assert not {"PRODUCT_NAME_AGREES", "PRODUCT_NAME_MISMATCH"} & set(_codes(result))


@pytest.mark.parametrize(
    "name, entry",
    [
        ("Methylamine, 40% aqueous solution", "methylamine"),
        ("Metilamina solución acuosa 40%", "methylamine"),
        ("Acetone (ACS reagent grade, 99.5%)", "acetone"),
        ("Hydrochloric acid 37%", "hydrochloric-acid"),
        ("Ácido clorhídrico 37%", "hydrochloric-acid"),
        ("Toluene, technical", "toluene"),
        ("Ethyl ether anhydrous", "ethyl-ether"),
        ("Red phosphorus powder", "red-phosphorus"),
        ("Iodine crystals", "iodine"),
        ("Fósforo rojo amorfo", "red-phosphorus"),
        ("Iodine, resublimed pellets", "iodine"),
        ("Ácido clorhídrico al 37%", "hydrochloric-acid"),
        ("Metilamina al 40% en agua", "methylamine"),
        # a comma inside the name is a locant, not the start of the description
        ("3,4-Methylenedioxyphenyl-2-propanone, 98%", "pmk"),
    ],
)
def test_product_descriptions_with_grades_and_concentrations(engine, name, entry):
    result = engine.screen(Identifiers(name=name))
    assert entry in {m.entry_id for m in result.matches if m.listed}


@pytest.mark.parametrize(
    "name, smiles",
    [
        # brackets glued to a systematic name are part of it, not a note to drop: these once read as
        # benzene and acetone
        ("(2-Bromoethyl)benzene", "BrCCc1ccccc1"),
        ("(Chloromethyl)benzene, 99%", "ClCc1ccccc1"),
        ("1-(2-Phenylethyl)piperidin-4-one (NPP), 99%", "O=C1CCN(CCc2ccccc2)CC1"),
    ],
)
def test_bracketed_parts_of_a_name_are_kept(engine, name, smiles):
    result = engine.screen(Identifiers(name=name))
    assert result.resolved is not None and result.resolved.smiles == Chem.CanonSmiles(smiles)


@pytest.mark.skipif(not opsin_available(), reason="Java/OPSIN not installed")
def test_a_systematic_name_with_brackets_and_a_purity_goes_to_opsin_whole(engine):
    result = engine.screen(Identifiers(name="(2-Nitroprop-1-en-1-yl)benzene, 99%"))
    assert result.classification == "analog"
    assert "p2p" in {m.entry_id for m in result.matches}
    result = engine.screen(Identifiers(name="(Methylamino)acetone"))  # once read as acetone
    assert result.resolved is not None and result.resolved.smiles == "CNCC(C)=O"


@pytest.mark.parametrize(
    "name", ["Sodium phenylacetate", "fenilacetato de sodio", "phenylacetic acid sodium salt"]
)
def test_metal_salt_named_in_words_is_a_salt(engine, name):
    result = engine.screen(Identifiers(name=name))
    match = next(m for m in result.matches if m.entry_id == "phenylacetic-acid")
    assert match.match_type == "salt_or_isomer" and match.listed
    assert result.parent_mass_fraction == pytest.approx(0.861, abs=0.002)


def test_an_ester_name_is_not_a_salt(engine):
    result = engine.screen(Identifiers(name="ethyl acetate"))
    assert result.classification == "none"
    assert result.resolved.smiles == "CCOC(C)=O"


@pytest.mark.parametrize(
    "name, fraction",
    [("sodium hypophosphite", 0.750), ("calcium hypophosphite", 0.776), ("hipofosfito de sodio", 0.750)],
)
def test_salt_of_a_listed_inorganic_acid_by_name(engine, name, fraction):
    result = engine.screen(Identifiers(name=name))
    match = next(m for m in result.matches if m.entry_id == "hypophosphorous-acid")
    assert match.match_type == "salt_or_isomer" and match.listed
    assert result.parent_mass_fraction == pytest.approx(fraction, abs=0.002)


@pytest.mark.skipif(not opsin_available(), reason="Java/OPSIN not installed")
@pytest.mark.parametrize(
    "name, classification, entry",
    [
        # a bracket glued to the name is part of it (cut, it left diethyl malonate, a phenylcarbamate)
        ("diethyl (phenylacetyl)malonate", "analog", "p2p"),
        ("tert-butyl phenyl(piperidin-4-yl)carbamate", "listed", "4-ap"),  # a carbamate of 4-AP
        ("ethyl (3,4-methylenedioxyphenyl)acetoacetate", "analog", "pmk"),
        # a note in brackets or after a comma is still dropped
        ("Phenylacetone (P2P)", "listed", "p2p"),
        ("Acetone,99.5%", "listed", "acetone"),
        ("Toluene [HPLC grade]", "listed", "toluene"),
    ],
)
def test_brackets_and_commas_inside_a_systematic_name_are_kept(engine, name, classification, entry):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == classification, result.to_dict()
    assert entry in {m.entry_id for m in result.matches} | {m.leads_to for m in result.matches}


@pytest.mark.parametrize(
    "name, entry",
    [
        ("metilamina al 40%", "methylamine"),  # Spanish "al 40%"
        ("Methylamine solution 2.0 M in methanol", "methylamine"),  # molarity and solvent
        ("methylamine 2M in THF", "methylamine"),
        ("Methylamine, 33% in absolute ethanol", "methylamine"),
        ("Ethylamine 2.0M in THF", "ethylamine"),
        ("4-Piperidone HCl H2O", "4-piperidone"),  # "H2O" as a hydrate word
        ("4-piperidone HCl·H2O", "4-piperidone"),
        # a metal or ammonium salt of an "-ate" is the salt of the "-ic acid", not of the "-ate" read as an
        # ester name ("phenylacetate" and "phenyl acetate" share a lookup key)
        ("calcium phenylacetate", "phenylacetic-acid"),
        ("ammonium phenylacetate", "phenylacetic-acid"),
        ("potassium anthranilate", "anthranilic-acid"),
    ],
)
def test_product_descriptions_with_molarity_solvent_hydrate_and_salt_words(engine, name, entry):
    result = engine.screen(Identifiers(name=name))
    assert entry in {m.entry_id for m in result.matches if m.listed}, result.to_dict()


@pytest.mark.skipif(not opsin_available(), reason="Java/OPSIN not installed")
@pytest.mark.parametrize(
    "name, classification, entry, smiles",
    [
        # CAS index names the dictionary lacks: the part after the comma is part of the name. Cut there,
        # EAPA became butyric acid (none), 1-phenethyl-4-piperidinol became 4-piperidinol
        ("Butanoic acid, 3-oxo-2-phenyl-, ethyl ester", "analog", "p2p", "CCOC(=O)C(C(C)=O)c1ccccc1"),
        ("4-Piperidinol, 1-(2-phenylethyl)-", "analog", "npp", "OC1CCN(CCc2ccccc2)CC1"),
        ("Benzeneacetic acid, 2-methoxyethyl ester", "listed", "phenylacetic-acid", "COCCOC(=O)Cc1ccccc1"),
        ("2-Propanone, 1-phenyl-, 99%", "listed", "p2p", "CC(=O)Cc1ccccc1"),  # the purity note still goes
    ],
)
def test_cas_index_names_keep_their_inverted_parts(engine, name, classification, entry, smiles):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == classification, result.to_dict()
    assert entry in {m.entry_id for m in result.matches} | {m.leads_to for m in result.matches}
    assert result.resolved.smiles == Chem.MolToSmiles(Chem.MolFromSmiles(smiles))


@pytest.mark.parametrize(
    "name, entry",
    [
        ("Efedrina base", "ephedrine"),  # "base" (free base) is a form word
        ("ephedrine free base", "ephedrine"),
        ("Safrol natural", "safrole"),
        ("Benzaldehído grado alimenticio", "benzaldehyde"),  # food grade
        ("Yodo resublimado", "iodine"),
        ("Fósforo rojo amorfo", "red-phosphorus"),
        ("methylamine-d3 hydrochloride", "methylamine"),  # a labelled salt is a salt of the labelled chemical
        ("ephedrine-d3 hydrochloride", "ephedrine"),
        ("4-AP di-HCl", "4-ap"),
        ("Pseudoephedrine Hydrochloride Ph. Eur.", "pseudoephedrine"),  # European Pharmacopoeia grade
    ],
)
def test_trade_form_words_and_labelled_salts(engine, name, entry):
    result = engine.screen(Identifiers(name=name))
    assert entry in {m.entry_id for m in result.matches if m.listed}, result.to_dict()


@pytest.mark.parametrize(
    "name, entry",
    [
        # analytical reference standards: a mass concentration, a solvent, an isotope label
        ("Fentanyl 100 ug/mL in methanol", "fentanyl"),
        ("Pseudoephedrine hydrochloride 1.0 mg/mL in methanol", "pseudoephedrine"),
        ("(±)-Ephedrine-D3 HCl 100 µg/mL in methanol", "ephedrine"),
        ("Fentanyl-D5 solution 100 μg/mL in methanol", "fentanyl"),
        ("Norfentanyl-13C6 oxalate", "norfentanyl"),
        ("ANPP 1 mg/mL in acetonitrile", "anpp"),
        ("Safrole solution 1000 ppm in methanol", "safrole"),
        ("Phenylacetone in methanol", "p2p"),
    ],
)
def test_reference_standard_descriptions(engine, name, entry):
    result = engine.screen(Identifiers(name=name))
    assert entry in {m.entry_id for m in result.matches if m.listed}, result.to_dict()


@pytest.mark.parametrize(
    "name, classification, entry",
    [
        (
            "N-acetilantranilato de metilo",
            "listed",
            "n-acetylanthranilic-acid",
        ),  # an ester of the List I acid
        ("alfa-fenilacetoacetato de etilo", "analog", "p2p"),  # EAPA
    ],
)
def test_spanish_ester_names_with_alfa_and_acetil(engine, name, classification, entry):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == classification, result.to_dict()
    assert entry in {m.entry_id for m in result.matches} | {m.leads_to for m in result.matches}


@pytest.mark.parametrize(
    "cas", ["CAS No. 103-79-7", "CAS-No.: 103-79-7", "CASRN 103-79-7", "103\u201379\u20137", "103 79 7"]
)
def test_cas_numbers_as_documents_write_them(engine, cas):
    # a "CAS No." label, the en dash a word processor puts in, spaces in place of hyphens
    result = engine.screen(Identifiers(cas=cas))
    assert "p2p" in {m.entry_id for m in result.matches if m.listed}, result.to_dict()


@pytest.mark.parametrize(
    "name, classification, entry",
    [
        # finished dose forms: the strength and the dose-form word are description, the drug is the chemical
        ("Pseudoephedrine HCl 60 mg tablets", "listed", "pseudoephedrine"),
        ("Pseudoefedrina 60 mg tabletas", "listed", "pseudoephedrine"),
        ("Ephedrine sulfate 50 mg/mL injection", "listed", "ephedrine"),
        ("Ibuprofen 200 mg tablets", "none", None),
    ],
)
def test_finished_dose_form_descriptions(engine, name, classification, entry):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == classification, result.to_dict()
    assert entry is None or entry in {m.entry_id for m in result.matches if m.listed}
