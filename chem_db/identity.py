"""Identity of a standardized structure: standard InChI and InChIKey, with the layers matching needs.

The InChIKey's first block is the skeleton (connectivity and hydrogens); the InChI ``/t`` layer is the
relative configuration (the same for a pair of enantiomers, different for diastereomers such as
ephedrine and pseudoephedrine); ``/m`` tells enantiomers apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdkit import Chem
from rdkit.Chem import rdinchi

_FORMULA_ATOM = re.compile(r"([A-Z][a-z]?)(\d*)")


@dataclass(frozen=True)
class Identity:
    """Keys of one structure."""

    inchi: str
    inchikey: str
    formula: str  # Hill formula from the InChI (fragments joined with ".")

    @property
    def skeleton(self) -> str:
        """First InChIKey block: the same for stereoisomers (and isotopologues)."""
        return self.inchikey[:14]

    @property
    def relative_stereo(self) -> str | None:
        """The ``/t`` layer (relative configuration), None when the InChI has none."""
        for layer in self.inchi.split("/"):
            if layer.startswith("t"):
                return layer
        return None

    @property
    def stereo_complete(self) -> bool:
        """True when every stereocentre in the ``/t`` layer is defined ("?" marks an undefined one)."""
        t = self.relative_stereo
        return t is not None and "?" not in t

    def element_counts(self) -> dict[str, int]:
        """Heavy-atom counts by element symbol, from the formula (H not counted; computed once).

        >>> identify(Chem.MolFromSmiles("CCO")).element_counts()
        {'C': 2, 'O': 1}
        """
        # Cached in the instance dict by hand: functools.cached_property takes a lock on every first
        # access in Python 3.11, a measurable cost on a path that runs once per molecule.
        counts: dict[str, int] | None = self.__dict__.get("_element_counts")
        if counts is None:
            formula = self.formula
            if "." not in formula and not formula[:1].isdigit():
                # One fragment (the usual case): each element appears once in a Hill formula.
                counts = {sym: int(n) if n else 1 for sym, n in _FORMULA_ATOM.findall(formula) if sym != "H"}
            else:
                counts = {}
                for part in formula.split("."):
                    atoms = part.lstrip("0123456789")  # "2C2H3O2" in a salt's formula: two of that fragment
                    mult = int(part[: len(part) - len(atoms)] or 1)
                    for sym, n in _FORMULA_ATOM.findall(atoms):
                        if sym != "H":
                            counts[sym] = counts.get(sym, 0) + mult * (int(n) if n else 1)
            self.__dict__["_element_counts"] = counts  # frozen dataclass: no plain assignment
        return counts


def identify(mol: Chem.Mol) -> Identity:
    """Standard InChI, InChIKey and formula of a molecule (RDKit's logging must be muted by the caller).

    >>> identify(Chem.MolFromSmiles("CC(C)=O")).inchikey
    'CSCPPACGZOOCGX-UHFFFAOYSA-N'
    """
    # rdinchi directly: the Chem.MolToInchi wrapper routes every InChI warning through Python logging.
    # "/AuxNone": the auxiliary layer is never used here; skipping it is a few per cent of the InChI
    # time, and the standard InChI itself is unchanged (checked on the NCI set).
    inchi = rdinchi.MolToInchi(mol, "/AuxNone")[0] or ""
    if not inchi:
        raise ValueError("InChI could not be computed for this structure")
    key = rdinchi.InchiToInchiKey(inchi) or ""
    formula = inchi.split("/", 2)[1] if inchi.count("/") >= 1 else ""
    return Identity(inchi, key, formula)


def canonical_smiles(mol: Chem.Mol) -> tuple[str, list[int], list[int]]:
    """Canonical SMILES and, for each atom and bond index of ``mol``, its position in that SMILES.

    Match atoms are reported in the SMILES' own order so a page can highlight them after re-parsing it.

    >>> canonical_smiles(Chem.MolFromSmiles("OCC"))[0]
    'CCO'
    """
    smi = Chem.MolToSmiles(mol)
    atom_order = list(mol.GetProp("_smilesAtomOutputOrder", autoConvert=True)) if mol.GetNumAtoms() else []
    bond_order = list(mol.GetProp("_smilesBondOutputOrder", autoConvert=True)) if mol.GetNumBonds() else []
    atom_pos = [0] * mol.GetNumAtoms()
    for pos, idx in enumerate(atom_order):
        atom_pos[idx] = pos
    bond_pos = [0] * mol.GetNumBonds()
    for pos, idx in enumerate(bond_order):
        bond_pos[idx] = pos
    return smi, atom_pos, bond_pos
