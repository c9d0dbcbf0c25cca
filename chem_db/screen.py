"""Screening one resolved line: parse, standardize, compare identifiers, match, classify.

This is the RDKit side of the engine. It runs inside a worker process when isolation is on (see
``isolation.py``), so everything here may meet hostile structures: every failure becomes a finding and
the line ``unresolved`` with ``screened=False`` - never ``none``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdkit import Chem
from rdkit.Chem import rdChemReactions, rdMolDescriptors

from . import results as R
from .compiled import CompiledWatchlist
from .config import Settings
from .identity import Identity, identify
from .matching import ComponentContext, form_covered, match_component, match_inorganic
from .resolve import Candidate, Resolution, check_smiles_text
from .standardize import ALL_STEPS, Prepared, cues_from_smiles, neutralize, standardize

ENGINE_VERSION = "chem_db-engine/1"
_DUMMY = Chem.MolFromSmarts("[#0]")


def _no_mark(_position: int) -> None:
    """The default ``mark`` of the batch functions: nobody is watching which item is worked on."""


class StructureProblem(Exception):
    """A structure that cannot be screened; carries the finding to report."""

    def __init__(self, finding: R.Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


@dataclass
class Structure:
    """One identifier's structure after standardization."""

    candidate: Candidate
    prepared: Prepared
    contexts: list[ComponentContext] = field(default_factory=list)
    whole: Identity | None = None  # whole input's identity (carbon-free inputs)
    smiles: list[str] = field(default_factory=list)

    def describe(self) -> str:
        c = self.candidate
        what = c.name or ".".join(self.smiles)
        if c.name and self.smiles:
            what = f"{c.name} ({'.'.join(self.smiles)})"
        return f"{c.field} {c.given!r} resolves to {what}"


def _parse_problem(smiles: str) -> str:
    mol = Chem.MolFromSmiles(smiles, sanitize=False)
    if mol is None:
        return "it is not valid SMILES syntax (check brackets, ring-closure digits and element symbols)"
    problems = Chem.DetectChemistryProblems(mol)
    if problems:
        return problems[0].Message()
    return "RDKit could not read it"


def parse_candidate(c: Candidate, s: Settings) -> Chem.Mol:
    """The candidate's structure as given, checked against the limits (raises StructureProblem)."""
    fld = c.field
    if c.smiles is not None:
        problem = None if c.checked else check_smiles_text(c.smiles, s)
        if problem is not None:
            problem.field = fld
            raise StructureProblem(problem)
        mol = Chem.MolFromSmiles(c.smiles)
        if mol is None:
            code = "SMILES_INVALID" if c.field == "smiles" else "SCREENING_FAILED"
            raise StructureProblem(
                R.Finding(
                    code, f"The structure {c.smiles!r} could not be read: {_parse_problem(c.smiles)}.", fld
                )
            )
    elif c.inchi is not None:
        mol = Chem.MolFromInchi(c.inchi)
        if mol is None:
            raise StructureProblem(R.Finding("INCHI_INVALID", "The InChI could not be read.", "inchi"))
    else:
        raise StructureProblem(R.Finding("SCREENING_FAILED", "No structure to screen.", fld))
    if mol.GetNumAtoms() == 0:
        raise StructureProblem(R.Finding("SMILES_INVALID", "The structure has no atoms.", fld))
    if c.smiles is None and mol.HasSubstructMatch(_DUMMY):  # SMILES text was checked for "*" already
        raise StructureProblem(
            R.Finding(
                "SMILES_INVALID",
                "The structure contains a dummy or query atom; a real, fully specified structure is needed.",
                fld,
            )
        )
    if mol.GetNumHeavyAtoms() > s.max_heavy_atoms:
        raise StructureProblem(
            R.Finding(
                "LIMIT_EXCEEDED",
                f"The structure has {mol.GetNumHeavyAtoms()} heavy atoms; the limit is {s.max_heavy_atoms}.",
                fld,
                {"limit": "max_heavy_atoms"},
            )
        )
    return mol


