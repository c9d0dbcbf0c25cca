"""Matching one standardized component against the compiled watchlist, with a reason for each match.

Order of the checks (each builds on the ones before):

1. exact parent (full InChIKey), with the salt / hydrate the input came as;
2. stereoisomers (same skeleton): covered where the listing names optical or geometric isomers, or
   told apart by relative configuration where the listing depends on it (ephedrine vs pseudoephedrine);
   unspecified stereo reports every candidate with ``STEREO_UNSPECIFIED``;
3. tautomers, for small inputs whose formula equals an entry's (capped enumeration);
4. derivatives the listing's scope covers (the entry's scope patterns: esters, amides, halides ...);
5. designer / listed structural classes (SMARTS);
6. the general one-step mechanism: each transform applied once, products looked up exactly;
7. exclusions, which suppress what they name and keep their reason;
8. similarity to analogue targets (Morgan, cut-off ``SIMILARITY_CUTOFF``), never on its own ``listed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdkit import Chem, DataStructs

from . import results as R
from .compiled import (
    CompiledEntry,
    CompiledWatchlist,
    canonical_tautomer_skeleton,
    composition,
    fingerprint,
    generic_skeleton,
    heavy_formula,
)
from .identity import Identity, canonical_smiles, identify
from .standardize import Prepared, is_bare_metal, neutralize
from .watchlist import DesignerClass, Entry, SaltForm

# Tanimoto (Morgan radius 2, 2,048 bits) at or above which a structure is reported as a close analogue.
# Chosen conservatively: the benign panel in tests/chem_db (piperidine drugs, strawberry aldehyde,
# phenylephrine, solvents) stays below 0.45 against every analogue target, and no molecule of RDKit's
# NCI set reaches it against a target of 12 or more heavy atoms (highest: 0.70), while close designer
# variants score above it (4-methyl-ANPP 0.81 to ANPP, acetylfentanyl 0.77 to fentanyl, EAPA 0.73 to
# MAPA). Weaker look-alikes (4-fluoro-NPP 0.69) are left to the classes. See README "Similarity".
SIMILARITY_CUTOFF = 0.72
# Inputs larger than this are not compared by tautomer (capped work on the hot path).
TAUTOMER_MAX_HEAVY_ATOMS = 40


@dataclass
class ComponentContext:
    """What matching needs to know about one component."""

    index: int
    mol: Chem.Mol
    identity: Identity
    smiles: str  # canonical SMILES of the component
    prepared: Prepared
    is_mixture: bool
    _positions: tuple[list[int], list[int]] | None = None
    _bond_ends: list[tuple[int, int]] | None = None

    def positions(self) -> tuple[list[int], list[int]]:
        """Atom and bond index -> position in the canonical SMILES (computed only when a match needs it)."""
        if self._positions is None:
            _, atoms, bonds = canonical_smiles(self.mol)
            self._positions = (atoms, bonds)
        return self._positions

    def bond_ends(self) -> list[tuple[int, int]]:
        """Each bond's two atom indices, by bond index (read once, for every match that highlights)."""
        if self._bond_ends is None:
            self._bond_ends = [(b.GetBeginAtomIdx(), b.GetEndAtomIdx()) for b in self.mol.GetBonds()]
        return self._bond_ends


@dataclass
class ComponentMatches:
    matches: list[R.Match] = field(default_factory=list)
    findings: list[R.Finding] = field(default_factory=list)
    nearest: R.Nearest | None = None


def _regimes(entry: Entry) -> list[R.Regime]:
    return [R.Regime(r.regime, r.label, r.citation, r.verified, r.paragraph, r.year) for r in entry.regimes]


def _entry_match(
    entry: Entry,
    kind: str,
    reason: str,
    ctx: ComponentContext | None,
    *,
    score: float = 1.0,
    listed: bool = True,
    atoms: tuple[int, ...] | None = None,
    class_id: str | None = None,
    leads_to: str | None = None,
    step: str | None = None,
) -> R.Match:
    a, b = _highlight(ctx, atoms)
    return R.Match(
        entry_id=entry.id,
        name=entry.name,
        cas=entry.cas,
        lists=entry.lists,
        match_type=kind,
        score=round(score, 3),
        reason=reason,
        citation=entry.citation,
        verified=entry.verified,
        regimes=_regimes(entry),
        component=ctx.index if ctx else 0,
        atoms=a,
        bonds=b,
        class_id=class_id,
        leads_to=leads_to,
        step=step,
        listed=listed,
    )


