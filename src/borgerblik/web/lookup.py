"""Finding the survey a staff URL names, and a finished job's file: one rule for every page and the API.

Ids are bigints; a longer number in the URL names no survey and must not reach the driver (it would be a
driver error, not a 404).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path, PurePosixPath
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from borgerblik.storage import Database, StorageError
from borgerblik.storage.audit import record_audit
from borgerblik.storage.jobs import JobRecord, job
from borgerblik.web.auth import Auth

LARGEST_ID = 2**63 - 1


def survey_or_none(db: Database, survey_id: int) -> Any:
    """The stored survey, or None when the id names none (blocking: call it in the thread pool)."""
    if survey_id > LARGEST_ID:
        return None
    try:
        return db.survey(survey_id)
    except StorageError:
        return None


async def found_survey(db: Database, auth: Auth, request: Request) -> Any | Response:
    """The survey of the URL's ``survey_id``, or the 404 page (JSON on /api/) to return instead."""
    survey = await auth.call(survey_or_none, db, request.path_params["survey_id"])
    if survey is None:
        return auth.refuse(request, 404, "Findes ikke", "Der er ingen undersøgelse med det nummer.")
    return survey


async def finished_job_file(
    db: Database, auth: Auth, request: Request, survey: Any, kind: str, missing: str
) -> JobRecord | Response:
    """The survey's finished ``kind`` job of the URL's ``job_id`` whose files include the URL's ``path`` (only
    the job's own files: no "..", no other folder), or the 404 page saying ``missing``."""
    job_id, path = request.path_params["job_id"], request.path_params["path"]
    found = await auth.call(job, db, job_id) if job_id <= LARGEST_ID else None
    if (
        found is None
        or (found.kind, found.survey_id, found.state) != (kind, survey.id, "done")
        or path not in found.result["files"]
    ):
        return auth.refuse(request, 404, "Findes ikke", missing)
    return found


async def job_file_download(
    db: Database, auth: Auth, request: Request, survey: Any, file: Path, action: str
) -> Response:
    """``file`` of a finished job (:func:`finished_job_file`) as an attachment, recorded in the audit log as
    ``action``; never rendered inside the staff site, so a file's own styles and scripts never run there."""
    job_id, path = request.path_params["job_id"], request.path_params["path"]
    detail = f"undersøgelse {survey.id}, kørsel {job_id}: {path}"
    await auth.call(record_audit, db, request.state.staff.username, action, detail)
    return FileResponse(
        file,
        media_type=mimetypes.guess_type(file.name)[0] or "application/octet-stream",
        filename=f"{survey.id}-{PurePosixPath(path).name}",
        content_disposition_type="attachment",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )
