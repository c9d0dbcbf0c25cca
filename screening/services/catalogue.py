"""Catalogue checks from the officers' pages: a file of products screened in chunks, results kept.

:func:`create_catalogue_job` stores one row per item; :func:`screen_next_chunk` screens the next
rows with :func:`screening.services.check_structures` (the API's catalogue chemistry) and stores
their results. The page calls it request after request, so a file of thousands of rows never
holds one request near the server's timeout, any app server can take the next chunk, and the
progress lives in the database. Nothing here screens differently from the API.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..database import begin_write
from ..models import Organisation, User, utcnow
from ..models.officer_pages import DONE, RUNNING, CatalogueJob, CatalogueRow
from .actors import Actor
from .audit import jsonable, record_audit
from .errors import InvalidInput, NotFound
from .pagination import page_offset
from .screenings import check_structures

FLAGGED = ("listed", "analog")
CSV_COLUMNS = (
    "row",
    "cas",
    "smiles",
    "name",
    "classification",
    "resolved_smiles",
    "resolved_name",
    "matched_entries",
    "match_types",
    "lists",
    "findings",
    "watchlist_version",
)


def read_catalogue_file(data: bytes, filename: str, max_rows: int) -> list[dict[str, str]]:
    """The identifiers of each row of an uploaded CSV (or ``.smi``) file, read by chem_db's reader.

    Raises :class:`InvalidInput` naming the problem (no identifier column, empty, too many rows).
    """
    from chem_db.catalogue import CatalogueError, read_items

    suffix = ".smi" if filename.lower().endswith((".smi", ".smiles")) else ".csv"
    handle, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        items = read_items(path)
    except CatalogueError as exc:
        message = str(exc).replace(path, filename or "the file")
        raise InvalidInput(message, {"file": [message]}) from exc
    finally:
        os.unlink(path)
    rows = [item.given() for item in items]
    rows = [row for row in rows if row]
    if not rows:
        raise InvalidInput("the file has no rows with a CAS number, SMILES or name", {"file": ["no rows"]})
    if len(rows) > max_rows:
        raise InvalidInput(
            f"the file has {len(rows):,} rows; at most {max_rows:,} per file (split it)",
            {"file": [f"at most {max_rows:,} rows"]},
        )
    return rows


def create_catalogue_job(
    session: Session, org: Organisation, user: User, filename: str, rows: list[dict[str, str]], actor: Actor
) -> CatalogueJob:
    """Store a catalogue file's rows, unscreened; flushes."""
    record_audit(
        session,
        actor,
        "catalogue.uploaded",
        "catalogue_job",
        None,
        {"filename": filename, "rows": len(rows)},
        organisation_id=org.id,
    )
    job = CatalogueJob(
        organisation_id=org.id,
        created_by_id=user.id,
        filename=filename[:255] or "catalogue.csv",
        total=len(rows),
    )
    session.add(job)
    session.flush()
    session.add_all(CatalogueRow(job_id=job.id, index=i, identifiers=row) for i, row in enumerate(rows))
    session.flush()
    return job


def get_catalogue_job(session: Session, job_id: str, org: Organisation) -> CatalogueJob:
    job = session.get(CatalogueJob, job_id)
    if job is None or job.organisation_id != org.id:
        raise NotFound("no such catalogue check")
    return job


def list_catalogue_jobs(session: Session, org: Organisation, limit: int = 20) -> list[CatalogueJob]:
    return list(
        session.scalars(
            select(CatalogueJob)
            .where(CatalogueJob.organisation_id == org.id)
            .order_by(CatalogueJob.created_at.desc(), CatalogueJob.id)
            .limit(limit)
        )
    )


