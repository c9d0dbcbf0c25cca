"""The watchlist compiled for matching: indexes, patterns and fingerprints, built once per version.

Everything here is derived from the reviewed data in ``chem_db/data`` (see ``watchlist.py``) by running
the *same* standardization as orders go through (``standardize.py``), so an entry and an order line
of the same chemical always meet on the same keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rdkit import Chem, DataStructs, rdBase
from rdkit.Chem import rdChemReactions, rdFingerprintGenerator, rdMolDescriptors
from rdkit.Chem.MolStandardize import rdMolStandardize

from .identity import Identity, identify
from .names import name_key
from .standardize import standardize
from .watchlist import DesignerClass, Entry, Exclusion, SaltForm, Transform, Watchlist

# Morgan fingerprints (ECFP4-like: radius 2, 2,048 bits) for similarity; see README "Similarity".
MORGAN_RADIUS = 2
MORGAN_BITS = 2048
_morgan = rdFingerprintGenerator.GetMorganGenerator(radius=MORGAN_RADIUS, fpSize=MORGAN_BITS)

# An entry needs this many heavy atoms to take part in similarity. On small targets a Tanimoto score is
# noise: on the NCI set, 4-fluorophenylacetic acid scores 0.61 against phenylacetic acid (10 atoms) and
# N-methylanthranilic acid 0.64 against N-acetylanthranilic acid (13). Designer routes to small
# targets are covered by the scope patterns, classes and one-step transforms instead.
SIMILARITY_MIN_HEAVY_ATOMS = 12

_ELEMENT_SYMBOLS = {"c": "C", "n": "N", "o": "O", "s": "S", "p": "P", "b": "B"}
_PT = Chem.GetPeriodicTable()


def fingerprint(mol: Chem.Mol) -> DataStructs.ExplicitBitVect:
    """The similarity fingerprint of a standardized structure."""
    return _morgan.GetFingerprint(mol)


def _strip_recursive(smarts: str) -> str:
    out, depth, i = [], 0, 0
    while i < len(smarts):
        if smarts.startswith("$(", i):
            depth += 1
            i += 2
            continue
        ch = smarts[i]
        if depth:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
        else:
            out.append(ch)
        i += 1
    return "".join(out)


_HEAD = re.compile(r"^(?:#(\d+)|(Cl|Br|[A-Z][a-z]?|[cnopsb]))")


def _is_element(sym: str) -> bool:
    try:
        return _PT.GetAtomicNumber(sym) > 1
    except Exception:  # noqa: BLE001 - RDKit raises for unknown symbols
        return False


def required_elements(query: Chem.Mol) -> dict[str, int]:
    """Elements a SMARTS pattern needs, with counts, read conservatively from each query atom.

    An atom counts only when its primitive list starts with an element that is AND-ed with the rest
    (``[NX3;H1,$(...)]`` needs N; ``[F,Cl,Br,I]`` and ``[!#1]`` need nothing in particular). Used to
    skip substructure searches that cannot succeed.

    >>> required_elements(Chem.MolFromSmarts("[NX3;H1,$(N-C=O)]-c1ccccc1[F,Cl]"))
    {'N': 1, 'C': 6}
    """
    counts: dict[str, int] = {}
    for atom in query.GetAtoms():
        head = _atom_head(atom)
        if head is None or "," in head:
            continue
        sym = _head_element(head)
        if sym is not None:
            counts[sym] = counts.get(sym, 0) + 1
    return counts


def _atom_head(atom: Chem.Atom) -> str | None:
    """The part of an atom's SMARTS before the first low-precedence AND, recursion removed."""
    sm = atom.GetSmarts()
    body = sm[1:-1] if sm.startswith("[") and sm.endswith("]") else sm
    body = _strip_recursive(body)
    if not body or body[0] == "!":
        return None
    return body.split(";", 1)[0]


def _head_element(head: str) -> str | None:
    m = _HEAD.match(head)
    if not m:
        return None
    if m.group(1):
        num = int(m.group(1))
        return _PT.GetElementSymbol(num) if num > 1 else None
    sym = _ELEMENT_SYMBOLS.get(m.group(2), m.group(2))
    if sym in ("H", "D", "T", "R", "X", "A") or not _is_element(sym):
        return None  # ring / connectivity primitives, "any aliphatic", hydrogen: no element needed
    return sym


def required_alternatives(query: Chem.Mol) -> list[tuple[str, ...]]:
    """For atoms written as an element list (``[Cl,Br]``, ``[OX2,SX2]``): one of those elements must be
    present. Lists with anything but elements (``[#6,$(...)]``, ``[N,*]``) require nothing.

    >>> required_alternatives(Chem.MolFromSmarts("[#6]-C(=O)-[Cl,Br]"))
    [('Br', 'Cl')]
    """
    out: list[tuple[str, ...]] = []
    for atom in query.GetAtoms():
        sm = atom.GetSmarts()
        raw_head = (sm[1:-1] if sm.startswith("[") and sm.endswith("]") else sm).split(";", 1)[0]
        head = _atom_head(atom)
        if head is None or "," not in head or "$(" in raw_head:
            continue  # a recursive alternative may be anything
        syms = [_head_element(part) for part in head.split(",")]
        if syms and all(syms):
            out.append(tuple(sorted({s for s in syms if s})))
    return out


def _split_top(text: str, sep: str) -> list[str]:
    """Split SMARTS text on ``sep`` outside brackets and parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def required_recursions(query: Chem.Mol) -> list[tuple[str, ...]]:
    """Recursive SMARTS the pattern cannot match without: for each atom, each low-precedence AND term
    made only of ``$(...)`` alternatives (``[CX4;$(A),$(B)]``, ``[$(A),$(B)]``) gives a group "A or
    B must be in the molecule". Negated recursion (``!$(...)``) requires nothing. The prefilter cannot
    see inside recursion otherwise: a pattern like ``[CH3]-C(=O)-[CX4;H1](-[$(C#N),$(C(=O)O)])-c``
    starts with atoms every molecule has.

    >>> required_recursions(Chem.MolFromSmarts("[CX4;H1](-[$(C#N),$(C(=O)-[OX2])])-[c;$(c1ccccc1)]"))
    [('C#N', 'C(=O)-[O&X2]'), ('c1ccccc1',)]
    """
    groups: list[tuple[str, ...]] = []
    for atom in query.GetAtoms():
        sm = atom.GetSmarts()
        if "$(" not in sm:
            continue
        body = sm[1:-1] if sm.startswith("[") and sm.endswith("]") else sm
        for term in _split_top(body, ";"):
            alternatives = []
            for alt in _split_top(term, ","):
                found = None
                for factor in _split_top(alt, "&"):
                    if factor.startswith("$(") and factor.endswith(")"):
                        found = factor[2:-1]
                        break
                if found is None:
                    break  # an alternative without a required recursion: the term requires nothing
                alternatives.append(found)
            else:
                if alternatives:
                    groups.append(tuple(alternatives))
    return groups


@dataclass
class CompiledEntry:
    """One watchlist entry with its standardized parent and keys."""

    entry: Entry
    mol: Chem.Mol
    identity: Identity
    heavy_atoms: int
    mass: float
    tautomer_skeleton: str | None = None


# Substructure screening fingerprint: RDKit's layered fingerprint restricted to the layers that are
# safe for SMARTS queries (bond orders and element types; the pure-topology layer pruned nothing more on
# the NCI set), paths up to 3 bonds. A pattern can only match a molecule whose fingerprint contains all
# of the pattern's bits, so most (molecule, pattern) substructure searches are skipped; soundness is
# checked on the NCI set in the tests.
SCREEN_LAYERS = 0x06
SCREEN_MAX_PATH = 3
SCREEN_BITS = 1024


def _screen_fingerprint(mol: Chem.Mol) -> bytes:
    fp = Chem.LayeredFingerprint(mol, layerFlags=SCREEN_LAYERS, maxPath=SCREEN_MAX_PATH, fpSize=SCREEN_BITS)
    return DataStructs.BitVectToBinaryText(fp)  # the raw bit set, little-endian


def screen_bits(mol: Chem.Mol) -> int:
    """Screening-fingerprint bits of a molecule or query, as one Python integer."""
    return int.from_bytes(_screen_fingerprint(mol), "little")


# Recursive SMARTS inside an atom: "$(" up to its closing parenthesis is handled by _split_top.
_ATOM_MAP = re.compile(r":\d+$")


def recursion_free(query: Chem.Mol) -> Chem.Mol | None:
    """A generalization of ``query`` without recursive SMARTS (None when it has none to drop).

    RDKit evaluates every recursive SMARTS of a query over the whole molecule before the search
    proper, so a pattern like ``[NX3;H1,$(N-C=O),$(N-[CH2]-a)]1CC[CH](...)CC1`` costs several
    searches even in a molecule without a piperidine. Each atom keeps what it says besides
    recursion (a term such as ``H1,$(...)`` becomes "anything", a factor ``!$(...)`` is dropped), so
    anything the query matches, this matches too: when this finds nothing, the query cannot match.

    >>> Chem.MolToSmarts(recursion_free(Chem.MolFromSmarts("[NX3;H1,$(N-C=O)]-[CX4;$(C-c);!$(C=O):1]")))
    '[N&X3]-[C&X4]'
    >>> recursion_free(Chem.MolFromSmarts("[NX3]-C")) is None
    True
    """
    rw = Chem.RWMol(query)
    changed = False
    for atom in query.GetAtoms():
        sm = atom.GetSmarts()
        if "$(" not in sm:
            continue
        body = _ATOM_MAP.sub("", sm[1:-1])  # a recursive atom is always bracketed
        kept_terms = []
        for term in _split_top(body, ";"):
            alternatives = []
            for alt in _split_top(term, ","):
                factors = [f for f in _split_top(alt, "&") if "$(" not in f]
                if not factors:
                    break  # this alternative may be anything: so may the whole term
                alternatives.append("&".join(factors))
            else:
                kept_terms.append(",".join(alternatives))
        relaxed = Chem.AtomFromSmarts(f"[{';'.join(kept_terms)}]" if kept_terms else "*")
        if relaxed is None:
            return None
        rw.ReplaceAtom(atom.GetIdx(), relaxed)
        changed = True
    if not changed:
        return None
    out = rw.GetMol()
    out.UpdatePropertyCache(strict=False)
    return out


@dataclass
class CompiledPattern:
    """A SMARTS with its owner and prefilter data."""

    owner: str  # entry id, class id or exclusion id
    smarts: str
    query: Chem.Mol
    needs: dict[str, int]
    min_atoms: int
    index: int = -1  # row in the PatternScreen
    guard: Chem.Mol | None = None  # recursion_free(query), searched first

    def __post_init__(self) -> None:
        self.guard = recursion_free(self.query)

    def may_match(self, mol: Chem.Mol, possible: frozenset[int] | None) -> bool:
        """False when the screen or the recursion-free search rules a match out (cheap tests only)."""
        if possible is not None and self.index not in possible:
            return False
        return self.guard is None or mol.HasSubstructMatch(self.guard)

    def matches(self, mol: Chem.Mol, possible: frozenset[int] | None) -> tuple[int, ...] | None:
        """Matched atoms, or None; ``possible`` holds the pattern rows the screen let through."""
        if not self.may_match(mol, possible):
            return None
        return mol.GetSubstructMatch(self.query) or None


# One requirement of the screen: fingerprint bits, element counts (symbol, at least n) and atom count.
_Requirement = tuple[int, tuple[tuple[str, int], ...], int]


def element_skeleton(query: Chem.Mol) -> Chem.Mol:
    """A generalization of ``query`` in which each atom whose SMARTS fixes its element (the element
    AND-ed with the rest, as in ``required_elements``) is that plain element; other atoms and every
    bond stay as they are.

    RDKit's layered fingerprint sets no atom-type bits for an atom with a compound query (``[CX3]``,
    ``[NX3;H1,$(N-C=O)]``), so patterns written that way set few screening bits and got past the
    screen in most molecules (the ester, amide and acetal transforms in about half the NCI set). A
    molecule the query matches is matched by this generalization too, so its bits are required as well.

    >>> Chem.MolToSmarts(element_skeleton(Chem.MolFromSmarts("[CX3;H1,$(C-[#6])](=O)-[OX2;!R]-[se]")))
    'C(=O)-O-[se]'
    """
    rw = Chem.RWMol(query)
    for atom in query.GetAtoms():
        head = _atom_head(atom)
        if head is None or "," in head:
            continue
        m = _HEAD.match(head)
        if m is None or _head_element(head) is None or head[m.end() : m.end() + 1].islower():
            continue  # no single element (or a two-letter aromatic symbol such as "se"): keep the atom
        rw.ReplaceAtom(atom.GetIdx(), Chem.AtomFromSmarts(f"[{m.group(0)}]"))
    out = rw.GetMol()
    out.UpdatePropertyCache(strict=False)
    return out


def _pattern_requirements(p: CompiledPattern) -> tuple[_Requirement, list[list[_Requirement]]]:
    """What a molecule needs for ``p`` to match: the pattern's own bits, elements and size, and groups
    of alternatives, one of each group to hold. An element list (``[Cl,Br]``) needs one of its
    elements; a required recursion (see required_recursions) one of its alternatives' bits and
    elements."""
    own = (screen_bits(p.query) | screen_bits(element_skeleton(p.query)), tuple(p.needs.items()), p.min_atoms)
    groups: list[list[_Requirement]] = [
        [(0, ((sym, 1),), 0) for sym in alt] for alt in required_alternatives(p.query)
    ]
    for group in required_recursions(p.query):
        alternatives: list[_Requirement] = []
        for smarts in group:
            sub = Chem.MolFromSmarts(smarts)
            if sub is None:
                break  # unreadable on its own: no constraint from this group
            sub.UpdatePropertyCache(strict=False)
            bits = screen_bits(sub) | screen_bits(element_skeleton(sub))
            alternatives.append((bits, tuple(required_elements(sub).items()), 0))
        else:
            groups.append(alternatives)
    return own, groups


class PatternScreen:
    """Every pattern's prefilter: one pass per molecule says which patterns could possibly match; the
    others are never searched.

    Element and atom counts become extra bits after the fingerprint's ("at least 2 N", "at least 14
    atoms"), so every requirement is "all these bits are set" and costs one AND of two Python
    integers. (A numpy matrix of all requirements measured slower: at ~170 rows of 17 words the
    per-call overhead of numpy dominates.)
    """

    def __init__(self) -> None:
        self.patterns: list[CompiledPattern] = []
        # Per pattern: its row, its own bits, and its groups of alternatives' bits.
        self._rows: list[tuple[int, int, tuple[tuple[int, ...], ...]]] = []
        # The same rows split for the per-molecule pass: most have no groups and are one AND each.
        self._plain: list[tuple[int, int]] = []
        self._grouped: list[tuple[int, int, tuple[tuple[int, ...], ...]]] = []
        # Per element symbol ("" for the atom count): the threshold bits a molecule with n of it has.
        self._count_masks: dict[str, list[int]] = {}
        self._all = 0

    def add(self, pattern: CompiledPattern) -> CompiledPattern:
        pattern.index = len(self.patterns)
        self.patterns.append(pattern)
        return pattern

    def finalize(self) -> None:
        bit_of: dict[tuple[str, int], int] = {}  # (symbol, at least n) -> bit

        def encode(requirement: _Requirement) -> int:
            bits, needs, size = requirement
            for key in (*needs, ("", size)):
                if key[1] > 0:
                    bits |= 1 << bit_of.setdefault(key, SCREEN_BITS + len(bit_of))
            return bits

        self._rows = []
        for p in self.patterns:
            own, groups = _pattern_requirements(p)
            self._rows.append((p.index, encode(own), tuple(tuple(encode(r) for r in g) for g in groups)))
        self._plain = [(index, bits) for index, bits, groups in self._rows if not groups]
        self._grouped = [row for row in self._rows if row[2]]
        self._all = (1 << (SCREEN_BITS + len(bit_of))) - 1
        self._count_masks = {}
        for (sym, n), bit in bit_of.items():
            masks = self._count_masks.setdefault(sym, [0])
            if len(masks) <= n:
                masks.extend([masks[-1]] * (n + 1 - len(masks)))
            for k in range(n, len(masks)):
                masks[k] |= 1 << bit

    def possible(self, mol: Chem.Mol, present: dict[str, int]) -> frozenset[int]:
        """Rows of the patterns that could match ``mol`` (every other pattern certainly does not)."""
        if not self._rows:
            return frozenset()
        have = int.from_bytes(_screen_fingerprint(mol), "little")
        counts = self._count_masks
        for sym, n in (("", mol.GetNumAtoms()), *present.items()):
            masks = counts.get(sym)
            if masks:
                have |= masks[min(n, len(masks) - 1)]
        lacking = self._all ^ have
        out = [index for index, bits in self._plain if not bits & lacking]
        for index, bits, groups in self._grouped:
            if bits & lacking:
                continue
            for alternatives in groups:  # plain loops: this runs for every molecule
                for alt in alternatives:
                    if not alt & lacking:
                        break  # this group holds
                else:
                    break  # no alternative of this group holds
            else:
                out.append(index)
        return frozenset(out)


@dataclass
class CompiledTransform:
    transform: Transform
    reaction: rdChemReactions.ChemicalReaction
    reactant: CompiledPattern
    # For a transform that deletes no atom and yields one connected product (a reduction, an
    # oxidation), the product's heavy atoms are the input's plus these: its composition is known before
    # the reaction is run, so inputs that cannot become any entry are skipped. None otherwise.
    adds: dict[str, int] | None = None
    # The product template is one connected piece, so every product is one molecule: RDKit builds a
    # product from the template's atoms plus the input atoms reachable from its mapped atoms.
    one_piece: bool = False
    # With ``adds``: the input compositions whose product (input plus ``adds``) has an entry's
    # composition, so the gate is one set look-up of the input's composition per molecule.
    input_compositions: frozenset[tuple[tuple[str, int], ...]] | None = None


def _input_compositions(
    adds: dict[str, int] | None, targets: set[tuple[tuple[str, int], ...]]
) -> frozenset[tuple[tuple[str, int], ...]] | None:
    """Compositions an input needs for ``input + adds`` to be one of ``targets`` (each target minus
    ``adds``, when no count goes negative); None when the transform has no known additions.

    >>> sorted(_input_compositions({"O": 1}, {(("C", 9), ("O", 1)), (("C", 2),)}))
    [(('C', 9),)]
    """
    if adds is None:
        return None
    out = set()
    for target in targets:
        base = dict(target)
        for sym, n in adds.items():
            base[sym] = base.get(sym, 0) - n
        if all(n >= 0 for n in base.values()):
            out.add(composition(base))
    return frozenset(out)


def _one_piece(rxn: rdChemReactions.ChemicalReaction) -> bool:
    return rxn.GetNumProductTemplates() == 1 and len(Chem.GetMolFrags(rxn.GetProductTemplate(0))) == 1


def _conserving_additions(rxn: rdChemReactions.ChemicalReaction) -> dict[str, int] | None:
    """Heavy atoms a non-deleting, single-product transform adds (None if it may delete or fragment)."""
    if rxn.GetNumReactantTemplates() != 1 or rxn.GetNumProductTemplates() != 1:
        return None
    reactant, product = rxn.GetReactantTemplate(0), rxn.GetProductTemplate(0)
    if any(a.GetAtomMapNum() == 0 for a in reactant.GetAtoms()):
        return None  # an unmapped reactant atom is deleted, and may take a substituent with it
    if len(Chem.GetMolFrags(product)) != 1:
        return None
    adds: dict[str, int] = {}
    for atom in product.GetAtoms():
        if atom.GetAtomMapNum() == 0 and atom.GetAtomicNum() > 1:
            sym = atom.GetSymbol()
            adds[sym] = adds.get(sym, 0) + 1
    return adds


@dataclass
class CompiledClass:
    cls: DesignerClass
    patterns: list[CompiledPattern]


@dataclass
class CompiledExclusion:
    exclusion: Exclusion
    pattern: CompiledPattern | None
    inchikey: str | None


@dataclass(frozen=True)
class KnownName:
    """A reviewed name outside the entries (lexicon or exclusion): what it names and how."""

    name: str
    smiles: str | None  # None: the dictionary's structure for ``cas``
    cas: str | None
    kind: str  # a lexicon kind, or "exclusion"


@dataclass
class CompiledWatchlist:
    """Indexes over one watchlist version."""

    watchlist: Watchlist
    entries: dict[str, CompiledEntry] = field(default_factory=dict)
    by_key: dict[str, list[CompiledEntry]] = field(default_factory=dict)
    by_skeleton: dict[str, list[CompiledEntry]] = field(default_factory=dict)
    by_tautomer_skeleton: dict[str, list[CompiledEntry]] = field(default_factory=dict)
    # Canonical SMILES of each organic entry's standardized parent -> its identity: an order line of a
    # listed chemical needs no InChI of its own (equal canonical SMILES, equal structure and InChI).
    identity_by_smiles: dict[str, Identity] = field(default_factory=dict)
    inorganic_by_key: dict[str, tuple[Entry, SaltForm | None]] = field(default_factory=dict)
    by_name: dict[str, Entry] = field(default_factory=dict)
    # Reviewed names of non-entries (lexicon.yaml, and exclusions' names and CAS numbers): looked up
    # after the watchlist and before the dictionary. Values: (name to report, SMILES, CAS or None).
    known_by_name: dict[str, KnownName] = field(default_factory=dict)
    known_by_cas: dict[str, KnownName] = field(default_factory=dict)
    # Watchlist names that ordinary trade also uses for another chemical ("4-AP": 4-aminopyridine), by
    # name key: (InChIKey, name) of each other reading. The watchlist reading stays the one resolved; an
    # identifier or product label that agrees with the other reading is not a conflict.
    other_meanings: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    formulas: set[str] = field(default_factory=set)  # InChI formulas of organic entries
    generic_skeletons: set[str] = field(default_factory=set)  # heavy-atom graphs (tautomer gate)
    # A transform product counts only when it shares the skeleton of an entry with analog_target: true
    # (matching looks it up by InChIKey or skeleton and keeps analogue targets), so the cheap product
    # gates list only the entries with such a skeleton: heavy-atom counts, formulas, element counts and
    # stereo-free SMILES (equal SMILES means an equal skeleton).
    product_sizes: set[int] = field(default_factory=set)
    product_heavy_formulas: set[str] = field(default_factory=set)  # formulas without hydrogen or charge
    product_compositions: set[tuple[tuple[str, int], ...]] = field(default_factory=set)
    product_flat_smiles: set[str] = field(default_factory=set)
    by_salt_key: dict[str, tuple[Entry, SaltForm]] = field(default_factory=dict)  # whole salt-form InChIKeys
    # The mirror image of each chiral entry, by InChIKey: an InChIKey names one stereoisomer, and the
    # enantiomer of a listed chemical is in no dictionary as often as the chemical itself.
    by_enantiomer_key: dict[str, tuple[Entry, str]] = field(default_factory=dict)
    scope_patterns: list[tuple[Entry, str, str, CompiledPattern]] = field(default_factory=list)
    classes: list[CompiledClass] = field(default_factory=list)
    transforms: list[CompiledTransform] = field(default_factory=list)
    exclusions: list[CompiledExclusion] = field(default_factory=list)
    similarity_entries: list[CompiledEntry] = field(default_factory=list)
    similarity_fps: list[DataStructs.ExplicitBitVect] = field(default_factory=list)
    screen: PatternScreen = field(default_factory=PatternScreen)
    # Screen row -> position in scope_patterns / classes / transforms. The screen lets about 10 of the
    # ~80 rows through per molecule, so matching walks those rows instead of every list in full.
    scope_of_row: dict[int, int] = field(default_factory=dict)
    class_of_row: dict[int, int] = field(default_factory=dict)
    transform_of_row: dict[int, int] = field(default_factory=dict)
    # The three maps in one: row -> (0 scope / 1 class / 2 transform, position in that list).
    item_of_row: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.watchlist.version

    def screened_items(self, possible: frozenset[int]) -> tuple[list[int], list[int], list[int]]:
        """Positions, in list order, of the scope patterns, classes and transforms with a row the screen
        let through (one pass over the rows instead of one per list)."""
        out: tuple[list[int], list[int], list[int]] = ([], [], [])
        item_of_row = self.item_of_row
        # Rows are numbered in list order within each kind (checked in compile_watchlist), so sorted
        # rows give sorted positions and a repeat (a class with several rows) is the last one added.
        for row in sorted(possible):
            item = item_of_row.get(row)
            if item is not None:
                bucket = out[item[0]]
                if not bucket or bucket[-1] != item[1]:
                    bucket.append(item[1])
        return out


def _pattern(cw: CompiledWatchlist, owner: str, smarts: str) -> CompiledPattern:
    query = Chem.MolFromSmarts(smarts)
    if query is None:  # the loader validated it; a failure here is a bug worth a loud error
        raise ValueError(f"SMARTS of {owner} does not parse: {smarts}")
    query.UpdatePropertyCache(strict=False)
    return cw.screen.add(CompiledPattern(owner, smarts, query, required_elements(query), query.GetNumAtoms()))


def composition(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    """Heavy-atom element counts as a hashable key."""
    return tuple(sorted((sym, n) for sym, n in counts.items() if n))


# The hydrogen count, and a net charge ("+", "-2"): neither changes which heavy atoms there are.
_HYDROGEN_COUNT_AND_CHARGE = re.compile(r"H(?![a-z])\d*|[+-]\d*$")


def heavy_formula(formula: str) -> str:
    """A molecular formula without its hydrogen count or charge (valid before a molecule is sanitized
    or neutralized: a charged reaction product is compared with the neutral entries it becomes).

    >>> heavy_formula("C10H15NO"), heavy_formula("HgCl2"), heavy_formula("C8H12N+"), heavy_formula("C2O4-2")
    ('C10NO', 'HgCl2', 'C8N', 'C2O4')
    """
    return _HYDROGEN_COUNT_AND_CHARGE.sub("", formula)


def generic_skeleton(mol: Chem.Mol) -> str:
    """Canonical SMILES of the heavy-atom graph with every atom carbon and every bond single.

    Tautomers (and charge forms) share it, so it gates the costly tautomer search.

    >>> generic_skeleton(Chem.MolFromSmiles("CC(=O)C")) == generic_skeleton(Chem.MolFromSmiles("CC(O)=C"))
    True
    """
    rw = Chem.RWMol(mol)
    for atom in rw.GetAtoms():
        atom.SetAtomicNum(6)
        atom.SetFormalCharge(0)
        atom.SetIsAromatic(False)
        atom.SetNoImplicit(False)
        atom.SetNumExplicitHs(0)
        atom.SetChiralTag(Chem.ChiralType.CHI_UNSPECIFIED)
    for bond in rw.GetBonds():
        bond.SetBondType(Chem.BondType.SINGLE)
        bond.SetIsAromatic(False)
        bond.SetStereo(Chem.BondStereo.STEREONONE)
    return Chem.MolToSmiles(rw, canonical=True)


@lru_cache(maxsize=4)
def _tautomer_enumerator(max_tautomers: int) -> rdMolStandardize.TautomerEnumerator:
    # Building one parses RDKit's whole tautomer transform catalogue (about a millisecond); its
    # Canonicalize keeps no state between molecules, so one per cap and process does.
    enumerator = rdMolStandardize.TautomerEnumerator()
    enumerator.SetMaxTautomers(max_tautomers)
    enumerator.SetMaxTransforms(max_tautomers * 4)
    return enumerator


def canonical_tautomer_skeleton(mol: Chem.Mol, max_tautomers: int) -> str | None:
    """InChIKey skeleton of RDKit's canonical tautomer, with enumeration capped (None when it fails)."""
    enumerator = _tautomer_enumerator(max_tautomers)
    try:
        taut = enumerator.Canonicalize(mol)
        return identify(taut).skeleton
    except Exception:  # noqa: BLE001 - a failed tautomer search just means no tautomer match
        return None


def compile_watchlist(wl: Watchlist, max_tautomers: int = 64) -> CompiledWatchlist:
    """Compile a loaded watchlist (trusted data) into matching indexes."""
    cw = CompiledWatchlist(wl)
    blocker = rdBase.BlockLogs()
    try:
        for e in wl.entries:
            _compile_entry(cw, e, max_tautomers)
        _index_product_targets(cw)
        for cls in wl.classes:
            cw.classes.append(CompiledClass(cls, [_pattern(cw, cls.id, s) for s in cls.smarts]))
        for t in wl.transforms:
            rxn = rdChemReactions.ReactionFromSmarts(t.reaction_smarts)
            rxn.Initialize()
            reactant = Chem.Mol(rxn.GetReactantTemplate(0))
            needs = required_elements(reactant)
            reactant.UpdatePropertyCache(strict=False)
            pattern = cw.screen.add(
                CompiledPattern(t.id, t.reaction_smarts, reactant, needs, reactant.GetNumAtoms())
            )
            adds = _conserving_additions(rxn)
            cw.transforms.append(
                CompiledTransform(
                    t, rxn, pattern, adds, _one_piece(rxn), _input_compositions(adds, cw.product_compositions)
                )
            )
        _compile_known_names(cw)
        for x in wl.exclusions:
            key = None
            if x.smiles:
                m = Chem.MolFromSmiles(x.smiles)
                prepared = standardize(m)
                key = identify(prepared.components[0]).inchikey
            cw.exclusions.append(
                CompiledExclusion(x, _pattern(cw, x.id, x.smarts) if x.smarts else None, key)
            )
        cw.screen.finalize()
        cw.scope_of_row = {sp[3].index: i for i, sp in enumerate(cw.scope_patterns)}
        cw.class_of_row = {p.index: i for i, cc in enumerate(cw.classes) for p in cc.patterns}
        cw.transform_of_row = {ct.reactant.index: i for i, ct in enumerate(cw.transforms)}
        for kind, of_row in enumerate((cw.scope_of_row, cw.class_of_row, cw.transform_of_row)):
            positions = [of_row[row] for row in sorted(of_row)]
            if positions != sorted(positions):  # screened_items relies on it
                raise ValueError("pattern rows are not in list order")
            cw.item_of_row.update({row: (kind, k) for row, k in of_row.items()})
    finally:
        del blocker
    return cw


def _compile_known_names(cw: CompiledWatchlist) -> None:
    """Name and CAS indexes over the lexicon and the exclusions (benign look-alikes are named
    chemicals: "ethyl methylphenylglycidate" and loperamide's CAS number must reach *their*
    structure before the dictionary or OPSIN, which reads that name as another isomer)."""
    wl = cw.watchlist
    for ln in wl.lexicon:
        if ln.kind == "other_meaning":
            # compared with an identifier's standardized parent: a salt's organic part (pyridinium
            # chlorochromate is pyridine with a counter-ion)
            parents = standardize(Chem.MolFromSmiles(ln.smiles or "")).components
            for n in (ln.name, *ln.synonyms):
                readings = [(identify(parent).inchikey, ln.note) for parent in parents]
                cw.other_meanings[name_key(n)] = (*cw.other_meanings.get(name_key(n), ()), *readings)
            continue
        known = KnownName(ln.name, ln.smiles, ln.cas, ln.kind)
        for n in (ln.name, *ln.synonyms):
            cw.known_by_name.setdefault(name_key(n), known)
        if ln.cas:
            cw.known_by_cas.setdefault(ln.cas, known)
    for x in wl.exclusions:
        if not x.smiles or not x.cas:
            continue  # a family (SMARTS) is not one chemical with a name
        head = x.name.split(" (")[0].strip()
        known = KnownName(head, x.smiles, x.cas, "exclusion")
        names = [*x.synonyms] + ([head] if " and " not in head and "," not in head else [])
        for n in names:
            cw.known_by_name.setdefault(name_key(n), known)
        cw.known_by_cas.setdefault(x.cas, known)


def _index_product_targets(cw: CompiledWatchlist) -> None:
    targets = {ce.identity.skeleton for ce in cw.entries.values() if ce.entry.analog_target}
    for ce in cw.entries.values():
        if ce.identity.skeleton in targets:
            cw.product_sizes.add(ce.heavy_atoms)
            cw.product_heavy_formulas.add(heavy_formula(rdMolDescriptors.CalcMolFormula(ce.mol)))
            cw.product_compositions.add(composition(ce.identity.element_counts()))
            cw.product_flat_smiles.add(Chem.MolToSmiles(ce.mol, isomericSmiles=False))


def _enantiomer(mol: Chem.Mol) -> Chem.Mol | None:
    """The mirror image of ``mol`` (every tetrahedral centre inverted), or None when it has none.

    >>> Chem.MolToSmiles(_enantiomer(Chem.MolFromSmiles("CN[C@@H](C)[C@H](O)c1ccccc1")))
    'CN[C@H](C)[C@@H](O)c1ccccc1'
    >>> _enantiomer(Chem.MolFromSmiles("CC(=O)Cc1ccccc1")) is None
    True
    """
    mirror = Chem.Mol(mol)
    inverted = False
    for atom in mirror.GetAtoms():
        if atom.GetChiralTag() in (Chem.ChiralType.CHI_TETRAHEDRAL_CW, Chem.ChiralType.CHI_TETRAHEDRAL_CCW):
            atom.InvertChirality()
            inverted = True
    return mirror if inverted else None


def _compile_entry(cw: CompiledWatchlist, e: Entry, max_tautomers: int) -> None:
    for sf in e.salt_forms:
        if sf.smiles and sf.inchikey:
            cw.by_salt_key.setdefault(sf.inchikey, (e, sf))
    mol = Chem.MolFromSmiles(e.smiles)
    prepared = standardize(mol)
    for n in (e.name, *e.synonyms):
        cw.by_name.setdefault(name_key(n), e)
    if e.kind != "organic" or prepared.inorganic:
        whole = identify(mol)
        cw.inorganic_by_key.setdefault(whole.inchikey, (e, None))
        for sf in e.salt_forms:
            if sf.smiles:
                sm = Chem.MolFromSmiles(sf.smiles)
                if sm is not None:
                    cw.inorganic_by_key.setdefault(identify(sm).inchikey, (e, sf))
        if prepared.inorganic:
            return
    parent = prepared.components[0]
    ident = identify(parent)
    ce = CompiledEntry(e, parent, ident, parent.GetNumHeavyAtoms(), rdMolDescriptors._CalcMolWt(parent))
    cw.entries[e.id] = ce
    cw.identity_by_smiles.setdefault(Chem.MolToSmiles(parent), ident)
    cw.by_key.setdefault(ident.inchikey, []).append(ce)
    cw.by_skeleton.setdefault(ident.skeleton, []).append(ce)
    mirror = _enantiomer(parent)
    if mirror is not None:
        mirror_key = Chem.MolToInchiKey(mirror)
        if mirror_key and mirror_key != ident.inchikey:
            cw.by_enantiomer_key.setdefault(mirror_key, (e, Chem.MolToSmiles(mirror)))
    cw.formulas.add(ident.formula)
    cw.generic_skeletons.add(generic_skeleton(parent))
    if ce.heavy_atoms <= 40:
        ce.tautomer_skeleton = canonical_tautomer_skeleton(parent, max_tautomers)
        if ce.tautomer_skeleton:
            cw.by_tautomer_skeleton.setdefault(ce.tautomer_skeleton, []).append(ce)
    for sp in e.scope_patterns:
        cw.scope_patterns.append((e, sp.covers, sp.explanation, _pattern(cw, e.id, sp.smarts)))
    if e.analog_target and ce.heavy_atoms >= SIMILARITY_MIN_HEAVY_ATOMS:
        cw.similarity_entries.append(ce)
        cw.similarity_fps.append(fingerprint(parent))
