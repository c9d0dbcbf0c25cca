"""What rules takes in and gives back: plain data, no Flask, no database, no RDKit.

``screening`` builds an :class:`OrderFacts` from the submitted order, the
chem_db result of each line (its ``to_dict()`` fields copied into
:class:`LineFacts`) and the exporter's history with the consignee, then calls
``rules.evaluate``. These dataclasses are the contract between the two; add
fields freely, never rename or drop one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

INFO = "info"
REVIEW = "review"
HOLD = "hold"
SEVERITIES = (INFO, REVIEW, HOLD)

CLEAR = "clear"
STATUSES = (CLEAR, REVIEW, HOLD)


@dataclass
class Party:
    name: str
    country: str  # ISO 3166-1 alpha-2
    kind: str  # end_user | distributor | freight_forwarder | broker | other
    address: str | None = None


@dataclass
class MatchFacts:
    """One watchlist match of a line, as chem_db reported it."""

    entry_id: str
    name: str
    match_type: str  # exact | salt_or_isomer | class | similarity
    score: float
    lists: list[str] = field(default_factory=list)
    listed: bool = True
    class_id: str | None = None
    leads_to: str | None = None
    step: str | None = None
    citation: str | None = None


@dataclass
class FindingFacts:
    code: str
    message: str
    field: str | None = None
    # dataclasses.field spelled out: the attribute above shadows the name `field` in this class body.
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass
class LineFacts:
    index: int
    quantity: float
    unit: str  # mg g kg t lb mL L gal (case-insensitive)
    classification: str  # listed | analog | none | unresolved
    screened: bool = True
    product: str | None = None
    concentration_percent: float | None = None  # None: not declared (the API defaults it to 100)
    resolved_name: str | None = None
    resolved_smiles: str | None = None
    resolved_inchikey: str | None = None
    component_inchikeys: list[str] = field(default_factory=list)  # every screened component (mixtures)
    matches: list[MatchFacts] = field(default_factory=list)
    findings: list[FindingFacts] = field(default_factory=list)
    parent_mass_fraction: float | None = None
    identifiers: dict[str, str] = field(default_factory=dict)  # as given: cas, smiles, name ...


@dataclass
class PriorLine:
    """A line of an earlier order from the same exporter to the same consignee."""

    order_id: str
    reference: str
    order_date: date
    entry_ids: list[str]  # listed entries that line matched
    quantity: float
    unit: str
    concentration_percent: float | None = None
    parent_mass_fraction: float | None = None
    status: str | None = None  # status of that order's latest screening
    # Added for synthesis-route detection across orders (reagents that are not watchlist entries):
    inchikeys: list[str] = field(default_factory=list)  # resolved InChIKey(s) of that line's chemical
    cas: str | None = None  # CAS number as given on that line
    product: str | None = None  # product description as given
    name: str | None = None  # chemical name as given or resolved
    line: int | None = None  # the line's index on that order (for the evidence)


@dataclass
class History:
    """The exporter's history with this consignee (matched by normalised name and country)."""

    prior_lines: list[PriorLine] = field(default_factory=list)
    prior_order_count: int = 0
    first_order_date: date | None = None


@dataclass
class OrderFacts:
    reference: str
    order_date: date
    destination_country: str
    consignee: Party
    lines: list[LineFacts]
    transit_countries: list[str] = field(default_factory=list)
    ship_date: date | None = None
    declared_end_use: str | None = None
    end_user: Party | None = None
    history: History = field(default_factory=History)


@dataclass
class Flag:
    code: str  # stable UPPER_SNAKE, never renamed once stored
    severity: str  # info | review | hold
    message: str  # plain language
    citation: str
    line: int | None = None  # index of the line it concerns, None for the whole order
    evidence: dict[str, Any] = field(default_factory=dict)
    verified: bool = True  # False when it rests on an unverified figure in the rule data


@dataclass
class RequiredAction:
    code: str
    text: str
    citation: str
    due_date: date | None = None
    line: int | None = None
    verified: bool = True


@dataclass
class Outcome:
    status: str  # clear | review | hold
    flags: list[Flag]
    required_actions: list[RequiredAction]
    rules_version: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def required_action_texts(self) -> list[str]:
        """The required actions as the API's ``required_actions`` strings (due dates included)."""
        return [action.text for action in self.required_actions]
