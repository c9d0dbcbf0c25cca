"""The catalogue check: upload a CSV of products, watch it being screened, read and download the results."""

from __future__ import annotations

from flask import Response, abort, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue

from ..models import COMPLIANCE_OFFICER
from ..models.officer_pages import CatalogueJob
from ..services import NotFound, ServiceError
from ..services.catalogue import (
    create_catalogue_job,
    get_catalogue_job,
    job_csv,
    job_rows,
    list_catalogue_jobs,
    read_catalogue_file,
    screen_next_chunk,
)
from .blueprints import web
from .common import actor, organisation, sentence, session, setting, user
from .orders import structure_views
from .security import roles_required

ROWS_PER_PAGE = 50


def render_catalogue(error: str | None = None, status: int = 200) -> ResponseReturnValue:
    jobs = list_catalogue_jobs(session(), organisation())
    return (
        render_template(
            "web/catalogue.html",
            jobs=jobs,
            error=error,
            max_rows=int(setting("SCREENING_CATALOGUE_MAX_ROWS")),
        ),
        status,
    )


@web.get("/catalogue")
@roles_required(COMPLIANCE_OFFICER)
def catalogue() -> ResponseReturnValue:
    return render_catalogue()


@web.post("/catalogue")
@roles_required(COMPLIANCE_OFFICER)
def upload_catalogue() -> ResponseReturnValue:
    org = organisation()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_catalogue("Choose a CSV file to upload.", 422)
    data = upload.read()
    dbs = session()
    try:
        rows = read_catalogue_file(data, upload.filename, int(setting("SCREENING_CATALOGUE_MAX_ROWS")))
        job = create_catalogue_job(dbs, org, user(), upload.filename, rows, actor())
    except ServiceError as exc:
        dbs.rollback()
        return render_catalogue(sentence(exc.message), exc.status)
    dbs.commit()
    return redirect(url_for("web.catalogue_job", job_id=job.id), code=303)


def officer_job(job_id: str) -> CatalogueJob:
    try:
        return get_catalogue_job(session(), job_id, organisation())
    except NotFound:
        abort(404)


@web.get("/catalogue/<string:job_id>")
@roles_required(COMPLIANCE_OFFICER)
def catalogue_job(job_id: str) -> ResponseReturnValue:
    job = officer_job(job_id)
    show = "all" if request.args.get("show") == "all" else "flagged"
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    rows, total = job_rows(session(), job, flagged_only=show == "flagged", page=page, per_page=ROWS_PER_PAGE)
    views = []
    for row in rows:
        result = row.result or {}
        flagged = row.classification in ("listed", "analog")
        views.append(
            {
                "row": row,
                "result": result,
                "structures": structure_views(result.get("resolved"), result.get("matches") or [], 180, 130)
                if flagged
                else [],
            }
        )
    pages = max(1, -(-total // ROWS_PER_PAGE))
    return render_template(
        "web/catalogue_job.html", job=job, rows=views, show=show, page=page, pages=pages, total=total
    )


@web.post("/catalogue/<string:job_id>/step")
@roles_required(COMPLIANCE_OFFICER)
def catalogue_step(job_id: str) -> ResponseReturnValue:
    """Screen the next chunk of the file; JSON progress for the page's script, a redirect without it."""
    job = officer_job(job_id)
    dbs = session()
    if job.processed < job.total:
        job = screen_next_chunk(dbs, job.id, int(setting("SCREENING_CATALOGUE_CHUNK")), actor())
        dbs.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(
            {
                "state": job.state,
                "processed": job.processed,
                "total": job.total,
                "flagged": job.flagged,
                "unresolved": job.unresolved,
            }
        )
    return redirect(url_for("web.catalogue_job", job_id=job.id), code=303)


@web.get("/catalogue/<string:job_id>.csv")
@roles_required(COMPLIANCE_OFFICER)
def catalogue_csv(job_id: str) -> ResponseReturnValue:
    job = officer_job(job_id)
    stem = job.filename.rsplit(".", 1)[0]
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:80] or "catalogue"
    response = Response(stream_with_context(job_csv(session(), job)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}-screened.csv"'
    return response
