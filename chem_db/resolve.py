"""Identifier resolution: CAS numbers, names, SMILES, InChI and InChIKeys to a structure to screen.

This part runs in the calling process and never touches RDKit with untrusted input: it checks text
(format, length, characters), looks identifiers up (watchlist first, then the bundled dictionary,
then OPSIN for systematic names) and hands a SMILES or InChI string to the structure worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdkit import Chem

from . import results as R
from .cas import cas_check_digit_ok, normalize_cas
from .compiled import CompiledWatchlist, KnownName
from .config import Settings
from .dictionary import get_dictionary, lookup_drug_name
from .names import (
    NameParts,
    SaltWord,
    ester_of_acid_name,
    name_key,
    spanish_ester_name,
    split_hydrate_words,
    split_salt_words,
    strip_stereo_prefix,
)
from .opsin import names_to_smiles, opsin_available
from .spanish import english_readings
from .watchlist import Entry, SaltForm

# Order in which identifiers are preferred as the line's structure: the most specific first.
PRIORITY = ("smiles", "inchi", "cas", "name", "inchikey")

_SMILES_CHARS = re.compile(r"^[A-Za-z0-9@+\-\[\]()=#$/\\%.:]+$")
# Atom tokens of a SMILES; the group is set only for a bracket atom that is hydrogen ([H], [2H], [H+];
# not [Hg]), so the heavy atoms are the tokens without it.
_ATOM_TOKEN = re.compile(r"\[(\d*H(?![a-z]))?[^\]]*\]|Br|Cl|[BCNOPSFI]|[bcnops]")
_INCHIKEY = re.compile(r"^[A-Z]{14}-[A-Z]{8}[SN][A-Z]-[A-Z]$")
_EMPTY_CODES = {
    "smiles": "SMILES_INVALID",
    "cas": "CAS_INVALID",
    "name": "NAME_UNKNOWN",
    "inchi": "INCHI_INVALID",
    "inchikey": "INCHIKEY_INVALID",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\s]")


@dataclass
class Candidate:
    """What one identifier resolved to (before any RDKit work)."""

    field: str  # cas | smiles | name | inchi | inchikey
    given: str
    smiles: str | None = None  # structure as given (salt, water and all)
    inchi: str | None = None
    source: str = "input"  # input | watchlist | lexicon | dictionary | opsin
    entry_id: str | None = None  # the watchlist entry this identifier names directly
    salt_form: str | None = None
    name: str | None = None  # a known name of what it resolved to
    mass_delta: float = 0.0  # metal salts named in words: mass as given minus the SMILES' mass
    checked: bool = False  # the SMILES text already passed check_smiles_text
    mass_known: bool = True  # False for a salt form whose structure the watchlist does not record
    polymer: bool = False  # a polymer named in the lexicon, screened as its capped repeat unit
    variable: bool = False  # a substance of variable composition, screened as representative components
    racemate: bool = False  # a CAS number of the racemate: the SMILES shows one enantiomer, either is it
    # (InChIKey, name) of chemicals that the name given also means in ordinary trade (other_meanings_of)
    other_meanings: tuple[tuple[str, str], ...] = ()
    translated: str | None = None  # the English name a Spanish name was read as (spanish.py)

    def describe(self) -> str:
        what = self.name or self.smiles or self.inchi or "?"
        return f"{self.field} {self.given!r} -> {what}"


@dataclass
class Resolution:
    candidates: list[Candidate] = field(default_factory=list)
    findings: list[R.Finding] = field(default_factory=list)
    used: list[str] = field(default_factory=list)


def _heavy_atoms_in(smiles: str) -> int:
    """Heavy atoms counted from SMILES text (before any parsing).

    >>> _heavy_atoms_in("[2H]C([2H])([2H])C(=O)[Hg]Cl")
    5
    """
    return _ATOM_TOKEN.findall(smiles).count("")


def check_smiles_text(smiles: str, s: Settings) -> R.Finding | None:
    """Cheap checks on a SMILES string before it is parsed (length, characters, atoms, fragments).

    RDKit stops reading at the first space or newline, so "CCO <anything>" would parse as ethanol:
    any whitespace or control character inside the string is refused.

    >>> from chem_db.config import Settings
    >>> check_smiles_text("CCO <anything>", Settings()).code
    'SMILES_INVALID'
    >>> check_smiles_text("C" * 2000, Settings()).code
    'LIMIT_EXCEEDED'
    >>> check_smiles_text("CCO", Settings()) is None
    True
    """
    text = smiles.strip()
    if not text:
        return R.Finding("SMILES_INVALID", "The SMILES is empty.", "smiles")
    if len(text) > s.max_smiles_length:
        return R.Finding(
            "LIMIT_EXCEEDED",
            f"The SMILES has {len(text)} characters; the limit is {s.max_smiles_length}.",
            "smiles",
            {"limit": "max_smiles_length"},
        )
    if _CONTROL.search(text):
        return R.Finding(
            "SMILES_INVALID",
            "The SMILES contains a space, tab, newline or control character; "
            "anything after it would be silently ignored, so the whole value is refused.",
            "smiles",
        )
    if "*" in text:
        return R.Finding(
            "SMILES_INVALID", "The SMILES contains a dummy atom '*'; a real structure is needed.", "smiles"
        )
    if not _SMILES_CHARS.match(text):
        bad = sorted({c for c in text if not _SMILES_CHARS.match(c)})
        return R.Finding(
            "SMILES_INVALID",
            f"The SMILES contains characters that are not SMILES: {''.join(bad)!r} "
            "(a name, a query or a reaction?).",
            "smiles",
        )
    fragments = text.count(".") + 1
    if fragments > s.max_fragments:
        return R.Finding(
            "LIMIT_EXCEEDED",
            f"The SMILES has {fragments} fragments; the limit is {s.max_fragments}.",
            "smiles",
            {"limit": "max_fragments"},
        )
    # Every heavy atom takes at least one character: a string no longer than the limit is within it.
    atoms = _heavy_atoms_in(text) if len(text) > s.max_heavy_atoms else 0
    if atoms > s.max_heavy_atoms:
        return R.Finding(
            "LIMIT_EXCEEDED",
            f"The SMILES has about {atoms} heavy atoms; the limit is {s.max_heavy_atoms}.",
            "smiles",
            {"limit": "max_heavy_atoms"},
        )
    return None


def resolve_cas(text: str, cw: CompiledWatchlist) -> tuple[Candidate | None, R.Finding | None]:
    """A CAS number through the watchlist (parent and salt forms), then the dictionary."""
    cas = normalize_cas(text)
    if cas is None:
        return None, R.Finding("CAS_INVALID", f"{text!r} is not a CAS number (expected digits-NN-N).", "cas")
    if not cas_check_digit_ok(cas):
        return None, R.Finding(
            "CAS_INVALID", f"The check digit of CAS {cas} is wrong; it is probably mistyped.", "cas"
        )
    hit = cw.watchlist.by_cas(cas)
    if hit is not None:
        entry, salt = hit
        smiles = salt.smiles if salt is not None and salt.smiles else entry.smiles
        name = f"{entry.name} {salt.form}" if salt is not None else entry.name
        return Candidate(
            "cas",
            text,
            smiles=smiles,
            source="watchlist",
            entry_id=entry.id,
            salt_form=salt.form if salt else None,
            name=name,
            mass_known=salt is None or bool(salt.smiles),
            racemate="racem" in (salt.form if salt is not None else entry.cas_form).lower(),
        ), None
    known = cw.known_by_cas.get(cas)
    cand = _known_candidate("cas", text, known, cw) if known is not None else None
    if cand is not None:
        return cand, None
    d = get_dictionary().lookup_cas(cas)
    if d is not None:
        hit = cw.watchlist.by_cas(d.cas) if d.secondary else None
        if hit is not None:  # another number of a watchlist chemical: the entry, form unknown
            return Candidate(
                "cas",
                text,
                smiles=hit[0].smiles,
                source="watchlist",
                entry_id=hit[0].id,
                name=f"{hit[0].name} (CAS {cas}, listed by the dictionary under {d.cas})",
                mass_known=False,
            ), None
        if d.secondary:
            # A number the dictionary lists among the synonyms of another row (often that compound's
            # salt or hydrate): same parent, unknown form, so the mass fraction is not claimed.
            return Candidate(
                "cas",
                text,
                smiles=d.smiles,
                source="dictionary",
                name=f"{d.name} (CAS {cas}, listed by the dictionary under {d.cas})",
                mass_known=False,
            ), None
        return Candidate("cas", text, smiles=d.smiles, source="dictionary", name=d.name), None
    return None, R.Finding(
        "CAS_UNKNOWN",
        f"CAS {cas} is well formed but is in neither the watchlist nor the "
        "bundled dictionary; give a SMILES or name as well.",
        "cas",
    )


def _known_candidate(fld: str, text: str, known: KnownName, cw: CompiledWatchlist) -> Candidate | None:
    """A lexicon or exclusion record. One whose CAS number is a watchlist entry's (DEE) is that entry;
    one given only by CAS number ("ácido cítrico") takes the dictionary's structure."""
    hit = cw.watchlist.by_cas(known.cas) if known.cas else None
    if hit is not None:
        entry, salt = hit
        return Candidate(
            fld,
            text,
            smiles=salt.smiles if salt is not None and salt.smiles else entry.smiles,
            source="watchlist",
            entry_id=entry.id,
            salt_form=salt.form if salt else None,
            name=entry.name,
        )
    smiles = known.smiles
    if smiles is None and known.cas:
        d = get_dictionary().lookup_cas(known.cas)
        smiles = d.smiles if d is not None else None
    if smiles is None:
        return None
    polymer, variable = known.kind == "polymer", known.kind == "substance"
    return Candidate(
        fld, text, smiles=smiles, source="lexicon", name=known.name, polymer=polymer, variable=variable
    )


