"""How many English common, trade and industrial chemical names resolve to what they mean (not a benchmark).

    .venv/bin/python bench/trade_names.py [bench/data/trade_names.yaml] [--no-opsin] [-v]

The list (bench/data/trade_names.yaml) was written before reading chem_db code. Each entry is screened by its
name, and (when it has one) by its reference structure (SMILES, else CAS number), in an in-process engine.

- a name with a reference structure is `ok` when its InChIKey is the reference's (or, for `kind: mixture`,
  when one of its components is), `skeleton_only` when only the first InChIKey block agrees, otherwise
  `wrong` or `unresolved`;
- `kind: substance | polymer | mixture` without a structure is `ok` when the name resolves with a
  VARIABLE_COMPOSITION, POLYMER or MIXTURE finding, `wrong` when it resolves to one plain structure;
- `kind: ambiguous` (a name meaning different chemicals in different trades) is `ok` when it stays
  unresolved, `wrong` when it resolves;
- an entry with `judged:` (a note added on review, after the blind measurement) counts `ok_judged` instead of
  `wrong` or `skeleton_only`: the engine's reading was judged right although not the one first written.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chem_db import Identifiers, LineResult  # noqa: E402
from chem_db.compiled import compile_watchlist  # noqa: E402
from chem_db.config import settings  # noqa: E402
from chem_db.engine import Engine  # noqa: E402
from chem_db.watchlist import load_watchlist  # noqa: E402

_NOT_ONE_STRUCTURE = {"VARIABLE_COMPOSITION", "POLYMER", "MIXTURE"}


def status(entry: dict, ref: LineResult | None, got: LineResult) -> str:
    """The outcome of one name: ok | skeleton_only | wrong | unresolved | no_reference."""
    kind = entry.get("kind", "structure")
    res = got.resolved
    if kind == "ambiguous":
        return "ok" if res is None else "wrong"
    if res is None:
        return "unresolved"
    codes = {f.code for f in got.findings}
    if ref is None:
        if entry.get("smiles") or entry.get("cas"):
            return "no_reference"
        return "ok" if codes & _NOT_ONE_STRUCTURE else "wrong"
    key = ref.resolved.inchikey if ref.resolved else None
    if key is None:
        return "no_reference"
    if res.inchikey == key:
        return "ok"
    if kind == "mixture" and key in {c.inchikey for c in res.components}:
        return "ok"
    if res.inchikey[:14] == key[:14]:
        return "skeleton_only"
    return "wrong"


def measure(engine: Engine, names: list[dict]) -> list[tuple[dict, str, LineResult]]:
    ref_ids = [
        Identifiers(smiles=x["smiles"])
        if x.get("smiles")
        else Identifiers(cas=str(x["cas"]))
        if x.get("cas")
        else None
        for x in names
    ]
    given = [i for i in ref_ids if i is not None]
    screened = iter(engine.screen_many(given)) if given else iter(())
    refs = [next(screened) if i is not None else None for i in ref_ids]
    got = engine.screen_many([Identifiers(name=x["name"]) for x in names])
    rows = []
    for x, r, g in zip(names, refs, got, strict=True):
        st = status(x, r, g)
        rows.append((x, "ok_judged" if x.get("judged") and st in ("wrong", "skeleton_only") else st, g))
    return rows


def main(argv: list[str]) -> None:
    args = [a for a in argv if not a.startswith("-")]
    path = args[0] if args else str(Path(__file__).with_name("data") / "trade_names.yaml")
    engine = Engine(
        compile_watchlist(load_watchlist()),
        replace(settings(), isolate=False, opsin="--no-opsin" not in argv),
    )
    names = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["names"]
    rows = measure(engine, names)
    counts = Counter(s for _, s, _ in rows)
    if "-v" in argv:
        for x, s, g in rows:
            if s not in ("ok", "ok_judged"):
                r = g.resolved
                print(f"{s:14} {x['name']!r:40} -> {r.name if r else None!r} {r.smiles if r else ''}")
    print(dict(sorted(counts.items())), "of", len(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
