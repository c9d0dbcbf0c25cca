"""Re-screening when the watchlist changes: the diff, the queue, never twice, resumption.

The watchlist is changed for real: a temporary copy of ``chem_db/data`` gets one more entry
(cyclohexanol as a Schedule II immediate precursor, a test listing) and the engine is pointed at it,
as ``chem_db.reload_engine`` would after an edit of the data.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

import chem_db.engine as chem_engine
from chem_db.compiled import compile_watchlist
from chem_db.config import settings
from chem_db.watchlist import DATA_DIR, load_watchlist
from screening.db import get_database
from screening.models import ReviewItem, Screening
from screening.review.models import RescreenRun, RescreenRunOrder
from screening.services import Actor, record_decision
from screening.services.rescreening import RunBusy, current_versions, process_run, start_rescreen

from .conftest import CYCLOHEXANOL, NPP, SAFROLE, SALT

ACTOR = Actor.system("test-rescreen")

TEST_ENTRY = """
  - id: test-cyclohexanol
    name: Cyclohexanol (test listing)
    synonyms: [cyclohexanol]
    cas: "108-93-0"
    cas_verified: false
    smiles: "OC1CCCCC1"
    formula: C6H12O
    kind: organic
    scope: []
    stereo_sensitive: false
    analog_target: false
    regimes:
      - {regime: schedule_II_immediate_precursor, label: Schedule II immediate precursor, paragraph: "test",
         verified: false, citation: "test listing, not a regulation"}
    citation: "test listing, not a regulation"
    verified: false
"""


@pytest.fixture()
def changed_watchlist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``changed_watchlist()``: point the engine at a copy of the watchlist with one entry added."""
    engines: list[Any] = []

    def change() -> str:
        data = tmp_path / "data"
        shutil.copytree(DATA_DIR, data)
        with open(data / "entries" / "other.yaml", "a", encoding="utf-8") as handle:
            handle.write(TEST_ENTRY)
        engine = chem_engine.Engine(
            compile_watchlist(load_watchlist(data), settings().max_tautomers), settings()
        )
        engines.append(engine)
        monkeypatch.setattr(chem_engine, "_engine", engine)
        return engine.version

    yield change
    for engine in engines:
        engine.close()


def decide(app: Any, case_id: int, user_id: int, code: str = "cleared") -> None:
    from screening.models import User

    with get_database(app).session_scope() as session:
        item = session.get(ReviewItem, case_id)
        record_decision(session, item, session.get(User, user_id), code, "Checked.", ACTOR)


def screenings_of(app: Any, order_id: str) -> list[tuple[str, str, str]]:
    with get_database(app).session_scope() as session:
        return [
            (s.status, s.watchlist_version, s.trigger)
            for s in session.scalars(
                select(Screening).where(Screening.order_id == order_id).order_by(Screening.screened_at)
            )
        ]


def rescreen(app: Any, **kwargs: Any) -> Any:
    with get_database(app).session_scope() as session:
        run = start_rescreen(session, ACTOR, reason="watchlist.reloaded")
        run_id, planned = run.id, run.total
    report = process_run(get_database(app), run_id, ACTOR, batch_size=2, **kwargs)
    return run_id, planned, report


