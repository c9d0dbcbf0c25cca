"""Offline dictionary of common chemicals (CAS number, names, SMILES, InChIKey).

Source: the identifier tables shipped with the ``chemicals`` package (Chemical Engineering Design
Library; PubChem-derived, about 75,000 compounds). Ordinary solvents and reagents on an order line
resolve through it to a structure, so they are screened and come back ``none`` instead of
``unresolved``.

The tables are read once per process, lazily, on the first lookup. Names (about 860,000 of them)
are kept as 64-bit hashes of their lookup key in a sorted numpy array, not as Python strings, so the
index costs about 15 MB instead of several hundred; a hash hit is confirmed against the row's names
(read back from the table) before it is trusted.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .names import is_bare_abbreviation, name_key

# Earlier tables win for a CAS number. The "example user db" table is not an example at all: it holds
# about 2,300 common compounds that are in neither PubChem table (n-hexane 110-54-3, ethyl
# phenylacetate 101-97-3, Grignard reagents, deuterated solvents), and ``chemicals`` itself loads it.
_TABLES = (
    "chemical identifiers pubchem small.tsv",
    "chemical identifiers example user db.tsv",
    "chemical identifiers pubchem large.tsv",
    "Inorganic db.tsv",
)
_CAS_TEXT = re.compile(r"^[1-9][0-9]{1,6}-[0-9]{2}-[0-9]$")


@dataclass(frozen=True)
class DictionaryEntry:
    """One compound of the dictionary."""

    cas: str
    smiles: str
    name: str
    inchikey: str
    formula: str
    # True when the CAS number looked up is not the row's own but one its synonyms list (PubChem keeps
    # deprecated numbers and, often, the numbers of salts and hydrates there): same parent, but the
    # form (salt, water) that number stands for is not known, so neither is the mass fraction.
    secondary: bool = False


def _table_dir() -> str:
    import chemicals

    return os.path.join(os.path.dirname(chemicals.__file__), "Identifiers")


def _has_radical(smiles: str) -> bool:
    """True when a table row's structure carries an unpaired electron (PubChem keeps radicals such as
    the 2-hexyl radical, whose IUPAC name column says "hexane"). Only bracket atoms can be radicals."""
    if "[" not in smiles:
        return False
    from rdkit import Chem, rdBase

    blocker = rdBase.BlockLogs()
    try:
        mol = Chem.MolFromSmiles(smiles)
    finally:
        del blocker
    return mol is not None and any(a.GetNumRadicalElectrons() for a in mol.GetAtoms())


def _cas_ok(cas: str) -> bool:
    digits = cas.replace("-", "")
    total = sum(int(d) * (i + 1) for i, d in enumerate(reversed(digits[:-1])))
    return total % 10 == int(digits[-1])


def _hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


class ChemicalDictionary:
    """CAS, name and InChIKey lookups over the bundled tables (build with :func:`get_dictionary`).

    Only hashes, CAS numbers, InChIKeys and byte offsets stay in memory; a row is read back from
    its table when it is looked up.
    """

    def __init__(self, directory: str | None = None) -> None:
        directory = directory or _table_dir()
        self._paths = [
            os.path.join(directory, t) for t in _TABLES if os.path.exists(os.path.join(directory, t))
        ]
        by_cas: dict[str, int] = {}
        radical_cas: set[str] = set()
        by_key: dict[str, int] = {}
        secondary: dict[str, int] = {}
        secondary_skeleton: dict[str, str] = {}
        hashes: list[int] = []
        priority: list[int] = []
        row_of: list[int] = []
        locations: list[tuple[int, int]] = []
        for file_no, path in enumerate(self._paths):
            offset = 0
            with open(path, "rb") as fh:
                for raw in fh:
                    here = offset
                    offset += len(raw)
                    cols = raw.decode("utf-8").rstrip("\n").split("\t")
                    if len(cols) < 8 or not cols[4]:
                        continue
                    cas, ikey = cols[1], cols[6]
                    radical = _has_radical(cols[4])
                    if cas in by_cas and not (cas in radical_cas and not radical):
                        continue  # the first table wins (the small table holds the common ones)...
                    # ...unless its row is a radical and this one is a proper molecule
                    idx = len(locations)
                    locations.append((file_no, here))
                    by_cas[cas] = idx
                    if radical:
                        radical_cas.add(cas)
                    else:
                        radical_cas.discard(cas)
                    if ikey and ikey not in by_key and not radical:
                        by_key[ikey] = idx
                    for pos, n in enumerate(cols[7:]):
                        if _CAS_TEXT.match(n) and n != cas and _cas_ok(n) and not radical:
                            # A secondary CAS number. Kept only when every row that lists it has the
                            # same skeleton (first InChIKey block); ambiguous ones are dropped below.
                            skel = ikey.split("-")[0]
                            if secondary_skeleton.setdefault(n, skel) != skel:
                                secondary_skeleton[n] = ""
                            secondary.setdefault(n, idx)
                            continue
                        k = name_key(n)
                        if not k:
                            continue
                        hashes.append(_hash(k))
                        # IUPAC and common name before synonyms, proper molecules before radicals
                        # (whatever the name column says); earlier tables first.
                        priority.append((0 if pos < 2 else 1) + (2 if radical else 0))
                        row_of.append(idx)
        h = np.array(hashes, dtype=np.uint64)
        p = np.array(priority, dtype=np.int8)
        r = np.array(row_of, dtype=np.int32)
        del hashes, priority, row_of
        order = np.lexsort((r, p, h))
        h, r = h[order], r[order]
        keep = np.ones(len(h), dtype=bool)
        keep[1:] = h[1:] != h[:-1]
        self._hashes = h[keep]
        self._rows_for_hash = r[keep]
        self._locations = np.array(locations, dtype=np.int64).reshape(-1, 2)
        self.by_cas = by_cas
        self.by_secondary_cas = {
            c: i for c, i in secondary.items() if c not in by_cas and secondary_skeleton.get(c)
        }
        self.by_inchikey = by_key
        self._io_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._locations)

    def _read(self, idx: int) -> tuple[DictionaryEntry, list[str]]:
        file_no, offset = (int(x) for x in self._locations[idx])
        with self._io_lock, open(self._paths[file_no], "rb") as fh:
            fh.seek(offset)
            cols = fh.readline().decode("utf-8").rstrip("\n").split("\t")
        names = cols[7:]  # by position: the first two are the IUPAC and common names, then synonyms
        preferred = cols[8] if len(cols) > 8 and cols[8] else cols[7]
        return DictionaryEntry(cols[1], cols[4], preferred, cols[6], cols[2]), names

    def lookup_cas(self, cas: str) -> DictionaryEntry | None:
        """The compound with this (canonical) CAS number.

        >>> get_dictionary().lookup_cas("67-64-1").smiles
        'CC(=O)C'
        >>> get_dictionary().lookup_cas("110-54-3").smiles
        'CCCCCC'

        A number the table lists only among a row's synonyms (often a salt's) gives that row, marked
        ``secondary``:

        >>> e = get_dictionary().lookup_cas("61-76-7")
        >>> (e.cas, e.secondary)
        ('59-42-7', True)
        """
        idx = self.by_cas.get(cas)
        if idx is not None:
            return self._read(idx)[0]
        idx = self.by_secondary_cas.get(cas)
        if idx is None:
            return None
        entry = self._read(idx)[0]
        return DictionaryEntry(entry.cas, entry.smiles, entry.name, entry.inchikey, entry.formula, True)

    def lookup_inchikey(self, inchikey: str) -> DictionaryEntry | None:
        """The compound with this InChIKey."""
        idx = self.by_inchikey.get(inchikey)
        return None if idx is None else self._read(idx)[0]

    def lookup_name(self, name: str) -> DictionaryEntry | None:
        """The compound with this name (case, spacing, punctuation and accents ignored).

        >>> get_dictionary().lookup_name("Ethyl Acetate").cas
        '141-78-6'
        """
        key = name_key(name)
        if not key:
            return None
        h = np.uint64(_hash(key))
        pos = int(np.searchsorted(self._hashes, h))
        if pos >= len(self._hashes) or self._hashes[pos] != h:
            return None
        entry, names = self._read(int(self._rows_for_hash[pos]))
        matches = [i for i, n in enumerate(names) if name_key(n) == key]
        if not matches:
            return None  # a hash collision, not this name
        if matches[0] >= 2 and is_bare_abbreviation(name):
            # A bare trade abbreviation that only a row's synonyms list: PubChem's synonyms carry one
            # reading of it out of several ("DEA" is deethylatrazine there, "PG" 1,3-propanediol, "LPG"
            # L-alanine), so it is no evidence of the chemical. Reviewed abbreviations live in the
            # lexicon (data/lexicon.yaml) and the watchlist, which are looked up first.
            return None
        return entry


_lock = threading.Lock()


# Bump when name_key() or the index layout changes: a cached index from before must not be reused.
_INDEX_FORMAT = "2"


def _cache_path() -> str | None:
    """Where the built index is cached between processes (None: no writable cache directory)."""
    base = os.environ.get("CHEM_DB_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "chem_db"
    )
    try:
        import chemicals

        version = getattr(chemicals, "__version__", "unknown")
        os.makedirs(base, exist_ok=True)
    except OSError:
        return None
    return os.path.join(base, f"dictionary-{version}-{_INDEX_FORMAT}.pickle")


def _load_cached(path: str) -> ChemicalDictionary | None:
    import pickle

    try:
        with open(path, "rb") as fh:
            state = pickle.load(fh)
        d = ChemicalDictionary.__new__(ChemicalDictionary)
        d.__dict__.update(state)
        d._io_lock = threading.Lock()
        if not all(os.path.exists(p) for p in d._paths):
            return None
        return d
    except Exception:  # noqa: BLE001 - a stale or broken cache is rebuilt
        return None


def _save_cache(d: ChemicalDictionary, path: str) -> None:
    import pickle

    state = {k: v for k, v in d.__dict__.items() if k != "_io_lock"}
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: concurrent processes never read half a file
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


@lru_cache(maxsize=1)
def _build() -> ChemicalDictionary:
    """The index, from the per-user cache when present (tens of milliseconds), else built from the
    tables (a few seconds) and cached for the next process."""
    path = _cache_path()
    if path is not None and os.path.exists(path):
        cached = _load_cached(path)
        if cached is not None:
            return cached
    d = ChemicalDictionary()
    if path is not None:
        _save_cache(d, path)
    return d


def get_dictionary() -> ChemicalDictionary:
    """The process-wide dictionary, built on first use (thread-safe)."""
    with _lock:
        return _build()


_DRUGS = os.path.join(os.path.dirname(__file__), "data", "reference", "chembl_approved_drugs.tsv")


@lru_cache(maxsize=1)
def _approved_drugs() -> dict[str, tuple[str, str, str] | None]:
    """ChEMBL's approved small-molecule drugs by name key: (preferred name, ChEMBL id, SMILES).

    The ``chemicals`` tables miss about a third of common APIs (sertraline, cetirizine, valsartan,
    ciprofloxacin ...); an unresolved benign API sends an ordinary pharmaceutical order to review.
    A name ChEMBL gives two different structures is dropped (None), not guessed.
    """
    out: dict[str, tuple[str, str, str] | None] = {}
    with open(_DRUGS, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or line.startswith("pref_name\t"):
                continue
            name, chembl, smiles = line.rstrip("\n").split("\t")
            k = name_key(name)
            if k in out and (out[k] is None or out[k][2] != smiles):  # type: ignore[index]
                out[k] = None
            else:
                out[k] = (name, chembl, smiles)
    return out


def lookup_drug_name(name: str) -> tuple[str, str, str] | None:
    """An approved drug by name (case, spacing, punctuation ignored): (name, ChEMBL id, SMILES).

    >>> lookup_drug_name("Sertraline")[1]
    'CHEMBL809'
    """
    return _approved_drugs().get(name_key(name))


# Standard atomic weights (IUPAC 2021, abridged) of the metals that form salts named in words.
ATOMIC_MASS = {"H": 1.008, "Na": 22.990, "K": 39.098, "Ca": 40.078, "Li": 6.94, "Mg": 24.305}
VALENCE = {"Na": 1, "K": 1, "Li": 1, "Ca": 2, "Mg": 2}
