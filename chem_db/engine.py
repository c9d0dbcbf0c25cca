"""The structure engine: one compiled watchlist, screening lines in-process or in isolated workers."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from rdkit import Chem, rdBase

from . import results as R
from .compiled import CompiledWatchlist, compile_watchlist
from .config import Settings, settings
from .identity import identify
from .isolation import CHUNK_SIZE, WorkerPool
from .resolve import Resolution, clean_trade_name, name_key, other_meanings_of, resolve, resolve_name
from .screen import ENGINE_VERSION, screen_resolutions, unresolved
from .standardize import standardize
from .watchlist import load_watchlist


def _as_identifiers(item: R.Identifiers | Mapping[str, Any]) -> R.Identifiers:
    if isinstance(item, R.Identifiers):
        return item
    fields = ("cas", "smiles", "name", "inchi", "inchikey")
    return R.Identifiers(**{k: item.get(k) for k in fields})


class Engine:
    """Screens chemicals against one compiled watchlist version. Thread-safe.

    >>> engine = get_engine()
    >>> engine.screen(R.Identifiers(cas="67-64-1")).matches[0].entry_id
    'acetone'
    >>> engine.screen(R.Identifiers(smiles="CCO <anything>")).classification
    'unresolved'
    """

    def __init__(self, compiled: CompiledWatchlist, config: Settings | None = None) -> None:
        self.compiled = compiled
        self.settings = config or settings()
        self.version: str = compiled.version
        self.engine_version = ENGINE_VERSION
        self._pool: WorkerPool | None = None
        self._pool_lock = threading.Lock()

    # -- public -------------------------------------------------------------------------------
    def screen(
        self, identifiers: R.Identifiers | Mapping[str, Any], product: str | None = None
    ) -> R.LineResult:
        """Screen one chemical. Never raises on bad input: problems come back as findings."""
        return self.screen_many([identifiers], products=[product])[0]

    def screen_many(
        self,
        items: Iterable[R.Identifiers | Mapping[str, Any]],
        progress: Callable[[int, int], None] | None = None,
        products: list[str | None] | None = None,
    ) -> list[R.LineResult]:
        """Screen a catalogue; work is spread over the worker processes. Results are in input order."""
        ids = [_as_identifiers(x) for x in items]
        total = len(ids)
        try:
            resolutions = resolve(ids, self.compiled, self.settings)
        except Exception as exc:  # noqa: BLE001 - never raise on input
            return [self._failed(Resolution(), "SCREENING_FAILED", f"Resolution failed: {exc}") for _ in ids]
        results: list[R.LineResult | None] = [None] * total
        todo: list[int] = []
        for i, res in enumerate(resolutions):
            if res.candidates:
                todo.append(i)
                continue
            findings = res.findings or [
                R.Finding("IDENTIFIER_MISSING", "No CAS number, SMILES, name, InChI or InChIKey was given.")
            ]
            limited = any(f.code == "LIMIT_EXCEEDED" for f in findings)
            results[i] = unresolved(res, self.version, findings, screened=False if limited else False)
        done = [total - len(todo)]

        def tick(n: int) -> None:
            done[0] += n
            if progress is not None:
                progress(done[0], total)

        if progress is not None and done[0]:
            progress(done[0], total)
        if todo:
            tasks = [resolutions[i] for i in todo]
            if self.settings.isolate:
                out = self._get_pool().run(tasks, tick)
            else:
                rdBase.DisableLog("rdApp.*")  # warnings about odd input become findings, not log noise
                out = self._screen_in_process(tasks, tick)
            for i, r in zip(todo, out, strict=True):
                results[i] = r
        final = [
            r if r is not None else self._failed(resolutions[i], "SCREENING_FAILED", "No result.")
            for i, r in enumerate(results)
        ]
        for r, ids_given in zip(final, ids, strict=True):
            r.identifiers_given = {k: str(v) for k, v in vars(ids_given).items() if v is not None and v != ""}
        if products:
            for r, product in zip(final, products, strict=False):
                if product:
                    _note_product(self.compiled, r, product)
        return final

    def warm_up(self, dictionary: bool = True) -> None:
        """Build the lazy parts now (the CAS/name dictionary, the worker pool) instead of on the first
        request that needs them; e.g. from a gunicorn ``post_fork`` hook or an app start-up hook."""
        if dictionary:
            from .dictionary import get_dictionary

            get_dictionary()
        self.screen(R.Identifiers(smiles="CC(C)=O"))

    def close(self) -> None:
        """Stop the worker processes (a new pool starts on the next isolated call)."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    # -- internals ----------------------------------------------------------------------------
    def _screen_in_process(self, tasks: list[Resolution], tick: Callable[[int], None]) -> list[R.LineResult]:
        out: list[R.LineResult] = []
        for start in range(0, len(tasks), CHUNK_SIZE):
            batch = tasks[start : start + CHUNK_SIZE]
            for position, r in screen_resolutions(self.compiled, batch, self.settings):
                if isinstance(r, Exception):
                    r = self._failed(
                        batch[position], "SCREENING_FAILED", f"Screening failed: {type(r).__name__}: {r}"
                    )
                out.append(r)
            tick(len(batch))
        return out

    def _work(self, tasks: Sequence[Resolution], mark: Callable[[int], None]) -> Iterator[tuple[int, Any]]:
        return screen_resolutions(self.compiled, tasks, self.settings, mark)

    def _failed(self, res: Resolution, code: str, message: str) -> R.LineResult:
        return unresolved(res, self.version, [*res.findings, R.Finding(code, message)])

    def _get_pool(self) -> WorkerPool:
        import os

        with self._pool_lock:
            if self._pool is None or self._pool._pid != os.getpid():
                s = self.settings
                self._pool = WorkerPool(
                    self._work, self._failed, s.worker_count(), s.timeout_seconds, s.memory_mb
                )
            return self._pool