# InChI is the dearest step after parsing; a line names one structure by CAS, name and SMILES alike,
# and a catalogue repeats structures, so it is computed once per distinct structure. The key is the
# canonical isomeric SMILES (needed for the result anyway): equal SMILES means an equal graph,
# charges, isotopes and stereo included, so an equal InChI.
_IDENTITIES: dict[str, Identity] = {}
_IDENTITY_CACHE_LIMIT = 4096


def clear_identity_memo() -> None:
    """Forget the identities remembered in this process (benchmarks time cold screenings with it)."""
    _IDENTITIES.clear()


def _identity_of(mol: Chem.Mol, canonical: str, known: Mapping[str, Identity] | None = None) -> Identity:
    ident = _IDENTITIES.get(canonical)
    if ident is None and known is not None:
        ident = known.get(canonical)  # a watchlist structure: its identity was computed at compile time
    if ident is None:
        ident = identify(mol)
        if len(_IDENTITIES) >= _IDENTITY_CACHE_LIMIT:
            _IDENTITIES.clear()
        _IDENTITIES[canonical] = ident
    return ident


def prepare_structures(
    candidates: Sequence[Candidate],
    s: Settings,
    known: Mapping[str, Identity] | None = None,
    mark: Callable[[int], None] = _no_mark,
) -> list[Structure | Exception]:
    """Parse, standardize and identify candidates, stage by stage: every candidate is parsed, then
    every one standardized, then every component written as canonical SMILES, then identified.
    ``known``: identities by canonical SMILES that need no InChI (the compiled watchlist's
    ``identity_by_smiles``).

    The result is the same as one candidate at a time; the order is for speed: each RDKit stage (the
    InChI library above all) runs over the whole batch while its code and tables are in the CPU's
    caches, instead of being evicted by the other stages between two molecules. A candidate that fails
    a stage carries its exception (a :class:`StructureProblem` or RDKit's) and skips the later stages.
    ``mark(i)`` is called before each stage's work on candidate ``i`` (the worker pool charges time
    and a crash to the line being worked on).
    """
    out: list[Any] = []
    for i, c in enumerate(candidates):
        mark(i)
        try:
            out.append(parse_candidate(c, s))
        except Exception as exc:  # noqa: BLE001 - the caller reports it for this candidate
            out.append(exc)
    for i, c in enumerate(candidates):
        if not isinstance(out[i], Exception):
            mark(i)
            try:
                out[i] = _standardized(c, out[i], s)
            except Exception as exc:  # noqa: BLE001
                out[i] = exc
    smiles: list[list[str] | None] = [None] * len(candidates)
    for i, prepared in enumerate(out):
        if not isinstance(prepared, Exception):
            mark(i)
            try:
                smiles[i] = [Chem.MolToSmiles(comp) for comp in prepared.components]
            except Exception as exc:  # noqa: BLE001
                out[i] = exc
    for i, c in enumerate(candidates):
        prepared, smis = out[i], smiles[i]
        if isinstance(prepared, Exception) or smis is None:
            continue
        mark(i)
        try:
            st = Structure(c, prepared)
            mixture = len(prepared.components) > 1
            for j, (comp, smi) in enumerate(zip(prepared.components, smis, strict=True)):
                st.smiles.append(smi)
                st.contexts.append(
                    ComponentContext(j, comp, _identity_of(comp, smi, known), smi, prepared, mixture)
                )
            if prepared.inorganic:
                st.whole = st.contexts[0].identity
            out[i] = st
        except Exception as exc:  # noqa: BLE001
            out[i] = exc
    return out


def _standardized(c: Candidate, mol: Chem.Mol, s: Settings) -> Prepared:
    # Cues from the SMILES text let the chain skip steps the input cannot need (same result).
    cues = cues_from_smiles(c.smiles) if c.smiles is not None else ALL_STEPS
    prepared = standardize(mol, cues)
    if c.salt_form and not prepared.removed and "hydrate" not in c.salt_form.lower():
        prepared.declared_salt = True  # "sodium phenylacetate", or a salt CAS without a recorded structure
    if len(prepared.components) > s.max_fragments:
        raise StructureProblem(
            R.Finding(
                "LIMIT_EXCEEDED",
                f"The structure has {len(prepared.components)} distinct "
                f"components; the limit is {s.max_fragments}.",
                c.field,
                {"limit": "max_fragments"},
            )
        )
    return prepared


