"""The precursor watchlist: reviewed YAML data in ``chem_db/data``, loaded and validated once.

What lives here is *knowledge*, not matching: the listed chemicals (one entry per chemical, with
every regime it sits in and the scope of each listing as written), the designer-precursor classes,
the general one-step transforms and the benign exclusions. The structure engine compiles these into
indexes and patterns; this module only guarantees that what it hands over is internally consistent.

Loading refuses a bad file with a :class:`WatchlistError` naming the file, the entry and the field:
CAS format and check digit, SMILES/SMARTS/reaction SMARTS that parse, a recorded formula that
matches its SMILES, no duplicate ids, CAS numbers, names or parent structures, references that resolve,
regime codes and scope words from a fixed vocabulary, and no unknown keys (a typo in a key would
otherwise silently drop a fact).

This module must not import Flask, ``screening`` or ``rules`` (see ``shared/style.md``).

>>> wl = load_watchlist()
>>> wl.entry("acetone").lists
['DEA List II', 'INCB Table II']
>>> entry, salt = wl.by_cas("50-98-6")
>>> entry.id, salt.form
('ephedrine', 'hydrochloride')
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdkit import Chem, rdBase
from rdkit.Chem import rdChemReactions, rdMolDescriptors

from .cas import cas_check_digit_ok, normalize_cas
from .names import name_key
from .spanish import Head, SpanishVocabulary, plain

__all__ = [
    "DATA_DIR",
    "REGIME_LABELS",
    "SCOPE_WORDS",
    "KINDS",
    "DesignerClass",
    "Entry",
    "Exclusion",
    "RegimeEntry",
    "SaltForm",
    "ScopePattern",
    "Transform",
    "Watchlist",
    "WatchlistError",
    "apply_transform",
    "is_valid_cas",
    "load_watchlist",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

# Fixed vocabulary (TEAM.md, "Shared vocabulary"). A regime code maps to the human labels it may
# carry; schedule_I/II_drug carries the schedule in its label.
REGIME_LABELS: Mapping[str, frozenset[str]] = {
    "list_I": frozenset({"DEA List I"}),
    "list_II": frozenset({"DEA List II"}),
    "schedule_II_immediate_precursor": frozenset({"Schedule II immediate precursor"}),
    "schedule_I/II_drug": frozenset({"Schedule I controlled substance", "Schedule II controlled substance"}),
    "INCB_table_I": frozenset({"INCB Table I"}),
    "INCB_table_II": frozenset({"INCB Table II"}),
}

# What a listing's scope may name (regulatory-notes §1: only what the listing names is covered).
SCOPE_WORDS = frozenset(
    {"salts", "optical_isomers", "geometric_isomers", "salts_of_isomers", "esters", "ethers",
     "acetals", "amides", "carbamates", "halides"}
)

# organic: identified by structure; element / inorganic: told apart by CAS and name, because their
# SMILES say too little (red vs white phosphorus, HI vs iodine, permanganates).
KINDS = frozenset({"organic", "element", "inorganic"})

# The special target an exclusion may suppress besides entry, class and transform ids.
SIMILARITY = "similarity"

_CAS_RE = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_ENTRY_FILES = "entries"
_MANIFEST = "manifest.yaml"
_CLASSES = "designer_classes.yaml"
_TRANSFORMS = "transforms.yaml"
_EXCLUSIONS = "exclusions.yaml"
_LEXICON = "lexicon.yaml"
_SPANISH = "spanish.yaml"
# What a lexicon name stands for (see data/lexicon.yaml).
LEXICON_KINDS = ("abbreviation", "mixture", "trade_name", "name", "polymer", "substance", "other_meaning")


# --------------------------------------------------------------------------------------------
# Public records
# --------------------------------------------------------------------------------------------


class WatchlistError(Exception):
    """A watchlist data file was refused; names the file, the entry and the field at fault."""

    def __init__(self, file: str, entry_id: str | None, field: str | None, problem: str) -> None:
        self.file = file
        self.entry_id = entry_id
        self.field = field
        self.problem = problem
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.entry_id is not None:
            where += f", entry {self.entry_id!r}"
        if self.field is not None:
            where += f", field {self.field!r}"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class SaltForm:
    """A salt, hydrate or named isomer of a listed chemical with its own CAS number."""

    cas: str
    form: str  # e.g. "hydrochloride", "sulfate (2:1)", "hemihydrate", "(1S,2R)-enantiomer"
    smiles: str | None  # the whole form, counter-ion and water included
    verified: bool
    notes: str = ""
    inchikey: str | None = None  # of the whole form, as given


@dataclass(frozen=True)
class ScopePattern:
    """A SMARTS recognising derivatives that the listing's scope names (e.g. phenylacetic esters)."""

    covers: str  # scope words, comma-separated, each one in the entry's scope
    smarts: str
    explanation: str

    @property
    def covers_words(self) -> tuple[str, ...]:
        """The scope words this pattern covers.

        >>> ScopePattern("amides, carbamates", "C", "x").covers_words
        ('amides', 'carbamates')
        """
        return tuple(w.strip() for w in self.covers.split(",") if w.strip())


@dataclass(frozen=True)
class RegimeEntry:
    """One regime an entry sits in (DEA list, schedule, INCB table)."""

    regime: str
    label: str
    citation: str
    verified: bool
    paragraph: str | None = None
    year: int | None = None
    notes: str = ""
    code: str | None = None  # DEA chemical code / drug code, e.g. "8113"