def _salt_smiles(base: str, salts: tuple[SaltWord, ...]) -> tuple[str, float]:
    delta = 0.0
    n_parent = max((s.parent_count for s in salts), default=1)
    parts = [base] * n_parent
    for s in salts:
        if not s.counter_smiles:
            continue
        if s.metal:
            # A metal salt of an acid: the metal replaces an acidic H. Count its mass, keep the parent.
            from .dictionary import ATOMIC_MASS, VALENCE

            metal = s.counter_smiles.strip("[]")
            delta += s.counter_count * (ATOMIC_MASS[metal] - VALENCE[metal] * ATOMIC_MASS["H"])
            continue
        parts.extend([s.counter_smiles] * s.counter_count)
    return ".".join(parts), delta


def _lookup_plain_name(text: str, cw: CompiledWatchlist) -> Candidate | None:
    key = name_key(text)
    entry = cw.by_name.get(key)
    if entry is not None:
        return Candidate(
            "name", text, smiles=entry.smiles, source="watchlist", entry_id=entry.id, name=entry.name
        )
    known = cw.known_by_name.get(key)
    cand = _known_candidate("name", text, known, cw) if known is not None else None
    if cand is not None:
        return cand
    d = get_dictionary().lookup_name(text)
    if d is not None:
        hit = cw.watchlist.by_cas(d.cas)
        if hit is not None:  # the dictionary knows it by this name; the watchlist knows its CAS
            entry, salt = hit
            smiles = salt.smiles if salt is not None and salt.smiles else entry.smiles
            return Candidate(
                "name",
                text,
                smiles=smiles,
                source="watchlist",
                entry_id=entry.id,
                salt_form=salt.form if salt else None,
                name=entry.name,
            )
        return Candidate("name", text, smiles=d.smiles, source="dictionary", name=d.name)
    drug = lookup_drug_name(text)
    if drug is not None:
        name = f"{drug[0].lower()} ({drug[1]})"
        return Candidate("name", text, smiles=drug[2], source="dictionary", name=name)
    return None