def _same_parent(a: Identity, b: Identity, racemate: bool = False) -> bool:
    if a.inchikey == b.inchikey:
        return True
    if a.skeleton != b.skeleton:
        return False
    # Stereo given on one side only is not a disagreement (a flat SMILES); a racemate is either
    # enantiomer (same relative configuration, the /t layer), never the other diastereomer.
    if not (a.stereo_complete and b.stereo_complete):
        return True
    return racemate and a.relative_stereo == b.relative_stereo


def _dry_key(st: Structure) -> str | None:
    """InChIKey of a carbon-free input without its water: hydrochloric acid given as "Cl.O" is HCl."""
    dry = [f for f in Chem.GetMolFrags(st.prepared.as_given, asMols=True) if Chem.MolToSmiles(f) != "O"]
    if not dry:
        return None
    combined = dry[0]
    for f in dry[1:]:
        combined = Chem.CombineMols(combined, f)
    return identify(combined).inchikey


# A gem-diol is the hydrate of a ketone or aldehyde (4-piperidone hydrochloride monohydrate is
# piperidine-4,4-diol hydrochloride in the solid): compared as the carbonyl compound.
_GEM_DIOL = rdChemReactions.ReactionFromSmarts("[CX4:1]([OX2H1:2])[OX2H1]>>[C:1]=[O:2]")


def _as_carbonyls(st: Structure) -> list[Identity] | None:
    """The components' identities with every gem-diol written as its carbonyl, or None if none has one."""
    out, changed = [], False
    for ctx in st.contexts:
        mol = ctx.mol
        while products := _GEM_DIOL.RunReactants((mol,)):
            mol = products[0][0]
            Chem.SanitizeMol(mol)
            changed = True
        out.append(identify(mol) if mol is not ctx.mol else ctx.identity)
    return out if changed else None


def _parents_agree(ia: list[Identity], ib: list[Identity], racemate: bool) -> bool:
    a_in_b = all(any(_same_parent(x, y, racemate) for y in ib) for x in ia)
    b_in_a = all(any(_same_parent(y, x, racemate) for x in ia) for y in ib)
    return a_in_b or b_in_a  # one identifier may name one component of a mixture


def other_meaning(named: Structure, other: Structure) -> str | None:
    """The other chemical ``named``'s name means in ordinary trade when that is what ``other`` is (name
    "4-AP" beside the CAS number of 4-aminopyridine), else None."""
    meanings = dict(named.candidate.other_meanings)
    keys = [c.identity.inchikey for c in other.contexts]
    return next((meanings[key] for key in keys if key in meanings), None)


def structures_agree(a: Structure, b: Structure) -> bool:
    """True when two identifiers name the same chemical (compared on the standardized parents)."""
    if other_meaning(a, b) or other_meaning(b, a):
        return True  # an ambiguous name read the way the other identifier says
    ea, eb = a.candidate.entry_id, b.candidate.entry_id
    if ea and eb and ea != eb:
        return False
    if a.prepared.inorganic or b.prepared.inorganic:
        if a.whole and b.whole and a.whole.inchikey == b.whole.inchikey:
            return True
        if a.prepared.inorganic and b.prepared.inorganic:
            dry = _dry_key(a)
            if dry is not None and dry == _dry_key(b):
                return True  # the same acid or salt, one side with its water ("Cl.O" for 7647-01-0)
        carbon_free, other = (a, b) if a.prepared.inorganic else (b, a)
        if not other.prepared.inorganic and _names_a_component(carbon_free, other):
            return True  # a mineral acid in an organic solvent by the acid's CAS ("HCl 4 M in dioxane")
        return bool(ea and ea == eb)
    ia = [c.identity for c in a.contexts]
    ib = [c.identity for c in b.contexts]
    racemate = a.candidate.racemate or b.candidate.racemate
    if _parents_agree(ia, ib, racemate):
        return True
    ca, cb = _as_carbonyls(a), _as_carbonyls(b)
    return (ca is not None or cb is not None) and _parents_agree(ca or ia, cb or ib, racemate)


