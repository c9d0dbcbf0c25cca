"""The liaisons' pages: ``/review`` (blueprint ``review``).

Who gets in: signed-in HSI liaisons, for everything. Administrators reach only the re-screening
runs (``/review/rescreens``), where they watch progress and resume a run: they manage the
watchlist and rules, not cases, and so never read case files or record decisions (least
privilege). Everyone else gets 403 (compliance officers, or a request carrying an exporter's API
key); someone not signed in is sent to sign in. Every view calls service functions and commits once.
"""

from __future__ import annotations

import os
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..db import get_database, get_session
from ..models import ADMIN, HSI_LIAISON, REASON_CODES, User
from ..models.reviews import REASON_LABELS
from ..services import (
    Actor,
    ServiceError,
    add_review_note,
    claim_review,
    exporter_review_view,
    record_decision,
)
from ..services.consignees import consignee_history, find_consignee_links, link_cutoff, monthly_totals
from ..services.dashboard import DEFAULT_WEEKS, PERIODS, build_dashboard
from ..services.rescreening import DEFAULT_WINDOW_DAYS, list_runs, run_changes
from ..services.review_queue import (
    REGIME_LABELS,
    QueueFilters,
    case_trail,
    csv_safe,
    describe_change,
    export_queue_csv,
    flag_label,
    get_case,
    list_liaisons,
    list_queue,
    record_case_view,
    screening_steps,
)
from .charts import chart_svg
from .forms import AssignForm, ClaimForm, DecisionForm, NoteForm

bp = Blueprint("review", __name__, url_prefix="/review")

# Endpoints an administrator may reach (the re-screening runs); the rest are liaisons' only.
ADMIN_ENDPOINTS = {"review.rescreens", "review.rescreen_run", "review.rescreen_resume"}


def init_app(app: Flask) -> None:
    """Register the blueprint and its settings (``SCREENING_RESCREEN_WINDOW_DAYS``, default 90)."""
    raw = os.environ.get("SCREENING_RESCREEN_WINDOW_DAYS", "").strip()
    app.config.setdefault("SCREENING_RESCREEN_WINDOW_DAYS", int(raw) if raw else DEFAULT_WINDOW_DAYS)
    app.config.setdefault("SCREENING_REVIEW_PAGE_SIZE", 25)
    app.register_blueprint(bp)
    from .cli import rescreen_cli

    app.cli.add_command(rescreen_cli)


@bp.before_request
def require_liaison() -> Any:
    if not current_user.is_authenticated:
        if request.headers.get("Authorization"):
            abort(403)  # an API key is never a way in to these pages
        manager = getattr(current_app, "login_manager", None)
        if manager is not None and request.method == "GET":
            return manager.unauthorized()
        abort(401)
    role = getattr(current_user, "role", None)
    if role == HSI_LIAISON:
        return None
    if role == ADMIN and request.endpoint in ADMIN_ENDPOINTS:
        return None
    abort(403)


def actor() -> Actor:
    return Actor.for_user(current_user._get_current_object(), request.remote_addr)


def me() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


@bp.app_context_processor
def review_helpers() -> dict[str, Any]:
    return {
        "regime_label": lambda code: REGIME_LABELS.get(code, code),
        "reason_label": lambda code: REASON_LABELS.get(code, code),
        "describe_change": describe_change,
        "flag_label": flag_label,
    }


# --- the queue ---


@bp.get("/")
def queue() -> Any:
    filters = QueueFilters.from_args(request.args)
    page = request.args.get("page", 1, type=int) or 1
    per_page = min(current_app.config["SCREENING_REVIEW_PAGE_SIZE"], 100)
    result = list_queue(get_session(), filters, page=page, per_page=per_page)
    return render_template(
        "review/queue.html", result=result, filters=filters, args=filters.to_args(), me=me()
    )


@bp.get("/queue.csv")
def queue_csv() -> Response:
    filters = QueueFilters.from_args(request.args)
    session = get_database().new_session()  # the stream outlives the view: its own session

    def generate() -> Any:
        try:
            yield from export_queue_csv(session, filters)
        finally:
            session.close()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="review-queue.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- a case ---


def _case_or_404(item_id: int) -> Any:
    try:
        return get_case(get_session(), item_id)
    except ServiceError:
        abort(404)


