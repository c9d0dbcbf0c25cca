"""Matching rules, with real structures: every listed form recognised with the right entry, designer
precursors flagged with what they lead to, benign look-alikes left alone."""

from __future__ import annotations

import pytest

from chem_db import Identifiers
from chem_db.watchlist import load_watchlist

WATCHLIST = load_watchlist()


def _ids(entry) -> list[tuple[str, str]]:
    out = [("smiles", entry.smiles), ("name", entry.name)]
    if entry.cas:
        out.append(("cas", entry.cas))
    out += [("name", s) for s in entry.synonyms]
    out += [("cas", sf.cas) for sf in entry.salt_forms]
    return out


@pytest.mark.parametrize(
    "entry_id, field, value",
    [(e.id, f, v) for e in WATCHLIST.entries for f, v in _ids(e)],
)
def test_every_listed_chemical_by_smiles_cas_name_and_salt_cas(engine, entry_id, field, value):
    result = engine.screen(Identifiers(**{field: value}))
    assert result.classification == "listed", (result.findings, result.matches)
    assert any(m.entry_id == entry_id and m.listed for m in result.matches)


def _entries(result, listed=None):
    return {m.entry_id for m in result.matches if listed is None or m.listed == listed}


@pytest.mark.parametrize(
    "smiles, entry, kind, fraction",
    [
        ("C[C@@H]([C@@H](c1ccccc1)O)NC.Cl", "ephedrine", "salt_or_isomer", 0.819),  # ephedrine HCl
        (
            "C[C@@H]([C@H](c1ccccc1)O)NC.C[C@@H]([C@H](c1ccccc1)O)NC.OS(=O)(=O)O",
            "pseudoephedrine",
            "salt_or_isomer",
            0.771,
        ),  # pseudoephedrine sulfate (2:1)
        ("C[NH3+].[Cl-]", "methylamine", "salt_or_isomer", 0.46),  # methylamine HCl, ionic form
        ("CN.Cl", "methylamine", "salt_or_isomer", 0.46),
        ("c1ccc(NC2CCNCC2)cc1.Cl.Cl", "4-ap", "salt_or_isomer", 0.707),  # 4-AP dihydrochloride
        ("[Na+].[O-]C(=O)Cc1ccccc1", "phenylacetic-acid", "salt_or_isomer", 0.861),  # sodium phenylacetate
        ("[Na]OC(=O)Cc1ccccc1", "phenylacetic-acid", "salt_or_isomer", 0.861),  # the same, covalent spelling
        ("[Ca](OC(=O)Cc1ccccc1)OC(=O)Cc1ccccc1", "phenylacetic-acid", "salt_or_isomer", 0.877),
        (
            "CN[C@@H](C)[C@@H](O)c1ccccc1.OC(=O)[C@H](O)[C@@H](O)C(=O)O",
            "pseudoephedrine",
            "salt_or_isomer",
            0.524,
        ),
        ("O=C1CCNCC1.O", "4-piperidone", "salt_or_isomer", 0.846),  # hydrate
        ("[2H]C([2H])([2H])C(=O)Cc1ccccc1", "p2p", "exact", 1.0),  # deuterated P2P is P2P
    ],
)
def test_salts_and_hydrates_match_their_parent(engine, smiles, entry, kind, fraction):
    result = engine.screen(Identifiers(smiles=smiles))
    match = next(m for m in result.matches if m.entry_id == entry)
    assert match.match_type == kind and match.listed
    assert result.classification == "listed"
    assert result.parent_mass_fraction == pytest.approx(fraction, abs=0.002)


@pytest.mark.parametrize(
    "smiles, entry, other",
    [
        ("CC(=O)OC(C)=O.CC(=O)O", "acetic-anhydride", "CC(=O)O"),  # acetic anhydride in acetic acid
        ("CC(=O)Cc1ccccc1.CC(=O)O", "p2p", "CC(=O)O"),  # P2P in acetic acid
        ("CC(C)=O.CC(=O)O", "acetone", "CC(=O)O"),
        ("Cc1ccccc1.CC(=O)O", "toluene", "CC(=O)O"),
        ("O=C1CCCO1.OC(=O)CC(O)(CC(=O)O)C(=O)O", "gbl", "O=C(O)CC(O)(CC(=O)O)C(=O)O"),  # GBL + citric acid
        ("O=Cc1ccccc1.OC(=O)c1ccccc1", "benzaldehyde", "O=C(O)c1ccccc1"),  # autoxidised benzaldehyde
        ("CC[N+](=O)[O-].CC(=O)O", "nitroethane", "CC(=O)O"),  # a nitro group is not basic
        ("CCC(C)=O.OC=O", "mek", "O=CO"),
        ("CCOCC.CS(=O)(=O)O", "ethyl-ether", "CS(=O)(=O)O"),
        ("CC(=O)OC(C)=O.OC(=O)C(F)(F)F", "acetic-anhydride", "O=C(O)C(F)(F)F"),
        ("COC(=O)C1(C)OC1c1ccc2c(c1)OCO2.CC(=O)O", "pmk-glycidate", "CC(=O)O"),
        ("CC(C)=O.[Na+].[Cl-]", "acetone", "[Cl-].[Na+]"),  # acetone over sodium chloride
        ("Cc1ccccc1.[Na+].[Cl-]", "toluene", "[Cl-].[Na+]"),
        ("CC(=O)Cc1ccccc1.[Na+].[Na+].[O-]S([O-])(=O)=O", "p2p", "O=S(=O)([O-])[O-].[Na+].[Na+]"),
        ("CCOC(=O)C1(C)OC1c1ccccc1.[Na+].[Cl-]", "bmk-ethyl-glycidate", "[Cl-].[Na+]"),
    ],
)
def test_a_neutral_listed_chemical_with_an_acid_or_inorganic_salt_is_a_mixture(engine, smiles, entry, other):
    """An acid or an ion pairs with a parent only if the parent is basic or charged; otherwise the input is
    a mixture (not a salt the listing may not name) and the other component is screened on its own."""
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "listed", result.matches
    match = next(m for m in result.matches if m.entry_id == entry and m.listed)
    assert match.match_type == "exact"
    assert "MIXTURE" in [f.code for f in result.findings]
    assert other in [c.smiles for c in result.resolved.components]


def test_a_hypophosphite_in_a_mixture_is_screened_not_dropped_as_a_counter_ion(engine):
    result = engine.screen(Identifiers(smiles="CC(C)=O.[Na+].[O-][PH2]=O"))  # acetone + sodium hypophosphite
    assert {"acetone", "hypophosphorous-acid"} <= _entries(result, listed=True)


@pytest.mark.parametrize(
    "smiles, entry",
    [
        ("CC(=O)Nc1ccccc1C(=O)O.N", "n-acetylanthranilic-acid"),  # ammonium salt of an acid entry
        ("CNC(C)Cc1ccccc1.[Na+].[Cl-]", "methamphetamine"),  # a base with ions: as before, a salt form
        ("C[N+](C)(C)C.[Cl-]", None),  # a quaternary ammonium chloride: the chloride is its counter-ion
    ],
)
def test_acids_and_ions_still_pair_with_basic_charged_or_acidic_parents(engine, smiles, entry):
    from rdkit import Chem

    from chem_db.standardize import standardize

    prepared = standardize(Chem.MolFromSmiles(smiles))
    assert prepared.salt and len(prepared.components) == 1
    if entry:
        result = engine.screen(Identifiers(smiles=smiles))
        assert next(m for m in result.matches if m.entry_id == entry).match_type == "salt_or_isomer"