def _names_a_component(carbon_free: Structure, mixture: Structure) -> bool:
    """True when a carbon-free input (as a whole) is one component of an organic mixture."""
    whole = carbon_free.whole
    return whole is not None and any(c.identity.inchikey == whole.inchikey for c in mixture.contexts)


def _named_positions(mixture: Structure, label: Structure) -> set[int]:
    """Positions of the mixture's components whose parent the other identifier names."""
    if label.prepared.inorganic:
        whole = label.whole
        return {
            i
            for i, c in enumerate(mixture.contexts)
            if whole is not None and c.identity.inchikey == whole.inchikey
        }
    racemate = mixture.candidate.racemate or label.candidate.racemate
    forms_m = [[c.identity for c in mixture.contexts]]
    forms_l = [[c.identity for c in label.contexts]]
    if (carbonyls := _as_carbonyls(mixture)) is not None:
        forms_m.append(carbonyls)
    if (carbonyls := _as_carbonyls(label)) is not None:
        forms_l.append(carbonyls)
    named: set[int] = set()
    for fm in forms_m:
        for fl in forms_l:
            named |= {i for i, x in enumerate(fm) if any(_same_parent(x, y, racemate) for y in fl)}
    return named


@dataclass
class _PartialLabel:
    """A mixture given by one identifier that the line's other identifiers name only part of."""

    mixture: Structure
    labels: list[Structure]  # the identifiers that name some of its components, none all
    named: set[int]  # positions (in mixture.contexts) of the components they name


def _partial_label(primary: Structure, agreeing: list[Structure]) -> _PartialLabel | None:
    """The line's mixture and the identifiers that name only some of its components, if that is the case.

    Identifiers agree when one names a component of the other's mixture (a solution given by the
    solute's CAS number and the SMILES of solute and solvent). Which component it names matters: a
    benign solvent's CAS number beside a SMILES of that solvent with a listed chemical in it labels the
    listed chemical as something else, the masking the conflict check exists to catch (see
    ``_hidden_watched_components``). A carbon-free label names the component equal to it as a whole;
    a carbon-free mixture (oleum, aqua regia) is compared as a whole in ``structures_agree`` instead.
    """
    structures = [primary, *agreeing]
    mixtures = [st for st in structures if len(st.contexts) > 1 and not st.prepared.inorganic]
    if not mixtures:
        return None
    mixture = mixtures[0]
    labels: list[Structure] = []
    named: set[int] = set()
    for other in structures:
        if other is mixture or other.candidate is mixture.candidate:
            continue
        positions = _named_positions(mixture, other)
        if len(positions) == len(mixture.contexts):
            return None  # one identifier names the whole mixture
        if positions:
            labels.append(other)
            named |= positions
    return _PartialLabel(mixture, labels, named) if labels else None


def _hidden_watched_components(partial: _PartialLabel, matches: list[R.Match]) -> R.Finding | None:
    """IDENTIFIER_CONFLICT when the identifiers that name part of a mixture name only unwatched
    components while a watchlist chemical sits in a component none of them names ("ethanol", CAS
    64-17-5, for a SMILES of piperonal in ethanol). When they name a watchlist chemical the line is
    declared as what it is and its solvents need no name of their own (NPP's CAS for NPP in ethanol)."""
    if any(label.candidate.entry_id for label in partial.labels):
        return None
    contexts = partial.mixture.contexts
    named = {contexts[i].index for i in partial.named}
    unnamed = {ctx.index for i, ctx in enumerate(contexts) if i not in partial.named}
    if any(m.component in named for m in matches):
        return None
    hidden = [m for m in matches if m.component in unnamed]
    if not hidden:
        return None
    label = partial.labels[0]
    chemicals = sorted({m.name for m in hidden})
    return R.Finding(
        "IDENTIFIER_CONFLICT",
        f"The identifiers disagree: {label.describe()}, only part of the mixture that "
        f"{partial.mixture.describe()}; the mixture also holds {', '.join(chemicals)}, which no identifier "
        "names. Every component is screened.",
        label.candidate.field,
        {
            "identifiers": [partial.mixture.candidate.field, label.candidate.field],
            "resolved": [".".join(partial.mixture.smiles), ".".join(label.smiles)],
            "entries": [partial.mixture.candidate.entry_id, label.candidate.entry_id],
            "unnamed_components": sorted({m.component for m in hidden}),
        },
    )