def _highlight(ctx: ComponentContext | None, atoms: tuple[int, ...] | None) -> tuple[list[int], list[int]]:
    """Matched atoms and the bonds between them, in the component's canonical SMILES order."""
    if ctx is None:
        return [], []
    if atoms == ():
        return [], []
    atom_pos, bond_pos = ctx.positions()
    if atoms is None:  # the whole component: every atom and every bond (no walk over the bonds)
        return sorted(atom_pos), sorted(bond_pos)
    aset = set(atoms)
    bonds = [bond_pos[i] for i, (a, b) in enumerate(ctx.bond_ends()) if a in aset and b in aset]
    return sorted(atom_pos[i] for i in aset), sorted(bonds)


def _form_words(p: Prepared) -> str:
    if p.salt and p.hydrate:
        return "a hydrated salt"
    if p.salt:
        return "a salt"
    if p.hydrate:
        return "a hydrate"
    return ""


def _exact(cw: CompiledWatchlist, ctx: ComponentContext, out: ComponentMatches) -> set[str]:
    matched: set[str] = set()
    p = ctx.prepared
    for ce in cw.by_key.get(ctx.identity.inchikey, ()):
        e = ce.entry
        matched.add(e.id)
        form = _form_words(p)
        if p.salt:
            listed = "salts" in e.scope or "salts_of_isomers" in e.scope
            reason = (
                f"{form.capitalize()} of {e.name}; the listing covers its salts."
                if listed
                else f"{form.capitalize()} of {e.name}; the listing does not name salts, so only the parent "
                f"is listed."
            )
            out.matches.append(_entry_match(e, R.SALT_OR_ISOMER, reason, ctx, listed=listed))
        elif p.hydrate:
            out.matches.append(
                _entry_match(e, R.SALT_OR_ISOMER, f"A hydrate of {e.name} (same parent).", ctx)
            )
        else:
            where = " (a component of the mixture)" if ctx.is_mixture else ""
            out.matches.append(_entry_match(e, R.EXACT, f"Same parent structure as {e.name}{where}.", ctx))
    return matched


def _isomers(cw: CompiledWatchlist, ctx: ComponentContext, out: ComponentMatches, matched: set[str]) -> None:
    ident = ctx.identity
    candidates = [ce for ce in cw.by_skeleton.get(ident.skeleton, ()) if ce.entry.id not in matched]
    if not candidates:
        return
    input_rel = ident.relative_stereo
    complete = ident.stereo_complete
    form = _form_words(ctx.prepared)
    suffix = f" ({form})" if form else ""
    unspecified: list[CompiledEntry] = []
    for ce in candidates:
        e = ce.entry
        entry_rel = ce.identity.relative_stereo
        if entry_rel is None:
            # The listing names the compound without stereochemistry: every stereo form is it.
            reason = (
                f"A stereoisomer of {e.name}{suffix}; the listing names the compound without stereochemistry."
            )
            out.matches.append(_entry_match(e, R.SALT_OR_ISOMER, reason, ctx))
        elif complete and input_rel == entry_rel:
            covered = bool({"optical_isomers", "salts_of_isomers"} & e.scope)
            reason = (
                f"The enantiomer (optical isomer) of {e.name}{suffix}; the listing covers optical isomers."
                if covered
                else f"The enantiomer of {e.name}{suffix}; the listing does not name optical isomers."
            )
            out.matches.append(
                _entry_match(e, R.SALT_OR_ISOMER if covered else R.CLASS, reason, ctx, listed=covered)
            )
        elif complete and e.stereo_sensitive:
            continue  # a different diastereomer: a different entry (or none)
        elif complete:
            covered = bool({"optical_isomers", "geometric_isomers", "salts_of_isomers"} & e.scope)
            reason = (
                f"A stereoisomer of {e.name}{suffix}; the listing covers its isomers."
                if covered
                else f"A stereoisomer of {e.name}{suffix}; the listing does not name isomers."
            )
            out.matches.append(
                _entry_match(e, R.SALT_OR_ISOMER if covered else R.CLASS, reason, ctx, listed=covered)
            )
        else:
            unspecified.append(ce)
        matched.add(e.id)
    if unspecified:
        names = " or ".join(ce.entry.name for ce in unspecified)
        for ce in unspecified:
            e = ce.entry
            reason = (
                f"Same structure as {e.name}{suffix} with stereochemistry not specified; it may be {names}."
                if len(unspecified) > 1
                else f"Same structure as {e.name}{suffix} with stereochemistry not specified."
            )
            out.matches.append(_entry_match(e, R.SALT_OR_ISOMER, reason, ctx))
        if len(unspecified) > 1 or any(ce.entry.stereo_sensitive for ce in unspecified):
            out.findings.append(
                R.Finding(
                    "STEREO_UNSPECIFIED",
                    f"Stereochemistry is not specified; the structure may be {names}. "
                    "Each candidate is reported.",
                    detail={"candidates": [ce.entry.id for ce in unspecified], "component": ctx.index},
                )
            )


