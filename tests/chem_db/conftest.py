"""Shared fixtures: an in-process engine (pure cost, no worker processes) and an isolated one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# pytest runs with --import-mode=importlib, which does not put the repository root on sys.path.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from chem_db import Identifiers, LineResult, configure, get_engine  # noqa: E402
from chem_db.compiled import compile_watchlist  # noqa: E402
from chem_db.config import settings  # noqa: E402
from chem_db.engine import Engine  # noqa: E402
from chem_db.watchlist import load_watchlist  # noqa: E402


@pytest.fixture(scope="session")
def engine() -> Engine:
    """An engine screening in this process (isolate=False), as tests and benchmarks of the pure cost use."""
    from dataclasses import replace

    return Engine(compile_watchlist(load_watchlist()), replace(settings(), isolate=False))


@pytest.fixture(scope="session")
def watchlist():
    return load_watchlist()


@pytest.fixture(scope="session")
def nci_and_watchlist_mols(watchlist) -> list[tuple[str, object]]:
    """(SMILES, molecule) for RDKit's NCI set of 5,000 structures plus the watchlist's own structures and
    its class and transform examples: the set the prefilter soundness tests run over."""
    from rdkit import Chem, RDConfig

    path = Path(RDConfig.RDDataDir) / "NCI" / "first_5K.smi"
    smiles = [line.split()[0] for line in path.read_text().splitlines() if line.strip()]
    smiles += [e.smiles for e in watchlist.entries if e.kind == "organic"]
    smiles += [ex for c in watchlist.classes for ex in c.examples]
    smiles += [ex for t in watchlist.transforms for pair in t.examples for ex in pair]
    return [(smi, mol) for smi in smiles if (mol := Chem.MolFromSmiles(smi)) is not None]


def screen(engine: Engine, **ids: str) -> LineResult:
    return engine.screen(Identifiers(**ids))


__all__ = ["configure", "get_engine", "screen"]