@pytest.mark.parametrize(
    "smiles, entry, kind",
    [
        ("C[C@@H]([C@@H](c1ccccc1)O)NC", "ephedrine", "exact"),  # (1R,2S)
        ("C[C@H]([C@H](c1ccccc1)O)NC", "ephedrine", "salt_or_isomer"),  # (1S,2R): its enantiomer
        ("C[C@@H]([C@H](c1ccccc1)O)NC", "pseudoephedrine", "exact"),  # (1S,2S)
        ("C[C@H]([C@@H](c1ccccc1)O)NC", "pseudoephedrine", "salt_or_isomer"),  # (1R,2R)
    ],
)
def test_ephedrine_and_pseudoephedrine_are_told_apart_by_configuration(engine, smiles, entry, kind):
    result = engine.screen(Identifiers(smiles=smiles))
    ids = _entries(result, listed=True)
    assert ids == {entry}
    assert next(m for m in result.matches if m.entry_id == entry).match_type == kind
    assert "STEREO_UNSPECIFIED" not in [f.code for f in result.findings]


def test_unspecified_stereo_reports_both_diastereomer_entries(engine):
    result = engine.screen(Identifiers(smiles="CNC(C)C(O)c1ccccc1"))
    assert {"ephedrine", "pseudoephedrine"} <= _entries(result, listed=True)
    finding = next(f for f in result.findings if f.code == "STEREO_UNSPECIFIED")
    assert set(finding.detail["candidates"]) >= {"ephedrine", "pseudoephedrine"}


def test_mixture_screens_every_organic_component(engine):
    loratadine = "CCOC(=O)N1CCC(=C2c3ccc(Cl)cc3CCc3cccnc32)CC1"
    result = engine.screen(Identifiers(smiles=f"C[C@@H]([C@H](c1ccccc1)O)NC.{loratadine}"))
    assert result.classification == "listed"
    assert _entries(result, listed=True) == {"pseudoephedrine"}
    assert len(result.resolved.components) == 2
    assert "MIXTURE" in [f.code for f in result.findings]
    pse = next(m for m in result.matches if m.entry_id == "pseudoephedrine")
    assert result.resolved.components[pse.component].smiles == "CN[C@@H](C)[C@@H](O)c1ccccc1"


@pytest.mark.parametrize(
    "smiles, entry",
    [
        ("CCOC(=O)Cc1ccccc1", "phenylacetic-acid"),  # ethyl phenylacetate: an ester the listing names
        ("CC(C)CCOC(=O)Cc1ccccc1", "phenylacetic-acid"),  # isoamyl phenylacetate
        ("COC(=O)c1ccccc1N", "anthranilic-acid"),  # methyl anthranilate
        ("CCC(=O)N(c1ccccc1)C1CCNCC1", "4-ap"),  # norfentanyl: an amide of 4-AP (and listed itself)
        ("CC(C)(C)OC(=O)N1CCC(Nc2ccccc2)CC1", "4-ap"),  # 1-boc-4-AP: a carbamate of 4-AP
        ("Fc1ccc(NC2CCNCC2)cc1", "4-ap"),  # 4-fluoro-4-AP: a halide of 4-AP
        ("C1CC2(CCN1)OCCO2", "4-piperidone"),  # 4-piperidone ethylene ketal: an acetal
        ("O=C1CCN(C(=O)OCc2ccccc2)CC1", "4-piperidone"),  # Cbz-4-piperidone: a carbamate
    ],
)
def test_derivatives_the_listing_names_are_listed(engine, smiles, entry):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "listed"
    assert entry in _entries(result, listed=True)
    match = next(m for m in result.matches if m.entry_id == entry)
    assert match.atoms and match.reason


def test_norfentanyl_reports_both_regimes(engine):
    result = engine.screen(Identifiers(smiles="CCC(=O)N(c1ccccc1)C1CCNCC1"))
    assert {"norfentanyl", "4-ap"} <= _entries(result, listed=True)


