"""Running a re-screening outside the request or command that started it.

In the web app, :func:`work_in_background` works a planned run in a daemon thread of the same
process (the versions that process has loaded). From the command line,
:func:`spawn_worker` starts a detached ``flask rescreen run`` process that outlives the command,
with its output in ``instance/rescreen-<run>.log``. Either way the run's state is in the database:
a worker that dies leaves it resumable (``flask --app wsgi rescreen run``).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading

from flask import Flask

from ..db import get_database
from ..services import Actor
from ..services.rescreening import RunBusy, process_run, start_rescreen

log = logging.getLogger(__name__)


def plan_run(app: Flask, actor: Actor, reason: str) -> int:
    """Plan (or top up) the run for the versions loaded here; returns its id (committed)."""
    with get_database(app).session_scope() as session:
        run = start_rescreen(
            session, actor, reason=reason, window_days=int(app.config["SCREENING_RESCREEN_WINDOW_DAYS"])
        )
        return run.id


def work_in_background(app: Flask, run_id: int, actor: Actor) -> threading.Thread:
    """Work a planned (committed) run in a daemon thread of this process."""
    thread = threading.Thread(target=_work, args=(app, run_id, actor), name=f"rescreen-{run_id}", daemon=True)
    thread.start()
    return thread


def _work(app: Flask, run_id: int, actor: Actor) -> None:
    with app.app_context():
        try:
            process_run(get_database(app), run_id, actor)
        except RunBusy as exc:
            log.info("re-screening run %s: %s", run_id, exc)
        except Exception:  # noqa: BLE001 - a background thread has nobody else to tell
            log.exception("re-screening run %s stopped; it resumes with `flask rescreen run`", run_id)


def spawn_worker(app: Flask, run_id: int, app_import_path: str | None) -> tuple[int, str]:
    """Start ``flask --app <app> rescreen run --run <id>`` detached; returns its pid and log file."""
    log_path = os.path.join(app.instance_path, f"rescreen-{run_id}.log")
    command = [sys.executable, "-m", "flask"]
    if app_import_path:
        command += ["--app", app_import_path]
    command += ["rescreen", "run", "--run", str(run_id)]
    with open(log_path, "ab") as handle:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and command, no shell
            command,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=dict(os.environ),
        )
    return process.pid, log_path
