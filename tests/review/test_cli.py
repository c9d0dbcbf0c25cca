"""`flask rescreen run|status`, the reload commands starting a run, and `audit verify`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from screening.db import get_database
from screening.models import AuditEntry
from screening.review.models import RescreenRun

from .conftest import SAFROLE


def test_rescreen_run_and_status(app: Any, runner: Any, as_exporter: Any, flag_order: Any) -> None:
    flag_order(as_exporter, reference="PO-1", lines=[SAFROLE])
    with get_database(app).session_scope() as session:  # pretend it was screened with older rules
        from screening.models import Screening

        session.execute(update(Screening).values(rules_version="older+000000000000"))
    result = runner.invoke(args=["rescreen", "run"])
    assert result.exit_code == 0, result.output
    assert "done: 1/1 orders, 0 changed, 0 failed" in result.output
    status = runner.invoke(args=["rescreen", "status"])
    assert (
        status.exit_code == 0
        and "done\t1/1 (100%)" in status.output
        and "(current versions)" in status.output
    )
    again = runner.invoke(args=["rescreen", "run"])
    assert "nothing to re-screen" in again.output


def test_reload_commands_plan_a_rescreening(app: Any, runner: Any, as_exporter: Any, flag_order: Any) -> None:
    app.config["SCREENING_RESCREEN_AUTOSTART"] = "foreground"
    flag_order(as_exporter, reference="PO-1", lines=[SAFROLE])
    with get_database(app).session_scope() as session:
        from screening.models import Screening

        session.execute(update(Screening).values(watchlist_version="old+000000000000"))
    result = runner.invoke(args=["watchlist", "reload"])
    assert result.exit_code == 0, result.output
    assert "re-screening run" in result.output
    with get_database(app).session_scope() as session:
        run = session.scalars(select(RescreenRun)).one()
        assert (run.reason, run.state, run.total, run.processed) == ("watchlist.reloaded", "done", 1, 1)
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"watchlist.reloaded", "rescreen.planned", "rescreen.finished", "screening.rescreened"} <= actions
    rules = runner.invoke(args=["rules", "reload"])
    assert rules.exit_code == 0 and "re-screening run" in rules.output


def test_audit_verify_names_the_first_broken_link(
    app: Any, runner: Any, as_exporter: Any, flag_order: Any
) -> None:
    flag_order(as_exporter, reference="PO-1", lines=[SAFROLE])
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "intact" in ok.output
    with get_database(app).session_scope() as session:
        first = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
        session.execute(
            update(AuditEntry).where(AuditEntry.id == first.id).values(actor_label="someone-else")
        )
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and f"broken at entry {first.id}" in broken.output
