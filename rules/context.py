"""What the engine works out once per evaluation, before any red flag runs.

For every line: which watchlist entries it is (listed matches) and which regimes those entries are
in on the evaluation date; which analogues it resembles. For every US-listed entry on the order: its
quantity in base weight, the threshold that applies to this destination, and the calendar-month total
with the earlier orders to the same consignee (21 CFR 1310.04(f): thresholds are cumulative per month).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from rules import units
from rules.facts import LineFacts, MatchFacts, OrderFacts, PriorLine
from rules.ruleset import Chemical, MixtureRule, RuleMeta, RuleSet, Threshold

US_LISTS = ("list_I", "list_II")
US_CONTROLLED = ("schedule_II_immediate_precursor", "schedule_I/II_drug")
INCB_TABLES = ("INCB_table_I", "INCB_table_II")
# chem_db's class id for the fentanyl-related-substance class (Schedule I by class, 21 U.S.C. 812(c)
# Schedule I(e), HALT Fentanyl Act): a vocabulary term shared with chem_db, not a regulatory figure.
FRS_CLASS_ID = "fentanyl-related-substance"
# chem_db's human labels (TEAM.md), used only for entries the rule data does not know yet.
_LABEL_REGIMES = {
    "dea list i": "list_I",
    "dea list ii": "list_II",
    "schedule ii immediate precursor": "schedule_II_immediate_precursor",
    "schedule i controlled substance": "schedule_I/II_drug",
    "schedule ii controlled substance": "schedule_I/II_drug",
    "incb table i": "INCB_table_I",
    "incb table ii": "INCB_table_II",
}


@dataclass
class EntryHit:
    """A listed watchlist entry that a line is (as its parent, salt, isomer or listed derivative)."""

    entry_id: str
    name: str
    match: MatchFacts
    chemical: Chemical | None
    regimes: list[str]  # regimes in force on the evaluation date
    regime_meta: list[RuleMeta]
    from_labels: bool = False  # regimes taken from chem_db's labels: the rule data lacks this entry

    @property
    def us_listed(self) -> bool:
        return any(r in US_LISTS for r in self.regimes)

    @property
    def list_I(self) -> bool:
        return "list_I" in self.regimes

    @property
    def controlled(self) -> bool:
        return any(r in US_CONTROLLED for r in self.regimes)

    @property
    def incb_only(self) -> bool:
        return bool(self.regimes) and all(r in INCB_TABLES for r in self.regimes)

    @property
    def family(self) -> str | None:
        return self.chemical.family if self.chemical else None

    @property
    def verified(self) -> bool:
        return not self.from_labels and all(m.verified for m in self.regime_meta)


@dataclass
class LineView:
    line: LineFacts
    hits: list[EntryHit]  # listed entries in force on the date
    dormant: list[EntryHit]  # listed matches whose entry is not (yet / any more) in force on the date
    analogs: list[MatchFacts]  # designer / class / similarity matches that do not make it listed

    @property
    def index(self) -> int:
        return self.line.index

    @property
    def number(self) -> int:
        """The line as people count it (from 1); ``index`` stays the contract's 0-based position."""
        return self.line.index + 1

    @property
    def unresolved(self) -> bool:
        """Not identified or not screened (a "listed" line without any match counts: nothing to judge)."""
        line = self.line
        return (
            line.classification == "unresolved"
            or not line.screened
            or (line.classification == "listed" and not line.matches)
        )

    def names(self) -> list[str]:
        """Every name this line's chemical may honestly be called."""
        names: list[str] = []
        for value in (self.line.resolved_name, self.line.identifiers.get("name")):
            if value:
                names.append(value)
        for hit in self.hits + self.dormant:
            for name in (hit.name, hit.chemical.name if hit.chemical else None):
                if name:
                    names.extend(_name_and_abbreviation(name))
            names.append(hit.entry_id.replace("-", " "))
            if hit.chemical:
                names.extend(hit.chemical.synonyms)
        return names


_ABBREVIATION = re.compile(r"\s+\(([^()]*)\)")  # after a space: "(3,4-...)phenyl" is part of a name


