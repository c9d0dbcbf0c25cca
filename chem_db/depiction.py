"""SVG depictions with the matched part highlighted, safe to inline in a page."""

from __future__ import annotations

import html
from collections.abc import Sequence

from rdkit import Chem, rdBase
from rdkit.Chem.Draw import rdMolDraw2D

# Longest SMILES drawn (the engine's own limit applies upstream; this guards direct callers).
_MAX_DEPICT_LENGTH = 2000
_HIGHLIGHT = (1.0, 0.55, 0.2)  # orange: readable on white, distinct from element colours


def _placeholder(width: int, height: int, text: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>{html.escape(text)}</title>'
        f'<text x="8" y="{height // 2}" font-family="sans-serif" font-size="12">'
        f"{html.escape(text)}</text></svg>"
    )


def depict_svg(
    smiles: str,
    highlight_atoms: Sequence[int] = (),
    highlight_bonds: Sequence[int] = (),
    width: int = 300,
    height: int = 220,
) -> str:
    """An SVG drawing of ``smiles`` with the given atoms and bonds coloured (indices in SMILES order).

    Returns a small placeholder SVG (never raises) when the SMILES cannot be drawn. The SVG has no XML
    declaration and no script, so it can be inlined in HTML.

    >>> svg = depict_svg("CC(=O)Cc1ccccc1", highlight_atoms=[0, 1, 2, 3])
    >>> svg.startswith("<svg") and "</svg>" in svg
    True
    >>> "could not be drawn" in depict_svg("C1CC")
    True
    """
    width = max(50, min(int(width), 2000))
    height = max(50, min(int(height), 2000))
    if (
        not isinstance(smiles, str)
        or not smiles
        or len(smiles) > _MAX_DEPICT_LENGTH
        or any(c.isspace() for c in smiles)
    ):
        return _placeholder(width, height, "structure could not be drawn")
    blocker = rdBase.BlockLogs()
    try:
        mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            return _placeholder(width, height, "structure could not be drawn")
        n_atoms, n_bonds = mol.GetNumAtoms(), mol.GetNumBonds()
        atoms = [int(a) for a in highlight_atoms if 0 <= int(a) < n_atoms]
        bonds = [int(b) for b in highlight_bonds if 0 <= int(b) < n_bonds]
        drawer = rdMolDraw2D.MolDraw2DSVG(width, height)
        drawer.drawOptions().clearBackground = False  # type: ignore[assignment]
        rdMolDraw2D.PrepareAndDrawMolecule(
            drawer,
            mol,
            highlightAtoms=atoms,
            highlightBonds=bonds,
            highlightAtomColors={a: _HIGHLIGHT for a in atoms},
            highlightBondColors={b: _HIGHLIGHT for b in bonds},
        )
        drawer.FinishDrawing()
        svg = drawer.GetDrawingText()
    except Exception:  # noqa: BLE001 - a drawing failure must not break a page
        return _placeholder(width, height, "structure could not be drawn")
    finally:
        del blocker
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg
