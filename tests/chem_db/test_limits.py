"""Hostile input never hangs or kills the caller: cheap limits before parsing, and isolated workers
with a time and memory limit that are replaced when they die."""

from __future__ import annotations

from dataclasses import replace

import pytest

import chem_db.isolation as isolation
from chem_db import Identifiers, configure
from chem_db.compiled import compile_watchlist
from chem_db.config import Settings, settings
from chem_db.engine import Engine
from chem_db.watchlist import load_watchlist


@pytest.fixture(scope="module")
def compiled():
    return compile_watchlist(load_watchlist())


def _isolated(compiled, **overrides) -> Engine:
    return Engine(compiled, replace(settings(), isolate=True, **overrides))


def _codes(result):
    return [f.code for f in result.findings]


def test_ten_thousand_fragments_refused_before_parsing(engine):
    result = engine.screen(Identifiers(smiles=".".join(["C"] * 10000)))
    assert result.classification == "unresolved" and not result.screened
    assert "LIMIT_EXCEEDED" in _codes(result)


def test_too_many_heavy_atoms_refused_before_parsing(engine):
    result = engine.screen(Identifiers(smiles="C" * 300))
    assert "LIMIT_EXCEEDED" in _codes(result)


def test_long_names_and_identifiers_refused(engine):
    assert "LIMIT_EXCEEDED" in _codes(engine.screen(Identifiers(name="x" * 5000)))
    assert "LIMIT_EXCEEDED" in _codes(engine.screen(Identifiers(inchi="InChI=1S/" + "C" * 5000)))


def test_twenty_thousand_atom_chain_through_isolation_is_never_none(compiled):
    # With the cheap limits raised, the chain reaches RDKit (whose SMILES writer segfaults on it).
    eng = _isolated(
        compiled, max_smiles_length=100_000, max_heavy_atoms=100_000, timeout_seconds=20, workers=1
    )
    try:
        result = eng.screen(Identifiers(smiles="C" * 20000))
        assert result.classification == "unresolved" and not result.screened
        assert {"LIMIT_EXCEEDED", "SCREENING_FAILED"} & set(_codes(result))
        assert eng.screen(Identifiers(smiles="CC(=O)Cc1ccccc1")).classification == "listed"
    finally:
        eng.close()


def test_a_crashing_child_is_replaced_and_the_batch_goes_on(compiled, monkeypatch):
    monkeypatch.setattr(isolation, "CRASH_TRIGGER", "CC(C)(C)C(C)(C)C")
    eng = _isolated(compiled, workers=2)
    try:
        items = [Identifiers(smiles=s) for s in ("CCO", "CC(C)(C)C(C)(C)C", "CC(=O)Cc1ccccc1", "CCO")]
        results = eng.screen_many(items)
        assert [r.classification for r in results] == ["none", "unresolved", "listed", "none"]
        assert "SCREENING_FAILED" in _codes(results[1]) and not results[1].screened
        assert eng._pool is not None and eng._pool.replaced >= 1
        assert eng.screen(Identifiers(cas="103-79-7")).classification == "listed"
    finally:
        eng.close()


def test_a_hanging_child_is_killed_at_the_time_limit(compiled, monkeypatch):
    monkeypatch.setattr(isolation, "HANG_TRIGGER", "CCCCCCCCCCCCCCCCCCCCCCCCN")
    eng = _isolated(compiled, workers=1, timeout_seconds=1.5)
    try:
        results = eng.screen_many(
            [Identifiers(smiles="CCCCCCCCCCCCCCCCCCCCCCCCN"), Identifiers(smiles="CCO")]
        )
        assert results[0].classification == "unresolved" and "LIMIT_EXCEEDED" in _codes(results[0])
        assert results[1].classification == "none"
    finally:
        eng.close()


def test_memory_limit_applies_in_children(compiled):
    eng = _isolated(compiled, workers=1, memory_mb=64)
    try:
        # Small molecules fit easily in the headroom; the limit must not break normal work.
        assert eng.screen(Identifiers(smiles="O=C1CCN(CCc2ccccc2)CC1")).classification == "listed"
    finally:
        eng.close()