def _named_salt_form(entry: Entry, words: tuple[str, ...]) -> SaltForm | None:
    """The entry's recorded salt form that the salt words of a name refer to ("sodium" -> "sodium salt")."""
    aliases = {
        "sodio": "sodium",
        "desodio": "sodium",
        "potasio": "potassium",
        "calcio": "calcium",
        "sodico": "sodium",
        "sodica": "sodium",
        "potasico": "potassium",
    }
    keys = {aliases.get(name_key(w), name_key(w)) for w in words} - {"salt", "sal", "de"}
    if not keys:
        return None
    for sf in entry.salt_forms:
        form_keys = {name_key(w) for w in sf.form.replace("(", " ").replace(")", " ").split()}
        if sf.smiles and keys <= form_keys:
            return sf
    return None


_LONE_ATOM = re.compile(r"^\[?[A-Z][a-z]?\]?$")
_NON_METALS = frozenset({"H", "B", "C", "N", "O", "F", "Si", "P", "S", "Cl", "As", "Se", "Br", "Te", "I"})


def _inorganic_salt_name(base: Candidate, parts: NameParts) -> bool:
    """Salt words around a metal ("sulfato de zinc"), or metal words around a carbon-free anion that is not
    a watchlist chemical ("nitrito de sodio"): an inorganic salt's name, not salt words around a base.

    >>> _inorganic_salt_name(Candidate("name", "zinc", smiles="[Zn]"), split_salt_words("sulfato de zinc"))
    True
    >>> _inorganic_salt_name(Candidate("name", "x", smiles="CNC(C)Cc1ccccc1"), split_salt_words("x HCl"))
    False
    """
    smiles = base.smiles or ""
    if _LONE_ATOM.match(smiles) and smiles.strip("[]") not in _NON_METALS:
        return True
    metal_words = all(w.metal for w in parts.salts)
    return metal_words and base.entry_id is None and not re.search(r"C(?!l)|c", smiles)


def _acid_of_anion(parts: NameParts) -> str:
    """The acid a metal or ammonium salt name is made of: "calcium phenylacetate" is calcium and the anion
    of phenylacetic acid. Looking the "-ate" word up as it stands would read "phenylacetate" as phenyl
    acetate (name keys ignore spaces), an ester of another acid. Returns "" when the name is not of that
    form, so the base is looked up as it stands.

    >>> _acid_of_anion(split_salt_words("calcium phenylacetate"))
    'phenylacetic acid'
    >>> _acid_of_anion(split_salt_words("ephedrine hydrochloride"))
    ''
    """
    words = parts.base.split()
    if (
        len(words) == 1
        and words[0].lower().endswith("ate")
        and all(w.metal or w.counter_smiles == "N" for w in parts.salts)
    ):
        return f"{words[0][:-3]}ic acid"
    return ""