def _stereo_from_another_identifier(primary: Structure, agreeing: list[Structure]) -> Structure | None:
    """An agreeing identifier that fixes the stereochemistry the primary one leaves open, if any.

    A flat SMILES with CAS 90-82-4 is pseudoephedrine, not "ephedrine or pseudoephedrine": the CAS
    number names the stereoisomer. Single compounds only. A racemate's identifier fixes the relative
    configuration (racemic ephedrine is still ephedrine), which is what tells the listed diastereomers apart.
    """
    if len(primary.contexts) != 1 or primary.prepared.inorganic:
        return None
    own = primary.contexts[0].identity
    if own.stereo_complete:
        return None
    for other in agreeing:
        if len(other.contexts) != 1:
            continue
        theirs = other.contexts[0].identity
        if theirs.skeleton == own.skeleton and theirs.stereo_complete:
            return other
    return None


def _classify(matches: list[R.Match]) -> str:
    if any(m.listed for m in matches):
        return R.LISTED
    if matches:
        return R.ANALOG
    return R.NONE


def unresolved(
    res: Resolution, version: str, findings: list[R.Finding], screened: bool = False
) -> R.LineResult:
    return R.LineResult(
        classification=R.UNRESOLVED,
        resolved=None,
        matches=[],
        findings=findings,
        watchlist_version=version,
        identifiers_used=res.used,
        screened=screened,
        engine_version=ENGINE_VERSION,
    )


def screen_resolution(
    cw: CompiledWatchlist, res: Resolution, s: Settings, prepared: Sequence[Structure | Exception]
) -> R.LineResult:
    """Screen a resolved line (runs in a worker when isolated), given its candidates' structures as
    :func:`prepare_structures` made them (for a whole batch of lines, see :func:`screen_resolutions`)."""
    findings = list(res.findings)
    structures: list[Structure] = []
    failed = False
    for c, st in zip(res.candidates, prepared, strict=True):
        if isinstance(st, StructureProblem):
            findings.append(st.finding)
            failed = failed or st.finding.code in ("LIMIT_EXCEEDED", "SCREENING_FAILED")
        elif isinstance(st, Exception):  # any RDKit failure is a finding, never a "none"
            findings.append(
                R.Finding("SCREENING_FAILED", f"The structure could not be processed: {st}", c.field)
            )
            failed = True
        else:
            structures.append(st)
    if not structures:
        return unresolved(res, cw.version, findings)
    primary = structures[0]
    agreeing: list[Structure] = []
    conflicting: list[Structure] = []
    for other in structures[1:]:
        (agreeing if structures_agree(primary, other) else conflicting).append(other)
    for other in agreeing:
        if (meaning := other_meaning(other, primary)) is not None:
            findings.append(
                R.Finding(
                    "NAME_OTHER_MEANING",
                    f"The {other.candidate.field} {other.candidate.given!r} names {other.candidate.name} on "
                    f"the watchlist but is also used for {meaning}, which the {primary.candidate.field} "
                    "gives; it is read as that.",
                    other.candidate.field,
                    {"watchlist_entry": other.candidate.entry_id, "read_as": meaning},
                )
            )
    specific = _stereo_from_another_identifier(primary, agreeing)
    if specific is not None:
        findings.append(
            R.Finding(
                "STEREO_FROM_IDENTIFIER",
                f"The {primary.candidate.field} does not specify the stereochemistry; "
                f"{specific.describe()}, the same compound with it, "
                "so it is screened with that stereochemistry.",
                specific.candidate.field,
            )
        )
        primary = specific
    screened_structures = [primary]
    for other in conflicting:
        findings.append(
            R.Finding(
                "IDENTIFIER_CONFLICT",
                f"The identifiers disagree: {primary.describe()}, but {other.describe()}. Both are screened.",
                other.candidate.field,
                {
                    "identifiers": [primary.candidate.field, other.candidate.field],
                    "resolved": [".".join(primary.smiles), ".".join(other.smiles)],
                    "entries": [primary.candidate.entry_id, other.candidate.entry_id],
                },
            )
        )
        screened_structures.append(other)
    partial = _partial_label(primary, agreeing)
    if partial is not None and partial.mixture is not primary:
        # another identifier gives a mixture the primary one is only part of: screen all of it
        screened_structures.append(partial.mixture)
    matches: list[R.Match] = []
    nearest: R.Nearest | None = None
    offset = 0  # a conflicting identifier's components are numbered after the primary's
    for n, st in enumerate(screened_structures):
        mixture = len(st.contexts) > 1
        for ctx in st.contexts:
            ctx.index += offset
            if st.prepared.inorganic or "C" not in ctx.identity.element_counts():
                # Elements and inorganics: the whole input's identity (or, in a mixture, the
                # carbon-free component's, e.g. iodine in a tincture).
                for m in match_inorganic(cw, st.prepared, ctx.identity):
                    m.component = ctx.index
                    matches.append(m)
                continue
            try:
                cm = match_component(cw, ctx, s.max_tautomers)
            except Exception as exc:  # noqa: BLE001
                findings.append(
                    R.Finding("SCREENING_FAILED", f"Matching failed on component {ctx.index}: {exc}")
                )
                failed = True
                continue
            matches.extend(cm.matches)
            findings.extend(cm.findings)
            if cm.nearest and (nearest is None or cm.nearest.score > nearest.score):
                nearest = cm.nearest
        offset += len(st.contexts)
        if mixture and n == 0:
            findings.append(
                R.Finding(
                    "MIXTURE",
                    f"The structure is a mixture of {len(st.contexts)} components; each one is screened.",
                    st.candidate.field,
                    {"components": st.smiles},
                )
            )
    _add_direct_entry_matches(cw, structures, matches)
    matches = _dedupe(matches)
    if partial is not None and (hidden := _hidden_watched_components(partial, matches)) is not None:
        findings.append(hidden)
    resolved = _resolved(primary)
    if resolved.name is None and len(primary.contexts) == 1:
        # A structure given as SMILES or InChI that is an entry gets the entry's name.
        same = [
            m
            for m in matches
            if m.component == 0 and m.match_type in (R.EXACT, R.SALT_OR_ISOMER) and m.listed
        ]
        if len(same) == 1:
            resolved.name = same[0].name
    # the first identifier's form (free base or salt) as before, even when another one fixed its stereo
    fraction = _mass_fraction(cw, structures[0], matches)
    if failed and not matches:
        result = unresolved(res, cw.version, findings)
        result.resolved = resolved
        return result
    return R.LineResult(
        classification=_classify(matches),
        resolved=resolved,
        matches=matches,
        findings=findings,
        watchlist_version=cw.version,
        identifiers_used=res.used,
        screened=True,
        nearest=nearest,
        parent_mass_fraction=fraction,
        engine_version=ENGINE_VERSION,
    )


def _add_direct_entry_matches(
    cw: CompiledWatchlist, structures: list[Structure], matches: list[R.Match]
) -> None:
    """Element and inorganic entries named by CAS or name: their SMILES say too little, so the
    identifier decides."""
    have = {m.entry_id for m in matches}
    for st in structures:
        eid = st.candidate.entry_id
        if not eid or eid in have:
            continue
        e = cw.watchlist.get(eid)
        if e is None or e.kind == "organic":
            continue
        from .matching import _entry_match  # noqa: PLC0415 - shared match builder

        if st.candidate.salt_form:
            matches.append(
                _entry_match(
                    e,
                    R.SALT_OR_ISOMER,
                    f"{e.name}, {st.candidate.salt_form}, identified by its {st.candidate.field}.",
                    None,
                    listed=form_covered(e, st.candidate.salt_form),
                )
            )
        else:
            matches.append(
                _entry_match(e, R.EXACT, f"{e.name}, identified by its {st.candidate.field}.", None)
            )
        have.add(eid)