def _tautomers(
    cw: CompiledWatchlist, ctx: ComponentContext, out: ComponentMatches, matched: set[str], max_tautomers: int
) -> None:
    if ctx.identity.formula not in cw.formulas or ctx.mol.GetNumHeavyAtoms() > TAUTOMER_MAX_HEAVY_ATOMS:
        return
    if generic_skeleton(ctx.mol) not in cw.generic_skeletons:
        return  # tautomers keep the heavy-atom graph: no entry has this one
    skel = canonical_tautomer_skeleton(ctx.mol, max_tautomers)
    if skel is None:
        return
    for ce in cw.by_tautomer_skeleton.get(skel, ()):
        if ce.entry.id in matched:
            continue
        matched.add(ce.entry.id)
        out.matches.append(
            _entry_match(
                ce.entry,
                R.SALT_OR_ISOMER,
                f"A tautomer of {ce.entry.name} (the same compound drawn differently).",
                ctx,
            )
        )


def _scope(
    cw: CompiledWatchlist,
    ctx: ComponentContext,
    out: ComponentMatches,
    matched: set[str],
    possible: frozenset[int],
    screened: list[int],
) -> None:
    for k in screened:
        e, covers, explanation, pattern = cw.scope_patterns[k]
        if e.id in matched:
            continue
        atoms = pattern.matches(ctx.mol, possible)
        if atoms is None:
            continue
        matched.add(e.id)
        words = covers.replace("_", " ")
        reason = f"A derivative of {e.name} that the listing covers ({words}): {explanation}"
        out.matches.append(_entry_match(e, R.CLASS, reason, ctx, atoms=atoms, class_id=f"{e.id}:{covers}"))


def _class_match(
    cw: CompiledWatchlist, cls: DesignerClass, ctx: ComponentContext, atoms: tuple[int, ...]
) -> R.Match:
    target = cw.watchlist.get(cls.leads_to) if cls.leads_to else None
    a, b = _highlight(ctx, atoms)
    if cls.listed:
        lists = list(cls.lists)
        regimes = [
            R.Regime(r.regime, r.label, r.citation, r.verified, r.paragraph, r.year) for r in cls.regimes
        ]
    else:
        lists = target.lists if target else []
        regimes = _regimes(target) if target else []
    if cls.listed:
        reason = f"It is a member of the class {cls.name}, which is itself controlled. {cls.explanation}"
    else:
        lead = f" that leads to {target.name}" if target else ""
        how = f" ({cls.conversion})" if cls.conversion else ""
        reason = f"A designer precursor in the class {cls.name}{lead}{how}. {cls.explanation}"
    return R.Match(
        entry_id=target.id if target else cls.id,
        name=cls.name,
        cas=None,
        lists=lists,
        match_type=R.CLASS,
        score=1.0,
        reason=reason,
        citation=cls.citation,
        verified=cls.verified,
        regimes=regimes,
        component=ctx.index,
        atoms=a,
        bonds=b,
        class_id=cls.id,
        leads_to=target.id if target else None,
        step=None if cls.listed else (cls.conversion or None),
        listed=cls.listed,
    )