def _name_and_abbreviation(name: str) -> list[str]:
    """A name as written, without its bracketed abbreviation, and the abbreviation alone: a product
    called "Phenylacetone" or "P2P" names "Phenylacetone (P2P)".

    >>> _name_and_abbreviation("Phenylacetone (P2P)")
    ['Phenylacetone (P2P)', 'Phenylacetone', 'P2P']
    >>> _name_and_abbreviation("Acetone")
    ['Acetone']
    """
    bracketed = _ABBREVIATION.findall(name)
    if not bracketed:
        return [name]
    plain = _ABBREVIATION.sub("", name).strip()
    return [name, plain, *(b.strip() for b in bracketed if sum(c.isalnum() for c in b) >= 2)]


@dataclass
class Contribution:
    """One line (this order's, or an earlier order's) counted toward a monthly total."""

    reference: str
    order_date: date
    line: int | None  # index on this order; None for earlier orders
    quantity: float
    unit: str
    concentration_percent: float | None
    base_kg: float | None  # None when a volume could not be converted
    base_l: float | None  # listed-chemical volume in litres, when declared by volume
    current: bool
    status: str | None = None

    def as_evidence(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "order_date": self.order_date.isoformat(),
            "line": self.line,
            "quantity": self.quantity,
            "unit": self.unit,
            "concentration_percent": self.concentration_percent,
            "base_kg": None if self.base_kg is None else round(self.base_kg, 6),
            "status": self.status,
        }


@dataclass
class Measure:
    """A total compared with a threshold, in the dimension the quantities were declared in."""

    amount: float
    unit: str  # "kg" or "gal"
    limit: float
    at_or_over: bool


@dataclass
class Aggregate:
    """One US-listed entry on this order: its quantities, threshold and monthly total."""

    entry_id: str
    name: str
    hits: list[EntryHit]
    regulated_lines: list[int] = field(default_factory=list)  # lines counted (not exempt mixtures)
    exempt_lines: list[tuple[int, MixtureRule]] = field(default_factory=list)
    current: list[Contribution] = field(default_factory=list)
    prior: list[Contribution] = field(default_factory=list)
    threshold: Threshold | None = None
    scope: str = "threshold"  # threshold | any_quantity | not_for_destination | no_data
    threshold_country: str | None = None  # the country the goods go to whose threshold applies
    unconvertible: list[int] = field(default_factory=list)  # lines whose volume had no density
    order_measure: Measure | None = None
    month_measure: Measure | None = None
    single_prior_over: list[str] = field(default_factory=list)  # earlier orders at/over alone

    @property
    def order_over(self) -> bool:
        return self.order_measure is not None and self.order_measure.at_or_over

    @property
    def month_over(self) -> bool:
        return self.month_measure is not None and self.month_measure.at_or_over

    @property
    def regulated(self) -> bool:
        """A regulated transaction: this order alone, or the month's total, at or over the threshold."""
        if not self.regulated_lines:
            return False
        if self.scope in ("any_quantity", "no_data"):
            return True
        if self.scope == "not_for_destination":
            return False
        return self.order_over or self.month_over or bool(self.unconvertible)

    @property
    def list_I(self) -> bool:
        return any(h.list_I for h in self.hits)


@dataclass
class Context:
    facts: OrderFacts
    ruleset: RuleSet
    on: date
    lines: list[LineView]
    aggregates: dict[str, Aggregate]
    memo: dict[str, Any] = field(default_factory=dict)  # per-evaluation values several flags share

    # ---- order-level summaries used to scale the severity of diversion indicators ----
    def listed_lines(self) -> list[LineView]:
        return [v for v in self.lines if v.hits]

    def high_risk(self) -> bool:
        """List I, Schedule II precursors / controlled, INCB-only, designer analogues, or FRS on the order."""
        for view in self.lines:
            if any(h.list_I or h.controlled or h.incb_only for h in view.hits):
                return True
            if any(m.match_type == "class" for m in view.analogs):
                return True
        return False

    def high_risk_at_stake(self) -> bool:
        """A high-risk chemical that matters on this order: a controlled substance or Schedule II
        immediate precursor, an INCB-only chemical, a designer analogue, or a List I chemical in a
        regulated quantity (this order or the month). A List I flavour below its threshold is not."""
        for view in self.lines:
            if any(h.controlled or h.incb_only for h in view.hits):
                return True
            if any(m.match_type == "class" for m in view.analogs):
                return True
        return any(a.list_I and a.regulated for a in self.aggregates.values())

    def regulated_list_II(self) -> bool:
        return any(a.regulated for a in self.aggregates.values())

    def any_listed(self) -> bool:
        return any(v.hits for v in self.lines)