def render_case(item: Any, status: int = 200, **forms: Any) -> Any:
    session = get_session()
    order = item.order
    liaisons = list_liaisons(session)
    assign = forms.get("assign_form") or AssignForm()
    assign.assignee.choices = [SelectChoice(u.id, u.name or u.email) for u in liaisons]
    decision = forms.get("decision_form") or DecisionForm(screening_id=item.screening_id)
    if not decision.is_submitted():
        decision.screening_id.data = item.screening_id
    steps = screening_steps(session, order)
    case_change = next((s.change for s in steps if s.screening.id == item.screening_id), None)
    context = {
        "lines": line_views(order, item.screening),
        "line_labels": {line.index: line.product or line.name or line.cas for line in order.lines},
        "case_change": case_change,
        "item": item,
        "order": order,
        "screening": item.screening,
        "latest": order.latest_screening,
        "steps": steps,
        "links": find_consignee_links(session, order),
        "link_cutoff": link_cutoff(),
        "history": consignee_history(session, order),
        "totals": monthly_totals(session, order),
        "trail": case_trail(session, item),
        "exporter_view": exporter_review_view(item),
        "claim_form": forms.get("claim_form") or ClaimForm(),
        "assign_form": assign,
        "note_form": forms.get("note_form") or NoteForm(),
        "decision_form": decision,
        "me": me(),
        "reason_codes": REASON_CODES,
    }
    return render_template("review/case.html", **context), status


def line_views(order: Any, screening: Any) -> list[dict[str, Any]]:
    """Each order line as submitted, with its stored chem_db result and a depiction per component."""
    from ..web.depiction import depict, highlight_sets

    results = {int(r.get("index", i)): r for i, r in enumerate(screening.lines or [])}
    views = []
    for line in order.lines:
        result = results.get(line.index, {})
        matches = result.get("matches") or []
        resolved = result.get("resolved") or {}
        components = []
        for number, component in enumerate(resolved.get("components") or []):
            atoms, bonds = highlight_sets(matches, number)
            names = sorted({m.get("name", "") for m in matches if int(m.get("component") or 0) == number})
            caption = ("Matched: " + ", ".join(names)) if names else (component.get("formula") or "")
            label = f"Line {line.index + 1}, component {number + 1}: {component.get('smiles', '')}"
            components.append(
                {
                    "svg": depict(component.get("smiles"), atoms, bonds, label=label),
                    "caption": caption,
                    "highlighted": bool(atoms),
                }
            )
        views.append({"index": line.index, "submitted": line, "result": result, "components": components})
    return views


@bp.get("/cases/<int:item_id>")
def case(item_id: int) -> Any:
    item = _case_or_404(item_id)
    session = get_session()
    record_case_view(session, item, actor())
    session.commit()
    return render_case(item)


def _back(item_id: int, anchor: str = "") -> Any:
    return redirect(url_for("review.case", item_id=item_id) + (f"#{anchor}" if anchor else ""))


@bp.post("/cases/<int:item_id>/claim")
def claim(item_id: int) -> Any:
    item = _case_or_404(item_id)
    form = ClaimForm()
    if not form.validate_on_submit():
        abort(400)
    session = get_session()
    claim_review(session, item, me(), actor())
    session.commit()
    flash("You have claimed this case.", "success")
    return _back(item_id)


@bp.post("/cases/<int:item_id>/assign")
def assign(item_id: int) -> Any:
    item = _case_or_404(item_id)
    session = get_session()
    form = AssignForm()
    form.assignee.choices = [SelectChoice(u.id, u.email) for u in list_liaisons(session)]
    if not form.validate_on_submit():
        return render_case(item, 422, assign_form=form)
    assignee = session.get(User, form.assignee.data)
    try:
        claim_review(session, item, me(), actor(), assignee=assignee)
    except ServiceError as exc:
        form.assignee.errors = [exc.message]
        return render_case(item, 422, assign_form=form)
    session.commit()
    flash(f"Case assigned to {assignee.email if assignee else '?'}.", "success")
    return _back(item_id)