@dataclass(frozen=True)
class Entry:
    """One controlled chemical: its identity, every regime it sits in and the scope of each."""

    id: str
    name: str
    synonyms: tuple[str, ...]
    cas: str | None
    salt_forms: tuple[SaltForm, ...]
    smiles: str
    formula: str
    kind: str
    scope: frozenset[str]
    scope_patterns: tuple[ScopePattern, ...]
    regimes: tuple[RegimeEntry, ...]
    citation: str
    verified: bool
    stereo_sensitive: bool
    analog_target: bool
    notes: str
    cas_verified: bool = False  # the parent CAS was checked against a registry / the rule text
    cas_form: str = ""  # what the parent CAS stands for when not exactly the SMILES drawn ("racemate")
    inchikey: str = ""  # of the parent SMILES as recorded (not standardized)
    family: str = ""  # the data file the entry lives in, e.g. "fentanyl"

    @property
    def lists(self) -> list[str]:
        """Human labels of every regime, in data order, without repeats.

        >>> load_watchlist().entry("norfentanyl").lists
        ['Schedule II immediate precursor', 'INCB Table I', 'DEA List I']
        """
        return list(dict.fromkeys(r.label for r in self.regimes))

    @property
    def incb_only(self) -> bool:
        """True when the entry sits only in INCB tables (no US regime).

        >>> wl = load_watchlist()
        >>> wl.entry("bmk-methyl-glycidate").incb_only, wl.entry("pmk-glycidate").incb_only
        (True, False)
        """
        return all(r.regime.startswith("INCB_") for r in self.regimes)

    @property
    def all_cas(self) -> tuple[str, ...]:
        """The parent CAS (when known) followed by every salt/hydrate/isomer CAS.

        >>> load_watchlist().entry("methylamine").all_cas
        ('74-89-5', '593-51-1')
        """
        return tuple(([self.cas] if self.cas else []) + [s.cas for s in self.salt_forms])


@dataclass(frozen=True)
class DesignerClass:
    """A structural class: a designer/masked precursor family, or a class listed as such (FRS)."""

    id: str
    name: str
    smarts: tuple[str, ...]
    explanation: str
    leads_to: str
    conversion: str
    citation: str
    verified: bool
    listed: bool
    lists: tuple[str, ...]  # labels of the class's own regimes (empty unless ``listed``)
    regimes: tuple[RegimeEntry, ...] = ()
    examples: tuple[str, ...] = ()  # SMILES the class must match (checked by the tests)
    non_examples: tuple[str, ...] = ()  # SMILES it must not match
    notes: str = ""


@dataclass(frozen=True)
class Transform:
    """A general one-step transform: reactant one well-known step away from a listed chemical."""

    id: str
    name: str
    reaction_smarts: str
    explanation: str
    examples: tuple[tuple[str, str], ...]  # (reactant SMILES, expected product SMILES)


@dataclass(frozen=True)
class Exclusion:
    """A benign look-alike: what it is, what it suppresses and why."""

    id: str
    name: str
    smarts: str | None
    smiles: str | None
    suppresses: tuple[str, ...]  # entry ids, class ids, transform ids or "similarity"
    reason: str
    citation: str
    cas: str | None = None
    inchikey: str | None = None
    synonyms: tuple[str, ...] = ()  # names an order may use for it (resolution, before the dictionary)


@dataclass(frozen=True)
class LexiconName:
    """A reviewed name of a chemical that is not on the watchlist (or an abbreviation of one that is):
    solvent abbreviations, commodity isomer mixtures, trade names of the fentanyl-related substances."""

    name: str
    kind: str  # abbreviation | mixture | trade_name | name | polymer | substance | other_meaning
    smiles: str | None  # the structure (a mixture's components joined by "."); None: the dictionary's for cas
    synonyms: tuple[str, ...]
    note: str
    cas: str | None = None


@dataclass(frozen=True)
class Watchlist:
    """The loaded, validated watchlist of one content version."""

    label: str
    content_hash: str
    entries: tuple[Entry, ...]
    classes: tuple[DesignerClass, ...]
    transforms: tuple[Transform, ...]
    exclusions: tuple[Exclusion, ...]
    directory: Path
    lexicon: tuple[LexiconName, ...] = ()
    spanish: SpanishVocabulary = field(default_factory=SpanishVocabulary)  # data/spanish.yaml
    _by_id: Mapping[str, Entry] = field(repr=False, default_factory=dict)
    _by_cas: Mapping[str, tuple[Entry, SaltForm | None]] = field(repr=False, default_factory=dict)
    _classes_by_id: Mapping[str, DesignerClass] = field(repr=False, default_factory=dict)

    @property
    def version(self) -> str:
        """``"<label>+<first 12 hex of the content hash>"``; every result carries it."""
        return f"{self.label}+{self.content_hash[:12]}"

    def entry(self, entry_id: str) -> Entry:
        """The entry with this id; ``KeyError`` when there is none.

        >>> load_watchlist().entry("npp").name
        'N-Phenethyl-4-piperidone'
        """
        return self._by_id[entry_id]

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return self._by_id.get(entry_id)

    def by_cas(self, cas: str) -> tuple[Entry, SaltForm | None] | None:
        """The entry a CAS number belongs to, with the salt form when it is not the parent's.

        >>> load_watchlist().by_cas("103-79-7")[0].id
        'p2p'
        >>> load_watchlist().by_cas("64-17-5") is None
        True
        """
        return self._by_cas.get(cas.strip())

    def designer_class(self, class_id: str) -> DesignerClass:
        """The designer (or listed) class with this id; ``KeyError`` when there is none.

        >>> load_watchlist().designer_class("fentanyl-related-substance").lists
        ('Schedule I controlled substance',)
        """
        return self._classes_by_id[class_id]


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def is_valid_cas(cas: str) -> bool:
    """True for a CAS registry number written canonically (no leading zeros) with a correct check digit.

    The check-digit arithmetic lives in :mod:`chem_db.cas`; the watchlist insists on the canonical form
    so that its CAS index can be looked up with a normalized number.

    >>> is_valid_cas("67-64-1"), is_valid_cas("67-64-2"), is_valid_cas("6764-1"), is_valid_cas("067-64-1")
    (True, False, False, False)
    """
    return normalize_cas(cas) == cas and cas_check_digit_ok(cas)


