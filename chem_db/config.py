"""Engine settings: input limits and isolation, set once per process with :func:`configure`.

The defaults are sized for order lines and product catalogues: real precursor chemicals are small
(the largest watchlist entry, ergotamine, has 43 heavy atoms), so 1,000 characters and 250 heavy atoms
leave room for any genuine product while refusing the inputs known to drive RDKit into minutes of CPU
or gigabytes of memory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Settings:
    """Limits and isolation settings (see ``chem_db/README.md``)."""

    max_smiles_length: int = 1000
    max_heavy_atoms: int = 250
    max_fragments: int = 50
    max_name_length: int = 300
    max_identifier_length: int = 2000  # CAS, InChI, InChIKey text
    timeout_seconds: float = 10.0  # per structure, in a worker process
    memory_mb: int = 1024  # address-space headroom per worker process
    workers: int = 0  # 0: one per CPU, at most 4
    isolate: bool = True  # run RDKit work in child processes
    opsin: bool = True  # use OPSIN (Java) for systematic names when Java is present
    opsin_timeout_seconds: float = 30.0
    max_tautomers: int = 64  # cap on tautomer enumeration (used only for small formula-matched inputs)

    def worker_count(self) -> int:
        if self.workers > 0:
            return self.workers
        return max(1, min(4, os.cpu_count() or 1))


_settings = Settings()


def configure(**overrides: object) -> Settings:
    """Change settings for this process; call before first use (a running pool picks them up on reload).

    >>> s = configure(max_smiles_length=2000)
    >>> s.max_smiles_length
    2000
    >>> _ = configure(max_smiles_length=1000)
    >>> configure(colour="red")
    Traceback (most recent call last):
    ...
    TypeError: unknown chem_db setting: colour
    """
    global _settings
    known = {f.name for f in fields(Settings)}
    for key in overrides:
        if key not in known:
            raise TypeError(f"unknown chem_db setting: {key}")
    _settings = replace(_settings, **overrides)  # type: ignore[arg-type]
    return _settings


def settings() -> Settings:
    """The current settings."""
    return _settings
