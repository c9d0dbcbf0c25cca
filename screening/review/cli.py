"""``flask --app wsgi rescreen run|status``, and the re-screening the reload commands start.

``watchlist reload`` and ``rules reload`` call :func:`rescreen_after_reload`: it plans a run for
the versions just loaded and, by default, starts a detached worker process for it
(``SCREENING_RESCREEN_AUTOSTART``: ``background``, the default; ``foreground`` to work it in the
command itself, the default when testing; or ``off`` to only plan it for a later ``rescreen run``).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo

from ..db import get_database
from ..services import Actor, ServiceError
from ..services.rescreening import (
    RunReport,
    current_versions,
    find_run,
    list_runs,
    process_run,
    unfinished_runs,
)
from .background import plan_run, spawn_worker

CLI_ACTOR = Actor.system("cli")
AUTOSTART_MODES = ("background", "foreground", "off")

rescreen_cli = AppGroup("rescreen", help="Re-screen open cases and recent orders after a knowledge change.")


def _progress_printer() -> Any:
    def show(report: RunReport) -> None:
        click.echo(
            f"run {report.run_id}: {report.processed}/{report.total} re-screened"
            f" ({report.changed} changed, {report.failed} failed)",
            err=True,
        )

    return show


def _work(run_id: int, batch_size: int) -> RunReport:
    try:
        return process_run(
            get_database(), run_id, CLI_ACTOR, batch_size=batch_size, progress=_progress_printer()
        )
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc


@rescreen_cli.command("run")
@click.option(
    "--run", "run_id", type=int, help="work this run only (default: plan, then every unfinished run)"
)
@click.option("--batch-size", default=50, show_default=True, help="orders fetched per batch")
def rescreen_run(run_id: int | None, batch_size: int) -> None:
    """Re-screen with the loaded watchlist and rules; resumes an interrupted run where it stopped."""
    if run_id is None:
        plan_run(current_app, CLI_ACTOR, "manual")  # tops up the run for these versions (new orders)
        loaded = current_versions()
        with get_database().session_scope() as session:
            runs = [
                (r.id, r.watchlist_version, r.rules_version, r.engine_version)
                for r in unfinished_runs(session)
            ]
        todo = []
        for rid, wl, rl, en in runs:
            if (wl, rl, en) == (loaded.watchlist, loaded.rules, loaded.engine):
                todo.append(rid)
            else:
                click.echo(
                    f"run {rid} is for other versions than those loaded; superseded, skipped", err=True
                )
    else:
        todo = [run_id]
    if not todo:
        click.echo("nothing to re-screen: open cases and recent orders already carry the loaded versions")
    for rid in todo:
        report = _work(rid, batch_size)
        click.echo(
            f"run {report.run_id} {report.state}: {report.processed}/{report.total} orders,"
            f" {report.changed} changed, {report.failed} failed"
        )
        if report.failed:
            click.echo(f"  {report.failed} orders failed; see `flask rescreen status --run {rid}`", err=True)


@rescreen_cli.command("status")
@click.option("--run", "run_id", type=int, help="details of one run")
def rescreen_status(run_id: int | None) -> None:
    """Runs, newest first: state, progress, what changed."""
    with get_database().session_scope() as session:
        runs = list_runs(session, limit=20)
        if run_id is not None:
            runs = [r for r in runs if r.id == run_id]
            if not runs:
                raise click.ClickException(f"no run {run_id}")
        if not runs:
            click.echo("no re-screening runs yet")
        loaded = current_versions()
        current = find_run(session, loaded)
        for run in runs:
            marker = " (current versions)" if current is not None and current.id == run.id else ""
            click.echo(
                f"run {run.id}{marker}\t{run.state}\t{run.processed}/{run.total} ({run.percent}%)\t"
                f"{run.changed} changed\t{run.failed} failed\treason {run.reason}\t"
                f"created {run.created_at:%Y-%m-%d %H:%M}\t"
                f"watchlist {run.watchlist_version} rules {run.rules_version}"
                + (f"\tworker {run.lease_owner}" if run.lease_owner else "")
            )
            if run_id is not None and run.last_error:
                click.echo(f"  last error: {run.last_error}")


def rescreen_after_reload(reason: str) -> None:
    """Plan a run for the versions just loaded and start it as configured (see the module docstring)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    default = "foreground" if app.testing else "background"  # tests never leave processes behind
    mode = str(
        app.config.get("SCREENING_RESCREEN_AUTOSTART")
        or os.environ.get("SCREENING_RESCREEN_AUTOSTART")
        or default
    ).lower()
    if mode not in AUTOSTART_MODES:
        raise click.ClickException(
            f"SCREENING_RESCREEN_AUTOSTART: expected one of {', '.join(AUTOSTART_MODES)}"
        )
    run_id = plan_run(app, CLI_ACTOR, reason)
    with get_database().session_scope() as session:
        run = find_run(session, current_versions())
        pending = run.total - run.processed if run is not None else 0
    if mode == "off" or not pending:
        click.echo(
            f"re-screening run {run_id}: {pending} orders to re-screen (start with `flask rescreen run`)"
        )
        return
    if mode == "foreground":
        report = _work(run_id, 50)
        click.echo(
            f"re-screening run {run_id} {report.state}: {report.changed} of {report.processed} changed"
        )
        return
    ctx = click.get_current_context(silent=True)
    info = ctx.find_object(ScriptInfo) if ctx is not None else None
    app_path = getattr(info, "app_import_path", None) or os.environ.get("FLASK_APP")
    pid, log_path = spawn_worker(app, run_id, app_path)
    click.echo(
        f"re-screening {pending} orders in the background (run {run_id}, process {pid}, log {log_path});"
        " follow it with `flask --app wsgi rescreen status`",
        err=False,
    )
    sys.stdout.flush()
