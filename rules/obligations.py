"""Export obligations turned into required actions (texts, due dates and citations from the data).

When an obligation applies is decided here (its trigger); what it says, its day counts and its citation
come from ``rules/data/obligations.yaml``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rules import countries
from rules.context import (
    Context,
    Contribution,
    EntryHit,
    destined_for,
    measure,
    prior_contribution,
    select_order_threshold,
)
from rules.facts import HOLD, Flag, RequiredAction
from rules.ruleset import Obligation


def _due(obligation: Obligation, ship_date: date | None) -> date | None:
    if ship_date is None:
        return None
    if obligation.days_before_ship is not None:
        return ship_date - timedelta(days=obligation.days_before_ship)
    if obligation.days_after_ship is not None:
        return ship_date + timedelta(days=obligation.days_after_ship)
    return None


def _render(obligation: Obligation, ctx: Context, values: dict[str, Any], line: int | None) -> RequiredAction:
    ship_date = ctx.facts.ship_date
    due = _due(obligation, ship_date)
    days = (
        obligation.days_before_ship if obligation.days_before_ship is not None else obligation.days_after_ship
    )
    base = {
        "chemical": "",
        "line": "" if line is None else line + 1,  # people count lines from 1
        "days": "" if days is None else days,
        "due_date": due.isoformat() if due else "",
        "ship_date": ship_date.isoformat() if ship_date else "",
        "country": ctx.facts.destination_country,
        "country_name": countries.country_name(ctx.facts.destination_country),
        "authority": "the competent national authority",
        "consignee": ctx.facts.consignee.name,
        "intermediates": "",
        "table": "",
        "regime": "",
    }
    authority = ctx.ruleset.authority(ctx.facts.destination_country, ctx.on)
    if authority is not None:
        base["authority"] = authority.name
    base.update(values)
    template = (
        obligation.text
        if (due is not None or "{due_date}" not in obligation.text) and ship_date
        else obligation.text_without_date
    )
    return RequiredAction(
        obligation.code,
        template.format(**base),
        obligation.meta.citation,
        due_date=due,
        line=line,
        verified=obligation.meta.verified,
    )


def _intermediates(ctx: Context) -> str:
    facts = ctx.facts
    parts = []
    if (
        facts.end_user is not None
        and facts.end_user.name.strip()
        and facts.end_user.name != facts.consignee.name
    ):
        # An end user in another country than the destination holds that country's permit (a Colombian
        # end user behind a Panamanian free-zone consignee), not the destination's.
        own = destined_for(facts, ctx.ruleset, ctx.on)
        code = (facts.end_user.country or "").upper()
        if own.get(code) == "end user":
            authority = ctx.ruleset.authority(code, ctx.on)
            issuer = authority.name if authority is not None else "the competent national authority"
            parts.append(
                f"the one issued by {issuer} of {countries.country_name(code)} to the end user "
                f"{facts.end_user.name}"
            )
        else:
            parts.append(f"the end user {facts.end_user.name}")
    transit = [c for c in facts.transit_countries if c not in (facts.destination_country, "US")]
    if transit:
        parts.append("any intermediate consignee in " + ", ".join(countries.country_name(c) for c in transit))
    return (", and of " + " and ".join(parts)) if parts else ""


def _regular_customer(ctx: Context, entry_id: str) -> bool:
    """The consignee is a regular customer for ``entry_id`` (21 CFR 1313.24): an earlier order of it (or of
    its waiver group) to this consignee was a regulated export, so named on a Form 486, at least the
    advance-notice period before this order, and was not held.

    An earlier order was a regulated export when it reached the threshold on its own or with the
    earlier orders of its calendar month (a chemical with no threshold: any quantity). Orders below
    the threshold were never on a Form 486, so they make no one a regular customer, and neither do
    the small parts of a split month before the one that crossed the threshold.
    """
    rs, facts = ctx.ruleset, ctx.facts
    group = {entry_id}
    for waiver in rs.waiver_groups:
        if waiver.meta.in_force(ctx.on) and entry_id in waiver.entry_ids:
            group |= waiver.entry_ids
    notice = [
        o.days_before_ship for o in rs.obligations_for("regulated_export", ctx.on) if o.code == "DEA_FORM_486"
    ]
    notice_days = timedelta(days=notice[0] or 0) if notice else timedelta(0)
    month_totals: dict[tuple[str, int, int], list[Contribution]] = {}
    for prior in facts.history.prior_lines:  # in order: order date, then when stored
        if prior.order_date >= facts.order_date or prior.reference == facts.reference:
            continue
        for entry in sorted(group & set(prior.entry_ids)):
            rule = rs.mixture_rule(entry, prior.order_date)
            if rule is not None and rule.exempts(prior.concentration_percent):
                continue  # an exempt mixture is no regulated transaction
            month = month_totals.setdefault((entry, prior.order_date.year, prior.order_date.month), [])
            month.append(prior_contribution(entry, rs, prior))
            if prior.status == HOLD or prior.order_date + notice_days > facts.order_date:
                continue  # counts towards its month, but cannot itself make a regular customer
            scope, threshold, _ = select_order_threshold(entry, facts, rs, prior.order_date)
            if scope in ("any_quantity", "no_data"):
                return True
            if scope == "threshold" and threshold is not None:
                total = measure(month, threshold, entry, rs)
                if total is not None and total.at_or_over:
                    return True
    return False


def required_actions(ctx: Context, flags: list[Flag]) -> list[RequiredAction]:
    """Every required action for the order, in a stable order: per regulated chemical, then per line."""
    actions: list[RequiredAction] = []
    rs, on = ctx.ruleset, ctx.on
    regulated = [agg for agg in ctx.aggregates.values() if agg.regulated]
    # An obligation whose text names a {line} is per line; one without is once per order.
    per_order = [o for o in rs.obligations_for("regulated_export", on) if "{line}" not in o.text]
    per_line = [o for o in rs.obligations_for("regulated_export", on) if "{line}" in o.text]
    if regulated:
        names = ", ".join(agg.name for agg in regulated)
        for obligation in per_order:
            actions.append(
                _render(obligation, ctx, {"chemical": names, "intermediates": _intermediates(ctx)}, None)
            )
    for agg in regulated:
        for line in agg.regulated_lines:
            for obligation in per_line:
                actions.append(_render(obligation, ctx, {"chemical": agg.name}, line))
            if _regular_customer(ctx, agg.entry_id):
                for obligation in rs.obligations_for("regular_customer", on):
                    actions.append(_render(obligation, ctx, {"chemical": agg.name}, line))

    pen = rs.pen_request(ctx.facts.destination_country, on)
    held = any(f.severity == HOLD for f in flags)
    regulated_lines = {line for agg in regulated for line in agg.regulated_lines}
    for view in ctx.lines:
        controlled: list[EntryHit] = [h for h in view.hits if h.controlled]
        for hit in controlled:
            label = " and ".join(
                sorted({r.replace("_", " ") for r in hit.regimes if r.startswith("schedule")})
            )
            for obligation in rs.obligations_for("controlled_export", on):
                actions.append(_render(obligation, ctx, {"chemical": hit.name, "regime": label}, view.index))
        if pen is not None and (
            view.index in regulated_lines or controlled or any(h.incb_only for h in view.hits)
        ):
            # One notification per line: a line matching two Table entries (norfentanyl is also an amide
            # of 4-AP) is one shipment of one chemical.
            notified = [
                (hit.name, table)
                for hit in view.hits
                for table, regime in (("I", "INCB_table_I"), ("II", "INCB_table_II"))
                if regime in hit.regimes and table in pen.tables
            ]
            if notified:
                names = " / ".join(dict.fromkeys(name for name, _ in notified))
                table = " and ".join(sorted({t for _, t in notified}))
                for obligation in rs.obligations_for("pre_export_notification", on):
                    action = _render(obligation, ctx, {"chemical": names, "table": table}, view.index)
                    action.verified = action.verified and pen.meta.verified
                    actions.append(action)
        if held and view.hits:
            for obligation in rs.obligations_for("suspicious_order", on):
                actions.append(
                    _render(obligation, ctx, {"chemical": ", ".join(h.name for h in view.hits)}, view.index)
                )
    return actions


def filing_window_flag(ctx: Context, actions: list[RequiredAction]) -> Flag | None:
    """FILING_WINDOW_SHORT: the ship date leaves less time than the advance notice needs.

    review: the Form 486 is due before the order was even placed, so the shipment must wait (unless the
    consignee is a regular customer and the 15-day notice is waived).
    """
    waived = {a.line for a in actions if a.code == "REGULAR_CUSTOMER_WAIVER"}
    late = [
        a
        for a in actions
        if a.code == "DEA_FORM_486"
        and a.due_date is not None
        and a.due_date < ctx.facts.order_date
        and a.line not in waived
    ]
    if not late:
        return None
    first = late[0]
    which = "" if first.line is None else f" for line {first.line + 1}"
    return Flag(
        "FILING_WINDOW_SHORT",
        "review",
        f"The Form 486{which} was due by {first.due_date}, before the order date "
        f"{ctx.facts.order_date}: move the ship date or confirm a regular-customer waiver.",
        first.citation,
        line=first.line,
        evidence={
            "lines": [a.line for a in late],
            "due_dates": [str(a.due_date) for a in late],
            "order_date": ctx.facts.order_date.isoformat(),
            "ship_date": ctx.facts.ship_date.isoformat() if ctx.facts.ship_date else None,
        },
        verified=first.verified,
    )
