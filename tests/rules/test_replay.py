"""Replay realistic orders (tests/rules/replay_orders.yaml) through rules.evaluate."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from rules import evaluate
from rules.facts import FindingFacts, History, LineFacts, MatchFacts, OrderFacts, Party, PriorLine

CASES = yaml.safe_load((Path(__file__).parent / "replay_orders.yaml").read_text(encoding="utf-8"))["cases"]
DEFAULT_CONSIGNEE = {"name": "Pinturas Industriales del Bajio SA de CV", "kind": "end_user"}


def _line(index: int, raw: dict[str, Any]) -> LineFacts:
    matches = []
    if raw.get("entry"):
        matches.append(
            MatchFacts(
                entry_id=raw["entry"],
                name=raw["entry"],
                match_type=raw.get("match_type", "exact"),
                score=1.0,
                lists=raw.get("lists", []),
                listed=raw.get("listed", True),
                leads_to=raw.get("leads_to"),
                step=raw.get("step"),
            )
        )
    classification = raw.get("classification") or (
        "none" if not matches else ("listed" if matches[0].listed else "analog")
    )
    identifiers = {k: raw[k] for k in ("cas", "name", "smiles") if raw.get(k)}
    return LineFacts(
        index=index,
        quantity=raw["quantity"],
        unit=raw["unit"],
        classification=classification,
        screened=raw.get("screened", True),
        product=raw.get("product"),
        concentration_percent=raw.get("concentration_percent"),
        matches=matches,
        findings=[FindingFacts(**f) for f in raw.get("findings", [])],
        parent_mass_fraction=raw.get("parent_mass_fraction"),
        identifiers=identifiers,
        resolved_name=raw.get("name"),
    )


def _facts(raw: dict[str, Any]) -> OrderFacts:
    destination = raw["destination"]
    consignee = {**DEFAULT_CONSIGNEE, "country": destination, **raw.get("consignee", {})}
    hist = raw.get("history", {})
    history = History(
        prior_lines=[PriorLine(order_id=p["reference"].lower(), **p) for p in hist.get("prior_lines", [])],
        prior_order_count=hist.get("prior_order_count", 12),
    )
    return OrderFacts(
        reference=raw.get("reference", "PO-REPLAY"),
        order_date=raw.get("order_date", date(2026, 11, 20)),
        destination_country=destination,
        consignee=Party(**consignee),
        lines=[_line(i, line) for i, line in enumerate(raw["lines"])],
        transit_countries=raw.get("transit_countries", []),
        ship_date=raw.get("ship_date", date(2026, 12, 15)),
        declared_end_use=raw.get("end_use", "Paint and coatings manufacturing"),
        history=history,
    )


def test_the_replay_set_is_realistic_and_varied():
    statuses = [c["expect"]["status"] for c in CASES]
    assert len(CASES) >= 20
    assert {"clear", "review", "hold"} <= set(statuses)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_replay(case):
    outcome = evaluate(_facts(case["order"]))
    got = {f.code for f in outcome.flags}
    expect = case["expect"]
    detail = [(f.code, f.severity, f.message) for f in outcome.flags]
    assert outcome.status == expect["status"], detail
    assert set(expect.get("flags", [])) <= got, detail
    assert not set(expect.get("not_flags", [])) & got, detail
    actions = {a.code for a in outcome.required_actions}
    assert set(expect.get("actions", [])) <= actions, actions
    for f in outcome.flags:
        assert f.message and f.citation and f.severity in ("info", "review", "hold")
        json.dumps(f.evidence)  # evidence is stored as JSON: plain types only
