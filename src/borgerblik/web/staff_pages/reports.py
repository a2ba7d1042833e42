"""Report downloads on the results pages: a job runs the functions of ``borgerblik report --survey ID
--municipality all`` (:func:`borgerblik.web.worker._reports`) into the reports folder, and the page lists and
serves its files — each download recorded in the audit log.

A municipal analyst sees the national report and their own municipality's only: another municipality's file
by URL is a 403, and the overview ``index.html`` (which lists every municipality's figures) is not theirs.
Files are served as attachments, never rendered inside the staff site, so a report's own styles and scripts
never run with a staff session.
"""

from __future__ import annotations

from functools import partial
from pathlib import PurePosixPath
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from borgerblik.storage import Database
from borgerblik.storage.jobs import latest_done_job, queue_job
from borgerblik.web import lookup
from borgerblik.web.auth import Auth, StaffUser, read_form
from borgerblik.web.worker import REPORT_FORMATS, reports_folder

ANALYSTS = ("administrator", "analyst", "municipal_analyst")
RUNNERS = ("administrator", "analyst")
FORMAT_NAMES = {"html": "HTML", "pdf": "PDF (tilgængelig, PDF/UA)", "xlsx": "Excel"}


def may_download(user: StaffUser, path: str, municipalities: dict[str, str]) -> bool:
    """Whether the user may have ``path`` of a report set: everything, or (municipal analyst) the national
    report and their own municipality's. Called in a thread: :mod:`borgerblik.reporting` (the statistics
    stack) is imported on first use, not when a web worker starts (issue 18)."""
    from borgerblik.reporting.publish import MUNICIPAL_DIR, NATIONAL_NAME

    if user.role != "municipal_analyst":
        return True
    parts = PurePosixPath(path)
    if parts.parent == PurePosixPath(".") and parts.stem == NATIONAL_NAME:
        return True
    own = municipalities.get(user.municipality or "")
    return own is not None and parts.parent == PurePosixPath(MUNICIPAL_DIR) and parts.stem == own


def report_routes(db: Database, auth: Auth, page: Any) -> list[BaseRoute]:
    found_survey = partial(lookup.found_survey, db, auth)

    async def overview(request: Request) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        found, waiting = await auth.call(latest_done_job, db, survey.id, "reports")
        user: StaffUser = request.state.staff
        files = []
        if found is not None:
            allowed = found.result["municipalities"]
            files = await auth.call(
                lambda: [f for f in found.result["files"] if may_download(user, f, allowed)]
            )
        return page(
            request,
            "staff/reports.html",
            survey=survey,
            reports=found,
            files=files,
            waiting=waiting,
            can_run=user.role in RUNNERS,
            formats=FORMAT_NAMES,
        )

    async def make(request: Request) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        formats = [f for f in (await read_form(request)).get("format", []) if f in REPORT_FORMATS]
        if not formats:
            return auth.refuse(
                request, 400, "Vælg et format", "Vælg mindst ét format: HTML, PDF eller Excel."
            )
        user = request.state.staff.username
        job_id = await auth.call(
            lambda: queue_job(db, "reports", user, survey_id=survey.id, params={"formats": formats})
        )
        return RedirectResponse(f"/koersler/{job_id}", 303)

    async def download(request: Request) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        found = await lookup.finished_job_file(
            db, auth, request, survey, "reports", "Der er ingen rapport med det navn."
        )
        if isinstance(found, Response):
            return found
        job_id, path = found.id, request.path_params["path"]
        user: StaffUser = request.state.staff
        if not await auth.call(may_download, user, path, found.result["municipalities"]):
            return auth.refuse(
                request, 403, "Ingen adgang", "Du kan hente landsrapporten og din egen kommunes rapport."
            )
        file = reports_folder(survey.id, job_id) / path
        if not file.is_file():
            return auth.refuse(
                request, 410, "Rapporten er væk", "Filen findes ikke længere; lav rapporterne igen."
            )
        return await lookup.job_file_download(db, auth, request, survey, file, "report_download")

    base = "/resultater/{survey_id:int}/rapporter"
    return [
        auth.route(base, overview, roles=ANALYSTS),
        auth.route(base, make, roles=RUNNERS, methods=["POST"]),
        auth.route(base + "/{job_id:int}/{path:path}", download, roles=ANALYSTS),
    ]