# --------------------------------------------------------------------------------------------------


def _labels_to_regimes(labels: list[str]) -> list[str]:
    regimes = []
    for label in labels:
        regime = _LABEL_REGIMES.get(label.strip().lower())
        if regime and regime not in regimes:
            regimes.append(regime)
    return regimes


# Outside brackets SMILES allows only the organic subset, so F, Cl, Br and I there are always halogens;
# inside brackets the element symbol opens the atom after an optional isotope ([18F], [Cl-], but [Fe]).
_BRACKET_ATOM = re.compile(r"\[\d*([A-Z][a-z]?)[^\]]*\]")
_ORGANIC_HALOGEN = re.compile(r"Cl|Br|F|I")
_HALOGENS = frozenset({"F", "Cl", "Br", "I"})


def _elements_in(smiles: str | None) -> set[str]:
    """Halogens in a SMILES string, ignoring one-atom fragments (counter-ions such as Cl-).

    >>> sorted(_elements_in("Fc1ccc(NC2CCNCC2)cc1")), sorted(_elements_in("CC(=O)N(c1ccccc1)C1CCNCC1.Cl"))
    (['F'], [])
    >>> sorted(_elements_in("[18F]c1ccccc1.[Fe+2].[Br-]")), sorted(_elements_in("ClCc1ccccc1I"))
    (['F'], ['Cl', 'I'])
    """
    found: set[str] = set()
    for fragment in (smiles or "").split("."):
        bracketed = _BRACKET_ATOM.findall(fragment)
        plain = _BRACKET_ATOM.sub("", fragment)
        atoms = _ORGANIC_HALOGEN.findall(plain) + bracketed
        heavy = len(atoms) + len(re.findall(r"[BCNOPSbcnops]", _ORGANIC_HALOGEN.sub("", plain)))
        if heavy <= 1:
            continue  # "Cl", "[Cl-]", "[Br-]": a counter-ion, not part of the structure
        found |= {a for a in atoms if a in _HALOGENS}
    return found


def _later_scope(match: MatchFacts, chemical: Chemical, line: LineFacts, on: date) -> str | None:
    """The scope word not yet in force on ``on`` that a class match rests on, or None."""
    if match.match_type != "class":
        return None
    elements = _elements_in(line.resolved_smiles)
    for addition in chemical.scope_additions:
        if on < addition.meta.effective_from and elements & set(addition.elements):
            return (
                f"{addition.scope} of {chemical.name}, listed from {addition.meta.effective_from.isoformat()}"
            )
    return None


def build_line_view(line: LineFacts, ruleset: RuleSet, on: date) -> LineView:
    hits: list[EntryHit] = []
    dormant: list[EntryHit] = []
    analogs: list[MatchFacts] = []
    seen: set[str] = set()
    for match in line.matches:
        if not match.listed:
            analogs.append(match)
            continue
        if match.entry_id in seen:
            continue
        seen.add(match.entry_id)
        chemical = ruleset.chemical(match.entry_id)
        later = _later_scope(match, chemical, line, on) if chemical is not None else None
        if later is not None:
            # Not yet covered by the listing on this date: a designer precursor of the entry.
            analogs.append(replace(match, listed=False, leads_to=match.entry_id, step=later))
            continue
        if chemical is not None:
            in_force = chemical.regimes_on(on)
            name = chemical.name
            if match.class_id == FRS_CLASS_ID:
                name = f"a fentanyl-related substance (Schedule I class, matched to {chemical.name})"
            hit = EntryHit(
                match.entry_id,
                name,
                match,
                chemical,
                [r.regime for r in in_force],
                [r.meta for r in in_force],
            )
            (hits if in_force else dormant).append(hit)
        else:
            regimes = _labels_to_regimes(match.lists)
            if match.class_id == FRS_CLASS_ID and "schedule_I/II_drug" not in regimes:
                regimes.append("schedule_I/II_drug")
            if not regimes:
                # chem_db says listed but neither the rule data nor its labels say how: treat it as
                # List I (no threshold on file -> regulated at any quantity) rather than let it pass.
                regimes = ["list_I"]
            hit = EntryHit(match.entry_id, match.name, match, None, regimes, [], from_labels=True)
            (hits if regimes else dormant).append(hit)
    return LineView(line, hits, dormant, analogs)