@pytest.mark.parametrize(
    "smiles",
    [
        "CNc1ccccc1C(=O)OC",  # methyl N-methylanthranilate: N-substituted, not an anthranilic ester
        "CNC=O",  # N-methylformamide is not "methylamine and its salts"
        "CC(=O)Nc1ccc(F)cc1",  # an anilide without the piperidine
    ],
)
def test_non_derivatives_stay_clear(engine, smiles):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "none", result.matches


@pytest.mark.parametrize(
    "smiles, leads_to",
    [
        ("c1ccc(CN2CCC(Nc3ccccc3)CC2)cc1", "4-ap"),  # N-benzyl-4-AP
        ("O=C1CCN(CCc2ccc(F)cc2)CC1", "npp"),  # 4-fluoro NPP
        ("O=C1CCN(CCc2cccs2)CC1", "npp"),  # thienyl NPP
        ("CCOC(=O)C1(C)OC1c1ccccc1", "p2p"),  # BMK ethyl glycidate (INCB-listed too)
        ("CCOC(=O)C1(C)OC1c1ccc2c(c1)OCO2", "pmk"),  # PMK ethyl glycidate
        ("CC(=Cc1ccccc1)[N+](=O)[O-]", "p2p"),  # P2NP
        ("CCOC(=O)C(C(C)=O)c1ccccc1", "p2p"),  # EAPA (ethyl 3-oxo-2-phenylbutanoate)
        ("C[C@@H]([C@H](c1ccccc1)O)N(C)C(C)=O", "pseudoephedrine"),  # N-acetyl pseudoephedrine
        ("COC(=O)C1(N(C(=O)CC)c2ccccc2)CCNCC1", "carfentanil"),  # norcarfentanil: one N-alkylation away
        ("CCC(=O)N(c1ccccc1)C1(COC)CCNCC1", "carfentanil"),  # norsufentanil (the carfentanil-route class)
        # amides and carbamates of 4-piperidinol: one oxidation from a listed 4-piperidone amide/carbamate
        ("CC(=O)N1CCC(O)CC1", "4-piperidone"),  # 1-acetyl-4-hydroxypiperidine
        ("O=C(OCc1ccccc1)N1CCC(O)CC1", "4-piperidone"),  # 1-Cbz-4-hydroxypiperidine
        ("CCOC(=O)N1CCC(O)CC1", "4-piperidone"),  # ethyl 4-hydroxypiperidine-1-carboxylate
        ("OCc1ccc2c(c1)OCO2", "piperonal"),  # piperonyl alcohol: one oxidation from piperonal
        ("CC1=Nc2ccccc2C(=O)O1", "n-acetylanthranilic-acid"),  # acetanthranil: one hydrolysis
    ],
)
def test_designer_precursors_are_flagged_with_what_they_lead_to(engine, smiles, leads_to):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification in ("analog", "listed")
    hits = [m for m in result.matches if m.leads_to == leads_to and m.match_type == "class"]
    assert hits, result.matches
    assert hits[0].reason


@pytest.mark.parametrize(
    "smiles",
    [
        "CC(C)(C(=O)O)c1ccc(C(O)CCCN2CCC(C(O)(c3ccccc3)c3ccccc3)CC2)cc1",  # fexofenadine
        "COc1cc2c(cc1OC)C(=O)C(CC1CCN(Cc3ccccc3)CC1)C2",  # donepezil
        "CCOC(=O)C1(c2ccccc2)CCN(C)CC1",  # pethidine (Schedule II, but not on the watchlist)
        "CCOC(=O)C1(c2ccccc2)CCNCC1",  # normeperidine
        "NC(=O)C1(N2CCCCC2)CCN(CCCC(=O)c2ccc(F)cc2)CC1",  # pipamperone
    ],
)
def test_4_4_disubstituted_piperidine_drugs_are_not_carfentanil_route_intermediates(engine, smiles):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "none", result.matches


