"""Running RDKit work where a hostile structure cannot hang or kill the caller.

A small pool of child processes (forked lazily, per calling process, so it works under gunicorn's
pre-fork workers) screens lines, a chunk of lines at a time. Each child has an address-space limit
(``RLIMIT_AS``) and marks, in memory it shares with the parent, which line it is working on; the
parent allows each line at most ``timeout_seconds`` of that work. A child that runs over is killed and
replaced; a child that dies (segfault, out of memory) is replaced; the line it was on comes back
``unresolved`` with ``LIMIT_EXCEEDED`` or ``SCREENING_FAILED`` and ``screened=False``, and the other
lines of its chunk go on in a new child.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from rdkit import rdBase

from . import results as R

# Test-only hooks: a child that receives a SMILES equal to CRASH_TRIGGER kills itself with SIGKILL, and
# one that receives HANG_TRIGGER sleeps forever, to prove a crashing or hanging structure leaves the
# pool working. Never set outside tests.
CRASH_TRIGGER: str | None = None
HANG_TRIGGER: str | None = None

# Work on a chunk of tasks: yields (position in the chunk, result or the exception it raised), and
# calls mark(position) before each piece of work on a task, so that time and a crash are charged to it.
Mark = Callable[[int], None]
Work = Callable[[Sequence[Any], Mark], Iterator[tuple[int, Any]]]
Failure = Callable[[Any, str, str], R.LineResult]

# Lines sent to a child at a time, prepared stage by stage together (see screen.prepare_structures);
# their results still come back one by one.
CHUNK_SIZE = 32
PARENT_CHECK_SECONDS = 2.0  # how often an idle child checks that its parent is still there
_WAIT_SLICE_SECONDS = 0.25  # how often the parent looks at which line a busy child is on


def _vm_size_bytes() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _child_main(conn: Connection, work: Work, memory_mb: int, current: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when children stop
    # A forked child inherits the parent's handlers (gunicorn's SIGTERM handler ignores it in a child):
    # a plain SIGTERM must end it, or every graceful shutdown waits out gunicorn's timeout.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if memory_mb > 0:
        limit = _vm_size_bytes() + memory_mb * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass
    rdBase.DisableLog("rdApp.*")
    parent = os.getppid()
    while True:
        try:
            # A sibling forked later holds a copy of this pipe's other end, so a parent killed outright
            # (SIGKILL) never shows up as end-of-file: look for it while idle instead.
            if not conn.poll(PARENT_CHECK_SECONDS):
                if os.getppid() != parent:
                    return  # the parent is gone; nobody will ask again
                continue
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        if not _run_in_child(conn, work, msg, current):
            return


def _run_in_child(conn: Connection, work: Work, msg: list[tuple[int, Any]], current: Any) -> bool:
    """Work on one chunk and send each task's result; False when the parent can no longer be told."""
    indices = [index for index, _ in msg]
    tasks = [task for _, task in msg]

    def mark(position: int) -> None:
        current.value = indices[position]

    for position, task in enumerate(tasks):
        if CRASH_TRIGGER is not None and _mentions(task, CRASH_TRIGGER):
            mark(position)
            os.kill(os.getpid(), signal.SIGKILL)
        if HANG_TRIGGER is not None and _mentions(task, HANG_TRIGGER):
            mark(position)
            while True:
                time.sleep(60)
    sent: set[int] = set()
    try:
        for position, result in work(tasks, mark):
            if isinstance(result, BaseException):
                result = _failure_of(result)
            conn.send((indices[position], result))
            sent.add(position)
    except (OSError, ValueError):
        return False
    except Exception as exc:  # noqa: BLE001 - the tasks not yet answered fail with it
        failure = _failure_of(exc)
        for position in range(len(tasks)):
            if position not in sent:
                try:
                    conn.send((indices[position], failure))
                except (OSError, ValueError):
                    return False
    return True


def _failure_of(exc: BaseException) -> tuple[str, str]:
    """The (code, message) a child reports for a task whose work raised ``exc``."""
    if isinstance(exc, MemoryError):
        return ("LIMIT_EXCEEDED", "The structure needed more memory than the worker limit allows.")
    return ("SCREENING_FAILED", f"Screening failed: {type(exc).__name__}: {exc}")


def _mentions(task: Any, trigger: str) -> bool:
    return any(getattr(c, "smiles", None) == trigger for c in getattr(task, "candidates", ()))


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection
    current: Any  # shared int: the index of the task the child is working on (-1: none yet)

    def stop(self, kill: bool = False) -> None:
        try:
            if kill:
                self.process.kill()
            else:
                self.conn.send(None)
        except (OSError, ValueError, AttributeError):
            pass
        self.process.join(timeout=1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=1)
        self.conn.close()