def _same_month(a: date, b: date) -> bool:
    return (a.year, a.month) == (b.year, b.month)


def select_threshold(
    entry_id: str, destination: str, ruleset: RuleSet, on: date
) -> tuple[str, Threshold | None]:
    """(scope, threshold) for exporting ``entry_id`` to ``destination`` on ``on``.

    scope: ``threshold`` (the lowest applicable row), ``any_quantity`` (a zero threshold),
    ``not_for_destination`` (rows exist but none covers the destination, e.g. MIBK to Canada) or
    ``no_data`` (no row at all: treated as regulated at any quantity).
    """
    rows = ruleset.thresholds_for(entry_id, on)
    if not rows:
        return "no_data", None
    applicable = []
    for row in rows:
        if destination in row.except_countries:
            continue
        if row.destinations == "any" or destination in ruleset.group_members(row.destinations, on):
            applicable.append(row)
    if not applicable:
        return "not_for_destination", None

    chosen = min(applicable, key=lambda row: _threshold_kg(entry_id, row, ruleset))
    if (chosen.mass_kg == 0) or (chosen.mass_kg is None and chosen.volume_gal == 0):
        return "any_quantity", chosen
    return "threshold", chosen


def destined_for(facts: OrderFacts, ruleset: RuleSet, on: date) -> dict[str, str]:
    """Every country the goods are declared to go to, with the role that names it: the destination, then
    the consignee's and the end user's own countries when they differ (goods shipped to a Panamanian
    forwarder for a Colombian end user are destined for Colombia). Domestic (US) and malformed codes are
    left out: they are no export destination."""
    domestic = ruleset.group_members("domestic", on)
    where = {facts.destination_country: "destination"}
    for role, party in (("consignee", facts.consignee), ("end user", facts.end_user)):
        code = (party.country or "").upper() if party is not None else ""
        if len(code) == 2 and code.isalpha() and code not in domestic:
            where.setdefault(code, role)
    return where


_SCOPE_RANK = {"no_data": 0, "any_quantity": 0, "threshold": 1, "not_for_destination": 2}


def select_order_threshold(
    entry_id: str, facts: OrderFacts, ruleset: RuleSet, on: date
) -> tuple[str, Threshold | None, str]:
    """(scope, threshold, country) for ``entry_id`` on this order: the most stringent of the thresholds
    for every country the goods are destined for (:func:`destined_for`). 21 CFR 1310.04(f) sets reduced
    thresholds for exports and transshipments *to* designated countries and MIBK's for exports *destined
    for* the Western Hemisphere except Canada (60 FR 19509): an intermediate stop elsewhere does not
    change where the goods are going."""
    best: tuple[str, Threshold | None, str] | None = None
    best_key: tuple[int, float] | None = None
    for country in destined_for(facts, ruleset, on):
        scope, threshold = select_threshold(entry_id, country, ruleset, on)
        limit = 0.0
        if scope == "threshold" and threshold is not None:
            limit = _threshold_kg(entry_id, threshold, ruleset)
        key = (_SCOPE_RANK[scope], limit)
        if best_key is None or key < best_key:
            best, best_key = (scope, threshold, country), key
    assert best is not None  # the destination is always there
    return best