def test_isolated_and_in_process_results_agree(compiled, engine):
    eng = _isolated(compiled, workers=2)
    smiles = ["CCO", "CC(=O)Cc1ccccc1", "CN.Cl", "O=C1CCN(CCc2ccc(F)cc2)CC1", "CCOC(=O)C1OC1(C)c1ccccc1"] * 20
    try:
        a = [r.to_dict() for r in eng.screen_many([Identifiers(smiles=s) for s in smiles])]
        b = [r.to_dict() for r in engine.screen_many([Identifiers(smiles=s) for s in smiles])]
        assert a == b
    finally:
        eng.close()


def test_progress_is_reported(engine):
    seen = []
    engine.screen_many(
        [Identifiers(smiles="CCO")] * 5, progress=lambda done, total: seen.append((done, total))
    )
    assert seen[-1] == (5, 5)


def test_configure_rejects_unknown_settings():
    with pytest.raises(TypeError):
        configure(colour="red")
    assert isinstance(settings(), Settings)


def test_reload_with_a_bad_file_keeps_the_old_engine(monkeypatch):
    import chem_db.engine as engine_module
    from chem_db import WatchlistError, get_engine, reload_engine

    old = get_engine()

    def broken(*_args, **_kwargs):
        raise WatchlistError("entries/ats.yaml", "ephedrine", "cas", "check digit is wrong")

    monkeypatch.setattr(engine_module, "load_watchlist", broken)
    with pytest.raises(WatchlistError):
        reload_engine()
    assert get_engine() is old
    assert old.screen(Identifiers(cas="103-79-7")).classification == "listed"


def test_pool_is_created_afresh_in_a_forked_process(compiled):
    """Under gunicorn the app is imported, then workers fork: each must start its own children."""
    import multiprocessing as mp

    eng = _isolated(compiled, workers=1)
    try:
        assert eng.screen(Identifiers(smiles="CCO")).classification == "none"  # pool started here
        ctx = mp.get_context("fork")
        queue = ctx.Queue()

        def child() -> None:
            queue.put(eng.screen(Identifiers(smiles="O=C1CCN(CCc2ccccc2)CC1")).classification)

        proc = ctx.Process(target=child)
        proc.start()
        proc.join(60)
        assert queue.get(timeout=5) == "listed"
    finally:
        eng.close()


def test_concurrent_threads_share_one_engine(compiled):
    from concurrent.futures import ThreadPoolExecutor

    eng = _isolated(compiled, workers=2)
    smiles = ["CCO", "CC(=O)Cc1ccccc1", "O=C1CCN(CCc2ccccc2)CC1", "CN.Cl"] * 10
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            got = list(pool.map(lambda s: eng.screen(Identifiers(smiles=s)).classification, smiles))
        assert got == ["none", "listed", "listed", "listed"] * 10
    finally:
        eng.close()


def test_children_exit_when_their_parent_is_killed(compiled, monkeypatch):
    """A gunicorn worker killed with SIGKILL cannot stop its chemistry children: they notice and exit."""
    import multiprocessing as mp
    import os
    import signal
    import time

    monkeypatch.setattr(isolation, "PARENT_CHECK_SECONDS", 0.2)
    ctx = mp.get_context("fork")
    pids = ctx.Queue()

    def worker() -> None:  # stands in for a gunicorn worker: starts two children, then waits to be killed
        eng = _isolated(compiled, workers=2)
        eng.screen_many([Identifiers(smiles=s) for s in ("CCO", "CC(C)=O") * 40])
        pids.put([child.pid for child in mp.active_children()])
        time.sleep(600)

    proc = ctx.Process(target=worker)
    proc.start()
    children = pids.get(timeout=60)
    assert len(children) == 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)

    def alive(pid: int) -> bool:  # a zombie (exited, not yet reaped by init) counts as gone
        try:
            with open(f"/proc/{pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 15
    try:
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in children)
    finally:
        for pid in children:  # never leave them behind (they would hold the test run's output open)
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


# --- the pool's chunk protocol: a child prepares a chunk stage by stage, and marks which line it is on ---