def test_watchlist_change_rescreens_and_shows_what_changed(
    app: Any, as_exporter: Any, flag_order: Any, liaison: int, as_liaison: Any, changed_watchlist: Any
) -> None:
    clear_now_hold = flag_order(as_exporter, reference="PO-CYC", lines=[CYCLOHEXANOL])
    cleared_then_hold = flag_order(as_exporter, reference="PO-SAF-CYC", lines=[SAFROLE, CYCLOHEXANOL])
    unchanged_open = flag_order(as_exporter, reference="PO-NPP", lines=[NPP])
    untouched = flag_order(as_exporter, reference="PO-SALT", lines=[SALT])
    assert (clear_now_hold.status, clear_now_hold.case_id) == ("clear", None)
    assert cleared_then_hold.status == "review" and unchanged_open.status == "hold"
    decide(app, cleared_then_hold.case_id, liaison)  # a liaison cleared it: out of the queue

    old_version = screenings_of(app, untouched.order_id)[0][1]
    new_version = changed_watchlist()
    assert new_version != old_version

    run_id, planned, report = rescreen(app)
    assert planned == 4 and report.state == "done" and report.processed == 4 and report.failed == 0
    assert report.changed == 2

    # new screenings beside the old ones
    assert screenings_of(app, clear_now_hold.order_id) == [
        ("clear", old_version, "initial"),
        ("hold", new_version, "rescreen"),
    ]
    assert [s[0] for s in screenings_of(app, untouched.order_id)] == ["clear", "clear"]
    with get_database(app).session_scope() as session:
        rows = {
            row.order_id: row
            for row in session.scalars(select(RescreenRunOrder).where(RescreenRunOrder.run_id == run_id))
        }
        up = rows[clear_now_hold.order_id]
        assert (up.direction, up.status_before, up.status_after, up.changed) == ("up", "clear", "hold", True)
        assert "CONTROLLED_SUBSTANCE" in {f["code"] for f in up.flags_added}
        assert rows[unchanged_open.order_id].changed is False
        # the clear order that would now be held is in the queue; the cleared one is back
        new_case = session.scalar(select(ReviewItem).where(ReviewItem.order_id == clear_now_hold.order_id))
        assert new_case is not None and (new_case.state, new_case.severity) == ("open", "hold")
        reopened = session.get(ReviewItem, cleared_then_hold.case_id)
        assert (reopened.state, reopened.severity) == ("open", "hold")

    queue = as_liaison.get("/review/?changed=1").get_data(as_text=True)
    assert "PO-CYC" in queue and "PO-SAF-CYC" in queue and "PO-NPP" not in queue
    assert "clear → hold" in queue and "review → hold" in queue
    case = as_liaison.get(f"/review/cases/{new_case.id}").get_data(as_text=True)
    assert "Changed by re-screening" in case and "added <code>CONTROLLED_SUBSTANCE" in case

    # nothing is screened twice for the same versions: a second run plans and screens nothing
    with get_database(app).session_scope() as session:
        count = session.scalar(select(func.count(Screening.id)))
    again_id, again_planned, again = rescreen(app)
    assert again_id == run_id and again_planned == 4 and again.processed == 4
    with get_database(app).session_scope() as session:
        assert session.scalar(select(func.count(Screening.id))) == count
        assert session.scalar(select(func.count(RescreenRun.id))) == 1


def test_the_database_refuses_a_second_plan_for_the_same_versions(
    app: Any, as_exporter: Any, flag_order: Any, changed_watchlist: Any
) -> None:
    order = flag_order(as_exporter, reference="PO-1", lines=[SAFROLE])
    changed_watchlist()
    with get_database(app).session_scope() as session:
        run = start_rescreen(session, ACTOR)
        versions = current_versions()
        run_id = run.id
    with pytest.raises(IntegrityError):
        with get_database(app).session_scope() as session:
            session.add(
                RescreenRunOrder(
                    run_id=run_id,
                    order_id=order.order_id,
                    watchlist_version=versions.watchlist,
                    rules_version=versions.rules,
                    engine_version=versions.engine,
                    state="pending",
                    flags_added=[],
                    flags_removed=[],
                    changed=False,
                )
            )


