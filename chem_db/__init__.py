"""chem_db: the precursor watchlist and the structure engine that screens chemicals against it.

Public API (what ``screening`` codes against)::

    from chem_db import (Identifiers, LineResult, get_engine, reload_engine, depict_svg, configure,
                         WatchlistError)
    result = get_engine().screen(Identifiers(cas="103-79-7"))

This package never imports Flask, ``screening`` or ``rules`` (see ``shared/style.md``).
"""

from __future__ import annotations

from .config import Settings, configure
from .depiction import depict_svg
from .engine import Engine, get_engine, reload_engine
from .results import Finding, Identifiers, LineResult, Match, Resolved
from .watchlist import WatchlistError

__all__ = [
    "Engine",
    "Finding",
    "Identifiers",
    "LineResult",
    "Match",
    "Resolved",
    "Settings",
    "WatchlistError",
    "configure",
    "depict_svg",
    "get_engine",
    "reload_engine",
]