def _classes(
    cw: CompiledWatchlist,
    ctx: ComponentContext,
    out: ComponentMatches,
    possible: frozenset[int],
    screened: list[int],
    is_: set[str],
) -> set[str]:
    """Structural classes; ``is_`` holds the entries the component already is (exact, salt, isomer), since
    a class leading to a chemical does not describe that chemical itself (fentanyl is not an FRS)."""
    leads: set[str] = set()
    for k in screened:
        cc = cw.classes[k]
        if cc.cls.leads_to in is_:
            continue
        if cc.cls.listed and is_:
            # A class defined "unless listed in another schedule" (21 U.S.C. 812(c) Schedule I(e) for
            # the FRS) does not take in a chemical that is itself an entry (carfentanil).
            continue
        for pattern in cc.patterns:
            atoms = pattern.matches(ctx.mol, possible)
            if atoms is not None:
                out.matches.append(_class_match(cw, cc.cls, ctx, atoms))
                if cc.cls.leads_to:
                    leads.add(cc.cls.leads_to)
                break
    return leads


def _product_identities(product: Chem.Mol, cw: CompiledWatchlist, one_piece: bool) -> list[Identity]:
    """Identities of a reaction product's fragments that could be analogue targets.

    Cheap tests first: a fragment's heavy-atom count (no sanitization needed) must equal a target's,
    then its formula and stereo-free SMILES; only then is the InChI computed. ``one_piece``: the
    transform's products are single molecules (no need to look for fragments).
    """
    sizes = cw.product_sizes
    frag_atoms = ((),) if one_piece else Chem.GetMolFrags(product)
    if len(frag_atoms) == 1:
        frags = [product] if product.GetNumHeavyAtoms() in sizes else []
    elif product.GetNumAtoms() == product.GetNumHeavyAtoms() and not any(
        len(atoms) in sizes for atoms in frag_atoms
    ):
        return []  # no hydrogen atoms, so a fragment's size is its atom count: none fits
    else:
        frags = [
            f
            for f in Chem.GetMolFrags(product, asMols=True, sanitizeFrags=False)
            if f.GetNumHeavyAtoms() in sizes
        ]
    found = []
    for frag in frags:
        frag.UpdatePropertyCache(strict=False)
        if heavy_formula(Chem.rdMolDescriptors.CalcMolFormula(frag)) not in cw.product_heavy_formulas:
            continue
        try:  # in place: the product is ours and dropped afterwards (a copy costs ~14 us)
            Chem.SanitizeMol(frag)
        except Exception:  # noqa: BLE001 - an impossible product is simply not a product
            continue
        frag = neutralize(frag)
        if Chem.MolToSmiles(frag, isomericSmiles=False) not in cw.product_flat_smiles:
            continue  # canonical SMILES is far cheaper than an InChI, and rules most products out
        found.append(identify(frag))
    return found


def _transforms(
    cw: CompiledWatchlist,
    ctx: ComponentContext,
    out: ComponentMatches,
    matched: set[str],
    leads: set[str],
    screened: list[int],
) -> None:
    seen: set[str] = set()
    mol = ctx.mol
    present: tuple[tuple[str, int], ...] | None = None
    for k in screened:  # transforms whose reactant row the screen let through
        ct = cw.transforms[k]
        if ct.input_compositions is not None:
            # The product will have exactly the input's heavy atoms plus ct.adds: skip the reaction
            # unless some entry has that composition (input_compositions: entries' minus ct.adds).
            if present is None:
                present = composition(ctx.identity.element_counts())
            if present not in ct.input_compositions:
                continue
        guard = ct.reactant.guard  # the recursion-free search (may_match without the screen test)
        if guard is not None and not mol.HasSubstructMatch(guard):
            continue
        try:  # without a match this costs no more than a yes/no search
            product_sets = ct.reaction.RunReactants((mol,), 20)
        except Exception:  # noqa: BLE001 - RDKit refuses odd reactant mappings; nothing to report
            continue
        idents = [
            i for products in product_sets for p in products for i in _product_identities(p, cw, ct.one_piece)
        ]
        for ident in idents:
            for ce in cw.by_key.get(ident.inchikey, ()) or cw.by_skeleton.get(ident.skeleton, ()):
                e = ce.entry
                if not e.analog_target or e.id in matched or e.id in leads or e.id in seen:
                    continue
                seen.add(e.id)
                t = ct.transform
                reason = f"One simple step from {e.name}: {t.name} gives {e.name}. {t.explanation}"
                out.matches.append(
                    _entry_match(
                        e,
                        R.CLASS,
                        reason,
                        ctx,
                        listed=False,
                        atoms=ct.reactant.matches(ctx.mol, None) or (),
                        class_id=t.id,
                        leads_to=e.id,
                        step=t.name,
                        score=1.0,
                    )
                )


