"""How many Spanish chemical names resolve to the structure they mean (not a benchmark of speed).

    .venv/bin/python bench/spanish_names.py [bench/data/spanish_names.yaml] [--no-opsin]

Two lists ship in bench/data: spanish_names.yaml (581 names, written before the translation and then used
to tune it) and spanish_names_heldout.yaml (192 names, written after it and never tuned on: the fair one).

Each entry of the list (es, en, and smiles or cas) is screened by its Spanish name, by its reference
structure (SMILES, else CAS number) and by its English name, in an in-process engine. A name is counted
`ok` when its InChIKey is the reference's, `same_as_english` when it is the English name's (the dictionary
draws some chemicals differently by name and by CAS: open-chain glucose, phosphorous acid's tautomer),
`skeleton_only` when only the first InChIKey block agrees (stereo), otherwise `wrong` or `unresolved`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chem_db import Identifiers  # noqa: E402
from chem_db.compiled import compile_watchlist  # noqa: E402
from chem_db.config import settings  # noqa: E402
from chem_db.engine import Engine  # noqa: E402
from chem_db.watchlist import load_watchlist  # noqa: E402


def main(argv: list[str]) -> None:
    args = [a for a in argv if not a.startswith("--")]
    path = args[0] if args else str(Path(__file__).with_name("data") / "spanish_names.yaml")
    opsin = "--no-opsin" not in argv
    engine = Engine(compile_watchlist(load_watchlist()), replace(settings(), isolate=False, opsin=opsin))
    names = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["names"]
    refs = [
        Identifiers(smiles=x["smiles"]) if x.get("smiles") else Identifiers(cas=x.get("cas")) for x in names
    ]
    keys = []
    for ids in (refs, [Identifiers(name=x["es"]) for x in names], [Identifiers(name=x["en"]) for x in names]):
        keys.append([r.resolved.inchikey if r.resolved else None for r in engine.screen_many(ids)])
    counts: Counter[str] = Counter()
    for x, ref, es, en in zip(names, *keys, strict=True):
        if ref is None:
            status = "no_reference"
        elif es is None:
            status = "unresolved"
        elif es == ref:
            status = "ok"
        elif es == en:
            status = "same_as_english"
        elif es[:14] == ref[:14]:
            status = "skeleton_only"
        else:
            status = "wrong"
        counts[status] += 1
        if status in ("wrong", "unresolved"):
            print(f"{status:12s} {x['es']} ({x['en']})")
    print(json.dumps({"names": len(names), "opsin": opsin, **counts}))


if __name__ == "__main__":
    main(sys.argv[1:])