@pytest.mark.parametrize(
    "smiles, leads_to",
    [
        ("CC(O)Cc1ccccc1", "p2p"),  # 1-phenyl-2-propanol: one oxidation from P2P
        ("CC(O)Cc1ccc2c(c1)OCO2", "pmk"),  # the MDP analogue: one oxidation from PMK
        ("CC(=NO)Cc1ccccc1", "p2p"),  # P2P oxime: hydrolysis gives P2P
        ("C[C@@H]([C@H](c1ccccc1)O)N(C)C(C)=O", "pseudoephedrine"),  # amide hydrolysis
        ("c1ccc(C(c2ccccc2)(c2ccccc2)N2CCC(Nc3ccccc3)CC2)cc1", "4-ap"),  # trityl removal
        ("CC(O)C(O)c1ccc2c(c1)OCO2", "pmk"),  # isosafrole glycol: pinacol rearrangement gives PMK
        ("CC1OC1c1ccc2c(c1)OCO2", "pmk"),  # isosafrole epoxide: acid rearrangement gives PMK
        ("CC1OC1c1ccccc1", "p2p"),  # beta-methylstyrene oxide gives P2P
        # the oxazolidine and oxazolidinone of pseudoephedrine open to pseudoephedrine (the masked-ephedrine
        # class alone named ephedrine, whatever the stereochemistry)
        ("C[C@H]1[C@H](c2ccccc2)OCN1C", "pseudoephedrine"),
        ("C[C@H]1[C@H](c2ccccc2)OC(=O)N1C", "pseudoephedrine"),
        ("CC1C(c2ccccc2)OC(C)(C)N1", "norpseudoephedrine"),  # stereo unspecified: every candidate
        # enamines hydrolyse to the ketone: APAAN, MAPA and P2P enamines, a Stork enamine of 4-piperidone
        ("CC(N)=C(C#N)c1ccccc1", "apaan"),
        ("COC(=O)C(=C(C)N)c1ccccc1", "mapa"),
        ("CNC(C)=Cc1ccccc1", "p2p"),
        ("C1CCN(C1)C1=CCNCC1", "4-piperidone"),
    ],
)
def test_one_step_analogues_name_their_step(engine, smiles, leads_to):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification in ("analog", "listed")
    hits = [m for m in result.matches if m.leads_to == leads_to]
    assert hits, result.matches
    assert all(m.step for m in hits)
    assert all(not m.listed for m in hits)


@pytest.mark.parametrize("smiles", ["C1OC1c1ccccc1", "OCC(O)c1ccccc1"])  # styrene oxide and its glycol
def test_terminal_aryl_epoxides_and_glycols_are_not_p2p_precursors(engine, smiles):
    assert engine.screen(Identifiers(smiles=smiles)).classification == "none"


def test_general_transform_reports_the_step(engine):
    # 1-Fmoc-4-piperidone is no named class member; one deprotection step gives 4-piperidone.
    result = engine.screen(Identifiers(smiles="O=C1CCN(C(=O)OCC2c3ccccc3-c3ccccc32)CC1"))
    hits = [m for m in result.matches if m.leads_to == "4-piperidone" or m.entry_id == "4-piperidone"]
    assert hits