def _exclusions(
    cw: CompiledWatchlist, ctx: ComponentContext, out: ComponentMatches, possible: frozenset[int]
) -> None:
    """Benign look-alikes: drop the class, analogue and similarity matches an exclusion names, keeping
    its reason as a finding. Exact and salt/isomer matches are never suppressed."""
    if not out.matches:
        return  # nothing to suppress
    for cx in cw.exclusions:
        x = cx.exclusion
        hit = (cx.inchikey is not None and cx.inchikey == ctx.identity.inchikey) or (
            cx.pattern is not None and cx.pattern.matches(ctx.mol, possible) is not None
        )
        if not hit:
            continue
        targets = set(x.suppresses)

        def named(m: R.Match, targets: set[str] = targets) -> bool:
            if m.match_type in (R.EXACT, R.SALT_OR_ISOMER):
                return False
            if m.match_type == R.SIMILARITY and "similarity" in targets:
                return True
            return bool({m.entry_id, m.class_id, m.leads_to} & targets)

        removed = [m for m in out.matches if named(m)]
        if not removed:
            continue
        out.matches = [m for m in out.matches if not named(m)]
        out.findings.append(
            R.Finding(
                "EXCLUSION_APPLIED",
                f"{x.name}: {x.reason}",
                detail={
                    "exclusion": x.id,
                    "suppressed": sorted({m.class_id or m.entry_id for m in removed}),
                    "citation": x.citation,
                    "component": ctx.index,
                },
            )
        )


def _similarity(cw: CompiledWatchlist, ctx: ComponentContext, out: ComponentMatches) -> None:
    if not cw.similarity_fps:
        return
    fp = fingerprint(ctx.mol)
    scores = DataStructs.BulkTanimotoSimilarity(fp, cw.similarity_fps)
    best_score = max(scores)
    top = cw.similarity_entries[scores.index(best_score)]
    out.nearest = R.Nearest(top.entry.id, top.entry.name, round(best_score, 3))
    if best_score < SIMILARITY_CUTOFF or ctx.mol.GetNumHeavyAtoms() < 6 or any(m.listed for m in out.matches):
        return  # a listed chemical needs no "looks like" on top; tiny molecules give noisy scores
    already = {m.entry_id for m in out.matches} | {m.leads_to for m in out.matches if m.leads_to}
    for i, s in enumerate(scores):
        ce = cw.similarity_entries[i]
        if (
            s >= SIMILARITY_CUTOFF
            and ce.entry.id not in already
            and ce.identity.skeleton != ctx.identity.skeleton
        ):
            out.matches.append(
                _entry_match(
                    ce.entry,
                    R.SIMILARITY,
                    f"Structurally close to {ce.entry.name} (Tanimoto {s:.2f} on Morgan fingerprints, "
                    f"cut-off {SIMILARITY_CUTOFF}); a possible analogue, not itself listed.",
                    ctx,
                    score=s,
                    listed=False,
                    atoms=(),
                )
            )