def resolve_name(
    text: str, cw: CompiledWatchlist, *, spanish: bool = True, clean: bool = True
) -> Candidate | None:
    """A name through the watchlist's names and synonyms, then the dictionary; salt words understood;
    last, a Spanish name read in English (``spanish``: not for a name that is already such a reading).
    ``clean``: a product description is reduced to its name (not for an English reading, which is of
    the name already reduced: the reduction must not cut a rewritten word off as a note).

    Returns None when only OPSIN could still help (the caller batches those).
    """
    found = _lookup_plain_name(text, cw)
    parts = split_salt_words(text)
    if parts is not None:
        acid = _acid_of_anion(parts)
        labelled = _DEUTERATED.match(parts.base)  # "methylamine-d3 hydrochloride": the labelled chemical
        base = (
            (_lookup_plain_name(acid, cw) if acid else None)
            or _lookup_plain_name(parts.base, cw)
            or _lookup_plain_name(strip_stereo_prefix(parts.base), cw)
            or (
                _labelled(parts.base, labelled, _lookup_plain_name(labelled.group(1), cw))
                if labelled
                else None
            )
        )
        # "ethyl acetate" is a name, not the acetate salt of "ethyl": a whole-name hit wins unless
        # it names the same watchlist entry as the base. A metal is not a base that salt words make a salt
        # of ("sulfato de zinc" is zinc sulfate, not two zinc atoms beside sulfuric acid), nor an inorganic
        # anion an acid a metal replaces the hydrogen of ("nitrito de sodio": "nitrito" alone is the
        # dictionary's nitrogen dioxide radical): those are inorganic salt names, read below.
        if (
            base is not None
            and base.smiles
            and not _inorganic_salt_name(base, parts)
            and (found is None or (found.entry_id and found.entry_id == base.entry_id))
        ):
            base_entry = cw.watchlist.get(base.entry_id) if base.entry_id else None
            recorded = _named_salt_form(base_entry, parts.words) if base_entry is not None else None
            if recorded is not None and recorded.smiles:
                # The watchlist records this salt's structure ("sodium hypophosphite"): use it.
                return Candidate(
                    "name",
                    text,
                    smiles=recorded.smiles,
                    source="watchlist",
                    entry_id=base.entry_id,
                    salt_form=recorded.form,
                    name=f"{base.name}, {recorded.form}",
                )
            smiles, delta = _salt_smiles(base.smiles, parts.salts)
            return Candidate(
                "name",
                text,
                smiles=smiles,
                source=base.source,
                entry_id=base.entry_id,
                salt_form=" ".join(parts.words),
                name=f"{base.name} {' '.join(parts.words)}",
                mass_delta=delta,
            )
    if found is not None:
        entry = cw.watchlist.get(found.entry_id) if found.entry_id else None
        unambiguous = parts is not None and all(
            w.metal or w.counter_smiles in ("Cl", "Br", "I", "O") for w in parts.salts
        )
        # ("acetyl acetate" is acetic anhydride, "dimethyl sulfate" an ester: only metal salts,
        # hydrohalides and hydrates are read as salt words inside a synonym)
        recorded = _named_salt_form(entry, parts.words) if parts is not None and entry is not None else None
        if recorded is not None and found.smiles == entry.smiles:  # type: ignore[union-attr]
            # "sodium hypophosphite": the watchlist records that salt's structure; use it.
            found.smiles, found.salt_form = recorded.smiles, recorded.form
            found.name = f"{found.name} {recorded.form}"
        elif unambiguous and entry is not None and entry.kind == "organic" and found.smiles == entry.smiles:
            # A synonym that is itself a salt name ("sodium phenylacetate"): keep the salt for the mass.
            assert parts is not None
            smiles, delta = _salt_smiles(entry.smiles, parts.salts)
            found.smiles, found.mass_delta = smiles, delta
            found.salt_form = " ".join(parts.words)
        return found
    stripped = strip_stereo_prefix(text)
    if stripped != text:
        hit = _lookup_plain_name(stripped, cw)
        if hit is not None:
            return hit
    hydrated = _with_hydrate_words(text, cw, spanish, clean)
    if hydrated is not None:
        return hydrated
    cleaned = clean_trade_name(text) if clean else text
    if cleaned and cleaned != text:
        return resolve_name(cleaned, cw, spanish=spanish)
    # "fenilacetato de etilo" -> "ethyl phenylacetate"; "ethyl ester of phenylacetic acid" -> "phenylacetic
    # acid ethyl ester"
    english = spanish_ester_name(text) or ester_of_acid_name(text)
    if english is not None and (ester := resolve_name(english, cw, spanish=False)) is not None:
        return ester
    labelled = _DEUTERATED.match(text)
    if labelled:
        # "DMSO-d6", "chloroform-d": a deuterated solvent is the chemical it labels (standardization drops
        # isotopes, see standardize.drop_isotopes), so the unlabelled name gives the same identity.
        return _labelled(text, labelled, resolve_name(labelled.group(1), cw, spanish=spanish))
    return _read_in_english(text, cw) if spanish else None


def _read_in_english(text: str, cw: CompiledWatchlist) -> Candidate | None:
    """A Spanish name through its English readings (``spanish.english_readings``: "cloruro férrico" ->
    "ferric chloride"), each looked up like any name. The name resolves only when every reading that
    resolves gives the same structure: two readings of two chemicals leave it unresolved.

    >>> from chem_db.compiled import compile_watchlist
    >>> from chem_db.watchlist import load_watchlist
    >>> cw = compile_watchlist(load_watchlist())
    >>> _read_in_english("Trietanolamina", cw).translated
    'triethanolamine'
    >>> _read_in_english("Bencina", cw) is None  # petrol, not benzene
    True
    """
    found: list[tuple[str, Candidate]] = []
    for reading in english_readings(text, cw.watchlist.spanish):
        cand = resolve_name(reading, cw, spanish=False, clean=False)
        if cand is not None and cand.smiles:
            found.append((reading, cand))
    if not found or len({_structure_key(c.smiles) for _, c in found}) != 1:
        return None
    reading, cand = found[0]
    cand.given, cand.translated = text, reading
    return cand


def _structure_key(smiles: str | None) -> str:
    """The InChIKey of a watchlist, lexicon or dictionary structure (trusted text, not user input)."""
    mol = Chem.MolFromSmiles(smiles or "")
    return Chem.MolToInchiKey(mol) if mol is not None else f"?{smiles}"


def _with_hydrate_words(
    text: str, cw: CompiledWatchlist, spanish: bool = True, clean: bool = True
) -> Candidate | None:
    """A name ending in hydrate words whose rest only resolves as a whole ("fenilacetato de sodio
    monohidratado": the Spanish salt name is a synonym, not salt words around a base): the rest, resolved
    by every rule, with its water. None when the name does not end so or the rest is unknown."""
    split = split_hydrate_words(text)
    if split is None:
        return None
    rest, waters, words = split
    inner = resolve_name(rest, cw, spanish=spanish, clean=clean)
    if inner is None or not inner.smiles:
        return None
    inner.smiles, _ = _salt_smiles(inner.smiles, waters)
    inner.given = text
    inner.salt_form = f"{inner.salt_form} {words}" if inner.salt_form else words
    if inner.name:
        inner.name = f"{inner.name} {words}"
    return inner


# An isotope label after the name: "-d6", "-D3", "-13C6", "-15N", "-13C6-15N2".
_DEUTERATED = re.compile(r"^(.+?)(?:-(?:d|13c|15n|18o)(?:[1-9][0-9]?)?)+$", re.IGNORECASE)
_ONE_DEUTERIUM = re.compile(r"^-d$", re.IGNORECASE)