BENIGN = {
    "strawberry aldehyde": "CCOC(=O)C1OC1(C)c1ccccc1",
    "loperamide": "CN(C)C(=O)C(CCN1CCC(O)(c2ccc(Cl)cc2)CC1)(c1ccccc1)c1ccccc1",
    "haloperidol": "OC1(c2ccc(Cl)cc2)CCN(CCCC(=O)c2ccc(F)cc2)CC1",
    "paroxetine": "Fc1ccc([C@@H]2CCNC[C@H]2COc2ccc3OCOc3c2)cc1",
    "methylphenidate": "COC(=O)C(c1ccccc1)C1CCCCN1",
    "bupivacaine": "CCCCN1CCCCC1C(=O)Nc1c(C)cccc1C",
    "phenylephrine": "CNC[C@H](O)c1cccc(O)c1",
    "acetaminophen": "CC(=O)Nc1ccc(O)cc1",
    "ethanol": "CCO",
    "isopropanol": "CC(C)O",
    "benzyl alcohol": "OCc1ccccc1",
    "ethyl acetate": "CCOC(C)=O",
    "caffeine": "Cn1cnc2c1c(=O)n(C)c(=O)n2C",
    "ibuprofen": "CC(C)Cc1ccc(C(C)C(=O)O)cc1",
    "sodium chloride": "[Na+].[Cl-]",
    "donepezil": "COc1cc2c(cc1OC)C(=O)C(CC1CCN(Cc3ccccc3)CC1)C2",
    "fexofenadine": "CC(C)(C(=O)O)c1ccc(C(O)CCCN2CCC(C(O)(c3ccccc3)c3ccccc3)CC2)cc1",
    "vanillin": "COc1cc(C=O)ccc1O",
    "aspirin": "CC(=O)Oc1ccccc1C(=O)O",
    "glucose": "OC[C@H]1OC(O)[C@H](O)[C@@H](O)[C@@H]1O",
    "lidocaine": "CCN(CC)CC(=O)Nc1c(C)cccc1C",
    "diphenhydramine": "CN(C)CCOC(c1ccccc1)c1ccccc1",
}


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_benign_look_alikes_stay_none(engine, name):
    result = engine.screen(Identifiers(smiles=BENIGN[name]))
    assert result.classification == "none", [(m.entry_id, m.match_type, m.reason) for m in result.matches]
    assert result.screened and result.resolved is not None


@pytest.mark.parametrize(
    "name",
    [
        "caffeine",
        "ibuprofen",
        "acetaminophen",
        "ethanol",
        "sodium chloride",
        "ethyl acetate",
        "isopropanol",
        "benzyl alcohol",
        "vanillin",
    ],
)
def test_benign_look_alikes_by_name_stay_none(engine, name):
    result = engine.screen(Identifiers(name=name))
    assert result.classification == "none"
    assert result.resolved is not None


def test_strawberry_aldehyde_is_not_a_bmk_glycidate(engine):
    flavour = engine.screen(Identifiers(cas="77-83-8"))
    bmk = engine.screen(Identifiers(smiles="CCOC(=O)C1(C)OC1c1ccccc1"))
    assert flavour.classification == "none"
    assert bmk.classification == "listed"
    assert flavour.resolved.formula == bmk.resolved.formula  # same formula, different regiochemistry


@pytest.mark.parametrize(
    "ids, entry",
    [
        ({"cas": "7723-14-0"}, "red-phosphorus"),
        ({"cas": "12185-10-3"}, "white-phosphorus"),
        ({"name": "red phosphorus"}, "red-phosphorus"),
        ({"name": "white phosphorus"}, "white-phosphorus"),
        ({"cas": "7722-64-7"}, "potassium-permanganate"),
        ({"smiles": "[K+].[O-][Mn](=O)(=O)=O"}, "potassium-permanganate"),
        ({"smiles": "[Na+].[O-][Mn](=O)(=O)=O"}, "sodium-permanganate"),
        ({"name": "iodine"}, "iodine"),
        ({"smiles": "II"}, "iodine"),
        ({"cas": "10034-85-2"}, "hydriodic-acid"),
        ({"smiles": "I"}, "hydriodic-acid"),
        ({"cas": "7647-01-0"}, "hydrochloric-acid"),
        ({"smiles": "Cl"}, "hydrochloric-acid"),
        ({"smiles": "[Na+].[O-][PH2]=O"}, "hypophosphorous-acid"),  # sodium hypophosphite: a salt
        ({"smiles": "[Ca+2].[O-][PH2]=O.[O-][PH2]=O"}, "hypophosphorous-acid"),  # calcium hypophosphite
        ({"smiles": "[K]O[Mn](=O)(=O)=O"}, "potassium-permanganate"),  # written with a covalent K-O bond
        ({"smiles": "[K+].[O-][Mn](=O)(=O)=O.O"}, "potassium-permanganate"),  # a hydrate not on file
        ({"smiles": "II.CCO"}, "iodine"),  # iodine tincture: the iodine component
        ({"smiles": "[H+].[Cl-]"}, "hydrochloric-acid"),
    ],
)
def test_elements_and_inorganics_are_told_apart(engine, ids, entry):
    result = engine.screen(Identifiers(**ids))
    assert result.classification == "listed"
    assert _entries(result, listed=True) == {entry}


