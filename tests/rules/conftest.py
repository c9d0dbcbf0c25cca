"""Factories for rules tests: plain OrderFacts built the way screening builds them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from rules import load_ruleset
from rules.facts import FindingFacts, History, LineFacts, MatchFacts, OrderFacts, Party, PriorLine
from rules.ruleset import RuleSet

# Human labels chem_db puts on matches (TEAM.md); the rules use their own data, these only fill the facts.
LABELS = {
    "list_I": ["DEA List I"],
    "list_II": ["DEA List II"],
    "spc": ["Schedule II immediate precursor"],
    "incb": ["INCB Table I"],
}


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_ruleset()


def make_line(
    index: int = 0,
    entry_id: str | None = "acetone",
    quantity: float = 100.0,
    unit: str = "kg",
    *,
    match_type: str = "exact",
    listed: bool = True,
    classification: str | None = None,
    lists: list[str] | None = None,
    **kwargs: Any,
) -> LineFacts:
    """A line as chem_db would report it: one match on ``entry_id`` (or none for an unlisted chemical)."""
    matches = kwargs.pop("matches", None)
    if matches is None:
        matches = []
        if entry_id is not None:
            matches.append(
                MatchFacts(
                    entry_id=entry_id,
                    name=entry_id,
                    match_type=match_type,
                    score=1.0,
                    lists=lists or ["DEA List I"],
                    listed=listed,
                    class_id=kwargs.pop("class_id", None),
                    leads_to=kwargs.pop("leads_to", None),
                    step=kwargs.pop("step", None),
                )
            )
    if classification is None:
        classification = "none" if not matches else ("listed" if any(m.listed for m in matches) else "analog")
    return LineFacts(
        index=index, quantity=quantity, unit=unit, classification=classification, matches=matches, **kwargs
    )


def make_order(
    lines: list[LineFacts] | None = None,
    *,
    destination: str = "MX",
    order_date: date = date(2026, 11, 20),
    ship_date: date | None = date(2026, 12, 15),
    consignee: Party | None = None,
    end_use: str | None = "Paint and coatings manufacturing",
    history: History | None = None,
    **kwargs: Any,
) -> OrderFacts:
    """An order to an established Mexican end user, unless told otherwise."""
    if consignee is None:
        consignee = Party(
            "Pinturas Industriales del Bajio SA de CV",
            destination,
            "end_user",
            "Blvd. Industrial 400, Leon, Gto.",
        )
    if history is None:
        history = History(prior_lines=[], prior_order_count=12, first_order_date=date(2023, 1, 10))
    return OrderFacts(
        reference=kwargs.pop("reference", "PO-TEST-1"),
        order_date=order_date,
        destination_country=destination,
        consignee=consignee,
        lines=lines if lines is not None else [make_line()],
        ship_date=ship_date,
        declared_end_use=end_use,
        history=history,
        **kwargs,
    )


def prior(
    reference: str, when: date, entry_id: str, quantity: float, unit: str = "kg", **kwargs: Any
) -> PriorLine:
    return PriorLine(
        order_id=reference.lower(),
        reference=reference,
        order_date=when,
        entry_ids=[entry_id],
        quantity=quantity,
        unit=unit,
        **kwargs,
    )


def finding(code: str, message: str = "", field: str | None = None) -> FindingFacts:
    return FindingFacts(code=code, message=message or code, field=field)


@pytest.fixture
def line() -> Callable[..., LineFacts]:
    return make_line


@pytest.fixture
def order() -> Callable[..., OrderFacts]:
    return make_order