def screen_next_chunk(session: Session, job_id: str, chunk: int, actor: Actor) -> CatalogueJob:
    """Screen up to ``chunk`` unscreened rows of a job and store their results; flushes.

    Safe when two requests work on the same job at once: a row screened by the other meanwhile
    is left as it is, and the job's counts are recomputed from the rows.
    """
    pending = list(
        session.execute(
            select(CatalogueRow.id, CatalogueRow.identifiers)
            .where(CatalogueRow.job_id == job_id, CatalogueRow.classification.is_(None))
            .order_by(CatalogueRow.index)
            .limit(max(1, chunk))
        )
    )
    results = check_structures([identifiers for _, identifiers in pending]) if pending else []
    begin_write(session)  # after the chemistry: the write phase is short
    now = utcnow()
    for (row_id, _), result in zip(pending, results, strict=True):
        session.execute(
            update(CatalogueRow)
            .where(CatalogueRow.id == row_id, CatalogueRow.classification.is_(None))
            .values(classification=result.classification, result=jsonable(result.to_dict()))
        )
    counts = dict(
        session.execute(
            select(CatalogueRow.classification, func.count())
            .where(CatalogueRow.job_id == job_id, CatalogueRow.classification.is_not(None))
            .group_by(CatalogueRow.classification)
        ).all()
    )
    job = session.get(CatalogueJob, job_id, populate_existing=True)
    if job is None:
        raise NotFound("no such catalogue check")
    job.processed = sum(counts.values())
    job.flagged = sum(counts.get(c, 0) for c in FLAGGED)
    job.unresolved = counts.get("unresolved", 0)
    job.updated_at = now
    if results and not job.watchlist_version:
        job.watchlist_version = results[0].watchlist_version
    finished = job.processed >= job.total
    if finished and job.state != DONE:
        job.state = DONE
        job.finished_at = now
        record_audit(
            session,
            actor,
            "catalogue.screened",
            "catalogue_job",
            job.id,
            {"rows": job.total, "flagged": job.flagged, "unresolved": job.unresolved},
            organisation_id=job.organisation_id,
        )
    elif not finished:
        job.state = RUNNING
    session.flush()
    return job


def job_rows(
    session: Session, job: CatalogueJob, *, flagged_only: bool, page: int, per_page: int
) -> tuple[list[CatalogueRow], int]:
    """One page of a job's rows (screened and flagged or unresolved ones only, when asked) and their count."""
    conditions = [CatalogueRow.job_id == job.id]
    if flagged_only:
        conditions.append(CatalogueRow.classification.in_((*FLAGGED, "unresolved")))
    total = session.scalar(select(func.count()).select_from(CatalogueRow).where(*conditions)) or 0
    rows = session.scalars(
        select(CatalogueRow)
        .where(*conditions)
        .order_by(CatalogueRow.index)
        .limit(per_page)
        .offset(page_offset(page, per_page))
    ).all()
    return list(rows), total


def _csv_record(row: CatalogueRow) -> list[Any]:
    ids = row.identifiers or {}
    result = row.result or {}
    resolved = result.get("resolved") or {}
    matches = result.get("matches") or []
    return [
        row.index + 1,
        ids.get("cas", ""),
        ids.get("smiles", ""),
        ids.get("name", ""),
        row.classification or "not screened",
        resolved.get("smiles", ""),
        resolved.get("name") or "",
        "; ".join(dict.fromkeys(m.get("entry_id", "") for m in matches)),
        "; ".join(f"{m.get('entry_id')}:{m.get('match_type')}" for m in matches),
        "; ".join(dict.fromkeys(label for m in matches for label in m.get("lists") or [])),
        json.dumps(
            [{"code": f.get("code"), "message": f.get("message")} for f in result.get("findings") or []]
        )
        if result.get("findings")
        else "",
        result.get("watchlist_version", ""),
    ]


def job_csv(session: Session, job: CatalogueJob, batch: int = 500) -> Iterator[str]:
    """The job's results as CSV text, a batch of rows at a time (for a streamed download)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield _drain(buffer)
    last = -1
    while True:
        rows: Iterable[CatalogueRow] = session.scalars(
            select(CatalogueRow)
            .where(CatalogueRow.job_id == job.id, CatalogueRow.index > last)
            .order_by(CatalogueRow.index)
            .limit(batch)
        ).all()
        rows = list(rows)
        if not rows:
            return
        for row in rows:
            writer.writerow(_csv_record(row))
        last = rows[-1].index
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
