"""What chem_db returns: plain, JSON-ready data about one order line or catalogue item.

These dataclasses are the contract between ``chem_db`` and its callers
(``screening`` stores them, ``rules`` reasons over their ``to_dict()`` form).
Add fields freely; never rename or drop one, since stored screenings carry them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from typing import Any

# Classification of a line, as published in the API contract.
LISTED = "listed"
ANALOG = "analog"
NONE = "none"
UNRESOLVED = "unresolved"

# Kinds of match, as published in the API contract.
EXACT = "exact"
SALT_OR_ISOMER = "salt_or_isomer"
CLASS = "class"
SIMILARITY = "similarity"


@dataclass(frozen=True)
class Identifiers:
    """The identifiers given for one chemical (any subset; at least one)."""

    cas: str | None = None
    smiles: str | None = None
    name: str | None = None
    inchi: str | None = None
    inchikey: str | None = None

    def given(self) -> dict[str, str]:
        """The identifiers actually supplied, by field name."""
        return {k: v for k, v in asdict(self).items() if v is not None and v != ""}


@dataclass
class Component:
    """One organic (or inorganic, when nothing else is there) component screened."""

    smiles: str
    inchikey: str
    formula: str
    role: str = "parent"  # "parent" or "mixture_component"


@dataclass
class Resolved:
    """What the line's identifiers resolved to."""

    smiles: str  # canonical SMILES of the standardized input (components joined by ".")
    inchikey: str  # InChIKey of the standardized input
    source: str  # which identifier produced it: cas | smiles | name | inchi | inchikey
    name: str | None = None  # a known name for it, when one is known
    formula: str | None = None
    components: list[Component] = field(default_factory=list)
    as_given_smiles: str | None = None  # before standardization (salt, hydrate and all)


@dataclass
class Regime:
    """One control regime an entry sits in."""

    regime: str  # list_I | list_II | schedule_II_immediate_precursor | schedule_I/II_drug | INCB_only ...
    label: str  # human label, e.g. "DEA List I", "INCB Table I"
    citation: str
    verified: bool
    paragraph: str | None = None  # e.g. 21 CFR 1310.02(a)(...)
    year: int | None = None  # year of listing (INCB tables)


@dataclass
class Match:
    """A watchlist entry that the line (one of its components) matched, and why."""

    entry_id: str
    name: str
    cas: str | None
    lists: list[str]  # human labels of every regime, e.g. ["DEA List I", "INCB Table I"]
    match_type: str  # exact | salt_or_isomer | class | similarity
    score: float
    reason: str  # one plain-language sentence
    citation: str
    verified: bool
    regimes: list[Regime] = field(default_factory=list)
    component: int = 0  # index into Resolved.components
    atoms: list[int] = field(default_factory=list)  # matched atoms in that component's SMILES order
    bonds: list[int] = field(default_factory=list)
    class_id: str | None = None  # designer class / FRS class id, for class matches
    leads_to: str | None = None  # entry id of the listed chemical an analogue converts to
    step: str | None = None  # the conversion step, e.g. "removal of a Boc protecting group"
    listed: bool = True  # True when this match makes the chemical itself listed


@dataclass
class Finding:
    """Something noticed about a line that is not a watchlist match (bad input, conflicts, limits)."""

    code: str  # stable UPPER_SNAKE code, e.g. IDENTIFIER_CONFLICT, SMILES_INVALID, LIMIT_EXCEEDED
    message: str
    field: str | None = None  # the identifier field it concerns (cas, smiles, name, ...)
    # ``dataclasses.field``: the attribute above shadows the bare name inside this class body.
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass
class Nearest:
    """The nearest watchlist entry by similarity, reported even when nothing matched."""

    entry_id: str
    name: str
    score: float


@dataclass
class LineResult:
    """Everything chem_db found about one chemical."""

    classification: str  # listed | analog | none | unresolved
    resolved: Resolved | None
    matches: list[Match]
    findings: list[Finding]
    watchlist_version: str
    identifiers_used: list[str]
    screened: bool  # False when the structure could not be screened (limits, failures)
    nearest: Nearest | None = None
    parent_mass_fraction: float | None = None  # matched parent's mass / mass as given (salts, hydrates)
    engine_version: str = ""
    identifiers_given: dict[str, str] = field(default_factory=dict)  # the identifier values as given

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
