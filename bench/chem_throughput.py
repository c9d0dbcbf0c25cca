"""Throughput of the structure engine on a realistic set of molecules (prints figures; asserts nothing).

Set: the NCI set of ~5,000 drug-like and industrial structures that ships inside RDKit's wheel
(``RDConfig.RDDataDir/NCI/first_5K.smi``), plus the watchlist's own structures so the matching
paths (salts, classes, transforms) are exercised too.

Measured in one run:
1. parse cost: ``Chem.MolFromSmiles`` alone, per molecule;
2. full screening cost, in-process (``isolate=False``): resolution, limits, standardization, InChI,
   exact / isomer / scope / class / transform / similarity matching, result building;
3. catalogue throughput through the isolated worker pool, on one worker and on all cores.

Targets (issue 3 section 6): full screening <= 10x parse (8x within reach), >= 800 molecules/s per
core, >= 1.6x that on two cores.

Usage: ``.venv/bin/python bench/chem_throughput.py [--repeat N] [--limit N]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rdkit import Chem, RDConfig, rdBase  # noqa: E402

from chem_db import Identifiers  # noqa: E402
from chem_db.compiled import compile_watchlist  # noqa: E402
from chem_db.config import settings  # noqa: E402
from chem_db.engine import Engine  # noqa: E402
from chem_db.screen import clear_identity_memo  # noqa: E402
from chem_db.watchlist import load_watchlist  # noqa: E402

CHUNK = 250  # molecules parsed, then screened, in turn


def load_set(limit: int | None) -> list[str]:
    path = Path(RDConfig.RDDataDir) / "NCI" / "first_5K.smi"
    smiles = [line.split()[0] for line in path.read_text().splitlines() if line.strip()]
    smiles += [e.smiles for e in load_watchlist().entries]
    return smiles[:limit] if limit else smiles


def best_of(repeat: int, fn, clock=time.perf_counter) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--profile", action="store_true", help="cProfile the in-process screening instead")
    args = ap.parse_args()
    rdBase.DisableLog("rdApp.*")
    smiles = load_set(args.limit)
    n = len(smiles)
    items = [Identifiers(smiles=s) for s in smiles]
    compiled = compile_watchlist(load_watchlist())
    local = Engine(compiled, replace(settings(), isolate=False))
    local.screen_many(items[:50])  # warm caches

    if args.profile:
        import cProfile
        import pstats

        cProfile.runctx(
            "local.screen_many(items)", globals(), {"local": local, "items": items}, "/tmp/chem.prof"
        )
        pstats.Stats("/tmp/chem.prof").sort_stats("cumulative").print_stats(40)
        return

    # In CPU time of this process, chunk by chunk: each chunk is parsed, then screened, and each chunk's
    # best of --repeat counts. On a shared machine a slow spell stretches even CPU time; in short
    # alternating chunks it weighs on parse and screening alike, so the ratio stays comparable.
    chunks = [range(i, min(i + CHUNK, n)) for i in range(0, n, CHUNK)]
    parse_best = [float("inf")] * len(chunks)
    full_best = [float("inf")] * len(chunks)
    for _ in range(args.repeat):
        for c, chunk in enumerate(chunks):
            part_smiles, part_items = [smiles[i] for i in chunk], [items[i] for i in chunk]
            parse_best[c] = min(
                parse_best[c],
                best_of(1, lambda part=part_smiles: [Chem.MolFromSmiles(s) for s in part], time.process_time),
            )
            # Each repeat screens the chunk cold: the per-process identity memo (canonical SMILES ->
            # InChI) would otherwise answer from the previous repeat, which a catalogue never sees.
            clear_identity_memo()
            full_best[c] = min(
                full_best[c], best_of(1, lambda part=part_items: local.screen_many(part), time.process_time)
            )
    parse, full = sum(parse_best) / n, sum(full_best) / n
    results = local.screen_many(items)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.classification] = counts.get(r.classification, 0) + 1

    # Where the time goes (CPU time per molecule): the mandatory RDKit calls against the matching.
    from chem_db.matching import match_component
    from chem_db.resolve import Candidate
    from chem_db.screen import Structure, prepare_structures

    mols = [m for m in (Chem.MolFromSmiles(s) for s in smiles) if m is not None]
    t_inchi = best_of(1, lambda: [Chem.MolToInchi(m) for m in mols], time.process_time) / n
    t_smiles = best_of(1, lambda: [Chem.MolToSmiles(m) for m in mols], time.process_time) / n
    candidates = [Candidate("smiles", smi, smiles=smi, checked=True) for smi in smiles]
    structures: list[Structure] = []

    def prepare() -> None:  # stage by stage over the whole set, as the engine does per chunk
        clear_identity_memo()
        prepared = prepare_structures(candidates, local.settings)
        # (the set holds a few unparseable structures: they come back as exceptions)
        structures[:] = [st for st in prepared if isinstance(st, Structure)]

    t_prepare = best_of(1, prepare, time.process_time) / n
    contexts = [ctx for st in structures for ctx in st.contexts]
    t_match = best_of(1, lambda: [match_component(compiled, ctx) for ctx in contexts], time.process_time) / n

    cores = os.cpu_count() or 1
    rates = {}
    for workers in sorted({1, cores}):
        eng = Engine(compiled, replace(settings(), isolate=True, workers=workers))
        eng.screen_many(items[: 64 * workers])  # start the children
        elapsed = best_of(args.repeat, lambda eng=eng: eng.screen_many(items))
        rates[workers] = n / elapsed
        eng.close()

    print(f"molecules: {n} (NCI first_5K + watchlist); classifications: {counts}")
    print(
        f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
        "(wall-clock rates need a quiet machine)"
    )
    print(f"parse (Chem.MolFromSmiles):        {parse * 1e6:8.1f} us/molecule (CPU time)")
    print(
        f"full screening, in-process:        {full * 1e6:8.1f} us/molecule "
        f"(CPU time; {1 / full:7.0f} molecules/s)"
    )
    print(f"ratio full / parse:                {full / parse:8.2f}x   (target <= 10x, 8x within reach)")
    print(
        f"  of which InChI {t_inchi * 1e6:.0f} us, canonical SMILES {t_smiles * 1e6:.0f} us (both in every "
        f"result); parse+standardize+identity {t_prepare * 1e6:.0f} us; matching {t_match * 1e6:.0f} us"
    )
    print(f"catalogue, isolated, 1 worker:     {rates[1]:8.0f} molecules/s   (target >= 800)")
    if cores > 1:
        print(
            f"catalogue, isolated, {cores} workers:    {rates[cores]:8.0f} molecules/s   "
            f"scaling {rates[cores] / rates[1]:.2f}x (target >= 1.6x on two cores)"
        )


if __name__ == "__main__":
    main()