def _staged_work(tasks, mark):
    """Stands in for the engine's batch work: a first stage over every task, then each task's result.
    "crash" dies and "hang" sleeps in the first stage, while earlier tasks are half done; ("slow", s)
    takes s seconds in each of the two stages."""
    import os
    import signal
    import time

    for position, task in enumerate(tasks):
        mark(position)
        if task == "crash":
            os.kill(os.getpid(), signal.SIGKILL)
        if task == "hang":
            time.sleep(600)
        if isinstance(task, tuple):
            time.sleep(task[1])
    for position, task in enumerate(tasks):
        mark(position)
        if isinstance(task, tuple):
            time.sleep(task[1])
        if task == "raise":
            yield position, ValueError("odd input")
        elif task == "memory":
            yield position, MemoryError()
        else:
            yield position, f"done {task}"


def _failure(task, code, why):
    return (code, task)


def _pool(timeout: float) -> isolation.WorkerPool:
    return isolation.WorkerPool(_staged_work, _failure, size=1, timeout=timeout, memory_mb=0)


def test_a_crash_mid_chunk_fails_only_the_line_being_worked_on():
    pool = _pool(timeout=30)
    try:
        results = pool.run(["a", "b", "crash", "c", "d"])
        assert results == ["done a", "done b", ("SCREENING_FAILED", "crash"), "done c", "done d"]
        assert pool.replaced == 1
    finally:
        pool.close()


def test_a_hang_mid_chunk_is_stopped_at_the_time_limit_and_the_rest_goes_on():
    pool = _pool(timeout=1.0)
    try:
        results = pool.run(["a", "hang", "b"])
        assert results == ["done a", ("LIMIT_EXCEEDED", "hang"), "done b"]
    finally:
        pool.close()


def test_the_time_limit_is_per_line_not_per_chunk():
    # Six lines of 2 x 0.3 s each: 3.6 s for the chunk, 0.6 s for each line, under a 1.5 s limit.
    pool = _pool(timeout=1.5)
    try:
        tasks = [("slow", 0.3)] * 6
        assert pool.run(tasks) == [f"done {t}" for t in tasks]
        assert pool.replaced == 0
        # A line over the limit in its two stages together (2 x 0.9 s) is stopped; the others are not.
        assert pool.run(["a", ("slow", 0.9), "b"]) == ["done a", ("LIMIT_EXCEEDED", ("slow", 0.9)), "done b"]
    finally:
        pool.close()


def test_exceptions_in_a_child_become_that_lines_failure():
    pool = _pool(timeout=30)
    try:
        results = pool.run(["a", "raise", "memory", "b"])
        assert results[0] == "done a" and results[3] == "done b"
        assert results[1] == ("SCREENING_FAILED", "raise") and results[2] == ("LIMIT_EXCEEDED", "memory")
        assert pool.replaced == 0
    finally:
        pool.close()


def test_a_batch_prepared_stage_by_stage_gives_each_line_its_own_result(engine):
    """Lines are parsed, standardized and identified stage by stage for a whole chunk; a bad line in
    the middle must neither fail its neighbours nor lend them anything."""
    items = [
        Identifiers(smiles="CC(=O)Cc1ccccc1"),  # P2P
        Identifiers(smiles="C1CC"),  # unclosed ring
        Identifiers(smiles="CN.Cl"),  # methylamine hydrochloride
        Identifiers(smiles="C" * 300),  # over the atom limit
        Identifiers(cas="67-64-1", smiles="Cc1ccccc1"),  # acetone's CAS, toluene's SMILES
        Identifiers(smiles="CCO.O=C1CCN(CCc2ccccc2)CC1"),  # ethanol with NPP
        Identifiers(name="pseudoephedrine hydrochloride"),
        Identifiers(smiles="CCO"),
    ]
    together = [r.to_dict() for r in engine.screen_many(items)]
    alone = [engine.screen(item).to_dict() for item in items]
    assert together == alone
    assert [r["classification"] for r in together] == [
        "listed", "unresolved", "listed", "unresolved", "listed", "listed", "listed", "none"
    ]