def _dedupe(matches: list[R.Match]) -> list[R.Match]:
    seen: set[tuple[str, str, str | None, int]] = set()
    out = []
    for m in matches:
        key = (m.entry_id, m.match_type, m.class_id, m.component)
        if key in seen:
            continue
        seen.add(key)
        out.append(m)
    return out


def _resolved(st: Structure) -> R.Resolved:
    c = st.candidate
    if len(st.contexts) == 1:
        ident = st.contexts[0].identity
        key, formula = ident.inchikey, ident.formula
    else:
        whole = identify(Chem.MolFromSmiles(".".join(st.smiles)))
        key, formula = whole.inchikey, whole.formula
    comps = [
        R.Component(
            smi,
            ctx.identity.inchikey,
            ctx.identity.formula,
            "parent" if len(st.contexts) == 1 else "mixture_component",
        )
        for smi, ctx in zip(st.smiles, st.contexts, strict=True)
    ]
    return R.Resolved(
        smiles=".".join(st.smiles),
        inchikey=key,
        source=c.field,
        name=c.name,
        formula=formula,
        components=comps,
        as_given_smiles=c.smiles if c.smiles else None,
    )


def _inorganic_fraction(cw: CompiledWatchlist, st: Structure, matches: list[R.Match]) -> float | None:
    """For a salt of a listed inorganic acid (sodium hypophosphite): the acid's share of the mass."""
    match = next((m for m in matches if m.listed), None)
    if match is None or match.match_type == R.EXACT:
        return 1.0
    entry = cw.watchlist.get(match.entry_id)
    parent = Chem.MolFromSmiles(entry.smiles) if entry is not None else None
    if parent is None:
        return None
    # The parent may itself be a salt (sodium permanganate): count how many whole parents the input
    # holds, fragment by fragment, so its hydrate's water is what the fraction leaves out.
    from collections import Counter

    def keys(mol: Chem.Mol) -> Counter[str]:
        return Counter(identify(neutralize(f)).inchikey for f in Chem.GetMolFrags(mol, asMols=True))

    need, have = keys(parent), keys(st.prepared.as_given)
    n = min(have[k] // c for k, c in need.items())
    whole = rdMolDescriptors._CalcMolWt(st.prepared.as_given)
    return round(n * rdMolDescriptors._CalcMolWt(parent) / whole, 4) if n and whole > 0 else None


def _mass_fraction(cw: CompiledWatchlist, st: Structure, matches: list[R.Match]) -> float | None:
    """Matched parent's mass over the mass as given (salt, water and all), for base-weight thresholds."""
    p = st.prepared
    comp = next((m.component for m in matches if m.component < len(st.contexts)), None)
    if comp is None or not st.candidate.mass_known:
        return None
    if p.inorganic:
        return _inorganic_fraction(cw, st, matches)
    if not p.removed and len(p.components) == 1 and not st.candidate.mass_delta:
        return 1.0
    whole = rdMolDescriptors._CalcMolWt(p.as_given) + st.candidate.mass_delta
    part = rdMolDescriptors._CalcMolWt(p.components[comp]) * (p.multiplicity[comp] if p.multiplicity else 1)
    return round(part / whole, 4) if whole > 0 else None


def screen_resolutions(
    cw: CompiledWatchlist, batch: Sequence[Resolution], s: Settings, mark: Callable[[int], None] = _no_mark
) -> Iterator[tuple[int, R.LineResult | Exception]]:
    """:func:`screen_resolution` for a batch of lines, their structures prepared stage by stage for the
    whole batch (see :func:`prepare_structures`): yields each line's position in ``batch`` with its
    result, or the exception its screening raised. ``mark(position)`` is called before each piece of
    work on a line."""
    candidates = [c for res in batch for c in res.candidates]
    owners = [position for position, res in enumerate(batch) for _ in res.candidates]
    prepared = prepare_structures(candidates, s, cw.identity_by_smiles, lambda i: mark(owners[i]))
    start = 0
    for position, res in enumerate(batch):
        mine = prepared[start : start + len(res.candidates)]
        start += len(res.candidates)
        mark(position)
        try:
            yield position, screen_resolution(cw, res, s, mine)
        except Exception as exc:  # noqa: BLE001 - the caller turns it into this line's failure
            yield position, exc
