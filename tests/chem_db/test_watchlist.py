"""The watchlist knowledge base: the shipped data, what it promises the engine, and every refusal.

Chemistry assertions use real structures; refusals use small temporary data directories.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from rdkit import Chem, RDLogger
from rdkit.Chem.MolStandardize import rdMolStandardize

from chem_db.watchlist import (
    DATA_DIR,
    REGIME_LABELS,
    SCOPE_WORDS,
    DesignerClass,
    Entry,
    Exclusion,
    RegimeEntry,
    SaltForm,
    ScopePattern,
    Transform,
    Watchlist,
    WatchlistError,
    apply_transform,
    is_valid_cas,
    load_watchlist,
)

RDLogger.DisableLog("rdApp.*")

# TEAM.md, "Shared vocabulary": chem_db's and rules' data both key on these ids.
TEAM_IDS = """
ephedrine pseudoephedrine phenylpropanolamine norpseudoephedrine n-methylephedrine n-methylpseudoephedrine
phenylacetic-acid benzyl-cyanide benzaldehyde nitroethane methylamine ethylamine hydriodic-acid red-phosphorus
white-phosphorus hypophosphorous-acid iodine apaan apaa mapa safrole isosafrole piperonal pmk pmk-glycidate
pmk-glycidic-acid npp 4-ap 1-boc-4-ap benzylfentanyl 4-piperidone 1-boc-4-piperidone propionic-anhydride
piperidine anthranilic-acid n-acetylanthranilic-acid ergonovine ergotamine gbl
acetic-anhydride acetone benzyl-chloride ethyl-ether hydrochloric-acid mibk mek potassium-permanganate
sodium-permanganate sulfuric-acid toluene
p2p anpp norfentanyl 1-phenylcyclohexylamine pcc fentanyl
bmk-glycidic-acid bmk-methyl-glycidate bmk-ethyl-glycidate bmk-propyl-glycidate bmk-isopropyl-glycidate
bmk-butyl-glycidate bmk-isobutyl-glycidate bmk-sec-butyl-glycidate bmk-tert-butyl-glycidate
pmk-ethyl-glycidate pmk-propyl-glycidate pmk-isopropyl-glycidate pmk-butyl-glycidate pmk-isobutyl-glycidate
pmk-sec-butyl-glycidate pmk-tert-butyl-glycidate lysergic-acid
""".split()

LIST_I = TEAM_IDS[: TEAM_IDS.index("gbl") + 1]
LIST_II = TEAM_IDS[TEAM_IDS.index("acetic-anhydride") : TEAM_IDS.index("toluene") + 1]
IMMEDIATE_PRECURSORS = ["p2p", "anpp", "norfentanyl", "1-phenylcyclohexylamine", "pcc"]
INCB_2024 = (
    [i for i in TEAM_IDS if i.startswith("bmk-")]
    + [i for i in TEAM_IDS if i.startswith("pmk-") and i.endswith("-glycidate") and i != "pmk-glycidate"]
    + ["4-piperidone", "1-boc-4-piperidone"]
)


@pytest.fixture(scope="module")
def wl() -> Watchlist:
    return load_watchlist()


def mol(smiles: str) -> Chem.Mol:
    m = Chem.MolFromSmiles(smiles)
    assert m is not None, smiles
    return m


def matches(smarts: str, smiles: str) -> bool:
    return mol(smiles).HasSubstructMatch(Chem.MolFromSmarts(smarts))


def regime_codes(entry: Entry) -> set[str]:
    return {r.regime for r in entry.regimes}


# ------------------------------------------------------------------------------------------------
# The shipped data
# ------------------------------------------------------------------------------------------------


def test_shipped_watchlist_loads_with_a_version(wl: Watchlist) -> None:
    assert wl.version == f"{wl.label}+{wl.content_hash[:12]}"
    assert len(wl.content_hash) == 64
    assert all(isinstance(e, Entry) for e in wl.entries)
    assert all(isinstance(c, DesignerClass) for c in wl.classes)
    assert all(isinstance(t, Transform) for t in wl.transforms)
    assert all(isinstance(x, Exclusion) for x in wl.exclusions)


@pytest.mark.parametrize("entry_id", TEAM_IDS)
def test_every_team_id_is_present(wl: Watchlist, entry_id: str) -> None:
    e = wl.entry(entry_id)
    assert e.id == entry_id and e.name and e.regimes and e.citation


SPANISH_TRADE_NAMES = {
    "anhídrido acético": "acetic-anhydride",
    "metilamina": "methylamine",
    "acetona": "acetone",
    "tolueno": "toluene",
    "ácido fenilacético": "phenylacetic-acid",
    "efedrina": "ephedrine",
    "seudoefedrina": "pseudoephedrine",
    "pseudoefedrina": "pseudoephedrine",
    "safrol": "safrole",
    "piperonal": "piperonal",
    "fósforo rojo": "red-phosphorus",
    "yodo": "iodine",
    "ácido yodhídrico": "hydriodic-acid",
    "permanganato de potasio": "potassium-permanganate",
    "ácido clorhídrico": "hydrochloric-acid",
    "ácido sulfúrico": "sulfuric-acid",
    "éter etílico": "ethyl-ether",
    "metiletilcetona": "mek",
    "anhídrido propiónico": "propionic-anhydride",
    "piperidina": "piperidine",
    "cianuro de bencilo": "benzyl-cyanide",
    "nitroetano": "nitroethane",
    "fenilacetona": "p2p",
    "benzaldehído": "benzaldehyde",
    "4-piperidona": "4-piperidone",
    # abbreviations and trade names
    "NPP": "npp",
    "4-AP": "4-ap",
    "ANPP": "anpp",
    "P2P": "p2p",
    "BMK": "p2p",
    "PMK": "pmk",
    "MDP2P": "pmk",
    "APAAN": "apaan",
    "APAA": "apaa",
    "MAPA": "mapa",
    "GBL": "gbl",
    "MEK": "mek",
    "MIBK": "mibk",
    "HI": "hydriodic-acid",
    "PPA": "phenylpropanolamine",
    "PSE": "pseudoephedrine",
    "boc-4-AP": "1-boc-4-ap",
}


@pytest.mark.parametrize("name, entry_id", sorted(SPANISH_TRADE_NAMES.items()))
def test_trade_and_spanish_names_are_synonyms(wl: Watchlist, name: str, entry_id: str) -> None:
    e = wl.entry(entry_id)
    assert name.casefold() in {s.casefold() for s in (e.name, *e.synonyms)}


def test_fentanyl_related_substance_class_is_listed(wl: Watchlist) -> None:
    frs = wl.designer_class("fentanyl-related-substance")
    assert frs.listed and frs.lists == ("Schedule I controlled substance",)
    assert frs.regimes[0].regime == "schedule_I/II_drug"
    assert not any(c.listed for c in wl.classes if c.id != "fentanyl-related-substance")


def test_ids_and_cas_numbers_are_unique(wl: Watchlist) -> None:
    ids = (
        [e.id for e in wl.entries]
        + [c.id for c in wl.classes]
        + [t.id for t in wl.transforms]
        + [x.id for x in wl.exclusions]
    )
    assert len(ids) == len(set(ids))
    cas = [c for e in wl.entries for c in e.all_cas]
    assert len(cas) == len(set(cas))


@pytest.mark.parametrize("entry_id", TEAM_IDS)
def test_cas_check_digits(wl: Watchlist, entry_id: str) -> None:
    for cas in wl.entry(entry_id).all_cas:
        assert is_valid_cas(cas), cas


@pytest.mark.parametrize(
    "cas, entry_id, form",
    [
        ("67-64-1", "acetone", None),
        ("50-98-6", "ephedrine", "hydrochloride"),
        ("345-78-8", "pseudoephedrine", "hydrochloride"),
        ("990-73-8", "fentanyl", "citrate"),
        ("7681-53-0", "hypophosphorous-acid", "sodium salt"),
        ("7723-14-0", "red-phosphorus", None),
        ("12185-10-3", "white-phosphorus", None),
        ("10034-85-2", "hydriodic-acid", None),
        ("7553-56-2", "iodine", None),
        ("21409-26-7", "anpp", None),
    ],
)
def test_by_cas_finds_parent_and_salt_forms(wl: Watchlist, cas: str, entry_id: str, form: str | None) -> None:
    found = wl.by_cas(cas)
    assert found is not None
    entry, salt = found
    assert entry.id == entry_id
    assert (salt.form if salt else None) == form
    assert wl.by_cas("64-17-5") is None  # ethanol is not on the watchlist


def test_every_entry_is_well_formed(wl: Watchlist) -> None:
    for e in wl.entries:
        assert e.kind in {"organic", "element", "inorganic"}, e.id
        assert e.scope <= SCOPE_WORDS, e.id
        for r in e.regimes:
            assert isinstance(r, RegimeEntry) and r.label in REGIME_LABELS[r.regime], e.id
        for p in e.scope_patterns:
            assert isinstance(p, ScopePattern) and set(p.covers_words) <= e.scope, e.id
        for s in e.salt_forms:
            assert isinstance(s, SaltForm) and is_valid_cas(s.cas), e.id
        if e.verified:
            assert any(r.verified for r in e.regimes), f"{e.id}: verified entry without a verified regime"
        if e.incb_only:
            assert all(r.regime.startswith("INCB_") for r in e.regimes)
        assert e.lists == list(dict.fromkeys(r.label for r in e.regimes))


def test_regimes_of_the_main_lists(wl: Watchlist) -> None:
    for i in LIST_I:
        assert "list_I" in regime_codes(wl.entry(i)), i
    for i in LIST_II:
        assert "list_II" in regime_codes(wl.entry(i)), i
    for i in IMMEDIATE_PRECURSORS:
        assert "schedule_II_immediate_precursor" in regime_codes(wl.entry(i)), i
    for i in INCB_2024:
        r = [r for r in wl.entry(i).regimes if r.regime == "INCB_table_I"]
        assert r and r[0].year == 2024 and r[0].verified, i
    assert wl.entry("fentanyl").lists == ["Schedule II controlled substance"]


def test_a_chemical_in_several_regimes_is_one_entry(wl: Watchlist) -> None:
    # regulatory-notes §0.1 and §3: norfentanyl is a Schedule II immediate precursor, INCB Table I (2022) and
    # an amide of 4-AP; ANPP and norfentanyl are *not* List I chemicals in their own right.
    assert regime_codes(wl.entry("norfentanyl")) == {
        "schedule_II_immediate_precursor",
        "INCB_table_I",
        "list_I",
    }
    assert wl.entry("norfentanyl").lists == ["Schedule II immediate precursor", "INCB Table I", "DEA List I"]
    assert regime_codes(wl.entry("anpp")) == {"schedule_II_immediate_precursor", "INCB_table_I"}
    assert regime_codes(wl.entry("acetic-anhydride")) == {"list_II", "INCB_table_I"}
    assert [r.year for r in wl.entry("npp").regimes if r.regime == "INCB_table_I"] == [2017]
    assert [r.year for r in wl.entry("4-ap").regimes if r.regime == "INCB_table_I"] == [2022]
    assert wl.entry("bmk-methyl-glycidate").incb_only and not wl.entry("pmk-glycidate").incb_only


def test_unverified_facts_are_marked(wl: Watchlist) -> None:
    # List II text was not retrieved (regulatory-notes §2): only HCl and MIBK are confirmed by a rule.
    for i in LIST_II:
        r = next(r for r in wl.entry(i).regimes if r.regime == "list_II")
        assert r.verified == (i in {"hydrochloric-acid", "mibk"}), i
    assert not wl.entry("iodine").verified  # moved to List I: from memory only
    assert not wl.entry("ephedrine").cas_verified  # CAS marked [M]
    assert "[M]" in wl.entry("ephedrine").notes


def test_element_and_inorganic_entries_are_told_apart_by_cas(wl: Watchlist) -> None:
    kinds = {
        i: wl.entry(i).kind
        for i in [
            "red-phosphorus",
            "white-phosphorus",
            "iodine",
            "hydriodic-acid",
            "hydrochloric-acid",
            "sulfuric-acid",
            "potassium-permanganate",
            "sodium-permanganate",
            "hypophosphorous-acid",
        ]
    }
    assert set(kinds.values()) <= {"element", "inorganic"}
    assert wl.entry("red-phosphorus").cas != wl.entry("white-phosphorus").cas
    assert wl.entry("iodine").smiles != wl.entry("hydriodic-acid").smiles


def _cip(smiles: str) -> list[str]:
    m = mol(smiles)
    Chem.AssignStereochemistry(m, cleanIt=True, force=True)
    return sorted(str(a.GetProp("_CIPCode")) for a in m.GetAtoms() if a.HasProp("_CIPCode"))


@pytest.mark.parametrize(
    "entry_id, erythro",
    [
        ("ephedrine", True),
        ("phenylpropanolamine", True),
        ("n-methylephedrine", True),
        ("pseudoephedrine", False),
        ("norpseudoephedrine", False),
        ("n-methylpseudoephedrine", False),
    ],
)
def test_ephedrine_family_stereo_is_right(wl: Watchlist, entry_id: str, erythro: bool) -> None:
    # ephedrine is (1R,2S) (erythro: one R, one S); pseudoephedrine is (1S,2S) (threo).
    e = wl.entry(entry_id)
    assert e.stereo_sensitive
    codes = _cip(e.smiles)
    assert codes == (["R", "S"] if erythro else ["S", "S"])


def _parent_key(smiles: str) -> str:
    m = mol(smiles)
    largest = rdMolStandardize.LargestFragmentChooser(preferOrganic=True).choose(m)
    neutral = rdMolStandardize.Uncharger().uncharge(largest)
    return Chem.MolToInchiKey(neutral).split("-")[0]


def test_organic_salt_forms_contain_their_parent(wl: Watchlist) -> None:
    for e in wl.entries:
        if e.kind != "organic":
            continue
        for s in e.salt_forms:
            if s.smiles:
                assert _parent_key(s.smiles) == _parent_key(e.smiles), (e.id, s.cas)


# CAS numbers the offline `chemicals` database writes with a different structure, and why that is fine.
CHEMICALS_DB_DIFFERENCES = {
    "12185-10-3": "the database files white phosphorus under generic phosphorus [P]",
    "6303-21-5": "the database writes hypophosphorous acid as HO-P=O (wrong H count); we write H2P(=O)OH",
    "7681-53-0": "hypophosphite anion written [O-]P=O in the database",
    "10039-56-2": "hypophosphite anion written [O-]P=O in the database",
    "7789-79-9": "hypophosphite anion written [O-]P=O in the database",
    "7782-87-8": "hypophosphite anion written [O-]P=O in the database",
    "7803-65-8": "hypophosphite anion written [O-]P=O in the database",
    "10043-84-2": "hypophosphite anion written [O-]P=O in the database",
    "7783-84-8": "hypophosphite anion written [O-]P=O in the database",
}


def test_cas_numbers_agree_with_the_offline_chemicals_database(wl: Watchlist) -> None:
    identifiers = pytest.importorskip("chemicals.identifiers")
    checked = 0
    for e in wl.entries:
        for cas, smiles in [(e.cas, e.smiles)] + [(s.cas, s.smiles or e.smiles) for s in e.salt_forms]:
            if cas is None or cas in CHEMICALS_DB_DIFFERENCES:
                continue
            try:
                meta = identifiers.search_chemical(cas)
            except Exception:  # not in the database: nothing to compare
                continue
            if not meta.smiles:
                continue
            assert _parent_key(meta.smiles) == _parent_key(smiles), (e.id, cas, meta.smiles)
            checked += 1
    assert checked > 60
    for x in wl.exclusions:
        if x.cas and x.smiles:
            try:
                meta = identifiers.search_chemical(x.cas)
            except Exception:  # not in the database: nothing to compare
                continue
            assert _parent_key(meta.smiles) == _parent_key(x.smiles), (x.id, x.cas, meta.smiles)


# ------------------------------------------------------------------------------------------------
# Scope patterns: only what the listing names (regulatory-notes §1d, §10)
# ------------------------------------------------------------------------------------------------


def scope_hits(wl: Watchlist, entry_id: str, smiles: str) -> bool:
    return any(matches(p.smarts, smiles) for p in wl.entry(entry_id).scope_patterns)


@pytest.mark.parametrize(
    "entry_id, smiles, covered",
    [
        ("phenylacetic-acid", "CCOC(=O)Cc1ccccc1", True),  # ethyl phenylacetate
        ("phenylacetic-acid", "CC(C)CCOC(=O)Cc1ccccc1", True),  # isoamyl phenylacetate
        ("phenylacetic-acid", "COC(=O)C(C)c1ccccc1", False),  # methyl 2-phenylpropanoate: other acid
        ("phenylacetic-acid", "COC(=O)Cc1ccc(Cl)cc1", False),  # ring-substituted acid
        ("anthranilic-acid", "COC(=O)c1ccccc1N", True),  # methyl anthranilate
        ("anthranilic-acid", "CNc1ccccc1C(=O)OC", False),  # methyl N-methylanthranilate
        ("n-acetylanthranilic-acid", "COC(=O)c1ccccc1NC(C)=O", True),
        ("4-ap", "CCC(=O)N(c1ccccc1)C1CCNCC1", True),  # norfentanyl (amide)
        ("4-ap", "CC(C)(C)OC(=O)N1CCC(Nc2ccccc2)CC1", True),  # 1-boc-4-AP (carbamate)
        ("4-ap", "Clc1ccc(NC2CCNCC2)cc1", True),  # 4-chloro-4-AP (halide)
        ("4-ap", "CC(C)(C)OC(=O)N1CCC(Nc2ccc(F)cc2)CC1", True),  # combination
        ("4-ap", "Cc1ccc(NC2CCNCC2)cc1", False),  # 4-methyl-4-AP: not a halide
        ("4-ap", "c1ccc(CN2CCC(Nc3ccccc3)CC2)cc1", False),  # 1-benzyl-4-AP
        ("4-ap", "c1ccc(CCN2CCC(Nc3ccccc3)CC2)cc1", False),  # ANPP
        ("4-ap", "NC1CCNCC1", False),  # 4-aminopiperidine
        ("4-piperidone", "CC(C)(C)OC(=O)N1CCC(=O)CC1", True),  # 1-boc-4-piperidone
        ("4-piperidone", "CC(=O)N1CCC(=O)CC1", True),  # 1-acetyl-4-piperidone
        ("4-piperidone", "OC1(O)CCNCC1", True),  # hydrate (gem-diol)
        ("4-piperidone", "C1CC2(OCCO2)CCN1", True),  # ethylene ketal
        ("4-piperidone", "O=C1CCN(CCc2ccccc2)CC1", False),  # NPP
        ("4-piperidone", "O=C1CCN(Cc2ccccc2)CC1", False),  # 1-benzyl-4-piperidone
        ("4-piperidone", "CC1CNCCC1=O", False),  # 3-methyl-4-piperidone
    ],
)
def test_scope_patterns_follow_the_listing(wl: Watchlist, entry_id: str, smiles: str, covered: bool) -> None:
    assert scope_hits(wl, entry_id, smiles) is covered


def test_only_the_listings_that_name_derivatives_have_scope_patterns(wl: Watchlist) -> None:
    with_patterns = {e.id for e in wl.entries if e.scope_patterns}
    assert with_patterns == {
        "phenylacetic-acid",
        "anthranilic-acid",
        "n-acetylanthranilic-acid",
        "4-ap",
        "4-piperidone",
    }
    assert wl.entry("methylamine").scope == frozenset({"salts"})
    assert wl.entry("ergonovine").scope == frozenset({"salts"})


def test_commodity_entries_are_not_analogue_targets(wl: Watchlist) -> None:
    for i in [
        "acetone",
        "mek",
        "mibk",
        "toluene",
        "ethyl-ether",
        "benzaldehyde",
        "hydrochloric-acid",
        "sulfuric-acid",
        "methylamine",
        "piperidine",
        "iodine",
        "red-phosphorus",
        "gbl",
    ]:
        assert not wl.entry(i).analog_target, i
    for i in ["npp", "4-ap", "anpp", "p2p", "pmk", "ephedrine", "pseudoephedrine", "safrole", "fentanyl"]:
        assert wl.entry(i).analog_target, i


# ------------------------------------------------------------------------------------------------
# Designer classes, transforms and exclusions
# ------------------------------------------------------------------------------------------------


def class_hits(wl: Watchlist, smiles: str) -> set[str]:
    return {c.id for c in wl.classes if any(matches(s, smiles) for s in c.smarts)}


def test_every_class_leads_to_an_entry_and_checks_its_examples(wl: Watchlist) -> None:
    for c in wl.classes:
        assert wl.get(c.leads_to) is not None, c.id
        assert c.examples, f"{c.id} has no worked examples"
        for s in c.examples:
            assert c.id in class_hits(wl, s), (c.id, s)
        for s in c.non_examples:
            assert c.id not in class_hits(wl, s), (c.id, s)


@pytest.mark.parametrize(
    "smiles, in_class",
    [
        ("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", True),  # fentanyl itself (exact entry wins)
        ("O=C(c1ccco1)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", True),  # furanylfentanyl
        ("CCC(=O)N(c1ccccc1)C1(C(=O)OC)CCN(CCc2ccccc2)CC1", True),  # carfentanil
        ("CCC(=O)N(c1ccccc1)C1(COC)CCN(CCc2cccs2)CC1", True),  # sufentanil
        ("CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", True),  # acetylfentanyl
        ("CCC(=O)N(c1ccc(F)cc1)C1CCN(CCc2ccccc2)CC1", True),  # para-fluorofentanyl
        ("CCC(=O)N(c1ccccc1)C1CCN(Cc2ccccc2)CC1", False),  # benzylfentanyl
        ("COC(=O)CCN1CCC(C(=O)OC)(N(C(=O)CC)c2ccccc2)CC1", False),  # remifentanil
    ],
)
def test_fentanyl_related_substance_class(wl: Watchlist, smiles: str, in_class: bool) -> None:
    assert ("fentanyl-related-substance" in class_hits(wl, smiles)) is in_class


@pytest.mark.parametrize(
    "smiles, class_id, leads_to",
    [
        ("c1ccc(CN2CCC(Nc3ccccc3)CC2)cc1", "4-ap-n-protected", "4-ap"),
        ("O=C1CCN(Cc2ccccc2)CC1", "4-piperidone-n-protected", "4-piperidone"),
        ("O=C1CCN(CCc2cccs2)CC1", "npp-analogue", "npp"),
        ("C1CC2(OCCO2)CCN1CCc1ccccc1", "npp-masked-carbonyl", "npp"),
        ("Fc1ccc(NC2CCN(CCc3ccccc3)CC2)cc1", "anpp-analogue", "anpp"),
        ("CCCCCOC(=O)C1(C)OC1c1ccccc1", "bmk-glycidate-analogue", "p2p"),
        ("CCCCCOC(=O)C1(C)OC1c1ccc2c(c1)OCO2", "pmk-glycidate-analogue", "pmk"),
        ("CC(=Cc1ccccc1)[N+](=O)[O-]", "phenyl-2-nitropropene", "p2p"),
        ("CC(=Cc1ccc2c(c1)OCO2)[N+](=O)[O-]", "mdp-2-nitropropene", "pmk"),
        ("CCOC(=O)C(C(C)=O)c1ccccc1", "phenylacetoacetic-derivative", "p2p"),  # EAPA
        ("CCOC(=O)C(C(=O)Cc1ccccc1)C(=O)OCC", "phenylacetyl-acetate", "p2p"),
        ("C[C@@H]([C@@H](c1ccccc1)O)N(C)C=O", "ephedrine-masked", "ephedrine"),
        ("CC1(Cc2ccccc2)OCCO1", "p2p-masked-carbonyl", "p2p"),
        ("CC1(Cc2ccc3c(c2)OCO3)OCCO1", "pmk-masked-carbonyl", "pmk"),
    ],
)
def test_designer_precursors_are_caught_with_what_they_lead_to(
    wl: Watchlist, smiles: str, class_id: str, leads_to: str
) -> None:
    assert class_id in class_hits(wl, smiles)
    assert wl.designer_class(class_id).leads_to == leads_to


def test_strawberry_aldehyde_is_not_a_bmk_glycidate(wl: Watchlist) -> None:
    flavour = "CCOC(=O)C1OC1(C)c1ccccc1"  # ethyl methylphenylglycidate, CAS 77-83-8
    assert not class_hits(wl, flavour)
    excl = next(x for x in wl.exclusions if x.id == "ethyl-methylphenylglycidate")
    assert excl.cas == "77-83-8" and excl.smarts and matches(excl.smarts, flavour)
    assert not matches(excl.smarts, "CCOC(=O)C1(C)OC1c1ccccc1")  # BMK ethyl glycidate is not excluded
    assert {"bmk-ethyl-glycidate", "similarity"} <= set(excl.suppresses)
    glycidate = next(t for t in wl.transforms if t.id == "glycidate-decarboxylation")
    assert not apply_transform(glycidate, flavour)


@pytest.mark.parametrize(
    "transform_id",
    [
        "boc-removal",
        "cbz-removal",
        "fmoc-removal",
        "n-benzyl-removal",
        "n-trityl-removal",
        "n-acyl-removal",
        "ester-hydrolysis",
        "amide-hydrolysis-to-acid",
        "acetal-opening",
        "nitrile-hydrolysis-to-acid",
        "nitrile-hydrolysis-to-amide",
        "imine-hydrolysis",
        "ketone-reduction",
        "alcohol-oxidation",
        "nitroalkene-to-ketone",
        "glycidate-decarboxylation",
    ],
)
def test_required_transforms_exist_and_their_examples_run(wl: Watchlist, transform_id: str) -> None:
    t = next(t for t in wl.transforms if t.id == transform_id)
    assert t.examples and t.name and t.explanation
    for reactant, product in t.examples:
        expected = Chem.MolToSmiles(mol(product))
        assert expected in apply_transform(t, reactant), (t.id, reactant)


def test_every_transform_example_runs(wl: Watchlist) -> None:
    for t in wl.transforms:
        for reactant, product in t.examples:
            assert Chem.MolToSmiles(mol(product)) in apply_transform(t, reactant), (t.id, reactant)


def test_transforms_leave_benign_groups_alone(wl: Watchlist) -> None:
    by_id = {t.id: t for t in wl.transforms}
    # a methylenedioxy ring is not a ketal, and a primary alcohol is not oxidised to benzaldehyde
    assert not apply_transform(by_id["acetal-opening"], "C=CCc1ccc2c(c1)OCO2")
    assert not apply_transform(by_id["alcohol-oxidation"], "OCc1ccccc1")
    # a lactone (GBL) is not an open-chain ester
    assert not apply_transform(by_id["ester-hydrolysis"], "O=C1CCCO1")
    # a sulfonanilide (dye intermediate) is not a sulfonyl-protected amine
    assert not apply_transform(by_id["n-sulfonyl-removal"], "OC(=O)c1ccccc1NS(=O)(=O)c1ccc(Cl)cc1")
    # a beta-keto ester loses CO2, but only the carboxyl next to the ketone: EAPA gives P2P
    assert "CC(=O)Cc1ccccc1" in apply_transform(
        by_id["beta-keto-decarboxylation"], "CCOC(=O)C(C(C)=O)c1ccccc1"
    )


def test_exclusions_suppress_every_pattern_their_structure_hits(wl: Watchlist) -> None:
    """An exclusion written for a look-alike must name each class or scope pattern it actually trips."""
    ids = {e.id for e in wl.entries} | {c.id for c in wl.classes} | {t.id for t in wl.transforms}
    for x in wl.exclusions:
        assert set(x.suppresses) <= ids | {"similarity"}, x.id
        if x.smarts and x.smiles:
            assert matches(x.smarts, x.smiles), x.id
        if not x.smiles:
            continue
        for c in class_hits(wl, x.smiles):
            assert c in x.suppresses, (x.id, c)
        for e in wl.entries:
            if scope_hits(wl, e.id, x.smiles):
                assert e.id in x.suppresses, (x.id, e.id)


@pytest.mark.parametrize(
    "drug",
    [
        "loperamide",
        "haloperidol",
        "paroxetine",
        "methylphenidate",
        "donepezil",
        "risperidone",
        "bupivacaine",
        "fexofenadine",
        "phenylephrine",
        "methyl-n-methylanthranilate",
        "isopropanol",
        "benzyl-alcohol",
        "ethyl-acetate",
    ],
)
def test_benign_look_alikes_are_written_down(wl: Watchlist, drug: str) -> None:
    x = next(x for x in wl.exclusions if x.id == drug)
    assert x.reason and x.citation and x.suppresses
    assert not class_hits(wl, x.smiles or "")


# ------------------------------------------------------------------------------------------------
# Refusals, on small temporary data directories
# ------------------------------------------------------------------------------------------------

ACETONE: dict[str, Any] = {
    "id": "acetone",
    "name": "Acetone",
    "synonyms": ["acetona"],
    "cas": "67-64-1",
    "smiles": "CC(C)=O",
    "formula": "C3H6O",
    "kind": "organic",
    "scope": [],
    "stereo_sensitive": False,
    "analog_target": False,
    "regimes": [
        {"regime": "list_II", "label": "DEA List II", "citation": "21 CFR 1310.02(b)", "verified": False}
    ],
    "citation": "21 CFR 1310.02(b)",
    "verified": False,
}
NPP: dict[str, Any] = {
    "id": "npp",
    "name": "NPP",
    "cas": "39742-60-4",
    "smiles": "O=C1CCN(CCc2ccccc2)CC1",
    "formula": "C13H17NO",
    "kind": "organic",
    "scope": [],
    "stereo_sensitive": False,
    "analog_target": True,
    "salt_forms": [
        {
            "cas": "1445-73-4",
            "form": "imaginary salt",
            "smiles": "O=C1CCN(CCc2ccccc2)CC1.Cl",
            "verified": False,
        }
    ],
    "regimes": [{"regime": "list_I", "label": "DEA List I", "citation": "73 FR 43355", "verified": True}],
    "citation": "73 FR 43355",
    "verified": True,
}
CLASS: dict[str, Any] = {
    "id": "npp-analogue",
    "name": "NPP analogues",
    "smarts": ["O=C1CCN(CCc2cccs2)CC1"],
    "explanation": "thienyl",
    "leads_to": "npp",
    "conversion": "reductive amination",
    "citation": "test",
    "verified": False,
    "listed": False,
    "examples": ["O=C1CCN(CCc2cccs2)CC1"],
}
TRANSFORM: dict[str, Any] = {
    "id": "boc-removal",
    "name": "Boc removal",
    "reaction_smarts": "[NX3:1]-C(=O)-O-C(-[CH3])(-[CH3])-[CH3]>>[N:1]",
    "explanation": "acid",
    "examples": [["CC(C)(C)OC(=O)N1CCC(=O)CC1", "O=C1CCNCC1"]],
}
EXCLUSION: dict[str, Any] = {
    "id": "isopropanol",
    "name": "Isopropanol",
    "smiles": "CC(C)O",
    "suppresses": ["acetone", "similarity"],
    "reason": "solvent",
    "citation": "test",
}


def write_data(
    root: Path,
    entries: list[dict[str, Any]],
    classes: list[dict[str, Any]] | None = None,
    transforms: list[dict[str, Any]] | None = None,
    exclusions: list[dict[str, Any]] | None = None,
) -> Path:
    (root / "entries").mkdir(parents=True, exist_ok=True)
    (root / "manifest.yaml").write_text("label: test-1\n", encoding="utf-8")
    (root / "entries" / "test.yaml").write_text(
        yaml.safe_dump({"entries": entries}, allow_unicode=True), encoding="utf-8"
    )
    for name, key, items in (
        ("designer_classes.yaml", "classes", classes),
        ("transforms.yaml", "transforms", transforms),
        ("exclusions.yaml", "exclusions", exclusions),
    ):
        if items is not None:
            (root / name).write_text(yaml.safe_dump({key: items}), encoding="utf-8")
    return root


def refused(root: Path) -> WatchlistError:
    with pytest.raises(WatchlistError) as info:
        load_watchlist(root)
    return info.value


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    d = dict(base)
    for k, v in changes.items():
        if v is None:
            d.pop(k, None)
        else:
            d[k] = v
    return d


def test_a_small_valid_directory_loads(tmp_path: Path) -> None:
    wl = load_watchlist(write_data(tmp_path, [ACETONE, NPP], [CLASS], [TRANSFORM], [EXCLUSION]))
    assert [e.id for e in wl.entries] == ["acetone", "npp"]
    assert wl.label == "test-1" and wl.entry("npp").lists == ["DEA List I"]
    assert wl.by_cas("1445-73-4")[1].form == "imaginary salt"  # type: ignore[index]


@pytest.mark.parametrize(
    "entry, entry_id, fld, words",
    [
        (with_(ACETONE, cas="67-64-2"), "acetone", "cas", "check digit"),
        (with_(ACETONE, cas="6764-1"), "acetone", "cas", "NNNNNNN-NN-N"),
        (with_(ACETONE, smiles="CC(C)=O)"), "acetone", "smiles", "does not parse"),
        (with_(ACETONE, smiles="CC(C)=O junk"), "acetone", "smiles", "whitespace"),
        (with_(ACETONE, formula="C3H8O"), "acetone", "formula", "does not match"),
        (with_(ACETONE, colour="clear"), "acetone", "colour", "unknown key"),
        (with_(ACETONE, verified=None), "acetone", "verified", "missing"),
        (with_(ACETONE, kind="gas"), "acetone", "kind", "unknown kind"),
        (with_(ACETONE, scope=["esters", "derivatives"]), "acetone", "scope[1]", "unknown scope word"),
        (
            with_(
                ACETONE,
                regimes=[{"regime": "list_III", "label": "DEA List III", "citation": "x", "verified": True}],
            ),
            "acetone",
            "regimes[0].regime",
            "unknown regime",
        ),
        (
            with_(
                ACETONE,
                regimes=[{"regime": "list_II", "label": "DEA List I", "citation": "x", "verified": True}],
            ),
            "acetone",
            "regimes[0].label",
            "does not fit",
        ),
        (
            with_(ACETONE, salt_forms=[{"cas": "67-64-1x", "form": "x", "verified": False}]),
            "acetone",
            "salt_forms[0].cas",
            "NNNNNNN-NN-N",
        ),
        (
            with_(ACETONE, salt_forms=[{"cas": "50-00-0", "form": "x", "smiles": "C(", "verified": False}]),
            "acetone",
            "salt_forms[0].smiles",
            "does not parse",
        ),
        (
            with_(
                ACETONE,
                scope=["esters"],
                scope_patterns=[{"covers": "amides", "smarts": "C", "explanation": "x"}],
            ),
            "acetone",
            "scope_patterns[0].covers",
            "not in the entry's scope",
        ),
        (
            with_(
                ACETONE,
                scope=["esters"],
                scope_patterns=[{"covers": "esters", "smarts": "[C", "explanation": "x"}],
            ),
            "acetone",
            "scope_patterns[0].smarts",
            "SMARTS does not parse",
        ),
    ],
)
def test_bad_entries_are_refused_naming_entry_and_field(
    tmp_path: Path, entry: dict[str, Any], entry_id: str, fld: str, words: str
) -> None:
    err = refused(write_data(tmp_path, [entry, NPP]))
    assert (err.file, err.entry_id, err.field) == ("entries/test.yaml", entry_id, fld)
    assert words in err.problem
    assert entry_id in str(err) and fld in str(err) and "entries/test.yaml" in str(err)


def test_duplicate_id_is_refused(tmp_path: Path) -> None:
    err = refused(write_data(tmp_path, [ACETONE, with_(NPP, id="acetone")]))
    assert (err.entry_id, err.field) == ("acetone", "id") and "duplicate id" in err.problem


def test_duplicate_cas_is_refused(tmp_path: Path) -> None:
    err = refused(write_data(tmp_path, [ACETONE, with_(NPP, cas="67-64-1")]))
    assert (
        (err.entry_id, err.field) == ("npp", "cas")
        and "duplicate CAS" in err.problem
        and "acetone" in str(err)
    )


def test_duplicate_salt_cas_is_refused(tmp_path: Path) -> None:
    salt = [{"cas": "67-64-1", "form": "hydrochloride", "verified": False}]
    err = refused(write_data(tmp_path, [ACETONE, with_(NPP, salt_forms=salt)]))
    assert (err.entry_id, err.field) == ("npp", "salt_forms[0].cas") and "duplicate CAS" in err.problem


def test_duplicate_structure_is_refused(tmp_path: Path) -> None:
    # the same parent written differently (and under another id and CAS) is still the same chemical
    twin = with_(ACETONE, id="propanone", name="Propanone", synonyms=[], cas="50-00-0", smiles="O=C(C)C")
    err = refused(write_data(tmp_path, [ACETONE, twin]))
    assert (err.entry_id, err.field) == (
        "propanone",
        "smiles",
    ) and "duplicate parent structure" in err.problem


def test_a_name_shared_by_two_entries_is_refused(tmp_path: Path) -> None:
    err = refused(write_data(tmp_path, [ACETONE, with_(NPP, synonyms=["NPP", "Acetona"])]))
    assert (err.entry_id, err.field) == ("npp", "synonyms[1]") and "acetone" in err.problem


def test_dangling_leads_to_is_refused(tmp_path: Path) -> None:
    err = refused(write_data(tmp_path, [ACETONE, NPP], [with_(CLASS, leads_to="nppp")]))
    assert (err.file, err.entry_id, err.field) == ("designer_classes.yaml", "npp-analogue", "leads_to")
    assert "nppp" in err.problem


def test_class_example_that_does_not_match_is_refused(tmp_path: Path) -> None:
    err = refused(write_data(tmp_path, [ACETONE, NPP], [with_(CLASS, examples=["O=C1CCN(CCc2ccccc2)CC1"])]))
    assert (err.entry_id, err.field) == ("npp-analogue", "examples[0]") and "does not match" in err.problem


def test_listed_class_without_a_regime_is_refused(tmp_path: Path) -> None:
    err = refused(write_data(tmp_path, [ACETONE, NPP], [with_(CLASS, listed=True)]))
    assert (err.entry_id, err.field) == ("npp-analogue", "regimes")


def test_dangling_suppresses_is_refused(tmp_path: Path) -> None:
    err = refused(
        write_data(tmp_path, [ACETONE, NPP], exclusions=[with_(EXCLUSION, suppresses=["acetonee"])])
    )
    assert (err.file, err.entry_id, err.field) == ("exclusions.yaml", "isopropanol", "suppresses[0]")


def test_exclusion_of_a_listed_structure_is_refused(tmp_path: Path) -> None:
    err = refused(write_data(tmp_path, [ACETONE, NPP], exclusions=[with_(EXCLUSION, smiles="CC(=O)C")]))
    assert (err.entry_id, err.field) == ("isopropanol", "smiles") and "acetone" in err.problem


@pytest.mark.parametrize(
    "transform, fld, words",
    [
        (with_(TRANSFORM, reaction_smarts="[N:1]-C(=O>>[N:1]"), "reaction_smarts", "does not parse"),
        (with_(TRANSFORM, reaction_smarts="[N:1].[Cl]>>[N:1]Cl"), "reaction_smarts", "one reactant"),
        (
            with_(TRANSFORM, examples=[["CC(C)(C)OC(=O)N1CCC(=O)CC1", "O=C1CCCCC1"]]),
            "examples[0]",
            "does not give",
        ),
        (with_(TRANSFORM, examples=[]), "examples", "worked example"),
    ],
)
def test_bad_transforms_are_refused(tmp_path: Path, transform: dict[str, Any], fld: str, words: str) -> None:
    err = refused(write_data(tmp_path, [ACETONE, NPP], transforms=[transform]))
    assert (err.file, err.entry_id, err.field) == ("transforms.yaml", "boc-removal", fld)
    assert words in err.problem


def test_bad_yaml_and_missing_manifest_are_refused(tmp_path: Path) -> None:
    root = write_data(tmp_path / "a", [ACETONE])
    (root / "entries" / "test.yaml").write_text("entries: [\n", encoding="utf-8")
    assert "not valid YAML" in refused(root).problem
    assert refused(tmp_path / "empty").file == "manifest.yaml"


def test_cache_follows_the_content(tmp_path: Path) -> None:
    root = write_data(tmp_path, [ACETONE, NPP])
    first = load_watchlist(root)
    assert load_watchlist(root) is first
    write_data(tmp_path, [ACETONE, with_(NPP, name="N-Phenethyl-4-piperidone")])
    second = load_watchlist(root)
    assert second is not first and second.version != first.version
    assert second.label == first.label  # same label, different content hash


def test_shipped_data_copied_elsewhere_gives_the_same_version(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.md"))
    assert load_watchlist(copy).version == load_watchlist().version


def test_the_loader_imports_no_web_or_rules_code() -> None:
    code = (
        "import sys; import chem_db.watchlist as w; w.load_watchlist(); "
        "bad = [m for m in ('flask', 'screening', 'rules', 'sqlalchemy') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == ""


# Names OPSIN reads as a different (but expected) structure: inorganic salts it writes as bare ions or
# radicals, and the gem-diol name of 4-piperidone hydrate (caught by the acetal/hydrate scope pattern).
OPSIN_EXPECTED_DIFFERENCES = {"piperidine-4,4-diol hydrochloride"}


def test_systematic_names_agree_with_the_structures(wl: Watchlist, tmp_path: Path) -> None:
    """Every synonym OPSIN can parse must give the entry's own parent (and stereo, for stereo entries)."""
    if shutil.which("java") is None:
        pytest.skip("OPSIN needs a Java runtime")
    py2opsin = pytest.importorskip("py2opsin").py2opsin
    pairs = [(n, e) for e in wl.entries if e.kind == "organic" for n in (e.name, *e.synonyms)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # OPSIN warns about every trade name it cannot parse
        # a private input file: py2opsin's default lives in the working directory and collides across runs
        parsed = py2opsin([n for n, _ in pairs], tmp_fpath=str(tmp_path / "opsin-input.txt"))
    checked = 0
    for (name, e), smiles in zip(pairs, parsed, strict=True):
        if not smiles or name in OPSIN_EXPECTED_DIFFERENCES:
            continue
        assert _parent_key(smiles) == _parent_key(e.smiles), (e.id, name, smiles)
        if e.stereo_sensitive and "@" in smiles:
            assert Chem.MolToInchiKey(mol(smiles)) == Chem.MolToInchiKey(mol(e.smiles)), (e.id, name, smiles)
        checked += 1
    assert checked > 150