def test_an_interrupted_run_resumes_without_screening_twice(
    app: Any, as_exporter: Any, flag_order: Any, changed_watchlist: Any
) -> None:
    orders = [flag_order(as_exporter, reference=f"PO-{i}", lines=[SAFROLE]) for i in range(3)]
    changed_watchlist()
    with get_database(app).session_scope() as session:
        run_id = start_rescreen(session, ACTOR).id
    first = process_run(get_database(app), run_id, ACTOR, max_orders=1, owner="worker-a")
    assert (first.state, first.processed, first.total, first.stopped) == ("pending", 1, 3, True)

    # a worker that died holding the lease: nobody else may take the run until the lease expires
    with get_database(app).session_scope() as session:
        run = session.get(RescreenRun, run_id)
        run.state, run.lease_owner = "running", "dead-worker"
        from datetime import timedelta

        from screening.models import utcnow

        run.lease_expires_at = utcnow() + timedelta(minutes=5)
    with pytest.raises(RunBusy):
        process_run(get_database(app), run_id, ACTOR, owner="worker-b")
    with get_database(app).session_scope() as session:
        session.get(RescreenRun, run_id).lease_expires_at = utcnow() - timedelta(seconds=1)

    second = process_run(get_database(app), run_id, ACTOR, owner="worker-b")
    assert (second.state, second.processed, second.total) == ("done", 3, 3)
    for order in orders:
        assert [s[2] for s in screenings_of(app, order.order_id)] == ["initial", "rescreen"]


def test_a_run_for_other_versions_is_refused(
    app: Any, as_exporter: Any, flag_order: Any, changed_watchlist: Any
) -> None:
    flag_order(as_exporter, reference="PO-1", lines=[SAFROLE])
    changed_watchlist()
    with get_database(app).session_scope() as session:
        run = start_rescreen(session, ACTOR)
        run.watchlist_version = "some-other+000000000000"
        run_id = run.id
    from screening.services import Conflict

    with pytest.raises(Conflict):
        process_run(get_database(app), run_id, ACTOR)


def test_window_leaves_old_decided_orders_alone(
    app: Any, as_exporter: Any, flag_order: Any, liaison: int, changed_watchlist: Any
) -> None:
    old = flag_order(as_exporter, reference="PO-OLD", order_date="2020-01-15", lines=[SAFROLE])
    decide(app, old.case_id, liaison)
    with get_database(app).session_scope() as session:  # submitted long ago, too
        from datetime import UTC, datetime

        from screening.models import Order

        session.get(Order, old.order_id).created_at = datetime(2020, 1, 15, tzinfo=UTC)
    open_old = flag_order(as_exporter, reference="PO-OPEN", order_date="2020-01-15", lines=[SAFROLE])
    with get_database(app).session_scope() as session:
        session.get(Order, open_old.order_id).created_at = datetime(2020, 1, 15, tzinfo=UTC)
    changed_watchlist()
    with get_database(app).session_scope() as session:
        run = start_rescreen(session, ACTOR, window_days=90)
        planned = set(
            session.scalars(select(RescreenRunOrder.order_id).where(RescreenRunOrder.run_id == run.id))
        )
    assert planned == {open_old.order_id}  # open cases always; old decided orders only within the window


class InlineThread:
    """Runs a background thread's work at once (the test's database connection is not shared)."""

    def __init__(self, target: Any, args: tuple[Any, ...] = (), **_: Any) -> None:
        self.target, self.args = target, args

    def start(self) -> None:
        self.target(*self.args)


def test_admin_starts_a_run_from_the_page_and_liaisons_follow_it(
    app: Any,
    as_exporter: Any,
    flag_order: Any,
    as_admin: Any,
    as_liaison: Any,
    changed_watchlist: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import screening.review.background as background

    from .conftest import csrf_of

    flag_order(as_exporter, reference="PO-CYC", lines=[CYCLOHEXANOL])
    flag_order(as_exporter, reference="PO-SAF", lines=[SAFROLE])
    changed_watchlist()
    page = as_admin.get("/review/rescreens").get_data(as_text=True)
    assert "1 open case were screened with other versions" in page
    monkeypatch.setattr(background.threading, "Thread", InlineThread)
    token = csrf_of(as_admin, "/review/rescreens")
    assert as_liaison.post("/review/rescreens/start", data={"csrf_token": token}).status_code in (400, 403)
    response = as_admin.post("/review/rescreens/start", data={"csrf_token": token})
    assert response.status_code == 302
    run_page = as_liaison.get(response.headers["Location"]).get_data(as_text=True)
    assert "PO-CYC" in run_page and "2 / 2" in run_page
    assert "were screened with other versions" not in as_admin.get("/review/rescreens").get_data(as_text=True)
