"""Structure standardization: a readable chain of single-purpose steps, the same for watchlist and orders.

Steps (each one runs only when the input needs it, so the result is identical to running it always):

0. ``disconnect_metals`` - a salt written with a covalent metal bond ("[Na]OC(=O)C") becomes ionic.
1. ``split_fragments``   - one molecule per disconnected fragment (only when the SMILES has a ".").
2. ``drop_counter_ions`` - remove water, inorganic acids and ions, and the organic acids used as salt
   formers (acetate, tartrate, maleate, mesylate ...), when an organic component remains that they can
   pair with (a basic or charged parent, or an acid with an inorganic base); otherwise they are
   components of a mixture (acetic anhydride in acetic acid, acetone over sodium chloride).
3. ``neutralize``        - RDKit's Uncharger: carboxylates, ammonium salts written with charges, enolates
   written on carbon (not Grignard or organolithium carbanions). A hydronium ion is read first as water and
   a proton ("[OH3+].[Cl-]" is hydrochloric acid).
4. ``drop_isotopes``     - a deuterated or 13C-labelled form is the same chemical.
5. ``deduplicate``       - a 2:1 sulfate has two identical parents; a mixture keeps one of each.

RDKit's ``Normalizer`` is deliberately not in the chain: it rewrites neutral sulfoxides to the
charge-separated form, and identity here is the standard InChI, which already treats nitro, N-oxide
and sulfoxide spellings alike. Tautomers are not canonicalized on the hot path either (InChI's mobile-H
layer covers the usual cases); ``matching`` enumerates tautomers only for small inputs whose formula
equals a watchlist entry's.

Carbon-free inputs (red phosphorus, iodine, HCl, KMnO4) keep their whole identity: keeping only the
largest fragment would turn KMnO4 into a bare permanganate, so ``Prepared.inorganic`` holds the input
as given.

Any step can throw on odd input; callers turn that into a finding, never a ``none``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rdkit import Chem
from rdkit.Chem import rdMolDescriptors
from rdkit.Chem.MolStandardize import rdMolStandardize

# Organic salt formers and their acids, stereo ignored (neutral canonical SMILES). Source: the
# counter-ions of FDA-approved salts (Paulekuhn et al., J. Med. Chem. 2007, 50, 6665) that carry carbon.
_ORGANIC_COUNTER_IONS = (
    "CC(=O)O",
    "O=CO",
    "O=C(O)C(F)(F)F",
    "O=C(O)C(=O)O",
    "O=C(O)C(O)C(O)C(=O)O",
    "O=C(O)C=CC(=O)O",
    "O=C(O)CC(O)(CC(=O)O)C(=O)O",
    "O=C(O)CCC(=O)O",
    "O=C(O)CC(O)C(=O)O",
    "CC(O)C(=O)O",
    "CS(=O)(=O)O",
    "O=S(=O)(O)c1ccccc1",
    "Cc1ccc(S(=O)(=O)O)cc1",
    "O=S(=O)(O)C(F)(F)F",
    "CCS(=O)(=O)O",
    "O=S(=O)(O)CCS(=O)(=O)O",
    "O=C(O)c1ccccc1",
    "O=C(O)c1ccccc1O",
    "OCC(O)C(O)C(O)C(O)C(=O)O",
    "O=C(O)CC(=O)O",
    "CC1(C)C2CCC1(CS(=O)(=O)O)C(=O)C2",
    "O=C(O)c1cc2ccccc2cc1O",
)
# Carbon-free fragments that are elements or molecular inorganics in their own right, not counter-ions:
# kept as components of a mixture (iodine in a tincture, phosphorus with an organic).
_ELEMENTAL = frozenset({"II", "[P]", "P12P3P1P23", "[I]", "S", "[S]"})

_uncharger = rdMolStandardize.Uncharger(canonicalOrder=True)
_counter_ion_keys: frozenset[str] | None = None


def _counter_ions() -> frozenset[str]:
    global _counter_ion_keys
    if _counter_ion_keys is None:
        keys = set()
        for smi in _ORGANIC_COUNTER_IONS:
            m = Chem.MolFromSmiles(smi)
            keys.add(Chem.MolToSmiles(m, isomericSmiles=False))
        _counter_ion_keys = frozenset(keys)
    return _counter_ion_keys


@dataclass
class Prepared:
    """An input after standardization: its organic parents, and what was removed on the way."""

    as_given: Chem.Mol
    components: list[Chem.Mol]  # standardized parents (organic, or carbon-free elements in a mixture)
    removed: list[str] = field(default_factory=list)  # canonical SMILES of stripped fragments
    steps: list[str] = field(default_factory=list)  # names of the steps that changed something
    inorganic: bool = False  # no organic component: the whole input is the identity
    fragments: int = 1
    multiplicity: list[int] = field(default_factory=list)  # copies of each component in the input (2:1 salts)

    @property
    def hydrate(self) -> bool:
        return any(r == "O" for r in self.removed)

    declared_salt: bool = False  # the identifier named a salt the structure does not spell out

    @property
    def salt(self) -> bool:
        return self.declared_salt or any(r != "O" for r in self.removed)


# Substructure tests run in C++: much cheaper than iterating atoms from Python on the hot path.
_CHARGED = Chem.MolFromSmarts("[!+0]")
# An alkali or alkaline-earth metal written as covalently bonded ("[Na]OC(=O)C", "[K]O[Mn](=O)(=O)=O"):
# the salt is the same as the ionic spelling. Only these metals: RDKit's MetalDisconnector would also
# take permanganate apart into Mn7+ and four oxide ions.
_BONDED_METAL = Chem.MolFromSmarts("[Li,Na,K,Rb,Cs,Mg,Ca,Sr,Ba;!D0]")
_SALT_METALS = frozenset({3, 11, 19, 37, 55, 12, 20, 38, 56})


def disconnect_metals(mol: Chem.Mol) -> Chem.Mol:
    """Break bonds from alkali / alkaline-earth metals to non-metals into ion pairs.

    >>> Chem.MolToSmiles(disconnect_metals(Chem.MolFromSmiles("[Na]OC(C)=O")))
    'CC(=O)[O-].[Na+]'
    """
    rw = Chem.RWMol(mol)
    for bond in list(rw.GetBonds()):
        a, b = bond.GetBeginAtom(), bond.GetEndAtom()
        if a.GetAtomicNum() in _SALT_METALS and b.GetAtomicNum() not in _SALT_METALS:
            metal, other = a, b
        elif b.GetAtomicNum() in _SALT_METALS and a.GetAtomicNum() not in _SALT_METALS:
            metal, other = b, a
        else:
            continue
        order = int(bond.GetBondTypeAsDouble())
        rw.RemoveBond(metal.GetIdx(), other.GetIdx())
        metal.SetFormalCharge(metal.GetFormalCharge() + order)
        other.SetFormalCharge(other.GetFormalCharge() - order)
        metal.SetNoImplicit(True)
    out = rw.GetMol()
    Chem.SanitizeMol(out)
    return out


def _has_carbon(mol: Chem.Mol) -> bool:
    # Most organic SMILES start with a carbon atom: one atom look-up (~1 us) settles those before the
    # count (~5 us). Heteroatoms are the heavy atoms that are not carbon.
    if mol.GetNumAtoms() and mol.GetAtomWithIdx(0).GetAtomicNum() == 6:
        return True
    return rdMolDescriptors.CalcNumHeteroatoms(mol) < mol.GetNumHeavyAtoms()


def _charged(mol: Chem.Mol) -> bool:
    return mol.HasSubstructMatch(_CHARGED)


# A negatively charged carbon that is not cyanide/isocyanide/carbon monoxide, not half of an ylide, and not
# an enolate written on carbon: a carbanion next to a carbonyl, nitrile or sulfonyl group is the conjugate
# base of a C-H acid (the sodium salt APAAN is made as: "CC(=O)[C-](C#N)c1ccccc1.[Na+]"), a salt like any
# other, so it is neutralized. (A nitronate written on carbon counts as an ylide here, and RDKit's
# Uncharger leaves it charged anyway.)
_CARBANION = Chem.MolFromSmarts(
    "[#6-;!$([#6-]#[#7,#8]);!$([#6-]~[*+]);!$([#6-]-[#6]=[OX1]);!$([#6-]-[#6]#[NX1]);!$([#6-]-[SX4](=O)=O)]"
)


def neutralize(mol: Chem.Mol) -> Chem.Mol:
    """Neutralize acids and bases written in ionized form (only when some atom is charged).

    >>> Chem.MolToSmiles(neutralize(Chem.MolFromSmiles("C[NH3+]")))
    'CN'

    A carbanion (a Grignard or organolithium reagent written ionically, "Cc1ccccc1[CH2-].[Mg+2].[Cl-]")
    is left as it is: protonating it would turn benzylmagnesium chloride into toluene and
    methylmagnesium bromide into methane. The reagent is not the hydrocarbon it is made from.

    >>> Chem.MolToSmiles(neutralize(Chem.MolFromSmiles("[CH2-]c1ccccc1")))
    '[CH2-]c1ccccc1'

    A carbanion beside a carbonyl or nitrile is an enolate written on carbon, the salt of a C-H acid:

    >>> Chem.MolToSmiles(neutralize(Chem.MolFromSmiles("CC(=O)[C-](C#N)c1ccccc1")))
    'CC(=O)C(C#N)c1ccccc1'
    """
    if not _charged(mol):
        return mol
    if mol.HasSubstructMatch(_CARBANION):
        return mol
    return _uncharger.uncharge(mol)


def drop_isotopes(mol: Chem.Mol) -> Chem.Mol:
    """Remove isotope labels (a deuterated or 13C-labelled form is the same chemical).

    Identity decision: an isotopologue is the chemical it labels (acetone-d6 is acetone, toluene-d8
    is toluene), as DEA treats labelled reference standards of controlled substances; the listing's
    own threshold and exemptions then decide what follows (NMR-solvent quantities are tiny).

    >>> Chem.MolToSmiles(drop_isotopes(Chem.MolFromSmiles("[2H]C([2H])([2H])C(=O)C([2H])([2H])[2H]")))
    'CC(C)=O'
    """
    if not any(a.GetIsotope() for a in mol.GetAtoms()):
        return mol
    mol = Chem.Mol(mol)
    hydrogens = False
    for a in mol.GetAtoms():
        a.SetIsotope(0)
        hydrogens = hydrogens or a.GetAtomicNum() == 1
    # Deuterium written as [2H] atoms becomes ordinary implicit hydrogen: acetone-d6 is acetone
    # (CC(C)=O), not a molecule with six explicit hydrogen atoms.
    return Chem.RemoveHs(mol) if hydrogens else mol


# Neutral mineral acids that form salts with bases (HF, HCl, HBr, HI, H2SO4, H3PO4, HNO3, HClO4).
_MINERAL_ACIDS = frozenset(
    {"F", "Cl", "Br", "I", "O=S(=O)(O)O", "O=P(O)(O)O", "O=[N+]([O-])O", "[O-][Cl+3]([O-])([O-])O"}
)
# Something an acid can protonate: a cation, an amine or aniline nitrogen (not amide, sulfonamide,
# nitro, nitrile, imide), a pyridine- or imidazole-type ring nitrogen, an amidine, an imine-type
# nitrogen (imine, imidate, oxime, hydrazone: the Pinner salt "methyl acetimidate hydrochloride" and
# "formaldoxime hydrochloride" are salts; not an isocyanate or carbodiimide N=C=X).
_BASE = Chem.MolFromSmarts(
    "[+,$([NX3;!$(N-[C,S,P]=[O,S]);!$(N-[N+]=O);!$(N-N=O)]),$([nX2]),$([NX2]=C-[NX3]),"
    "$([NX2;+0;!$(N=C=*)]=[#6])]"
)


def _is_base(frag: Chem.Mol) -> bool:
    return frag.HasSubstructMatch(_BASE)


def _is_free_mineral_acid(frag: Chem.Mol) -> bool:
    return Chem.MolToSmiles(frag) in _MINERAL_ACIDS


# What lets a parent form a salt with a counter-ion. A basic site: an uncharged amine or aniline
# nitrogen, a pyridine- or imidazole-type ring nitrogen, an amidine, an imine-type nitrogen (as in
# ``_BASE``), or a nitrogen already protonated or quaternized (not the N+ of a nitro group, which is
# neutral overall). An amine N-oxide is a base too (pethidine N-oxide hydrochloride is a salt, the
# oxygen takes the proton). An acid site: a carboxylic, sulfonic or phosphorus acid OH, which an
# inorganic base (ammonia, hydroxide) can take.
_BASIC_SITE = Chem.MolFromSmarts(
    "[$([NX3;+0;!$(N-[C,S,P]=[O,S]);!$(N-[N+]=O);!$(N-N=O)]),$([nX2;+0]),$([NX2;+0]=C-[NX3]),"
    "$([NX2;+0;!$(N=C=*)]=[#6]),$([N+,n+;!$(*~[O-]);!$(*=O)]),$([NX4+,nX3+;!$(*=O)]-[OX1-])]"
)
_ACID_SITE = Chem.MolFromSmarts("[OX2H1]-[$([CX3]=O),$([SX4](=O)=O),$([PX4]=O)]")
_INORGANIC_BASE = Chem.MolFromSmarts("[$([NX3;+0;!$(N~O)]),$([OX1H1-]),$([OX0-2])]")


def _salt_possible(parents: list[Chem.Mol], candidates: list[Chem.Mol]) -> bool:
    """Whether the counter-ion candidates can pair with an organic parent: the parent is basic or
    charged (an acid protonates it, an ion balances it), or it is an acid and a candidate is an
    inorganic base. Otherwise the input is a mixture, not a salt: acetic anhydride in acetic acid,
    toluene with sodium chloride.

    >>> _salt_possible([Chem.MolFromSmiles("CN")], [Chem.MolFromSmiles("Cl")])
    True
    >>> _salt_possible([Chem.MolFromSmiles("CC[N+](=O)[O-]")], [Chem.MolFromSmiles("CC(=O)O")])
    False
    """
    for p in parents:
        if not _has_carbon(p):
            continue  # iodine or phosphorus kept in a mixture does not form salts
        if Chem.GetFormalCharge(p) != 0 or p.HasSubstructMatch(_BASIC_SITE):
            return True
        if p.HasSubstructMatch(_ACID_SITE) and any(c.HasSubstructMatch(_INORGANIC_BASE) for c in candidates):
            return True
    return False


# A metal atom (metalloids Ge, Sb included): any element but H, B, C, N, O, F, Si, P, S, Cl, As, Se, Br,
# Te, I, At and the noble gases.
_METAL = Chem.MolFromSmarts(
    "[!#1;!#2;!#5;!#6;!#7;!#8;!#9;!#10;!#14;!#15;!#16;!#17;!#18;!#33;!#34;!#35;!#36;!#52;!#53;!#54;!#85;!#86]"
)


def is_bare_metal(frag: Chem.Mol) -> bool:
    """A lone, uncharged metal atom: how databases write the metal of a complex or binary compound."""
    return (
        frag.GetNumAtoms() == 1
        and not frag.GetAtomWithIdx(0).GetFormalCharge()
        and frag.HasSubstructMatch(_METAL)
    )


_BARE_PHOSPHINATE = Chem.MolFromSmarts("[PX2H0;v3](=[OX1])-[OX1-,OX2H1]")


def _phosphinate_hydrogens(mol: Chem.Mol) -> Chem.Mol | None:
    """PubChem and the dictionary write hypophosphite without its two P-H hydrogens ("[O-]P=O",
    "OP=O": a phosphorus with one P=O, one P-O and nothing else, formula PO2). Put them back
    (H2P(=O)O-, the hypophosphite the listing names); None when no phosphorus is written that way.

    >>> Chem.MolToSmiles(_phosphinate_hydrogens(Chem.MolFromSmiles("[Na+].[O-]P=O")))
    'O=[PH2][O-].[Na+]'
    >>> _phosphinate_hydrogens(Chem.MolFromSmiles("OP(O)O")) is None  # phosphorous acid
    True
    """
    def two_hydrogens(rw: Chem.RWMol, hit: tuple[int, ...]) -> None:
        atom = rw.GetAtomWithIdx(hit[0])
        atom.SetNumExplicitHs(2)
        atom.SetNoImplicit(True)

    return _rewritten(mol, _BARE_PHOSPHINATE, two_hydrogens)


def _rewritten(
    mol: Chem.Mol, pattern: Chem.Mol, edit: Callable[[Chem.RWMol, tuple[int, ...]], None]
) -> Chem.Mol | None:
    """``mol`` with ``edit`` applied to every match of ``pattern``, sanitized; None when nothing matches."""
    hits = mol.GetSubstructMatches(pattern)
    if not hits:
        return None
    rw = Chem.RWMol(mol)
    for hit in hits:
        edit(rw, hit)
    fixed = rw.GetMol()
    Chem.SanitizeMol(fixed)
    return fixed


_HYDRONIUM = Chem.MolFromSmarts("[O+;H3;D0]")


def _hydronium_as_water(mol: Chem.Mol) -> Chem.Mol | None:
    """A hydronium ion is water carrying a proton: "[OH3+].[Cl-]" is hydrochloric acid (hydrogen chloride
    and water), "[OH3+].[O-]S(=O)(=O)O" sulfuric acid in water. Write each as water and a bare proton,
    the spelling the rest of the chain already reads as the acid ("[H+].[Cl-]"); None when there is none.

    >>> Chem.MolToSmiles(_hydronium_as_water(Chem.MolFromSmiles("[OH3+].[Cl-]")))
    'O.[Cl-].[H+]'
    >>> _hydronium_as_water(Chem.MolFromSmiles("C[NH3+].[Cl-]")) is None
    True
    """
    def water_and_proton(rw: Chem.RWMol, hit: tuple[int, ...]) -> None:
        oxygen = rw.GetAtomWithIdx(hit[0])
        oxygen.SetFormalCharge(0)
        oxygen.SetNumExplicitHs(2)
        oxygen.SetNoImplicit(True)
        proton = Chem.Atom(1)
        proton.SetFormalCharge(1)
        proton.SetNoImplicit(True)
        rw.AddAtom(proton)

    return _rewritten(mol, _HYDRONIUM, water_and_proton)


_TRIIODIDE = Chem.MolFromSmarts("[I;-1;D2](-[I;+0;D1])-[I;+0;D1]")


def _triiodide_as_iodine(mol: Chem.Mol) -> Chem.Mol | None:
    """A triiodide ion is iodine held by iodide (I2 + I-, the form iodine takes in potassium iodide
    solution: Lugol's solution, which PubChem writes "[K+].I[I-]I"): write it as the two, so the iodine
    in it is found; None when there is none.

    >>> Chem.MolToSmiles(_triiodide_as_iodine(Chem.MolFromSmiles("[K+].I[I-]I")))
    'II.[I-].[K+]'
    >>> _triiodide_as_iodine(Chem.MolFromSmiles("II.[K+].[I-]")) is None
    True
    """
    def iodine_and_iodide(rw: Chem.RWMol, hit: tuple[int, ...]) -> None:
        centre, _kept, freed = hit
        rw.RemoveBond(centre, freed)
        rw.GetAtomWithIdx(centre).SetFormalCharge(0)
        rw.GetAtomWithIdx(freed).SetFormalCharge(-1)

    return _rewritten(mol, _TRIIODIDE, iodine_and_iodide)


def _mixture_partners(candidates: list[Chem.Mol]) -> list[Chem.Mol]:
    """Counter-ion candidates that pair with nothing, as mixture components: water is left out (a
    hydrate, as before), carbon-free ions are kept together as the salt they form (sodium chloride,
    not a chloride ion that would neutralize to hydrogen chloride), anything else stays as it is."""
    out: list[Chem.Mol] = []
    ions: Chem.Mol | None = None
    # A bare, uncharged metal atom among them (databases write a complex such as Wilkinson's catalyst or
    # dibenzenechromium iodide as ligands, a bare metal and a halide): the carbon-free pieces are the
    # metal's halide, not hydrogen chloride or iodide, so they stay together like sodium chloride. A
    # metal ion ("[Zn+2]") does not do this: hydrogen chloride beside zinc chloride stays a component.
    metal = any(is_bare_metal(f) for f in candidates)
    for f in candidates:
        if Chem.MolToSmiles(f) == "O":
            continue
        if not _has_carbon(f) and (_charged(f) or (metal and Chem.MolToSmiles(f) not in _ELEMENTAL)):
            ions = f if ions is None else Chem.CombineMols(ions, f)
        else:
            out.append(f)
    if ions is not None:
        Chem.SanitizeMol(ions)
        out.append(ions)
    return out


def is_counter_ion(frag: Chem.Mol) -> bool:
    """True for water, inorganic ions and acids, and the usual organic salt formers."""
    if not _has_carbon(frag):
        return Chem.MolToSmiles(frag) not in _ELEMENTAL
    if frag.GetNumHeavyAtoms() > 20:
        return False
    neutral = neutralize(frag)
    return Chem.MolToSmiles(neutral, isomericSmiles=False) in _counter_ions()


def _bare_atoms_of_several_elements(frags: list[Chem.Mol]) -> bool:
    """Every fragment one uncharged atom without hydrogens, and not all of one element.

    >>> _bare_atoms_of_several_elements([Chem.MolFromSmiles("[Fe]"), Chem.MolFromSmiles("[P]")])
    True
    >>> _bare_atoms_of_several_elements([Chem.MolFromSmiles("[P]"), Chem.MolFromSmiles("Cl")])
    False
    """
    elements = set()
    for f in frags:
        if f.GetNumAtoms() != 1:
            return False
        a = f.GetAtomWithIdx(0)
        if a.GetFormalCharge() or a.GetTotalNumHs() or a.GetAtomicNum() == 6:
            return False
        elements.add(a.GetAtomicNum())
    return len(elements) > 1


@dataclass(frozen=True)
class Cues:
    """What the input text says it may contain; a step whose cue is False cannot change anything and is
    skipped (the defaults run every step). ``cues_from_smiles`` reads them from a SMILES string."""

    fragments: bool = True
    isotopes: bool = True
    charges: bool = True
    metals: bool = True


ALL_STEPS = Cues()
_NO_STEPS = Cues(False, False, False, False)
_CHARGE_TEXT = re.compile(r"\[[^\]]*[+-]")
_ISOTOPE_TEXT = re.compile(r"\[\d")
_METAL_TEXT = re.compile(r"\[(?:Li|Na|K|Rb|Cs|Mg|Ca|Sr|Ba)")


def cues_from_smiles(smiles: str) -> Cues:
    """Cues read from SMILES text: charges and isotopes only appear in brackets, fragments after a ".".

    >>> cues_from_smiles("CCO")
    Cues(fragments=False, isotopes=False, charges=False, metals=False)
    >>> cues_from_smiles("[Na+].[O-]C(=O)C")
    Cues(fragments=True, isotopes=False, charges=True, metals=True)
    """
    if "[" not in smiles and "." not in smiles:
        return _NO_STEPS  # every cue needs a bracket atom or a "."
    return Cues(
        "." in smiles,
        _ISOTOPE_TEXT.search(smiles) is not None,
        _CHARGE_TEXT.search(smiles) is not None,
        _METAL_TEXT.search(smiles) is not None,
    )


def standardize(mol: Chem.Mol, cues: Cues = ALL_STEPS) -> Prepared:
    """Run the chain on a parsed, sanitized molecule.

    >>> p = standardize(Chem.MolFromSmiles("C[C@@H]([C@H](c1ccccc1)O)NC.Cl"))
    >>> [Chem.MolToSmiles(c) for c in p.components], p.removed, p.salt
    (['CN[C@@H](C)[C@@H](O)c1ccccc1'], ['Cl'], True)
    >>> p = standardize(Chem.MolFromSmiles("[K+].[O-][Mn](=O)(=O)=O"))
    >>> p.inorganic, Chem.MolToSmiles(p.components[0])
    (True, '[K+].[O]=[Mn](=[O])(=[O])[O-]')
    """
    if not (cues.fragments or cues.metals or cues.charges or cues.isotopes) and _has_carbon(mol):
        return Prepared(mol, [mol], multiplicity=[1])  # one neutral organic molecule: nothing to do
    steps: list[str] = []
    removed: list[str] = []
    if not _has_carbon(mol) and (restored := _phosphinate_hydrogens(mol)) is not None:
        # Hypophosphite as PubChem writes it ("[Na+].[O-]P=O"): identity, inorganic matching, agreement
        # with the salt's CAS number and the mass fraction all read the restored structure.
        mol = restored
        steps.append("restore_phosphinate_hydrogens")
    # Ions that are two species written as one (hydronium: water and a proton; triiodide: iodine and
    # iodide): each rewrite leaves separate fragments for the chain to split.
    for step, rewrite in (
        ("hydronium_as_water", _hydronium_as_water),
        ("triiodide_as_iodine", _triiodide_as_iodine),
    ):
        if cues.charges and (rewritten := rewrite(mol)) is not None:
            mol = rewritten
            steps.append(step)
            cues = Cues(fragments=True, isotopes=cues.isotopes, charges=True, metals=cues.metals)
    smiles_has_dot = cues.fragments
    if cues.metals and mol.HasSubstructMatch(_BONDED_METAL):
        mol = disconnect_metals(mol)
        steps.append("disconnect_metals")
        smiles_has_dot = True
        cues = Cues(fragments=True, isotopes=cues.isotopes, charges=True, metals=True)
    if smiles_has_dot and mol.GetNumAtoms() and len(Chem.GetMolFrags(mol)) > 1:
        frags = list(Chem.GetMolFrags(mol, asMols=True, sanitizeFrags=True))
        steps.append("split_fragments")
    else:
        frags = [mol]
    n_frags = len(frags)
    if n_frags > 1 and _bare_atoms_of_several_elements(frags):
        # "[Fe].[P]", "[Cd].[P]", "[N].[P]": a binary compound (iron phosphide, phosphorus nitride) written
        # atom by atom, as the PubChem-derived tables do. It is not red phosphorus mixed with iron.
        return Prepared(mol, [mol], [], steps, inorganic=True, fragments=n_frags, multiplicity=[1])
    if n_frags > 1:
        organic = [f for f in frags if not is_counter_ion(f)]
        others = [f for f in frags if all(f is not o for o in organic)]
        mixed: set[int] = set()  # candidates kept as mixture components (not removed)
        if any(_has_carbon(f) for f in organic) and not _salt_possible(organic, others):
            # Nothing to pair with: acids and inorganic salts are components of a mixture (acetic
            # anhydride in acetic acid is a mixture, not a salt of acetic anhydride).
            organic += _mixture_partners(others)
            mixed = {id(f) for f in others if Chem.MolToSmiles(f) != "O"}
        elif any(_has_carbon(f) for f in organic) and not any(_is_base(f) for f in organic):
            # A mineral acid with nothing basic to protonate is not a counter-ion: "Cl.CO" is
            # methanolic hydrogen chloride, not a hydrochloride salt. It stays a component.
            organic += [f for f in frags if _is_free_mineral_acid(f)]
        if any(_has_carbon(f) for f in organic):
            kept = {id(f) for f in organic} | mixed
            removed = [Chem.MolToSmiles(neutralize(f)) for f in frags if id(f) not in kept]
            if removed:
                steps.append("drop_counter_ions")
            frags = organic
        elif not organic:
            # Nothing but water, acids and ions: a carbon-free input such as KMnO4, or an organic salt
            # former on its own (sodium acetate). Keep the whole input's identity.
            carbon = [f for f in frags if _has_carbon(f)]
            if not carbon:
                return Prepared(mol, [mol], [], steps, inorganic=True, fragments=n_frags, multiplicity=[1])
            if not any(_is_base(f) for f in carbon):
                carbon += [f for f in frags if _is_free_mineral_acid(f)]  # "CC(=O)O.Cl": acids, no salt
            kept = {id(f) for f in carbon}
            removed = [Chem.MolToSmiles(neutralize(f)) for f in frags if id(f) not in kept]
            frags = carbon
            steps.append("drop_counter_ions")
        else:
            # Only elements kept (iodine, phosphorus): they form no salts, so a free mineral acid beside
            # them is a component too ("[P].I" is red phosphorus with hydriodic acid, "II.Cl" iodine
            # in hydrochloric acid), not a counter-ion to drop.
            frags = organic + [f for f in others if _is_free_mineral_acid(f)]
    elif not _has_carbon(mol):
        return Prepared(mol, [mol], [], steps, inorganic=True, fragments=1, multiplicity=[1])
    out: list[Chem.Mol] = []
    seen: dict[str, int] = {}
    counts: list[int] = []
    for f in frags:
        g = neutralize(f) if cues.charges else f
        if g is not f:
            steps.append("neutralize")
        h = drop_isotopes(g) if cues.isotopes else g
        if h is not g:
            steps.append("drop_isotopes")
        if n_frags > 1:
            key = Chem.MolToSmiles(h)
            if key in seen:
                steps.append("deduplicate")
                counts[seen[key]] += 1
                continue
            seen[key] = len(out)
        out.append(h)
        counts.append(1)
    return Prepared(
        mol, out, removed, list(dict.fromkeys(steps)), inorganic=False, fragments=n_frags, multiplicity=counts
    )
