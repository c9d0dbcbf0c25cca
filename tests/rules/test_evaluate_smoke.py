"""The public entry point works end to end on the committed rule data."""

from __future__ import annotations

from rules import current_ruleset, evaluate
from rules.facts import Outcome


def test_benign_large_order_to_mexico_is_clear(order, line):
    facts = order([line(0, None, 50_000, "kg", product="Ethanol 96%")])
    outcome = evaluate(facts)
    assert isinstance(outcome, Outcome)
    assert outcome.status == "clear"
    assert outcome.rules_version == current_ruleset().version


def test_acetone_above_threshold_is_review_with_form_486(order, line):
    outcome = evaluate(
        order([line(0, "acetone", 2_000, "kg", product="Acetone, technical grade", lists=["DEA List II"])])
    )
    assert outcome.status == "review"
    assert "THRESHOLD_MET" in {f.code for f in outcome.flags}
    assert any(a.code == "DEA_FORM_486" for a in outcome.required_actions)