def _threshold_kg(entry_id: str, row: Threshold, ruleset: RuleSet) -> float:
    """A threshold row as kg, to compare rows (a volume-only row through the chemical's density)."""
    if row.mass_kg is not None:
        return row.mass_kg
    density = units.density_for(entry_id, ruleset)
    return units.to_litres(row.volume_gal or 0.0, "gal") * (density.kg_per_l if density else 1.0)


def contribution(
    entry_id: str,
    ruleset: RuleSet,
    reference: str,
    order_date: date,
    line: int | None,
    quantity: float,
    unit: str,
    concentration: float | None,
    parent_fraction: float | None,
    current: bool,
    status: str | None = None,
) -> Contribution:
    fraction = units.base_fraction(concentration, parent_fraction)
    base_l = None
    try:
        if units.is_volume(unit):
            base_l = units.to_litres(quantity, unit) * fraction
        base_kg: float | None = units.to_kg(quantity, unit, entry_id, ruleset, concentration) * fraction
    except units.UnitError:
        base_kg = None
    return Contribution(
        reference, order_date, line, quantity, unit, concentration, base_kg, base_l, current, status
    )


_PRIOR_CONTRIBUTIONS = "prior_contributions"
_MAX_REMEMBERED_PRIORS = 50_000


def prior_contribution(entry_id: str, ruleset: RuleSet, prior: PriorLine) -> Contribution:
    """An earlier order's line, counted toward ``entry_id`` (read-only: remembered per rule set, since
    the same earlier lines come back with every order to the consignee)."""
    key = (
        entry_id,
        prior.reference,
        prior.order_date,
        prior.quantity,
        prior.unit,
        prior.concentration_percent,
        prior.parent_mass_fraction,
        prior.status,
        prior.line,
    )
    remembered = ruleset.memo.setdefault(_PRIOR_CONTRIBUTIONS, {})
    counted = remembered.get(key)
    if counted is None:
        if len(remembered) >= _MAX_REMEMBERED_PRIORS:
            remembered.clear()
        counted = remembered[key] = contribution(
            entry_id,
            ruleset,
            prior.reference,
            prior.order_date,
            prior.line,
            prior.quantity,
            prior.unit,
            prior.concentration_percent,
            prior.parent_mass_fraction,
            False,
            prior.status,
        )
    return counted


# Quantities pass through unit factors, densities and percentages in floating point: 1 L of 57 % hydriodic
# acid is 1 x 1.7 x 0.57 = 0.9689999999999999 kg, which is the 0.969 kg threshold. A total within this
# relative distance of the threshold is at it (numerical tolerance, not a regulatory figure).
_AT_THRESHOLD = 1e-9


def _compare(amount: float, limit: float, ruleset: RuleSet) -> bool:
    """Whether ``amount`` reaches ``limit`` under the rule set's comparison (at_or_above | above).

    >>> from rules import load_ruleset
    >>> _compare(1 * 1.7 * 0.57, 0.969, load_ruleset()), _compare(0.968, 0.969, load_ruleset())
    (True, False)
    """
    at = abs(amount - limit) <= _AT_THRESHOLD * abs(limit)
    if ruleset.threshold_comparison == "above":
        return amount > limit and not at
    return amount >= limit or at


def measure(
    contributions: list[Contribution], threshold: Threshold, entry_id: str, ruleset: RuleSet
) -> Measure | None:
    """Total of ``contributions`` against ``threshold``.

    All declared by volume and the threshold has a volume: compared in gallons (so 501 gal of MIBK is
    over 500 gal whatever the density). Otherwise compared in kg base weight, converting a volume-only
    threshold with the chemical's density. None when a quantity could not be converted.
    """
    if not contributions:
        return None
    if threshold.volume_gal is not None and all(c.base_l is not None for c in contributions):
        gallons = sum(c.base_l or 0.0 for c in contributions) / units.LITRES_PER_GALLON
        return Measure(gallons, "gal", threshold.volume_gal, _compare(gallons, threshold.volume_gal, ruleset))
    if any(c.base_kg is None for c in contributions):
        return None
    kg = sum(c.base_kg or 0.0 for c in contributions)
    if threshold.mass_kg is not None:
        return Measure(kg, "kg", threshold.mass_kg, _compare(kg, threshold.mass_kg, ruleset))
    density = units.density_for(entry_id, ruleset)
    if density is None or threshold.volume_gal is None:
        return None
    limit = units.to_litres(threshold.volume_gal, "gal") * density.kg_per_l
    return Measure(kg, "kg", limit, _compare(kg, limit, ruleset))


