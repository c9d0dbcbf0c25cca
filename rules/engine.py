"""evaluate(): order facts in, flags, required actions and a status out."""

from __future__ import annotations

from datetime import date

from rules.context import build_context
from rules.facts import CLEAR, HOLD, REVIEW, Flag, OrderFacts, Outcome
from rules.flags import run_checks
from rules.obligations import filing_window_flag, required_actions
from rules.ruleset import RuleSet, current_ruleset


def outcome_for(flags: list[Flag]) -> str:
    """The status of an order, derived from its flags and nothing else.

    ``hold`` if any flag is ``hold``; otherwise ``review`` if any flag is ``review``; otherwise ``clear``
    (``info`` flags never stop a shipment). A line that could not be resolved or screened always
    carries an UNRESOLVED_LINE flag of severity ``review``, so such an order can never be ``clear``.

    >>> from rules.facts import Flag
    >>> info, review, hold = (Flag("X", severity, "", "") for severity in ("info", "review", "hold"))
    >>> outcome_for([]), outcome_for([info]), outcome_for([info, review]), outcome_for([review, hold])
    ('clear', 'clear', 'review', 'hold')
    """
    severities = {flag.severity for flag in flags}
    if HOLD in severities:
        return HOLD
    if REVIEW in severities:
        return REVIEW
    return CLEAR


def evaluate(facts: OrderFacts, ruleset: RuleSet | None = None, as_of: date | None = None) -> Outcome:
    """Judge an export order by the rules in force on ``facts.order_date`` (or ``as_of``).

    Returns the flags (each with code, severity, line, message, citation, evidence, verified), the
    required actions (Form 486, permits, notifications, with due dates from ``facts.ship_date``), the
    status from :func:`outcome_for` and the rule set's version.
    """
    rs = ruleset if ruleset is not None else current_ruleset()
    on = as_of if as_of is not None else facts.order_date
    ctx = build_context(facts, rs, on)
    flags = run_checks(ctx)
    actions = required_actions(ctx, flags)
    late = filing_window_flag(ctx, actions)
    if late is not None:
        flags.append(late)
    return Outcome(status=outcome_for(flags), flags=flags, required_actions=actions, rules_version=rs.version)