def _labelled(text: str, label: re.Match[str], base: Candidate | None) -> Candidate | None:
    """The chemical an isotope-labelled name labels, or None when the suffix cannot be an isotope label.

    A "-d" without a count replaces one hydrogen, which says where the deuterium is only for a compound
    with a single hydrogen ("chloroform-d", CDCl3). After any other name it is not an isotope label but
    usually a product-line suffix: "Claritin-D" and "Allegra-D" are loratadine and fexofenadine with
    the decongestant pseudoephedrine, which reading "-D" as a label would drop. Such a name stays
    unresolved (a person looks) instead of resolving to the benign half of the product.
    """
    if base is None or base.smiles is None or not _ONE_DEUTERIUM.match(text[len(label.group(1)) :]):
        return base
    mol = Chem.MolFromSmiles(base.smiles)  # a watchlist, lexicon or dictionary structure, not user input
    if mol is None or sum(atom.GetTotalNumHs() for atom in mol.GetAtoms()) != 1:
        return None
    return base


_GRADE_WORDS = re.compile(
    r"\b(?:technical|tech|reagent|acs|usp|nf|bp|ep|jp|fcc|ph\.?\s*eur|hplc|lab(?:oratory)?|analytical|ar|gr|"
    r"grade|pure|purified|extra|high|purity|min|approx|ca|solution|soln|aqueous|aq|in\s+water|"
    r"grado|técnic[oa]|tecnic[oa]|reactivo|r\.\s*a|q\.\s*p|solución|solucion|acuosa|en\s+agua|pureza|industrial|"
    r"bulk|puro|pura|"
    r"anhydrous|anhidro|anhidra|powder|powdered|crystals?|crystalline|flakes?|pellets?|granular|"
    r"foil|wire|ribbon|turnings|shot|beads|pearls|prills?|prilled|dense|free[\s-]flowing|"
    r"granules|liquid|solid|lumps?|polvo|cristales|líquido|liquido|sólido|solido|"
    r"natural|free\s+base|freebase|base|resublimed|sublimed|resublimado|sublimado|amorfo|amorfa|amorphous|"
    r"food|alimenticio|alimentario|pharmaceutical|farmacéutico|farmaceutico|cosmetic|cosmético|cosmetico|kosher|"
    r"tablets?|tabletas?|comprimidos?|capsules?|cápsulas?|capsulas?|syrup|jarabe|injection|inyectable|"
    r"oral|drops|gotas|suspension|suspensión|"
    # supplier grade brands and use words ("ReagentPlus", "EMSURE", "puriss. p.a.", "for analysis", "battery
    # grade"), treatment words ("distilled", "stabilized") and form words ("micronized", "a granel")
    r"reagentplus|emsure|emplura|emparta|chromasolv|lichrosolv|suprasolv|normapur|rectapur|analar|gpr|"
    r"bioreagent|bioxtra|puriss|p\.\s*a|reag|certified|battery|electronic|semiconductor|"
    r"for\s+(?:analysis|synthesis)|para\s+an[aá]lisis|para\s+s[ií]ntesis|"
    r"distilled|redistilled|destilad[oa]|stabili[sz]ed|estabilizad[oa]|inhibited|uninhibited|"
    r"micronized|micronised|micronizad[oa]|a\s+granel|en\s+bulto)\b\.?",
    re.IGNORECASE,
)
_PERCENT = re.compile(
    # "al 40%", ">=99.5%", "min. 99%", a range "36-38%" / "36.5 a 38.0 %", "98+%", "40 wt. %", "99 pct",
    # "% (w/w)" after the figure, an acid's strength in degrees Baume ("20° Bé", "66 Be") and an alcohol's
    # in US proof ("200 proof")
    r"(?:\b(?:al|at|a)\s+)?(?:[≥≤><=~±]+\s*|\b(?:min|max|approx)\.?\s*)?"
    r"(?:\b\d+(?:[.,]\d+)?\s*%?\s*(?:-|–|—|to|a)\s*)?"
    r"\b\d+(?:[.,]\d+)?\s*\+?\s*"
    r"(?:%|percent\b|per\s*cent\b|pct\b|por\s+ciento\b|wt\.?\s*%|w/w|w/v|v/v|m\b|n\b|mol/l\b|"
    r"(?:mg|µg|μg|ug|mcg|ng|g)\s*/\s*m?l\b|ppm\b|ppb\b|(?:mg|µg|μg|ug|mcg)\b|°\s*(?:b[eé]|baum[eé])\b|"
    r"(?:b[eé]|baum[eé])\b|proof\b)"
    r"(?:\s*\(?\s*(?:w/w|w/v|v/v|m/m|wt|vol)\s*\)?(?![\w/]))?",
    re.IGNORECASE,
)
# A pack size, with the container it comes in: "55 gal drum", "4 x 4 L", "25 kg bag", "1000L IBC", "tambor
# de 200 L". Only after a figure (or as a word no chemical name has), so "L-" in "L-phenylalanine" stays.
_CONTAINERS = (
    r"drums?|tambor(?:es)?|tambos?|bottles?|botellas?|frascos?|jars?|pails?|cubetas?|buckets?|bags?|sacos?|"
    r"costal(?:es)?|sacks?|bid[oó]n(?:es)?|garraf[oó]n(?:es)?|garrafas?|carboys?|jerrycans?|totes?|ibcs?|"
    r"contenedor(?:es)?|containers?|cylinders?|cilindros?|vials?|ampoules?|ampules?|ampolletas?|boxes|cajas?|"
    r"tank\s+trucks?|tankers?|iso\s?tanks?|pipas?|pallets?|tarimas?|super\s?sacks?|big\s+bags?"
)
# What a container is made of, before it in English ("steel drum", "fibre drum", "HDPE carboy") and after
# it in Spanish ("tambor metálico", "cubeta de plástico").
_MATERIAL_BEFORE = (
    r"(?:(?:fib(?:er|re)|steel|stainless|plastic|poly(?:ethylene)?|hdpe|metal(?:lic)?|glass|amber|cardboard|"
    r"kraft|paper|lined|open[- ]head|tight[- ]head|returnable|new)\s+)*"
)
_MATERIAL_AFTER = (
    r"(?:\s+(?:met[aá]lic[oa]s?|pl[aá]stic[oa]s?|de\s+(?:pl[aá]stico|acero|metal|vidrio|cart[oó]n|"
    r"polietileno|fibra|papel)))?"
)
_PACK = re.compile(
    r"(?:(?<=\s)|^|(?<=[(,;]))(?:\d+\s*[x×]\s*)?\d+(?:[.,]\d+)?\s*"
    r"(?:kgs?|g|gr|lbs?|oz|l|lts?|ltr|lit(?:er|re|ro)s?|ml|gals?|gallons?|gal[oó]n(?:es)?|t|mt|tons?|tonnes?|"
    r"toneladas?)\b\.?(?:\s+(?:net|neto|netos))?"
    rf"(?:\s+{_MATERIAL_BEFORE}(?:{_CONTAINERS}|cans?){_MATERIAL_AFTER})?",
    re.IGNORECASE,
)
_CONTAINER_WORDS = re.compile(rf"\b{_MATERIAL_BEFORE}(?:{_CONTAINERS})\b{_MATERIAL_AFTER}", re.IGNORECASE)
# A lot, batch or expiry note with its number or date ("Lot# 2211-04", "lote EF-0923", "Exp 12/2027"), and
# a CAS number mentioned in the description ("CAS 67-64-1", a bare "67-64-1"): the line's own CAS field is
# where a CAS number is read.
_LOT = re.compile(
    r"\b(?:lot(?:e|to)?|batch|b/n|exp(?:iry|iration)?|caducidad|vence|vto|mfg|mfd)\b\.?\s*"
    r"(?:(?:no|n[o°º]|number|num)\b\.?\s*|#\s*)?[:#]?\s*[a-z0-9][\w\-/.]*",
    re.IGNORECASE,
)
_CAS_MENTION = re.compile(
    r"(?:\bcas(?:\s*(?:rn|no\.?|number|#))?\s*[:#]?\s*)?(?<![\w-])\d{2,7}-\d{2}-\d(?![\w-])", re.IGNORECASE
)
# "ISO" as a grade ("ACS,ISO,Reag. Ph Eur"), in capitals and standing alone: "iso-propanol" and "Iso safrole"
# keep their prefix.
_ISO_GRADE = re.compile(r"(?<![\w-])ISO(?=\s*(?:[,;.)]|$)|\s+(?:grade|reag|ph\b|acs))")
_TRADEMARK = re.compile(r"[®™℠]|(?<=[a-z])\((?:r|tm)\)", re.IGNORECASE)
# A word left dangling at the end once the pack size or solvent is gone ("Acetona tambor de" -> "Acetona").
_DANGLING = re.compile(r"(?:\s+(?:de|del|en|in|of|x|con|with|per|por|para|for|and|y))+\s*$", re.IGNORECASE)
# The solvent a product is in: "2.0 M in THF", "33% in absolute ethanol", "al 40% en agua", "100 µg/mL in
# methanol" (an analytical standard). Without a concentration, only a solvent named in one or two words.
_SOLVENT_TAIL = re.compile(r"\s(?:in|en)\s.*$", re.IGNORECASE)
_SOLVENT_WORDS_TAIL = re.compile(r"\s(?:in|en)\s+[^\s,;]+(?:\s+[^\s,;]+)?$", re.IGNORECASE)
# A note in brackets stands apart from the name: a space (or the start) before it, and a space, a
# comma or semicolon or the end after it. A comma or semicolon ends the name when a space or a figure
# follows it ("Methylamine, 40%", "Acetone,99.5%"), not between locants ("2,5-", "N,N-").
_NOTE_IN_BRACKETS = re.compile(r"(?:(?<=\s)|^)(?:\([^()]*\)|\[[^\[\]]*\])(?=\s|[,;]|$)")
# The inverted parts of a CAS index name, after its commas: substituent prefixes ("3-oxo-2-phenyl-",
# "alpha-[1-(methylamino)ethyl]-"), the ester or salt ("ethyl ester", "sodium salt") and stereo
# descriptors ("[R-(R*,S*)]-"). A comma followed by anything else starts a product note.
_INDEX_NAME_PART = re.compile(r"^\s*(?:[^%,;]*-|[a-z0-9,\-() ]*\b(?:ester|salt))\s*$", re.IGNORECASE)
# (not a decimal comma: "Acetone 99,5 %")
_NOTE_SEPARATOR = re.compile(r";|(?<!\d),(?=\s|\d+(?:[.,]\d+)?\s*(?:%|percent|wt|w/w|v/v))", re.IGNORECASE)


