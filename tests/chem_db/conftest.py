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


def screen(engine: Engine, **ids: str) -> LineResult:
    return engine.screen(Identifiers(**ids))


__all__ = ["configure", "get_engine", "screen"]