def _stereo_specific_targets(cw: CompiledWatchlist, ctx: ComponentContext, out: ComponentMatches) -> None:
    """A designer class names one entry it leads to (ephedrine-masked: ephedrine), but in a stereo-sensitive
    family the product depends on the input's stereochemistry: N-acetylpseudoephedrine gives pseudoephedrine,
    the norephedrine oxazolidinone gives norephedrine. When the input's stereocentres are written and a
    one-step transform reached a stereo-sensitive entry the class does not name, that transform worked on the
    actual product, so the class's guess is dropped. Without written stereochemistry the guess stays only
    when it is a stereoisomer of an entry reached (ephedrine beside pseudoephedrine, both possible); a guess
    of another compound altogether (ephedrine for N-acetylnorephedrine, which the transforms show gives
    norephedrine or norpseudoephedrine) is dropped either way."""
    transform_ids = {ct.transform.id for ct in cw.transforms}
    reached = set()
    for m in out.matches:
        if m.match_type == R.CLASS and m.class_id in transform_ids:
            target = cw.watchlist.get(m.entry_id)
            if target is not None and target.stereo_sensitive:
                reached.add(m.entry_id)
    if not reached:
        return
    stereo_written = any(a.GetChiralTag() != Chem.ChiralType.CHI_UNSPECIFIED for a in ctx.mol.GetAtoms())
    reached_skeletons = {cw.entries[e].identity.skeleton for e in reached if e in cw.entries}

    def guess(m: R.Match) -> bool:
        if m.match_type != R.CLASS or m.listed or m.class_id in transform_ids or m.leads_to in reached:
            return False
        target = cw.watchlist.get(m.leads_to) if m.leads_to else None
        if target is None or not target.stereo_sensitive:
            return False
        if stereo_written:
            return True
        ce = cw.entries.get(target.id)
        return ce is not None and ce.identity.skeleton not in reached_skeletons

    out.matches = [m for m in out.matches if not guess(m)]


def match_component(
    cw: CompiledWatchlist, ctx: ComponentContext, max_tautomers: int = 64
) -> ComponentMatches:
    """All watchlist matches of one standardized component."""
    out = ComponentMatches()
    present = ctx.identity.element_counts()
    possible = cw.screen.possible(ctx.mol, present)
    scope, classes, transforms = cw.screened_items(possible)
    matched = _exact(cw, ctx, out)
    _isomers(cw, ctx, out, matched)
    if not matched:
        _tautomers(cw, ctx, out, matched, max_tautomers)
    if scope:
        _scope(cw, ctx, out, matched, possible, scope)
    is_ = {m.entry_id for m in out.matches if m.match_type in (R.EXACT, R.SALT_OR_ISOMER)}
    leads = _classes(cw, ctx, out, possible, classes, is_) if classes else set()
    if transforms and not any(m.match_type in (R.EXACT, R.SALT_OR_ISOMER) and m.listed for m in out.matches):
        # A chemical that is itself listed needs no "one step from ..." on top (fentanyl -> ANPP).
        _transforms(cw, ctx, out, matched, leads, transforms)
        if leads and len(out.matches) > 1:
            _stereo_specific_targets(cw, ctx, out)
    _similarity(cw, ctx, out)
    _exclusions(cw, ctx, out, possible)
    return out


def form_covered(entry: Entry, form: str) -> bool:
    """Whether the listing covers a named form of its chemical: a hydrate or solvate is the chemical
    itself; an isomer needs the listing to name isomers; anything else is a salt.

    >>> from types import SimpleNamespace as E
    >>> form_covered(E(scope=frozenset()), "monohydrate"), form_covered(E(scope=frozenset()), "sodium salt")
    (True, False)
    """
    f = form.lower()
    if "hydrate" in f or "solvate" in f:
        return True
    if "isomer" in f or "enantiomer" in f or "racem" in f:
        return bool({"optical_isomers", "geometric_isomers", "salts_of_isomers"} & entry.scope)
    return "salts" in entry.scope or "salts_of_isomers" in entry.scope


def match_inorganic(cw: CompiledWatchlist, prepared: Prepared, whole: Identity) -> list[R.Match]:
    """Element and inorganic entries: the whole input's identity, or a salt of a listed inorganic acid."""
    found = cw.inorganic_by_key.get(whole.inchikey)
    if found is None and prepared.inorganic and prepared.fragments > 1:
        # A hydrate the watchlist does not record: the substance without its water.
        dry = [f for f in Chem.GetMolFrags(prepared.as_given, asMols=True) if Chem.MolToSmiles(f) != "O"]
        if dry and len(dry) < prepared.fragments:
            combined = dry[0]
            for f in dry[1:]:
                combined = Chem.CombineMols(combined, f)
            found = cw.inorganic_by_key.get(identify(combined).inchikey)
    if found is not None:
        e, sf = found
        if sf is None:
            return [_entry_match(e, R.EXACT, f"Same substance as {e.name}.", None)]
        return [
            _entry_match(
                e,
                R.SALT_OR_ISOMER,
                f"{sf.form.capitalize()} of {e.name}.",
                None,
                listed=form_covered(e, sf.form),
            )
        ]
    out: list[R.Match] = []
    frags = Chem.GetMolFrags(prepared.as_given, asMols=True)
    if len(frags) > 1:
        for f in frags:
            if not any(a.GetFormalCharge() for a in f.GetAtoms()):
                continue
            key = identify(neutralize(f)).inchikey
            hit = cw.inorganic_by_key.get(key)
            if hit and hit[1] is None and "salts" in hit[0].scope:
                e = hit[0]
                out.append(
                    _entry_match(
                        e, R.SALT_OR_ISOMER, f"A salt of {e.name}; the listing covers its salts.", None
                    )
                )
    if (
        prepared.inorganic
        and len(frags) > 1
        and not any(is_bare_metal(f) or f.HasSubstructMatch(_NEUTRAL_NITROGEN_BASE) for f in frags)
    ):
        # A carbon-free mixture of neutral substances (oleum: sulfuric acid with SO3; mixed acids:
        # hydrochloric with sulfuric; aqua regia): each listed one is there in its own right. A bare
        # atom is left out ("[Fe].[P]" is iron phosphide written atom by atom), and so is a bare metal's
        # company ("[Pd].Cl.Cl" is a metal chloride written as ligands); beside a nitrogen base the acid
        # is that base's salt ("Cl.NO" is hydroxylamine hydrochloride, "N.Cl" ammonium chloride).
        seen = {m.entry_id for m in out}
        for f in frags:
            if any(a.GetFormalCharge() for a in f.GetAtoms()) or Chem.MolToSmiles(f) == "O":
                continue
            if f.GetNumAtoms() == 1 and f.GetAtomWithIdx(0).GetTotalNumHs() == 0:
                continue
            hit = cw.inorganic_by_key.get(identify(f).inchikey)
            if hit and hit[1] is None and hit[0].id not in seen:
                seen.add(hit[0].id)
                out.append(
                    _entry_match(hit[0], R.EXACT, f"{hit[0].name} is a component of the mixture.", None)
                )
    if prepared.inorganic and len(frags) > 2:
        # Several salts written as their ions (potassium permanganate with sodium chloride, or with
        # sulfuric acid): each salt is looked up on its own.
        seen = {m.entry_id for m in out}
        for e, sf in _ion_pairs(cw, frags):
            if e.id not in seen:
                seen.add(e.id)
                listed = sf is None or form_covered(e, sf.form)
                kind = R.EXACT if sf is None else R.SALT_OR_ISOMER
                out.append(
                    _entry_match(e, kind, f"{e.name} is a component of the mixture.", None, listed=listed)
                )
    return out


def _ion_pairs(cw: CompiledWatchlist, frags: tuple[Chem.Mol, ...]) -> list[tuple[Entry, SaltForm | None]]:
    """Watchlist inorganics among the salts an ionic input is written as: ions are grouped in the order
    written until their charges cancel ("[K+].[O-][Mn](=O)(=O)=O.[Na+].[Cl-]" is potassium
    permanganate and sodium chloride, not sodium permanganate); neutral fragments stand apart."""
    found = []
    group: list[Chem.Mol] = []
    net = 0
    for f in frags:
        q = sum(a.GetFormalCharge() for a in f.GetAtoms())
        if q == 0:
            continue
        group.append(f)
        net += q
        if net == 0:
            salt = group[0]
            for ion in group[1:]:
                salt = Chem.CombineMols(salt, ion)
            hit = cw.inorganic_by_key.get(identify(salt).inchikey)
            if hit is not None:
                found.append(hit)
            group = []
    return found


# Ammonia, hydrazine, hydroxylamine: an uncharged trivalent nitrogen takes a mineral acid as its salt.
_NEUTRAL_NITROGEN_BASE = Chem.MolFromSmarts("[NX3;+0]")