def clean_trade_name(text: str) -> str:
    """A product description reduced to the chemical's name: no grade, purity, concentration or
    parenthetical notes ("Methylamine, 40% aqueous solution" -> "Methylamine").

    >>> clean_trade_name("Methylamine, 40% aqueous solution")
    'Methylamine'
    >>> clean_trade_name("Acetone (ACS reagent grade, 99.5%)")
    'Acetone'
    >>> clean_trade_name("Hydrochloric acid 37%")
    'Hydrochloric acid'
    >>> clean_trade_name("Methylamine solution 2.0 M in methanol")
    'Methylamine'
    >>> clean_trade_name("metilamina al 40% en agua")
    'metilamina'
    >>> clean_trade_name("(±)-Ephedrine-D3 HCl 100 µg/mL in methanol")
    '(±)-Ephedrine-D3 HCl'

    Brackets and commas that belong to the name stay: a bracket glued to a word ("diethyl
    (phenylacetyl)malonate", "tert-butyl phenyl(piperidin-4-yl)carbamate") and a locant comma
    ("2,5-dimethoxy...") are part of a systematic name, and dropping them would leave another chemical
    (diethyl malonate, tert-butyl phenylcarbamate).

    >>> clean_trade_name("Butanoic acid, 3-oxo-2-phenyl-, ethyl ester, 98%")
    'Butanoic acid, 3-oxo-2-phenyl-, ethyl ester'
    >>> clean_trade_name("diethyl (phenylacetyl)malonate")
    'diethyl (phenylacetyl)malonate'
    >>> clean_trade_name("1-(2,5-dimethoxyphenyl)-2-nitropropene, 98%")
    '1-(2,5-dimethoxyphenyl)-2-nitropropene'

    Pack sizes and containers, lot and expiry notes, a CAS number in the text, purity ranges, supplier
    grade brands and a decimal comma go too:

    >>> clean_trade_name("Acetone technical grade 55 gal drum")
    'Acetone'
    >>> clean_trade_name("Tolueno grado industrial en tambores de 200 litros")
    'Tolueno'
    >>> clean_trade_name("Efedrina clorhidrato USP lote EF-0923")
    'Efedrina clorhidrato'
    >>> clean_trade_name("Sulfuric acid 95.0-98.0%, ACS")
    'Sulfuric acid'
    >>> clean_trade_name("Benzaldehyde ReagentPlus® 99%")
    'Benzaldehyde'
    >>> clean_trade_name("Acetona 99,5% grado técnico")
    'Acetona'
    """
    head = _NOTE_IN_BRACKETS.sub(" ", _TRADEMARK.sub("", text))
    pieces = _NOTE_SEPARATOR.split(head)
    head, inverted = pieces[0], ""
    for piece in pieces[1:]:  # a CAS index name goes on after its commas ("2-Propanone, 1-phenyl-")
        if not _INDEX_NAME_PART.match(piece):
            break
        inverted = f"{inverted},{piece}"
    head = _ISO_GRADE.sub(" ", _CAS_MENTION.sub(" ", _LOT.sub(" ", head)))
    head, concentrations = _PERCENT.subn(" ", head)
    head = _CONTAINER_WORDS.sub(" ", _PACK.sub(" ", head))
    head = (_SOLVENT_TAIL if concentrations else _SOLVENT_WORDS_TAIL).sub(" ", head)
    head = _DANGLING.sub("", " ".join(_GRADE_WORDS.sub(" ", head).split()))
    return " ".join(head.split()).strip(" -/,.") + " ".join(inverted.split())