def test_permanganate_keeps_its_whole_identity(engine):
    result = engine.screen(Identifiers(smiles="[K+].[O-][Mn](=O)(=O)=O"))
    assert "K" in result.resolved.formula and "Mn" in result.resolved.formula


def test_a_hydrochloride_is_not_hydrochloric_acid(engine):
    result = engine.screen(Identifiers(smiles="CN.Cl"))
    assert "hydrochloric-acid" not in _entries(result)


def test_clear_result_says_what_was_checked(engine):
    result = engine.screen(Identifiers(smiles="Cn1cnc2c1c(=O)n(C)c(=O)n2C"))
    assert result.classification == "none"
    assert result.watchlist_version == WATCHLIST.version
    assert result.identifiers_used == ["smiles"]
    assert result.nearest is not None and 0 <= result.nearest.score < 0.55


def test_similarity_alone_is_never_listed(engine):
    # A ring-methylated ANPP analogue: close to ANPP, reported as an analogue at most.
    result = engine.screen(Identifiers(smiles="Cc1ccc(NC2CCN(CCc3ccccc3)CC2)cc1"))
    for m in result.matches:
        if m.match_type == "similarity":
            assert not m.listed and 0.0 < m.score <= 1.0


def test_matched_atoms_index_the_component_smiles(engine):
    from rdkit import Chem

    result = engine.screen(Identifiers(smiles="CCOC(=O)Cc1ccccc1"))
    match = next(m for m in result.matches if m.entry_id == "phenylacetic-acid")
    mol = Chem.MolFromSmiles(result.resolved.components[match.component].smiles)
    assert max(match.atoms) < mol.GetNumAtoms()
    symbols = {mol.GetAtomWithIdx(i).GetSymbol() for i in match.atoms}
    assert symbols == {"C", "O"}
    assert match.bonds and max(match.bonds) < mol.GetNumBonds()


def test_results_are_json_ready(engine):
    import json

    result = engine.screen(Identifiers(cas="345-78-8", smiles="CN[C@@H](C)[C@@H](O)c1ccccc1"))
    json.dumps(result.to_dict())


def test_similarity_alone_flags_nothing_in_the_nci_set(engine):
    """Specificity guard: RDKit's NCI set (ordinary research chemicals) gets no similarity-only flags."""
    from pathlib import Path

    from rdkit import RDConfig

    path = Path(RDConfig.RDDataDir) / "NCI" / "first_5K.smi"
    smiles = [line.split()[0] for line in path.read_text().splitlines()[:2000]]
    flagged = [
        (s, [(m.entry_id, m.score) for m in r.matches])
        for s, r in zip(smiles, engine.screen_many([Identifiers(smiles=s) for s in smiles]), strict=True)
        if r.matches and all(m.match_type == "similarity" for m in r.matches)
    ]
    assert flagged == []


def test_close_designer_variant_is_an_analogue(engine):
    result = engine.screen(Identifiers(smiles="Cc1ccc(NC2CCN(CCc3ccccc3)CC2)cc1"))  # 4-methyl-ANPP
    assert result.classification == "analog"
    assert "anpp" in {m.entry_id for m in result.matches} | {m.leads_to for m in result.matches}


