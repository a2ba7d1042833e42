"""The job queue behind the staff pages: the web app only queues and reads rows; a worker process runs them.

A worker claims the oldest queued job in one write transaction (on PostgreSQL with ``SKIP LOCKED``, so
several workers never take the same row; SQLite's single writer serialises the claim anyway).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Text, case, cast, insert, null, select, type_coerce, update

from borgerblik.storage.database import Database
from borgerblik.storage.schema import Job
from borgerblik.storage.times import as_utc, utcnow


@dataclass(frozen=True)
class JobRecord:
    id: int
    kind: str
    survey_id: int | None
    params: dict[str, Any]
    state: str
    progress: int
    message: str | None
    result: dict[str, Any] | None
    requested_by: str
    created_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


_COLUMNS = (
    Job.id,
    Job.kind,
    Job.survey_id,
    Job.params,
    Job.state,
    Job.progress,
    Job.message,
    Job.result,
    Job.requested_by,
    Job.created_at,
    Job.finished_at,
)
LARGE_RESULTS = ("analysis",)
"""Kinds whose result is the analysis' rows — a national one some 17 MB, whose decoding holds a web worker's
interpreter for a third of a second. A page that shows only a job's state and summary leaves it unread."""
_SUMMARY_COLUMNS = tuple(
    case((Job.kind.in_(LARGE_RESULTS), null()), else_=Job.result).label("result") if c is Job.result else c
    for c in _COLUMNS
)


def _record(row: Any) -> JobRecord:
    values = dict(row._mapping)
    values["created_at"] = as_utc(values["created_at"])
    values["finished_at"] = as_utc(values["finished_at"])
    return JobRecord(**values)


def queue_job(
    db: Database,
    kind: str,
    requested_by: str,
    *,
    survey_id: int | None = None,
    params: dict[str, Any] | None = None,
    upload: bytes | None = None,
) -> int:
    with db.writing() as connection:
        return connection.execute(
            insert(Job)
            .values(
                kind=kind,
                survey_id=survey_id,
                params=params or {},
                upload=upload,
                state="queued",
                progress=0,
                requested_by=requested_by,
                created_at=utcnow(),
            )
            .returning(Job.id)
        ).scalar_one()


def job(db: Database, job_id: int, *, summary: bool = False) -> JobRecord | None:
    """The job; with ``summary`` its result only if it is not one of the :data:`LARGE_RESULTS`."""
    with db.reading() as connection:
        columns = _SUMMARY_COLUMNS if summary else _COLUMNS
        row = connection.execute(select(*columns).where(Job.id == job_id)).first()
    return _record(row) if row is not None else None


def survey_jobs(db: Database, survey_id: int, *, limit: int = 20) -> list[JobRecord]:
    """The survey's newest jobs, for its page: results of :data:`LARGE_RESULTS` kinds left unread."""
    with db.reading() as connection:
        rows = connection.execute(
            select(*_SUMMARY_COLUMNS).where(Job.survey_id == survey_id).order_by(Job.id.desc()).limit(limit)
        ).all()
    return [_record(row) for row in rows]


def claim_job(db: Database, worker: str) -> tuple[JobRecord, bytes | None] | None:
    """The oldest queued job, now running under ``worker``, with its uploaded file; None when idle."""
    with db.writing() as connection:
        query = select(Job.id, Job.upload).where(Job.state == "queued").order_by(Job.id).limit(1)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        found = connection.execute(query).first()
        if found is None:
            return None
        connection.execute(
            update(Job)
            .where(Job.id == found.id)
            .values(state="running", worker=worker[:100], started_at=utcnow(), progress=0)
        )
    claimed = job(db, found.id)
    assert claimed is not None
    return claimed, found.upload


def report_progress(db: Database, job_id: int, progress: int, message: str | None = None) -> None:
    with db.writing() as connection:
        connection.execute(
            update(Job).where(Job.id == job_id).values(progress=max(0, min(100, progress)), message=message)
        )


def finish_job(db: Database, job_id: int, result: dict[str, Any], message: str) -> None:
    """Done: the result is kept, the uploaded file (a register extract with CPR numbers) is not.

    The result is serialised before the write transaction begins: a national analysis keeps some 17 MB of
    rows, and turning them into JSON inside ``BEGIN IMMEDIATE`` held SQLite's one write lock for a third of
    a second while citizens' saves waited (benchmarks/bench_staff_save.py).
    """
    text = json.dumps(result)  # what the JSON column itself would write
    stored = type_coerce(text, Text) if db.dialect == "sqlite" else cast(type_coerce(text, Text), JSON)
    with db.writing() as connection:
        connection.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                state="done", progress=100, result=stored, message=message, upload=None, finished_at=utcnow()
            )
        )


def fail_job(db: Database, job_id: int, message: str) -> None:
    with db.writing() as connection:
        connection.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(state="failed", message=message, upload=None, finished_at=utcnow())
        )


def latest_done_job(db: Database, survey_id: int, kind: str) -> tuple[JobRecord | None, bool]:
    """The newest finished ``kind`` job of the survey with its result, and whether a newer one is waiting."""
    with db.reading() as connection:
        row = connection.execute(
            select(*_COLUMNS)
            .where(Job.survey_id == survey_id, Job.kind == kind, Job.state == "done")
            .order_by(Job.id.desc())
            .limit(1)
        ).first()
        waiting = connection.execute(
            select(Job.id).where(
                Job.survey_id == survey_id, Job.kind == kind, Job.state.in_(("queued", "running"))
            )
        ).first()
    return (_record(row) if row is not None else None), waiting is not None


def latest_done_job_id(db: Database, survey_id: int, kind: str) -> tuple[int | None, bool]:
    """:func:`latest_done_job` without reading the result: the id (a finished job's result never changes,
    so a page can keep it by id) and whether a newer one is waiting."""
    with db.reading() as connection:
        found = connection.execute(
            select(Job.id)
            .where(Job.survey_id == survey_id, Job.kind == kind, Job.state == "done")
            .order_by(Job.id.desc())
            .limit(1)
        ).scalar()
        waiting = connection.execute(
            select(Job.id).where(
                Job.survey_id == survey_id, Job.kind == kind, Job.state.in_(("queued", "running"))
            )
        ).first()
    return found, waiting is not None