def resolve_inchikey(text: str, cw: CompiledWatchlist) -> tuple[Candidate | None, R.Finding | None]:
    key = text.strip().upper()
    if key.startswith("INCHIKEY="):
        key = key[9:]
    if not _INCHIKEY.match(key):
        return None, R.Finding(
            "INCHIKEY_INVALID", f"{text!r} is not an InChIKey (14-10-1 capital letters).", "inchikey"
        )
    for ce in cw.by_key.get(key, ()):
        return Candidate(
            "inchikey",
            text,
            smiles=ce.entry.smiles,
            source="watchlist",
            entry_id=ce.entry.id,
            name=ce.entry.name,
        ), None
    inorganic = cw.inorganic_by_key.get(key)
    if inorganic is not None:
        e = inorganic[0]
        return Candidate(
            "inchikey", text, smiles=e.smiles, source="watchlist", entry_id=e.id, name=e.name
        ), None
    salt = cw.by_salt_key.get(key)
    if salt is not None:
        e, sf = salt
        return Candidate(
            "inchikey",
            text,
            smiles=sf.smiles,
            source="watchlist",
            entry_id=e.id,
            salt_form=sf.form,
            name=f"{e.name} {sf.form}",
        ), None
    d = get_dictionary().lookup_inchikey(key)
    if d is not None:
        return Candidate("inchikey", text, smiles=d.smiles, source="dictionary", name=d.name), None
    mirror = cw.by_enantiomer_key.get(key)
    if mirror is not None:  # matching then says whether the listing covers optical isomers
        e, smiles = mirror
        name = f"enantiomer of {e.name}"
        return Candidate("inchikey", text, smiles=smiles, source="watchlist", name=name), None
    return None, R.Finding(
        "INCHIKEY_UNKNOWN",
        f"InChIKey {key} is in neither the watchlist nor the bundled "
        "dictionary (an InChIKey cannot be turned back into a structure).",
        "inchikey",
    )


def resolve(items: list[R.Identifiers], cw: CompiledWatchlist, s: Settings) -> list[Resolution]:
    """Resolve each item's identifiers; names only OPSIN can parse are sent in one batch."""
    out: list[Resolution] = []
    pending: list[tuple[Resolution, str, tuple[str, ...]]] = []
    for ids in items:
        res = Resolution()
        given = {k: v for k in PRIORITY if (v := getattr(ids, k, None)) is not None and v != ""}
        res.used = [k for k in PRIORITY if k in given]
        if not given:
            # Only empty values: say which field was empty rather than "nothing given".
            for k in PRIORITY:
                if getattr(ids, k, None) == "":
                    res.findings.append(R.Finding(_EMPTY_CODES[k], f"The {k} is empty.", k))
        for fld in res.used:
            raw = given[fld]
            if not isinstance(raw, str):
                res.findings.append(R.Finding(f"{fld.upper()}_INVALID", f"{fld} must be text.", fld))
                continue
            _resolve_one(fld, raw, cw, s, res, pending)
        out.append(res)
    if pending:
        _resolve_with_opsin(pending, s)
    for res in out:
        if len(res.candidates) > 1:
            res.candidates.sort(key=lambda c: PRIORITY.index(c.field))
    return out