@bp.post("/cases/<int:item_id>/notes")
def add_note(item_id: int) -> Any:
    item = _case_or_404(item_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return render_case(item, 422, note_form=form)
    session = get_session()
    add_review_note(session, item, me(), form.body.data or "", actor())
    session.commit()
    flash("Note added (internal: never shown to the exporter).", "success")
    return _back(item_id, "notes")


@bp.post("/cases/<int:item_id>/decisions")
def decide(item_id: int) -> Any:
    item = _case_or_404(item_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return render_case(item, 422, decision_form=form)
    if form.screening_id.data != item.screening_id:
        form.form_errors.append(
            "A re-screening has changed this case since you opened it. Read the new screening"
            " (its changes are shown above) before deciding."
        )
        form.screening_id.data = item.screening_id
        return render_case(item, 409, decision_form=form)
    session = get_session()
    try:
        record_decision(
            session,
            item,
            me(),
            form.reason_code.data or "",
            form.explanation.data or "",
            actor(),
            message_to_exporter=form.message_to_exporter.data,
        )
    except ServiceError as exc:
        form.form_errors.append(exc.message)
        return render_case(item, 422, decision_form=form)
    session.commit()
    flash(f"Decision recorded: {REASON_LABELS.get(form.reason_code.data or '', '')}.", "success")
    return _back(item_id, "decisions")


# --- dashboard ---


def _weeks() -> int:
    weeks = request.args.get("weeks", DEFAULT_WEEKS, type=int) or DEFAULT_WEEKS
    return weeks if weeks in PERIODS else DEFAULT_WEEKS


@bp.get("/dashboard")
def dashboard() -> Any:
    weeks = _weeks()
    charts = build_dashboard(get_session(), weeks)
    return render_template(
        "review/dashboard.html",
        charts=[(chart, chart_svg(chart)) for chart in charts],
        weeks=weeks,
        periods=PERIODS,
    )


@bp.get("/dashboard/<key>.csv")
def dashboard_csv(key: str) -> Response:
    weeks = _weeks()
    charts = {chart.key: chart for chart in build_dashboard(get_session(), weeks)}
    chart = charts.get(key)
    if chart is None:
        abort(404)
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(chart.columns)
    for row in chart.rows:
        writer.writerow([csv_safe(v) for v in row])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="dashboard-{key}-{weeks}w.csv"'
    return response


# --- re-screening runs ---


@bp.get("/rescreens")
def rescreens() -> Any:
    from ..services.rescreening import count_outdated_open_cases, current_versions, find_run

    session = get_session()
    versions = current_versions()
    run = find_run(session, versions)
    return render_template(
        "review/rescreens.html",
        runs=list_runs(session),
        versions=versions,
        outdated=count_outdated_open_cases(session, versions) if run is None or run.state == "done" else 0,
        window_days=current_app.config["SCREENING_RESCREEN_WINDOW_DAYS"],
        can_start=getattr(current_user, "role", None) == ADMIN,
        claim_form=ClaimForm(),
    )


@bp.get("/rescreens/<int:run_id>")
def rescreen_run(run_id: int) -> Any:
    from ..review.models import RescreenRun

    session = get_session()
    run = session.get(RescreenRun, run_id)
    if run is None:
        abort(404)
    show_all = request.args.get("all") == "1"
    return render_template(
        "review/rescreen_run.html",
        run=run,
        rows=run_changes(session, run_id, changed_only=not show_all),
        show_all=show_all,
        liaison=getattr(current_user, "role", None) == HSI_LIAISON,
    )


@bp.post("/rescreens/start")
def rescreen_resume() -> Any:
    """Plan a run for the versions this server has loaded (or top one up) and work it in the background."""
    if getattr(current_user, "role", None) != ADMIN:
        abort(403)
    form = ClaimForm()
    if not form.validate_on_submit():
        abort(400)
    from ..services.rescreening import start_rescreen
    from .background import work_in_background

    session = get_session()
    run = start_rescreen(
        session,
        actor(),
        reason="manual",
        window_days=int(current_app.config["SCREENING_RESCREEN_WINDOW_DAYS"]),
    )
    run_id = run.id
    session.commit()
    work_in_background(current_app._get_current_object(), run_id, actor())  # type: ignore[attr-defined]
    flash(f"Re-screening run {run_id} is running in the background.", "success")
    return redirect(url_for("review.rescreen_run", run_id=run_id))


@bp.errorhandler(ServiceError)
def service_error(exc: ServiceError) -> Any:
    """A refused action goes back to the case (or the queue) with the reason; a bad filter says which."""
    if request.method == "POST":
        flash(exc.message, "error")
        item_id = (request.view_args or {}).get("item_id")
        return redirect(url_for("review.case", item_id=item_id) if item_id else url_for("review.queue"))
    return (
        render_template("errors/error.html", code=exc.status, title="Not possible", description=exc.message),
        exc.status,
    )