@contextmanager
def _quiet_rdkit() -> Iterator[None]:
    """Silence RDKit's parser warnings; a bad structure becomes our error message, not log noise."""
    blocker = rdBase.BlockLogs()
    try:
        yield
    finally:
        del blocker


class _Reader:
    """Type-checked access to one YAML mapping, naming file/entry/field in every error."""

    def __init__(self, file: str, entry_id: str | None, data: Any, allowed: set[str],
                 required: set[str], prefix: str = "") -> None:
        self.file, self.entry_id, self.prefix = file, entry_id, prefix
        if not isinstance(data, dict):
            raise self.error(None, f"expected a mapping, got {type(data).__name__}")
        unknown = sorted(set(map(str, data)) - allowed)
        if unknown:
            raise self.error(unknown[0],
                             f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
        missing = sorted(required - set(data))
        if missing:
            raise self.error(missing[0], "required field is missing")
        self.data = data

    def error(self, fld: str | None, problem: str) -> WatchlistError:
        name = None if fld is None and not self.prefix else f"{self.prefix}{fld or ''}".rstrip(".")
        return WatchlistError(self.file, self.entry_id, name, problem)

    def text(self, key: str, default: str | None = None, allow_empty: bool = False) -> str:
        value = self.data.get(key, default)
        if value is None:
            raise self.error(key, "required field is missing")
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            raise self.error(key, f"expected a non-empty string, got {value!r}")
        return value.strip()

    def opt_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty string or nothing, got {value!r}")
        return value.strip()

    def flag(self, key: str, default: bool | None = None) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def opt_int(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(key, f"expected a whole number, got {value!r}")
        return value

    def items(self, key: str, required: bool = False) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error(key, "required field is missing")
            return []
        if not isinstance(value, list):
            raise self.error(key, f"expected a list, got {type(value).__name__}")
        return value

    def texts(self, key: str, required: bool = False) -> tuple[str, ...]:
        items = self.items(key, required)
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{key}[{i}]", f"expected a non-empty string, got {item!r}")
        return tuple(item.strip() for item in items)


def _mol(r: _Reader, key: str, smiles: str) -> Chem.Mol:
    if any(c.isspace() for c in smiles):
        raise r.error(key, f"SMILES contains whitespace: {smiles!r}")
    with _quiet_rdkit():
        mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise r.error(key, f"SMILES does not parse: {smiles!r}")
    return mol


def _smarts(r: _Reader, key: str, smarts: str) -> Chem.Mol:
    with _quiet_rdkit():
        patt = Chem.MolFromSmarts(smarts)
    if patt is None:
        raise r.error(key, f"SMARTS does not parse: {smarts!r}")
    return patt


def _cas(r: _Reader, key: str, cas: Any) -> str:
    if not isinstance(cas, str):
        raise r.error(key, f"CAS number must be a quoted string like '67-64-1', got {cas!r}")
    cas = cas.strip()
    if not _CAS_RE.match(cas):
        raise r.error(key, f"CAS number {cas!r} is not of the form NNNNNNN-NN-N")
    if normalize_cas(cas) != cas:
        raise r.error(key, f"CAS number {cas!r} is not canonical (write it as {normalize_cas(cas)!r})")
    if not is_valid_cas(cas):
        expected = next(d for d in range(10) if cas_check_digit_ok(f"{cas[:-1]}{d}"))
        raise r.error(key, f"CAS number {cas!r} has a wrong check digit (expected {expected})")
    return cas


_FORMULA_RE = re.compile(r"([A-Z][a-z]?)(\d*)")


def _formula_counts(formula: str) -> dict[str, int] | None:
    """Element counts of a molecular formula, in any element order; None when it does not read.

    Charges written by RDKit (``+``/``-`` suffixes) are kept as a pseudo-element so that a charged
    formula never equals a neutral one.

    >>> _formula_counts("ClH") == _formula_counts("HCl")
    True
    >>> _formula_counts("C10H15NO") == _formula_counts("C10H15N")
    False
    """
    body = formula.strip()
    charge = re.search(r"([+-]\d*)$", body)
    if charge:
        body = body[: charge.start()]
    counts: dict[str, int] = {}
    pos = 0
    for m in _FORMULA_RE.finditer(body):
        if m.start() != pos:
            return None
        counts[m.group(1)] = counts.get(m.group(1), 0) + int(m.group(2) or 1)
        pos = m.end()
    if pos != len(body) or not counts:
        return None
    if charge:
        counts["charge" + charge.group(1)] = 1
    return counts


def _canonical(smiles: str) -> str | None:
    with _quiet_rdkit():
        mol = Chem.MolFromSmiles(smiles)
    return None if mol is None else Chem.MolToSmiles(mol)


def _run_reaction(rxn: rdChemReactions.ChemicalReaction, reactant: Chem.Mol) -> set[str]:
    """Canonical SMILES of every product fragment of a single-reactant reaction.

    Products are split into fragments (a ketal opening gives the ketone *and* the diol): the engine
    looks each fragment up in the watchlist. Product sets RDKit cannot sanitize are not outcomes.
    """
    out: set[str] = set()
    with _quiet_rdkit():
        for products in rxn.RunReactants((reactant,)):
            smiles: list[str] = []
            for p in products:
                try:
                    Chem.SanitizeMol(p)
                except Exception:  # an impossible product set is simply not an outcome
                    smiles = []
                    break
                smiles.extend(Chem.MolToSmiles(p).split("."))
            for s in smiles:
                c = _canonical(s)
                if c is not None:
                    out.add(c)
    return out


def apply_transform(transform: Transform, smiles: str) -> set[str]:
    """Canonical SMILES of the product fragments of one transform applied to a structure.

    A convenience for reviewers and tests; the engine compiles the reactions once per version.

    >>> wl = load_watchlist()
    >>> t = next(t for t in wl.transforms if t.id == "boc-removal")
    >>> sorted(apply_transform(t, "CC(C)(C)OC(=O)N1CCC(=O)CC1"))
    ['O=C1CCNCC1']
    """
    with _quiet_rdkit():
        rxn = rdChemReactions.ReactionFromSmarts(transform.reaction_smarts)
        mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return set()
    return _run_reaction(rxn, mol)


# --------------------------------------------------------------------------------------------
# Parsing of each file kind
# --------------------------------------------------------------------------------------------


def _code(r: _Reader) -> str | None:
    value = r.data.get("code")
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}", value):
        raise r.error("code", f"a DEA code is four digits in quotes, e.g. '8113'; got {value!r}")
    return value


def _regime(file: str, entry_id: str, data: Any, prefix: str) -> RegimeEntry:
    r = _Reader(file, entry_id, data, {"regime", "label", "citation", "verified", "paragraph", "year",
                                        "notes", "code"}, {"regime", "label", "citation", "verified"}, prefix)
    code = r.text("regime")
    if code not in REGIME_LABELS:
        raise r.error("regime", f"unknown regime code {code!r} (allowed: {', '.join(REGIME_LABELS)})")
    label = r.text("label")
    if label not in REGIME_LABELS[code]:
        raise r.error("label", f"label {label!r} does not fit regime {code!r} "
                               f"(allowed: {', '.join(sorted(REGIME_LABELS[code]))})")
    year = r.opt_int("year")
    if year is not None and not 1970 <= year <= 2100:
        raise r.error("year", f"implausible year of listing {year}")
    return RegimeEntry(regime=code, label=label, citation=r.text("citation"), verified=r.flag("verified"),
                       paragraph=r.opt_text("paragraph"), year=year, notes=r.opt_text("notes") or "",
                       code=_code(r))


_ENTRY_KEYS = {"id", "name", "synonyms", "cas", "cas_verified", "cas_form", "salt_forms", "smiles", "formula",
               "kind", "scope", "scope_patterns", "regimes", "citation", "verified", "stereo_sensitive",
               "analog_target", "notes"}
_ENTRY_REQUIRED = {"id", "name", "smiles", "formula", "kind", "regimes", "citation", "verified",
                   "stereo_sensitive", "analog_target"}


def _entry(file: str, family: str, data: Any, index: int) -> Entry:
    entry_id = data.get("id") if isinstance(data, dict) else None
    r = _Reader(file, str(entry_id) if entry_id is not None else f"#{index + 1}", data,
                _ENTRY_KEYS, _ENTRY_REQUIRED)
    eid = r.text("id")
    if not _ID_RE.match(eid):
        raise r.error("id", f"id {eid!r} must be lowercase words joined by hyphens")
    r.entry_id = eid

    smiles = r.text("smiles")
    mol = _mol(r, "smiles", smiles)
    formula = r.text("formula")
    actual = rdMolDescriptors.CalcMolFormula(mol)
    if _formula_counts(actual) != _formula_counts(formula):
        raise r.error("formula", f"recorded formula {formula} does not match the SMILES ({actual})")
    with _quiet_rdkit():
        inchikey = Chem.MolToInchiKey(mol)

    kind = r.text("kind")
    if kind not in KINDS:
        raise r.error("kind", f"unknown kind {kind!r} (allowed: {', '.join(sorted(KINDS))})")

    cas = None if r.data.get("cas") is None else _cas(r, "cas", r.data["cas"])

    salts = []
    for i, s in enumerate(r.items("salt_forms")):
        sr = _Reader(file, eid, s, {"cas", "form", "smiles", "verified", "notes"},
                     {"cas", "form", "verified"}, f"salt_forms[{i}].")
        s_smiles = sr.opt_text("smiles")
        s_key = None
        if s_smiles is not None:
            s_mol = _mol(sr, "smiles", s_smiles)
            with _quiet_rdkit():
                s_key = Chem.MolToInchiKey(s_mol)
        salts.append(SaltForm(cas=_cas(sr, "cas", sr.data["cas"]), form=sr.text("form"), smiles=s_smiles,
                              verified=sr.flag("verified"), notes=sr.opt_text("notes") or "",
                              inchikey=s_key))

    scope = r.texts("scope")
    for i, word in enumerate(scope):
        if word not in SCOPE_WORDS:
            raise r.error(f"scope[{i}]", f"unknown scope word {word!r} "
                                         f"(allowed: {', '.join(sorted(SCOPE_WORDS))})")

    patterns = []
    for i, p in enumerate(r.items("scope_patterns")):
        pr = _Reader(file, eid, p, {"covers", "smarts", "explanation"}, {"covers", "smarts", "explanation"},
                     f"scope_patterns[{i}].")
        sp = ScopePattern(covers=pr.text("covers"), smarts=pr.text("smarts"),
                          explanation=pr.text("explanation"))
        for word in sp.covers_words:
            if word not in scope:
                raise pr.error("covers", f"{word!r} is not in the entry's scope {sorted(scope)}")
        _smarts(pr, "smarts", sp.smarts)
        patterns.append(sp)

    regimes = tuple(_regime(file, eid, d, f"regimes[{i}].") for i, d in enumerate(r.items("regimes", True)))
    if not regimes:
        raise r.error("regimes", "an entry needs at least one regime")

    return Entry(
        id=eid, name=r.text("name"), synonyms=r.texts("synonyms"), cas=cas, salt_forms=tuple(salts),
        smiles=smiles, formula=formula, kind=kind, scope=frozenset(scope), scope_patterns=tuple(patterns),
        regimes=regimes, citation=r.text("citation"), verified=r.flag("verified"),
        stereo_sensitive=r.flag("stereo_sensitive"), analog_target=r.flag("analog_target"),
        notes=r.opt_text("notes") or "", cas_verified=r.flag("cas_verified", False), inchikey=inchikey,
        family=family, cas_form=r.opt_text("cas_form") or "",
    )


_CLASS_KEYS = {"id", "name", "smarts", "explanation", "leads_to", "conversion", "citation", "verified",
               "listed", "regimes", "examples", "non_examples", "notes"}


def _designer_class(file: str, data: Any, index: int) -> DesignerClass:
    cid = data.get("id") if isinstance(data, dict) else None
    r = _Reader(file, str(cid) if cid is not None else f"#{index + 1}", data, _CLASS_KEYS,
                {"id", "name", "smarts", "explanation", "leads_to", "conversion", "citation", "verified",
                 "listed"})
    cid = r.text("id")
    if not _ID_RE.match(cid):
        raise r.error("id", f"id {cid!r} must be lowercase words joined by hyphens")
    r.entry_id = cid
    smarts = r.texts("smarts", required=True)
    if not smarts:
        raise r.error("smarts", "a class needs at least one SMARTS")
    patts = [_smarts(r, f"smarts[{i}]", s) for i, s in enumerate(smarts)]
    listed = r.flag("listed")
    regimes = tuple(_regime(file, cid, d, f"regimes[{i}].") for i, d in enumerate(r.items("regimes")))
    if listed and not regimes:
        raise r.error("regimes", "a listed class must name the regime it is listed in")
    if not listed and regimes:
        raise r.error("regimes", "an unlisted designer class carries no regime of its own")
    examples = r.texts("examples")
    non_examples = r.texts("non_examples")
    for key, smiles_list, want in (("examples", examples, True), ("non_examples", non_examples, False)):
        for i, s in enumerate(smiles_list):
            mol = _mol(r, f"{key}[{i}]", s)
            hit = any(mol.HasSubstructMatch(p) for p in patts)
            if hit != want:
                verb = "does not match" if want else "matches"
                raise r.error(f"{key}[{i}]", f"{s!r} {verb} the class SMARTS")
    return DesignerClass(
        id=cid, name=r.text("name"), smarts=smarts, explanation=r.text("explanation"),
        leads_to=r.text("leads_to"), conversion=r.text("conversion"), citation=r.text("citation"),
        verified=r.flag("verified"), listed=listed,
        lists=tuple(dict.fromkeys(x.label for x in regimes)), regimes=regimes, examples=examples,
        non_examples=non_examples, notes=r.opt_text("notes") or "",
    )


def _transform(file: str, data: Any, index: int) -> Transform:
    tid = data.get("id") if isinstance(data, dict) else None
    r = _Reader(file, str(tid) if tid is not None else f"#{index + 1}", data,
                {"id", "name", "reaction_smarts", "explanation", "examples"},
                {"id", "name", "reaction_smarts", "explanation", "examples"})
    tid = r.text("id")
    if not _ID_RE.match(tid):
        raise r.error("id", f"id {tid!r} must be lowercase words joined by hyphens")
    r.entry_id = tid
    rs = r.text("reaction_smarts")
    with _quiet_rdkit():
        try:
            rxn = rdChemReactions.ReactionFromSmarts(rs)
        except Exception:  # RDKit raises ValueError on a bad reaction SMARTS
            rxn = None
    if rxn is None:
        raise r.error("reaction_smarts", f"reaction SMARTS does not parse: {rs!r}")
    if rxn.GetNumReactantTemplates() != 1:
        raise r.error("reaction_smarts", f"a transform takes one reactant, this one takes "
                                         f"{rxn.GetNumReactantTemplates()}")
    rxn.Initialize()
    examples = []
    raw = r.items("examples", required=True)
    if not raw:
        raise r.error("examples", "a transform needs at least one worked example")
    for i, ex in enumerate(raw):
        if not (isinstance(ex, list) and len(ex) == 2 and all(isinstance(x, str) for x in ex)):
            raise r.error(f"examples[{i}]", "expected [reactant SMILES, expected product SMILES]")
        reactant = _mol(r, f"examples[{i}]", ex[0])
        expected = _canonical(ex[1])
        if expected is None:
            raise r.error(f"examples[{i}]", f"expected product SMILES does not parse: {ex[1]!r}")
        got = _run_reaction(rxn, reactant)
        if expected not in got:
            raise r.error(f"examples[{i}]", f"{ex[0]} does not give {ex[1]} (got {sorted(got) or 'nothing'})")
        examples.append((ex[0], ex[1]))
    return Transform(id=tid, name=r.text("name"), reaction_smarts=rs, explanation=r.text("explanation"),
                     examples=tuple(examples))


def _exclusion(file: str, data: Any, index: int) -> Exclusion:
    xid = data.get("id") if isinstance(data, dict) else None
    r = _Reader(file, str(xid) if xid is not None else f"#{index + 1}", data,
                {"id", "name", "smarts", "smiles", "cas", "suppresses", "reason", "citation", "synonyms"},
                {"id", "name", "suppresses", "reason", "citation"})
    xid = r.text("id")
    if not _ID_RE.match(xid):
        raise r.error("id", f"id {xid!r} must be lowercase words joined by hyphens")
    r.entry_id = xid
    smarts, smiles = r.opt_text("smarts"), r.opt_text("smiles")
    if smarts is None and smiles is None:
        raise r.error("smiles", "an exclusion needs a SMILES or a SMARTS saying what it applies to")
    if smarts is not None:
        _smarts(r, "smarts", smarts)
    key = None
    if smiles is not None:
        mol = _mol(r, "smiles", smiles)
        with _quiet_rdkit():
            key = Chem.MolToInchiKey(mol)
    suppresses = r.texts("suppresses", required=True)
    if not suppresses:
        raise r.error("suppresses", "an exclusion must name what it suppresses")
    cas = None if r.data.get("cas") is None else _cas(r, "cas", r.data["cas"])
    return Exclusion(id=xid, name=r.text("name"), smarts=smarts, smiles=smiles, suppresses=suppresses,
                     reason=r.text("reason"), citation=r.text("citation"), cas=cas, inchikey=key,
                     synonyms=r.texts("synonyms"))


def _lexicon_name(file: str, data: Any, index: int) -> LexiconName:
    nm = data.get("name") if isinstance(data, dict) else None
    r = _Reader(file, str(nm) if nm is not None else f"#{index + 1}", data,
                {"name", "kind", "smiles", "cas", "synonyms", "note"}, {"name", "kind", "note"})
    kind = r.text("kind")
    if kind not in LEXICON_KINDS:
        raise r.error("kind", f"kind {kind!r} is not one of {', '.join(LEXICON_KINDS)}")
    smiles = r.opt_text("smiles")
    cas = None if r.data.get("cas") is None else _cas(r, "cas", r.data["cas"])
    if smiles is None and (cas is None or kind in ("mixture", "polymer", "substance", "other_meaning")):
        raise r.error("smiles", "give the structure (a name with only a CAS number takes the dictionary's)")
    if smiles is not None:
        _mol(r, "smiles", smiles)
        if kind == "mixture" and "." not in smiles:
            raise r.error("smiles", "a mixture lists its components joined by '.'")
    return LexiconName(name=r.text("name"), kind=kind, smiles=smiles, synonyms=r.texts("synonyms"),
                       note=r.text("note"), cas=cas)


def _check_other_meaning(ln: LexiconName, by_name: dict[str, Entry], by_key: dict[str, Entry]) -> None:
    """An ``other_meaning`` record is the reverse of the other kinds: its names must be watchlist names
    (which keep resolving to the entry), and its structure another chemical than any entry."""
    for fld, text in [("name", ln.name)] + [(f"synonyms[{i}]", t) for i, t in enumerate(ln.synonyms)]:
        if name_key(text) not in by_name:
            raise WatchlistError(_LEXICON, ln.name, fld, f"{text!r} is no watchlist name; an other_meaning "
                                                         "record gives another reading of a watchlist name")
    with _quiet_rdkit():
        key = Chem.MolToInchiKey(Chem.MolFromSmiles(ln.smiles or ""))
    if key in by_key:
        raise WatchlistError(_LEXICON, ln.name, "smiles", f"the structure is entry {by_key[key].id!r}, "
                                                          "not another meaning of the name")


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _data_files(directory: Path) -> list[Path]:
    files = [directory / _MANIFEST]
    files += sorted((directory / _ENTRY_FILES).glob("*.yaml"))
    optional = (_CLASSES, _TRANSFORMS, _EXCLUSIONS, _LEXICON, _SPANISH)
    files += [directory / n for n in optional if (directory / n).exists()]
    return files


def _content_hash(directory: Path, files: list[Path]) -> str:
    h = hashlib.sha256()
    for path in files:
        h.update(path.relative_to(directory).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def _yaml(path: Path, rel: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise WatchlistError(rel, None, None, f"not valid YAML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise WatchlistError(rel, None, None, f"not UTF-8 text: {exc}") from None


def _list_file(path: Path, rel: str, key: str) -> list[Any]:
    doc = _yaml(path, rel)
    if doc is None:
        return []
    if not isinstance(doc, dict) or set(doc) != {key}:
        raise WatchlistError(rel, None, None, f"expected one top-level key {key!r} holding a list")
    items = doc[key] or []
    if not isinstance(items, list):
        raise WatchlistError(rel, None, key, "expected a list")
    return items


_SPANISH_KEYS = re.compile(r"^[a-z][a-z.]*_?$")


def _spanish(path: Path) -> SpanishVocabulary:
    """The Spanish-name vocabulary (data/spanish.yaml), validated: every key in the form names are compared
    in (lower case, no accents), every value English text or a list of it."""
    if not path.exists():
        return SpanishVocabulary()
    doc = _yaml(path, _SPANISH) or {}
    sections = {"never", "drop", "words", "elements", "cation_adjectives", "adjectives", "heads", "hydracids",
                "morphemes", "endings"}
    if not isinstance(doc, dict) or not set(doc) <= sections:
        raise WatchlistError(_SPANISH, None, None, f"expected top-level keys among {sorted(sections)}")

    def key(section: str, k: Any) -> str:
        if not isinstance(k, str) or not _SPANISH_KEYS.match(k) or plain(k) != k:
            raise WatchlistError(_SPANISH, None, section, f"{k!r} is not a lower-case word without accents")
        return k

    def text(section: str, k: str, v: Any, empty: bool = False) -> str:
        if not isinstance(v, str) or (not v and not empty) or v != v.strip():
            raise WatchlistError(_SPANISH, k, section, f"{v!r} is not English text")
        return v

    def words(section: str) -> frozenset[str]:
        items = doc.get(section) or []
        if not isinstance(items, list):
            raise WatchlistError(_SPANISH, None, section, "expected a list")
        return frozenset(key(section, k) for k in items)

    def mapping(section: str) -> dict[str, Any]:
        items = doc.get(section) or {}
        if not isinstance(items, dict):
            raise WatchlistError(_SPANISH, None, section, "expected a mapping")
        return {key(section, k): v for k, v in items.items()}

    def texts(section: str) -> dict[str, str]:
        return {k: text(section, k, v) for k, v in mapping(section).items()}

    def alternatives(section: str) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for k, v in mapping(section).items():
            if not isinstance(v, list) or not v:
                raise WatchlistError(_SPANISH, k, section, "expected a list of English words")
            out[k] = tuple(text(section, k, x, empty=section == "words") for x in v)
        return out

    def _morphemes(items: dict[str, Any]) -> dict[str, tuple[str, ...]]:
        # a spelling, or the spellings English can have (fen: phen in "phenol", fen in "diclofenac")
        return {k: tuple(text("morphemes", k, x) for x in (v if isinstance(v, list) and v else [v]))
                for k, v in items.items()}

    heads: dict[str, Head] = {}
    for k, v in mapping("heads").items():
        if not isinstance(v, dict) or set(v) != {"en", "endings"} or not isinstance(v["endings"], dict):
            raise WatchlistError(_SPANISH, k, "heads", "expected {en: ..., endings: {...}}")
        endings = {key("heads", e): text("heads", k, x, empty=True) for e, x in v["endings"].items()}
        heads[k] = Head(text("heads", k, v["en"]), endings)
    return SpanishVocabulary(
        never=words("never"),
        drop=words("drop"),
        words=alternatives("words"),
        elements=alternatives("elements"),
        cation_adjectives=texts("cation_adjectives"),
        adjectives=texts("adjectives"),
        heads=heads,
        hydracids=alternatives("hydracids"),
        morphemes=_morphemes(mapping("morphemes")),
        endings=alternatives("endings"),
    )


_cache: dict[tuple[str, str], Watchlist] = {}
_cache_lock = threading.Lock()


def load_watchlist(directory: Path | None = None) -> Watchlist:
    """Load and validate the watchlist in ``directory`` (default ``chem_db/data``).

    The result is cached per directory and content hash: editing a file gives a new version on the
    next call, an unchanged directory costs one read and a hash.

    >>> wl = load_watchlist()
    >>> wl.version.startswith(wl.label + "+") and len(wl.version) == len(wl.label) + 13
    True
    >>> load_watchlist() is wl
    True
    """
    directory = Path(directory) if directory is not None else DATA_DIR
    if not (directory / _MANIFEST).is_file():
        raise WatchlistError(_MANIFEST, None, None, f"no manifest in {directory}")
    files = _data_files(directory)
    digest = _content_hash(directory, files)
    key = (str(directory.resolve()), digest)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    wl = _build(directory, files, digest)
    with _cache_lock:
        _cache[key] = wl
    return wl


def _build(directory: Path, files: list[Path], digest: str) -> Watchlist:
    manifest = _yaml(directory / _MANIFEST, _MANIFEST)
    mr = _Reader(_MANIFEST, None, manifest, {"label", "description", "updated"}, {"label"})
    label = mr.text("label")
    if "+" in label or any(c.isspace() for c in label):
        raise mr.error("label", f"label {label!r} must not contain '+' or spaces")

    entries: list[Entry] = []
    for path in files:
        if path.parent.name != _ENTRY_FILES:
            continue
        rel = path.relative_to(directory).as_posix()
        for i, raw in enumerate(_list_file(path, rel, "entries")):
            entries.append(_entry(rel, path.stem, raw, i))
    if not entries:
        raise WatchlistError(_ENTRY_FILES, None, None, "no entries found")

    by_id: dict[str, Entry] = {}
    by_cas: dict[str, tuple[Entry, SaltForm | None]] = {}
    by_key: dict[str, Entry] = {}
    by_name: dict[str, Entry] = {}  # compared as the engine looks names up (case, accents, punctuation)
    for e in entries:
        rel = f"{_ENTRY_FILES}/{e.family}.yaml"
        if e.id in by_id:
            other = f"{_ENTRY_FILES}/{by_id[e.id].family}.yaml"
            raise WatchlistError(rel, e.id, "id", f"duplicate id (also in {other})")
        by_id[e.id] = e
        for fld, cas, salt in [("cas", e.cas, None)] + [
            (f"salt_forms[{i}].cas", s.cas, s) for i, s in enumerate(e.salt_forms)
        ]:
            if cas is None:
                continue
            if cas in by_cas:
                raise WatchlistError(rel, e.id, fld, f"duplicate CAS number {cas} (already used by entry "
                                                     f"{by_cas[cas][0].id!r})")
            by_cas[cas] = (e, salt)
        for fld, text in [("name", e.name)] + [(f"synonyms[{i}]", t) for i, t in enumerate(e.synonyms)]:
            owner = by_name.setdefault(name_key(text), e)
            if owner.id != e.id:
                raise WatchlistError(rel, e.id, fld, f"name {text!r} already names entry {owner.id!r}; "
                                                     "a name must lead to one chemical")
        if e.inchikey in by_key:
            raise WatchlistError(rel, e.id, "smiles", f"duplicate parent structure (InChIKey {e.inchikey}) "
                                                      f"of entry {by_key[e.inchikey].id!r}")
        by_key[e.inchikey] = e

    classes: list[DesignerClass] = []
    if (directory / _CLASSES).exists():
        classes = [_designer_class(_CLASSES, d, i) for i, d in
                   enumerate(_list_file(directory / _CLASSES, _CLASSES, "classes"))]
    transforms: list[Transform] = []
    if (directory / _TRANSFORMS).exists():
        transforms = [_transform(_TRANSFORMS, d, i) for i, d in
                      enumerate(_list_file(directory / _TRANSFORMS, _TRANSFORMS, "transforms"))]
    exclusions: list[Exclusion] = []
    if (directory / _EXCLUSIONS).exists():
        exclusions = [_exclusion(_EXCLUSIONS, d, i) for i, d in
                      enumerate(_list_file(directory / _EXCLUSIONS, _EXCLUSIONS, "exclusions"))]

    seen: dict[str, str] = {eid: "an entry" for eid in by_id}
    for file, items in ((_CLASSES, classes), (_TRANSFORMS, transforms), (_EXCLUSIONS, exclusions)):
        for item in items:
            if item.id in seen:
                raise WatchlistError(file, item.id, "id", f"duplicate id (already {seen[item.id]})")
            seen[item.id] = f"used in {file}"
    for c in classes:
        if c.leads_to not in by_id:
            raise WatchlistError(_CLASSES, c.id, "leads_to", f"unknown entry id {c.leads_to!r}")
    class_ids = {c.id for c in classes}
    targets = set(by_id) | class_ids | {t.id for t in transforms} | {SIMILARITY}
    for x in exclusions:
        for i, s in enumerate(x.suppresses):
            if s not in targets:
                raise WatchlistError(_EXCLUSIONS, x.id, f"suppresses[{i}]",
                                     f"{s!r} is not an entry, class or transform id, nor 'similarity'")
        if x.cas is not None and x.cas in by_cas:
            raise WatchlistError(_EXCLUSIONS, x.id, "cas",
                                 f"CAS {x.cas} belongs to entry {by_cas[x.cas][0].id!r}")
        if x.inchikey is not None and x.inchikey in by_key:
            raise WatchlistError(_EXCLUSIONS, x.id, "smiles",
                                 f"structure is the listed entry {by_key[x.inchikey].id!r}; "
                                 "it cannot be excluded")

    lexicon: list[LexiconName] = []
    if (directory / _LEXICON).exists():
        lexicon = [_lexicon_name(_LEXICON, d, i) for i, d in
                   enumerate(_list_file(directory / _LEXICON, _LEXICON, "names"))]
    lex_names: dict[str, str] = {}
    for ln in lexicon:
        if ln.kind == "other_meaning":
            _check_other_meaning(ln, by_name, by_key)
            continue
        for fld, text in [("name", ln.name)] + [(f"synonyms[{i}]", t) for i, t in enumerate(ln.synonyms)]:
            k = name_key(text)
            if k in by_name:
                # The watchlist's own synonyms stay the watchlist's: an abbreviation of a listed
                # chemical is written there, or here with that entry's CAS number (see below).
                raise WatchlistError(_LEXICON, ln.name, fld, f"name {text!r} already names entry "
                                                             f"{by_name[k].id!r}; keep it in the watchlist")
            if lex_names.setdefault(k, ln.name) != ln.name:
                raise WatchlistError(_LEXICON, ln.name, fld, f"name {text!r} already names {lex_names[k]!r}")
        if ln.smiles is not None and "." not in ln.smiles:
            with _quiet_rdkit():
                lkey = Chem.MolToInchiKey(Chem.MolFromSmiles(ln.smiles))
            if lkey in by_key and (ln.cas is None or by_cas.get(ln.cas, (None,))[0] is not by_key[lkey]):
                raise WatchlistError(_LEXICON, ln.name, "cas", f"the structure is entry {by_key[lkey].id!r}: "
                                                               "give that entry's CAS number")

    return Watchlist(
        label=label, content_hash=digest, entries=tuple(entries), classes=tuple(classes),
        transforms=tuple(transforms), exclusions=tuple(exclusions), directory=directory,
        lexicon=tuple(lexicon), spanish=_spanish(directory / _SPANISH),
        _by_id=by_id, _by_cas=by_cas, _classes_by_id={c.id: c for c in classes},
    )