class WorkerPool:
    """Child processes running ``work`` on chunks of tasks, with a per-task time limit and a memory limit."""

    def __init__(self, work: Work, failure: Failure, size: int, timeout: float, memory_mb: int) -> None:
        self._work = work
        self._failure = failure
        self._size = max(1, size)
        self._timeout = timeout
        self._memory_mb = memory_mb
        self._pid = os.getpid()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._started = 0
        self._closed = False
        self.replaced = 0  # children replaced after a timeout or a crash (for tests and monitoring)

    @property
    def size(self) -> int:
        return self._size

    def _spawn(self) -> _Worker:
        ctx = mp.get_context("fork")
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        current = ctx.RawValue("q", -1)  # shared memory, no lock: one writer (the child)
        proc = ctx.Process(
            target=_child_main, args=(child_conn, self._work, self._memory_mb, current), daemon=True
        )
        proc.start()
        child_conn.close()
        return _Worker(proc, parent_conn, current)

    def _acquire(self) -> _Worker:
        while True:
            with self._lock:
                if self._idle.empty() and self._started < self._size:
                    self._started += 1
                    break
            try:
                return self._idle.get(timeout=0.05)
            except queue.Empty:
                continue
        try:
            return self._spawn()
        except Exception:
            with self._lock:
                self._started -= 1
            raise

    def _release(self, w: _Worker | None) -> None:
        if w is None:
            with self._lock:
                self._started -= 1
            return
        self._idle.put(w)

    def run(self, tasks: Sequence[Any], progress: Callable[[int], None] | None = None) -> list[R.LineResult]:
        """Results for ``tasks`` in order, spread over the pool's children."""
        if os.getpid() != self._pid:
            raise RuntimeError("WorkerPool used from a forked process; make a new one")
        results: list[R.LineResult | None] = [None] * len(tasks)
        chunks: queue.Queue[list[int]] = queue.Queue()
        order = list(range(len(tasks)))
        for i in range(0, len(order), CHUNK_SIZE):
            chunks.put(order[i : i + CHUNK_SIZE])
        n_threads = min(self._size, chunks.qsize())
        done_lock = threading.Lock()

        def drain() -> None:
            while True:
                try:
                    chunk = chunks.get_nowait()
                except queue.Empty:
                    return
                self._run_chunk(chunk, tasks, results)
                if progress is not None:
                    with done_lock:
                        progress(len(chunk))

        if n_threads <= 1:
            drain()
        else:
            threads = [threading.Thread(target=drain, daemon=True) for _ in range(n_threads)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        return [
            r if r is not None else self._failure(tasks[i], "SCREENING_FAILED", "No result.")
            for i, r in enumerate(results)
        ]

    def _run_chunk(self, chunk: list[int], tasks: Sequence[Any], results: list[R.LineResult | None]) -> None:
        remaining = list(chunk)
        while remaining:
            w: _Worker | None = self._acquire()
            assert w is not None
            w.current.value = -1
            try:
                w.conn.send([(i, tasks[i]) for i in remaining])
            except (OSError, ValueError):
                w.stop(kill=True)
                self._release(None)
                self.replaced += 1
                continue
            spent: dict[int, float] = {}  # seconds of the child's work charged to each task
            last = time.monotonic()
            while remaining:
                try:
                    ready = w.conn.poll(_WAIT_SLICE_SECONDS)
                    msg = w.conn.recv() if ready else None
                except (EOFError, OSError):
                    ready, msg = True, None
                now = time.monotonic()
                marked = w.current.value
                current = marked if marked in remaining else remaining[0]
                spent[current] = spent.get(current, 0.0) + (now - last)
                last = now
                if msg is None and not ready and spent[current] < self._timeout:
                    continue  # still working, within its time
                if msg is None:
                    code, why = (
                        ("LIMIT_EXCEEDED", f"Screening took longer than {self._timeout:g} s and was stopped.")
                        if not ready
                        else (
                            "SCREENING_FAILED",
                            "The worker process screening this structure died "
                            "(crash or memory limit); the structure was not screened.",
                        )
                    )
                    results[current] = self._failure(tasks[current], code, why)
                    remaining.remove(current)
                    w.stop(kill=True)
                    self._release(None)
                    self.replaced += 1
                    w = None
                    break
                index, result = msg
                if isinstance(result, tuple):
                    results[index] = self._failure(tasks[index], result[0], result[1])
                else:
                    results[index] = result
                remaining.remove(index)
            if w is not None:
                self._release(w)

    def close(self) -> None:
        """Stop every idle child (children busy in other threads stop when they finish)."""
        self._closed = True
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            if os.getpid() == self._pid:
                w.stop()
        with self._lock:
            self._started = 0