def _prior_in_month(prior: PriorLine, facts: OrderFacts) -> bool:
    return _same_month(prior.order_date, facts.order_date) and prior.reference != facts.reference


def build_aggregates(
    facts: OrderFacts, views: list[LineView], ruleset: RuleSet, on: date
) -> dict[str, Aggregate]:
    aggregates: dict[str, Aggregate] = {}
    for view in views:
        # A controlled substance or Schedule II immediate precursor is exported under a part 1312
        # permit instead of a Form 486, even when it is also a listed chemical (norfentanyl is an amide
        # of 4-AP, and chem_db reports both): the line is judged by CONTROLLED_SUBSTANCE, not thresholds.
        if any(h.controlled for h in view.hits):
            continue
        # One chemical on one line is counted once: 1-boc-4-AP is listed itself and, as a carbamate, under
        # 4-AP; its own entry (exact, salt or isomer) is the one its threshold and filings go by.
        direct = {
            h.entry_id for h in view.hits if h.us_listed and h.match.match_type in ("exact", "salt_or_isomer")
        }
        for hit in view.hits:
            if not hit.us_listed or (direct and hit.entry_id not in direct):
                continue
            agg = aggregates.setdefault(hit.entry_id, Aggregate(hit.entry_id, hit.name, []))
            agg.hits.append(hit)
            rule = ruleset.mixture_rule(hit.entry_id, on)
            concentration = view.line.concentration_percent
            if rule is not None and rule.exempts(concentration):
                agg.exempt_lines.append((view.index, rule))
                continue
            agg.regulated_lines.append(view.index)
            counted = contribution(
                hit.entry_id,
                ruleset,
                facts.reference,
                facts.order_date,
                view.index,
                view.line.quantity,
                view.line.unit,
                concentration,
                view.line.parent_mass_fraction,
                True,
            )
            agg.current.append(counted)

    for entry_id, agg in aggregates.items():
        agg.scope, agg.threshold, agg.threshold_country = select_order_threshold(entry_id, facts, ruleset, on)
        rule = ruleset.mixture_rule(entry_id, on)
        for prior in facts.history.prior_lines:
            if entry_id not in prior.entry_ids or not _prior_in_month(prior, facts):
                continue
            if rule is not None and rule.exempts(prior.concentration_percent):
                continue
            agg.prior.append(prior_contribution(entry_id, ruleset, prior))
        if agg.threshold is not None and agg.scope == "threshold":
            agg.order_measure = measure(agg.current, agg.threshold, entry_id, ruleset)
            if agg.order_measure is None and agg.current:
                # a volume without a density: cannot be compared, so it counts as regulated
                agg.unconvertible = [c.line for c in agg.current if c.base_kg is None and c.line is not None]
            # an earlier line that cannot be converted is left out of the month's total
            countable = [c for c in agg.prior if c.base_kg is not None]
            agg.month_measure = measure(agg.current + countable, agg.threshold, entry_id, ruleset)
            by_order: dict[str, list[Contribution]] = {}
            for c in agg.prior:
                by_order.setdefault(c.reference, []).append(c)
            for reference, contributions in by_order.items():
                single = measure(contributions, agg.threshold, entry_id, ruleset)
                if single is not None and single.at_or_over:
                    agg.single_prior_over.append(reference)
    return aggregates


def build_context(facts: OrderFacts, ruleset: RuleSet, on: date) -> Context:
    views = [build_line_view(line, ruleset, on) for line in facts.lines]
    return Context(facts, ruleset, on, views, build_aggregates(facts, views, ruleset, on))
