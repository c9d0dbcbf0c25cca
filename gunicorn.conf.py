"""gunicorn settings for `make run` and production (`gunicorn -c gunicorn.conf.py wsgi:app`).

Sync workers, one per core: a screening is CPU work (RDKit) plus one short
database transaction, so more workers than cores only adds contention. The app
is not preloaded: each worker builds its own app, database pool and chemistry
worker pool after the fork (sharing them across a fork is unsafe).
Environment overrides: SCREENING_BIND, SCREENING_WORKERS, SCREENING_TIMEOUT, SCREENING_ACCESS_LOG.
"""

import multiprocessing
import os
import shutil
import sys
import tempfile
import traceback

bind = os.environ.get("SCREENING_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SCREENING_WORKERS") or multiprocessing.cpu_count())
worker_class = "sync"
preload_app = False
# A 200-line order of hard structures can take a while; chem_db bounds each structure on its own.
timeout = int(os.environ.get("SCREENING_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks (RDKit caches) never grow without bound.
max_requests = 10000
max_requests_jitter = 1000
accesslog = os.environ.get("SCREENING_ACCESS_LOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):  # noqa: ANN001 - gunicorn's hook signature
    """Load the watchlist, the rules and the chemistry pool before the first request, not during it."""
    from chem_db import get_engine
    from rules import current_ruleset

    current_ruleset()
    get_engine().warm_up()  # the CAS/name dictionary and the chemistry worker pool
    worker.log.info("worker %s ready: watchlist %s", worker.pid, get_engine().version)


def worker_exit(server, worker):  # noqa: ANN001 - gunicorn's hook signature
    """Stop this worker's chemistry processes with it (they inherit gunicorn's signal handlers, so a
    TERM alone would leave them behind)."""
    if "chem_db.engine" in sys.modules:
        from chem_db import get_engine

        get_engine().close()


# --- operations (docs/operations.md) -------------------------------------------------------------
# Access log as one JSON object per line, with the request id the app sent back (X-Request-ID).
access_log_format = (
    '{"ts":"%(t)s","remote_addr":"%(h)s","method":"%(m)s","path":"%(U)s","status":%(s)s,'
    '"bytes":"%(B)s","duration_ms":%(M)s,"request_id":"%({x-request-id}o)s","logger":"gunicorn.access"}'
)

# Prometheus multiprocess mode: each worker writes its samples to files here and GET /metrics sums
# them. It must be set before a worker imports prometheus_client, hence here, in the master. A fresh
# directory per server unless the deployment names one (then stale files are wiped at start).
_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="screening-metrics-")


def on_starting(server):  # noqa: ANN001 - gunicorn's hook signature
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name.endswith(".db"):
            os.remove(os.path.join(directory, name))


def child_exit(server, worker):  # noqa: ANN001
    """A worker is gone (exited, killed, recycled): its live gauges no longer count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def worker_abort(worker):  # noqa: ANN001
    """The master aborts a worker stuck past `timeout`: log where each thread was, then it dies."""
    stacks = []
    for thread_id, frame in sys._current_frames().items():
        stacks.append(f"thread {thread_id}:\n" + "".join(traceback.format_stack(frame)))
    worker.log.error(
        "worker %s aborted after %ss without answering:\n%s", worker.pid, timeout, "\n".join(stacks)
    )


def on_exit(server):  # noqa: ANN001
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ.get("PROMETHEUS_MULTIPROC_DIR", ""), ignore_errors=True)
