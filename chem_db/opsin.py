"""Systematic (IUPAC) names to SMILES through OPSIN, the jar bundled with ``py2opsin``.

OPSIN needs a Java runtime. It is optional: when Java is missing, or OPSIN does not answer within the
configured time, names it would have parsed stay unresolved and the result says so
(``OPSIN_UNAVAILABLE``). Names are sent in one batch per call, so a catalogue starts the JVM once.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile


@functools.lru_cache(maxsize=1)
def opsin_jar() -> str | None:
    """Path of the OPSIN jar, or None when py2opsin is not installed."""
    try:
        import py2opsin
    except Exception:  # noqa: BLE001 - any import failure means "not available"
        return None
    folder = os.path.dirname(py2opsin.__file__)
    for name in sorted(os.listdir(folder)):
        if name.startswith("opsin") and name.endswith(".jar"):
            return os.path.join(folder, name)
    return None


@functools.lru_cache(maxsize=1)
def java_available() -> bool:
    """True when a ``java`` executable is on the PATH."""
    return shutil.which("java") is not None


def opsin_available() -> bool:
    """True when names can be sent to OPSIN."""
    return java_available() and opsin_jar() is not None


_cache: dict[str, str | None] = {}
_CACHE_LIMIT = 20_000  # names kept per process; the cache is dropped when it grows past this


def names_to_smiles(names: list[str], timeout: float) -> dict[str, str | None] | None:
    """SMILES for each name OPSIN can parse (None for the ones it cannot); None if OPSIN is unavailable.

    >>> if opsin_available():
    ...     names_to_smiles(["propan-2-one"], 60)["propan-2-one"]
    ... else:
    ...     'CC(C)=O'
    'CC(C)=O'
    """
    if not opsin_available():
        return None
    if len(_cache) > _CACHE_LIMIT:
        _cache.clear()
    todo = [n for n in dict.fromkeys(names) if n not in _cache and "\n" not in n]
    if todo:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "names.txt")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write("\n".join(todo) + "\n")
            try:
                proc = subprocess.run(
                    ["java", "-Xmx256m", "-jar", str(opsin_jar()), "-osmi", path],
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    check=False,
                )
            except (subprocess.TimeoutExpired, OSError):
                return None
            lines = proc.stdout.split("\n")
            for i, name in enumerate(todo):
                smi = lines[i].strip() if i < len(lines) else ""
                _cache[name] = smi or None
    return {n: _cache.get(n) for n in names}