def _resolve_one(
    fld: str,
    raw: str,
    cw: CompiledWatchlist,
    s: Settings,
    res: Resolution,
    pending: list[tuple[Resolution, str, tuple[str, ...]]],
) -> None:
    limit = s.max_name_length if fld == "name" else s.max_identifier_length
    if fld != "smiles" and len(raw) > limit:
        res.findings.append(
            R.Finding(
                "LIMIT_EXCEEDED",
                f"The {fld} has {len(raw)} characters; the limit is {limit}.",
                fld,
                {"limit": "max_name_length" if fld == "name" else "max_identifier_length"},
            )
        )
        return
    if fld == "smiles":
        problem = check_smiles_text(raw, s)
        if problem is not None:
            res.findings.append(problem)
        else:
            res.candidates.append(Candidate("smiles", raw, smiles=raw.strip(), checked=True))
    elif fld == "cas":
        cand, problem = resolve_cas(raw, cw)
        if problem is not None:
            res.findings.append(problem)
        if cand is not None:
            res.candidates.append(cand)
            _note_polymer(cand, res)
    elif fld == "name":
        text = raw.strip()
        if not text or "\n" in text or "\r" in text:
            res.findings.append(
                R.Finding("NAME_UNKNOWN", "The name is empty or spans several lines.", "name")
            )
            return
        cand = resolve_name(text, cw)
        if cand is not None:
            cand.other_meanings = other_meanings_of(text, cw)
            res.candidates.append(cand)
            _note_polymer(cand, res)
            _note_translation(cand, res)
        else:
            # OPSIN gets the name, and its English readings when it is Spanish ("1-fenilpropan-2-ona")
            readings = tuple(english_readings(clean_trade_name(text) or text, cw.watchlist.spanish))
            pending.append((res, text, readings))
    elif fld == "inchi":
        text = raw.strip()
        if not text.startswith("InChI=1") or _CONTROL.search(text):
            res.findings.append(
                R.Finding("INCHI_INVALID", "An InChI starts with 'InChI=1' and has no spaces.", "inchi")
            )
        else:
            res.candidates.append(Candidate("inchi", raw, inchi=text))
    elif fld == "inchikey":
        cand, problem = resolve_inchikey(raw, cw)
        if problem is not None:
            res.findings.append(problem)
        if cand is not None:
            res.candidates.append(cand)


def other_meanings_of(text: str, cw: CompiledWatchlist) -> tuple[tuple[str, str], ...]:
    """The chemicals, as (InChIKey, name), that a watchlist name also means in ordinary trade, as a whole
    or without its grade and pack size ("4-AP 98%": 4-aminopyridine besides 4-anilinopiperidine); the
    reviewed ``other_meaning`` records of data/lexicon.yaml."""
    keys = dict.fromkeys((name_key(text), name_key(clean_trade_name(text))))
    return tuple(reading for key in keys for reading in cw.other_meanings.get(key, ()))


def _note_translation(cand: Candidate, res: Resolution) -> None:
    if cand.translated:
        res.findings.append(
            R.Finding(
                "NAME_TRANSLATED",
                f"The name {cand.given!r} was read as the English name {cand.translated!r}.",
                cand.field,
                {"read_as": cand.translated},
            )
        )


def _note_polymer(cand: Candidate, res: Resolution) -> None:
    if cand.variable:
        res.findings.append(
            R.Finding(
                "VARIABLE_COMPOSITION",
                f"{cand.name} has no single structure (a petroleum cut, natural oil or inorganic polymer); "
                "it was screened as its representative components.",
                cand.field,
            )
        )
    if cand.polymer:
        res.findings.append(
            R.Finding(
                "POLYMER",
                f"{cand.name} is a polymer; it was screened as its repeat unit (no listed chemical is a "
                "polymer, and a polymer is not a precursor in one step).",
                cand.field,
            )
        )


def _resolve_with_opsin(pending: list[tuple[Resolution, str, tuple[str, ...]]], s: Settings) -> None:
    # OPSIN reads the name without its grade or purity ("(2-bromoethyl)benzene 98%")
    queries = [clean_trade_name(n) or n for _, n, _ in pending]
    everything = queries + [r for _, _, readings in pending for r in readings]
    found = names_to_smiles(everything, s.opsin_timeout_seconds) if s.opsin else None
    for (res, name, readings), query in zip(pending, queries, strict=True):
        smiles = found.get(query) if found else None
        if smiles:
            res.candidates.append(Candidate("name", name, smiles=smiles, source="opsin", name=name))
            continue
        # A Spanish systematic name: its English readings, when those OPSIN parses all give one structure
        # (compared as OPSIN writes them: two spellings of one structure are left for a person, too)
        parsed = {r: found[r] for r in readings if found and found.get(r)}
        if len(set(parsed.values())) == 1:
            reading, smiles = next(iter(parsed.items()))
            cand = Candidate("name", name, smiles=smiles, source="opsin", name=reading, translated=reading)
            res.candidates.append(cand)
            _note_translation(cand, res)
            continue
        if found is None:
            why = (
                "OPSIN is switched off"
                if not s.opsin
                else "Java is not installed"
                if not opsin_available()
                else "OPSIN did not answer in time"
            )
            res.findings.append(
                R.Finding(
                    "OPSIN_UNAVAILABLE",
                    f"The name is not in the watchlist or dictionary and "
                    f"could not be parsed as a systematic name ({why}).",
                    "name",
                )
            )
        res.findings.append(
            R.Finding(
                "NAME_UNKNOWN",
                f"The name {name!r} is not in the watchlist or the bundled "
                "dictionary and is not a systematic name OPSIN can parse.",
                "name",
            )
        )