def _note_product(cw: CompiledWatchlist, result: R.LineResult, product: str) -> None:
    """Record when the product name itself names a chemical the structure is not: a watchlist chemical,
    or, on a line that matched the watchlist, any other known chemical (PRODUCT_NAME_MISMATCH), or names
    the very chemical the identifiers resolve to (PRODUCT_NAME_AGREES:
    a systematic or trade name the rules' own synonyms lack is still an honest label)."""
    head = product.split(",")[0].strip()
    cand = resolve_name(product, cw) or (resolve_name(head, cw) if head and head != product else None)
    if cand is None:
        return
    if cand.entry_id is not None:
        agrees = any(m.entry_id == cand.entry_id for m in result.matches) or bool(
            result.resolved and result.resolved.inchikey in dict(other_meanings_of(product, cw))
        )
    else:
        agrees = bool(result.matches) and cand.smiles is not None and _same_structure(cand.smiles, result)
    if agrees:
        result.findings.append(
            R.Finding(
                "PRODUCT_NAME_AGREES",
                f"The product name {product!r} names the chemical the identifiers resolve to.",
                "product",
            )
        )
        return
    if cand.entry_id is None:
        # The product names another, unlisted chemical ("Sodium chloride" on methylamine): a listed
        # chemical or an analogue under the name of something else is the mislabelling the rules look for.
        if cand.smiles is None or not result.matches:
            return
        if _bare_acronym(product, cw):
            return
    elif any(m.entry_id == cand.entry_id or m.leads_to == cand.entry_id for m in result.matches):
        return
    result.findings.append(
        R.Finding(
            "PRODUCT_NAME_MISMATCH",
            f"The product name {product!r} names {cand.name or cand.smiles}, but the identifiers resolve "
            "to something else.",
            "product",
            {"product_entry": cand.entry_id, "product_smiles": cand.smiles},
        )
    )


_ACRONYM = re.compile(r"[A-Z0-9]{1,4}")


def _bare_acronym(product: str, cw: CompiledWatchlist) -> bool:
    """Whether the product names its chemical only by a capital-letter abbreviation of up to four
    characters that the reviewed lexicon does not record ("NE (nitroethane)", "MA 40%", "BTX", "AR"):
    the bulk dictionary reads such letters as some compound's synonym (neon, mesalazine, batrachotoxin,
    argon), far too loosely to say the label names another chemical. Lexicon abbreviations ("IPA",
    "DCM") and written names and formulas ("NaCl", "Ethanol") still count. A description that is only
    grade words ("AR", "USP") names no chemical at all."""
    text = clean_trade_name(product).strip()
    return not text or (bool(_ACRONYM.fullmatch(text)) and name_key(text) not in cw.known_by_name)


def _same_structure(smiles: str, result: R.LineResult) -> bool:
    """Whether ``smiles`` (a dictionary or watchlist structure, never the caller's input) standardizes to
    a component of what the line resolved to."""
    if result.resolved is None:
        return False
    keys = {result.resolved.inchikey, *(c.inchikey for c in result.resolved.components)}
    try:
        mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            return False
        return any(identify(c).inchikey in keys for c in standardize(mol).components)
    except Exception:  # noqa: BLE001 - a label check must never fail the screening
        return False


_engine: Engine | None = None
_engine_lock = threading.Lock()


def get_engine() -> Engine:
    """The engine for the current watchlist, compiled once per process (thread-safe).

    A later :func:`~chem_db.configure` call takes effect here: the compiled watchlist is kept and
    only the engine (and its worker pool) is replaced.
    """
    global _engine
    eng = _engine
    if eng is not None and eng.settings is settings():
        return eng
    old = None
    with _engine_lock:
        if _engine is None:
            _engine = Engine(compile_watchlist(load_watchlist(), settings().max_tautomers), settings())
        elif _engine.settings is not settings():
            old = _engine
            _engine = Engine(old.compiled, settings())
        eng = _engine
    if old is not None:
        old.close()
    return eng


def reload_engine() -> Engine:
    """Re-read the watchlist data; on a bad file raise ``WatchlistError`` and keep the old engine."""
    global _engine
    wl = load_watchlist()  # raises WatchlistError before anything is replaced
    with _engine_lock:
        old = _engine
        if old is not None and old.version == wl.version and old.settings == settings():
            return old
        _engine = Engine(compile_watchlist(wl, settings().max_tautomers), settings())
    if old is not None:
        old.close()
    return _engine