@pytest.mark.parametrize(
    "smiles",
    [
        "CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1",  # acetylfentanyl
        "CCC(=O)N(c1ccc(F)cc1)C1CCN(CCc2ccccc2)CC1",  # para-fluorofentanyl
        "O=C(c1ccco1)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1",  # furanylfentanyl
        "CCC(=O)N(c1ccccc1)C1CCN(CCc2cccs2)CC1",  # thiofentanyl
    ],
)
def test_fentanyl_related_substances_are_listed_by_class(engine, smiles):
    result = engine.screen(Identifiers(smiles=smiles))
    assert result.classification == "listed"
    assert any(m.class_id == "fentanyl-related-substance" and m.listed for m in result.matches)


@pytest.mark.parametrize(
    "smiles",
    [
        "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1",  # fentanyl itself
        "CCC(=O)N(c1ccccc1)C1CCN(Cc2ccccc2)CC1",  # benzylfentanyl (one carbon: not an FRS)
    ],
)
def test_the_frs_class_does_not_take_in_entries_or_benzylfentanyl(engine, smiles):
    result = engine.screen(Identifiers(smiles=smiles))
    assert not any(m.class_id == "fentanyl-related-substance" for m in result.matches)


@pytest.mark.parametrize(
    "smiles, expected",
    [
        ("Cl.CO", {"hydrochloric-acid"}),  # methanolic HCl: nothing to protonate, so HCl is a component
        ("CCOCC.OS(=O)(=O)O", {"ethyl-ether", "sulfuric-acid"}),
        ("CC(=O)O.Cl", {"hydrochloric-acid"}),
        ("CN.Cl", {"methylamine"}),  # an amine takes the HCl: a salt, not a mixture
        ("c1ccncc1.Cl", set()),  # pyridine hydrochloride: a salt of an unlisted base
    ],
)
def test_mineral_acid_is_a_counter_ion_only_next_to_a_base(engine, smiles, expected):
    result = engine.screen(Identifiers(smiles=smiles))
    assert {m.entry_id for m in result.matches if m.listed} == expected


@pytest.mark.parametrize(
    "identifiers, fraction",
    [
        # PubChem's spelling of hypophosphite, without the two P-H hydrogens (formula PO2)
        ({"smiles": "[Na+].[O-]P=O"}, 0.750),
        ({"smiles": "OP=O"}, 1.0),
        ({"smiles": "[Ca+2].[O-]P=O.[O-]P=O"}, 0.776),
        ({"cas": "7681-53-0", "smiles": "[Na+].[O-]P=O"}, 0.750),  # and it agrees with the salt's CAS number
        ({"name": "sodium hypophosphite", "smiles": "[Na+].[O-]P=O"}, 0.750),
    ],
)
def test_hypophosphite_written_without_its_p_h_hydrogens_is_hypophosphite(engine, identifiers, fraction):
    result = engine.screen(Identifiers(**identifiers))
    assert "hypophosphorous-acid" in {m.entry_id for m in result.matches if m.listed}, result.to_dict()
    assert "IDENTIFIER_CONFLICT" not in {f.code for f in result.findings}
    assert result.parent_mass_fraction == pytest.approx(fraction, abs=0.002)


def test_phosphorous_acid_is_not_hypophosphorous_acid(engine):
    assert engine.screen(Identifiers(smiles="OP(O)O")).classification == "none"


@pytest.mark.parametrize(
    "identifiers",
    [{"smiles": "[K+].I[I-]I"}, {"name": "Lugol's solution"}, {"name": "potassium triiodide"}],
)
def test_triiodide_is_iodine_held_by_iodide(engine, identifiers):
    """Lugol's solution (iodine dissolved in potassium iodide, written as potassium triiodide) carries
    elemental iodine, List I: it screened none while iodine beside iodide ("II.[K+].[I-]") was listed."""
    result = engine.screen(Identifiers(**identifiers))
    assert result.classification == "listed" and {m.entry_id for m in result.matches} == {"iodine"}


def test_iodide_alone_is_not_iodine(engine):
    assert engine.screen(Identifiers(smiles="[K+].[I-]")).classification == "none"
