"""Spanish chemical names read in English (chem_db/spanish.py, data/spanish.yaml).

Order lines to Mexico and Central America name chemicals in Spanish. Names outside the hand-made
lexicon used to come back unresolved, which sends a harmless order to review. The fallback rewrites a
Spanish name into English and looks that up; these tests use real invoice and SDS names that were
unresolved before, and guard that the rewrite never yields another chemical. No test needs Java: the
engine here runs without OPSIN, and OPSIN's part is tested with a stand-in.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from rdkit import Chem

from chem_db import Identifiers
from chem_db import resolve as resolve_module
from chem_db.compiled import compile_watchlist
from chem_db.config import settings
from chem_db.engine import Engine
from chem_db.resolve import Resolution, _read_in_english, _resolve_with_opsin, resolve
from chem_db.spanish import english_readings
from chem_db.watchlist import DATA_DIR, WatchlistError, load_watchlist


@pytest.fixture(scope="module")
def engine() -> Engine:
    """In-process, and without OPSIN: none of these names may depend on Java."""
    return Engine(compile_watchlist(load_watchlist()), replace(settings(), isolate=False, opsin=False))


def key_of(smiles: str) -> str:
    return Chem.MolToInchiKey(Chem.MolFromSmiles(smiles))


def resolved_key(engine: Engine, **ids: str) -> str | None:
    r = engine.screen(Identifiers(**ids))
    return r.resolved.inchikey if r.resolved else None


# Spanish names (as on invoices and SDS) that were unresolved before, with the structure they mean.
ORGANIC = [
    ("Trietanolamina", "OCCN(CCO)CCO"),
    ("Monoetilenglicol", "OCCO"),
    ("Dietilenglicol", "OCCOCCO"),
    ("Monopropilenglicol", "CC(O)CO"),
    ("Estireno monómero", "C=Cc1ccccc1"),
    ("Acetato de vinilo monómero", "C=COC(C)=O"),
    ("1-fenilpropan-2-ona", "CC(=O)Cc1ccccc1"),
    ("ácido 2-fenilacético", "OC(=O)Cc1ccccc1"),
    ("4-metilpentan-2-ona", "CC(C)CC(C)=O"),
    ("N-metilbencilamina", "CNCc1ccccc1"),
    ("N-isopropilbencilamina", "CC(C)NCc1ccccc1"),
    ("1-(2-feniletil)piperidin-4-ona", "O=C1CCN(CCc2ccccc2)CC1"),
    ("Alcohol isobutílico", "CC(C)CO"),
    ("Alcohol terbutílico", "CC(C)(C)O"),
    ("Cloruro de acetilo", "CC(Cl)=O"),
    ("Cloruro de tionilo", "O=S(Cl)Cl"),
    ("Yoduro de metilo", "CI"),
    ("Bromuro de fenetilo", "BrCCc1ccccc1"),
    ("Acrilato de etilo", "CCOC(=O)C=C"),
    ("Metacrilato de metilo", "COC(=O)C(C)=C"),
    ("Óxido de etileno", "C1CO1"),
    ("Anhídrido maleico", "O=C1OC(=O)C=C1"),
    ("Ácido propanoico", "CCC(O)=O"),
    ("Ácido p-toluenosulfónico", "Cc1ccc(cc1)S(O)(=O)=O"),
    ("Tetracloruro de carbono", "ClC(Cl)(Cl)Cl"),
    ("Metil terbutil éter", "COC(C)(C)C"),
    ("2-(dimetilamino)etanol", "CN(C)CCO"),
    ("Acetilacetona", "CC(=O)CC(C)=O"),
    ("Acetofenona", "CC(=O)c1ccccc1"),
    ("Caprolactama", "O=C1CCCCCN1"),
    ("Ketorolaco", "OC(=O)C1CCn2c1ccc2C(=O)c1ccccc1"),
    ("Fluconazol", "OC(Cn1cncn1)(Cn1cncn1)c1ccc(F)cc1F"),
    ("Tolueno-2,4-diisocianato", "Cc1ccc(N=C=O)cc1N=C=O"),
]


@pytest.mark.parametrize("name, smiles", ORGANIC)
def test_spanish_names_resolve_to_their_structure(engine: Engine, name: str, smiles: str) -> None:
    r = engine.screen(Identifiers(name=name))
    assert r.resolved is not None, name
    assert r.resolved.inchikey == key_of(smiles)
    assert any(f.code == "NAME_TRANSLATED" for f in r.findings)


# Inorganic and salt names: the structure the English name gives (their SMILES are the dictionary's).
SALTS = [
    ("Cloruro ferroso", "ferrous chloride"),
    ("Cloruro cúprico", "cupric chloride"),
    ("Cloruro de cobre(II)", "copper(II) chloride"),
    ("Cloruro estanoso", "stannous chloride"),
    ("Sulfato ferroso", "ferrous sulfate"),
    ("Fosfato trisódico", "trisodium phosphate"),
    ("Hidróxido de magnesio", "magnesium hydroxide"),
    ("Hidruro de litio y aluminio", "lithium aluminium hydride"),
    ("Cianuro de sodio", "sodium cyanide"),
    ("Dicromato de potasio", "potassium dichromate"),
    ("Hipoclorito de calcio", "calcium hypochlorite"),
    ("Glutamato monosódico", "monosodium glutamate"),
    ("Valproato de sodio", "sodium valproate"),
    ("Besilato de amlodipino", "amlodipine besylate"),
    ("Atorvastatina cálcica", "atorvastatin calcium"),
    ("Ácido sulfámico", "sulfamic acid"),
    ("Ácido perclórico", "perchloric acid"),
    ("Dextrosa", "dextrose"),
    ("Sacarosa", "sucrose"),
]


@pytest.mark.parametrize("name, english", SALTS)
def test_spanish_salt_names_resolve_as_the_english_name(engine: Engine, name: str, english: str) -> None:
    expected = resolved_key(engine, name=english)
    assert expected is not None, english
    assert resolved_key(engine, name=name) == expected


def test_a_spanish_precursor_name_is_screened_as_the_listed_chemical(engine: Engine) -> None:
    for name, entry in (("1-fenilpropan-2-ona", "p2p"), ("ácido 2-fenilacético", "phenylacetic-acid")):
        r = engine.screen(Identifiers(name=name))
        assert r.classification == "listed", name
        assert entry in {m.entry_id for m in r.matches}


def test_tdi_goes_to_opsin_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    # the dictionary lacks "toluene diisocyanate"; OPSIN reads it (2,4-TDI, as the English name gives)
    seen: list[str] = []

    def opsin(names: list[str], timeout: float) -> dict[str, str | None]:
        seen.extend(names)
        return {n: ("Cc1ccc(N=C=O)cc1N=C=O" if n == "toluene diisocyanate" else None) for n in names}

    monkeypatch.setattr(resolve_module, "names_to_smiles", opsin)
    cw = compile_watchlist(load_watchlist())
    for name in ("Tolueno diisocianato", "Diisocianato de tolueno"):
        [res] = resolve([Identifiers(name=name)], cw, settings())
        assert [c.smiles for c in res.candidates] == ["Cc1ccc(N=C=O)cc1N=C=O"], seen


@pytest.mark.parametrize(
    "name, english",
    [
        ("Sulfato de zinc", "zinc sulfate"),
        ("Sulfato de bario", "barium sulfate"),
        ("Nitrito de sodio", "sodium nitrite"),
    ],
)
def test_a_metal_or_an_inorganic_anion_is_not_read_as_a_base_with_salt_words(
    engine: Engine, name: str, english: str
) -> None:
    # these used to be two zinc atoms beside sulfuric acid, and the nitrogen dioxide radical
    assert resolved_key(engine, name=name) == resolved_key(engine, name=english)


# --- the rewrite itself ----------------------------------------------------------------------------

VOCAB = load_watchlist().spanish


@pytest.mark.parametrize(
    "name, reading",
    [
        ("1-fenilpropan-2-ona", "1-phenylpropan-2-one"),
        ("4-metilpentan-2-ona", "4-methylpentan-2-one"),
        ("N-metilbencilamina", "n-methylbenzylamine"),
        ("ácido 2-fenilacético", "2-phenylacetic acid"),
        ("Ácido yodhídrico", "hydroiodic acid"),
        ("Cloruro de hierro (III)", "iron(III) chloride"),
        ("Cloruro férrico", "ferric chloride"),
        ("Permanganato potásico", "potassium permanganate"),
        ("Fósforo rojo", "red phosphorus"),
        ("Alcohol bencílico", "benzyl alcohol"),
        ("Éter dietílico", "diethyl ether"),
        ("Clorhidrato de metformina", "metformin hydrochloride"),
        ("Diclofenaco sódico", "diclofenac sodium"),
        ("Etanoato de etilo", "ethyl ethanoate"),
        ("Propano-1,2-diol", "propane-1,2-diol"),
        ("2-(dimetilamino)etanol", "2-(dimethylamino)ethanol"),
        ("Estireno", "styrene"),
        ("Ibuprofeno", "ibuprofen"),
        ("Acetofenona", "acetophenone"),
        ("Norpseudoefedrina", "norpseudoephedrine"),
    ],
)
def test_readings(name: str, reading: str) -> None:
    assert reading in english_readings(name, VOCAB)


@pytest.mark.parametrize(
    "name", ["Bencina", "Nafta", "Gasolina", "Parafina", "Éter de petróleo", "Aceite mineral"]
)
def test_false_friends_are_not_rewritten(name: str) -> None:
    # bencina is petrol (not benzene), nafta a petroleum cut (not naphthalene)
    assert english_readings(name, VOCAB) == []


@pytest.mark.parametrize("name, wrong", [("Bencina", "c1ccccc1"), ("Nafta", "c1ccc2ccccc2c1")])
def test_false_friends_never_resolve_to_the_look_alike(engine: Engine, name: str, wrong: str) -> None:
    assert resolved_key(engine, name=name) != key_of(wrong)


def test_readings_of_two_chemicals_leave_the_name_unresolved(monkeypatch: pytest.MonkeyPatch) -> None:
    cw = compile_watchlist(load_watchlist())
    monkeypatch.setattr(resolve_module, "english_readings", lambda text, vocab: ["ethanol", "methanol"])
    assert _read_in_english("palabra", cw) is None
    monkeypatch.setattr(resolve_module, "english_readings", lambda text, vocab: ["ethanol", "ethyl alcohol"])
    cand = _read_in_english("palabra", cw)
    assert cand is not None and key_of(cand.smiles or "") == key_of("CCO")
    assert cand.translated == "ethanol" and cand.given == "palabra"


def test_opsin_reads_the_english_reading_of_a_spanish_systematic_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def opsin(names: list[str], timeout: float) -> dict[str, str | None]:
        return {n: ("CC(=O)CCc1ccccc1" if n == "4-phenylbutan-2-one" else None) for n in names}

    monkeypatch.setattr(resolve_module, "names_to_smiles", opsin)
    res = Resolution()
    _resolve_with_opsin([(res, "4-fenilbutan-2-ona", ("4-phenylbutan-2-one",))], settings())
    assert [c.smiles for c in res.candidates] == ["CC(=O)CCc1ccccc1"]
    assert [f.code for f in res.findings] == ["NAME_TRANSLATED"]


def test_opsin_readings_that_disagree_leave_the_name_unresolved(monkeypatch: pytest.MonkeyPatch) -> None:
    def opsin(names: list[str], timeout: float) -> dict[str, str | None]:
        return {n: {"a-ol": "CCO", "a-ole": "CO"}.get(n) for n in names}

    monkeypatch.setattr(resolve_module, "names_to_smiles", opsin)
    res = Resolution()
    _resolve_with_opsin([(res, "a-ol", ("a-ol", "a-ole"))], settings())
    res2 = Resolution()
    _resolve_with_opsin([(res2, "x", ("a-ol", "a-ole"))], settings())
    assert res.candidates and res.candidates[0].smiles == "CCO"  # the name as given wins
    assert not res2.candidates
    assert "NAME_UNKNOWN" in {f.code for f in res2.findings}


def test_a_spanish_systematic_name_goes_to_opsin_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def opsin(names: list[str], timeout: float) -> dict[str, str | None]:
        seen.extend(names)
        return {n: None for n in names}

    monkeypatch.setattr(resolve_module, "names_to_smiles", opsin)
    cw = compile_watchlist(load_watchlist())
    resolve([Identifiers(name="3-(4-metoxifenil)butan-2-ona")], cw, settings())
    assert "3-(4-methoxyphenyl)butan-2-one" in seen


@pytest.mark.parametrize(
    "name", ["Benzeneacetic acid, 2-methoxyethyl ester", "Phenylacetic acid 2-methoxyethyl ester"]
)
def test_an_english_ester_name_is_not_cut_down_to_its_acid(engine: Engine, name: str) -> None:
    # "ester" is not Spanish "es-" + consonant, and an English reading is not cleaned as a product
    # description again (", 2-methoxyethyl ster" was dropped as a note, leaving phenylacetic acid)
    assert resolved_key(engine, name=name) != key_of("OC(=O)Cc1ccccc1")


def test_english_and_lexicon_names_are_not_rewritten(engine: Engine) -> None:
    for name in ("Sodium chloride", "Xileno", "Acetona", "Fenilacetato de etilo"):
        r = engine.screen(Identifiers(name=name))
        assert r.resolved is not None
        assert not any(f.code == "NAME_TRANSLATED" for f in r.findings), name


def test_a_vocabulary_key_with_an_accent_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(DATA_DIR, root)
    path = root / "spanish.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  sodio: [sodium]", "  sódio: [sodium]"), encoding="utf-8")
    with pytest.raises(WatchlistError, match="spanish.yaml"):
        load_watchlist(root)
