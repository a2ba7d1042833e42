"""The survey lifecycle for administrators: create a survey from a template, upload the register extract,
draw the sample, and follow each long step as a background job with a progress bar.

Handlers only validate, queue and read: the work itself runs in the worker process
(:mod:`borgerblik.web.worker`). Pages reload themselves while a job runs by the ``Refresh`` header, with a
visible switch to stop it (WCAG 2.2.1), as the fieldwork monitor does.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from borgerblik.core import InstrumentError, template_names
from borgerblik.storage import Database, StorageError
from borgerblik.storage.audit import record_audit
from borgerblik.storage.jobs import job, queue_job, survey_jobs
from borgerblik.storage.overview import survey_progress
from borgerblik.web.auth import Auth, first, read_form
from borgerblik.web.lookup import LARGEST_ID, survey_or_none
from borgerblik.web.worker import JOB_NAMES

ADMIN = ("administrator",)
JOB_READERS = ("administrator", "analyst")
RESULT_JOBS = ("analysis", "reports", "export")
"""The jobs a cross-municipal analyst starts from the results pages, and so may follow on the job's page."""
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
REFRESH_SECONDS = 2
UPLOAD_SUFFIXES = (".csv", ".xlsx", ".txt")
CHANNELS = {"digital_post": "Digital Post", "sms": "SMS", "email": "E-mail"}


def _create(db: Database, name: str, template: str, **dates: date | None) -> int:
    """``create_survey_from_template``, imported in the request's thread: it brings the statistics stack,
    which would otherwise slow every web worker's start (issue 18)."""
    from borgerblik.surveys import create_survey_from_template

    return create_survey_from_template(db, name, template, **dates)


def _date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"forventede en dato ÅÅÅÅ-MM-DD, fik {text[:20]!r}") from None


def survey_routes(db: Database, auth: Auth, page: Any) -> list[BaseRoute]:
    """``page(request, template, status_code=…, **values)`` renders a staff template."""

    def not_found(request: Request) -> Response:
        return auth.refuse(
            request, 404, "Findes ikke", "Der er ingen undersøgelse eller kørsel med det nummer."
        )

    async def new_form(request: Request, *, status_code: int = 200, error: str | None = None) -> Response:
        values = {k: v[0] for k, v in (getattr(request.state, "form", None) or {}).items() if v}
        return page(
            request,
            "staff/survey_new.html",
            status_code=status_code,
            templates=template_names(),
            error=error,
            values=values,
        )

    async def create(request: Request) -> Response:
        fields = await read_form(request)
        request.state.form = fields
        name, template = first(fields, "name").strip(), first(fields, "template")
        if not name or len(name) > 200:
            return await new_form(
                request, status_code=422, error="Giv undersøgelsen et navn (højst 200 tegn)."
            )
        if template not in template_names():
            return await new_form(request, status_code=422, error="Vælg en af skabelonerne.")
        try:
            dates = [_date(first(fields, key)) for key in ("period_start", "period_end", "close_date")]
            survey_id = await auth.call(
                lambda: _create(
                    db, name, template, period_start=dates[0], period_end=dates[1], reference_date=dates[2]
                )
            )
        except (ValueError, StorageError, InstrumentError) as exc:
            return await new_form(request, status_code=422, error=str(exc))
        await auth.call(_audit, db, request, "survey_create", f"{survey_id}: {name} ({template})")
        return RedirectResponse(f"/undersoegelser/{survey_id}", 303)

    async def overview(request: Request) -> Response:
        survey_id = request.path_params["survey_id"]
        survey = await auth.call(survey_or_none, db, survey_id)
        if survey is None:
            return not_found(request)
        progress = await auth.call(survey_progress, db, survey_id)
        jobs = await auth.call(survey_jobs, db, survey_id)
        return page(
            request,
            "staff/survey.html",
            survey=survey,
            progress=progress,
            jobs=jobs,
            job_names=JOB_NAMES,
            channels=CHANNELS,
        )

    async def upload(request: Request) -> Response:
        survey_id = request.path_params["survey_id"]
        if await auth.call(survey_or_none, db, survey_id) is None:
            return not_found(request)
        form = await request.form()
        extract = form.get("udtraek")
        if not isinstance(extract, UploadFile) or not extract.filename:
            return auth.refuse(
                request, 400, "Ingen fil", "Vælg registerudtrækket (CSV eller XLSX) og send igen."
            )
        if not extract.filename.lower().endswith(UPLOAD_SUFFIXES):
            return auth.refuse(request, 400, "Forkert filtype", "Udtrækket skal være en CSV- eller XLSX-fil.")
        content = await extract.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            return auth.refuse(request, 413, "Filen er for stor", "Udtrækket må højst fylde 200 MB.")
        job_id = await auth.call(
            lambda: queue_job(
                db,
                "import_register",
                request.state.staff.username,
                survey_id=survey_id,
                params={"filename": extract.filename[-200:]},
                upload=content,
            )
        )
        return RedirectResponse(f"/koersler/{job_id}", 303)

    async def draw(request: Request) -> Response:
        survey_id = request.path_params["survey_id"]
        if await auth.call(survey_or_none, db, survey_id) is None:
            return not_found(request)
        seed_text = first(await read_form(request), "seed").strip() or "2024"
        if not (seed_text.isascii() and seed_text.isdigit() and len(seed_text) <= 9):
            return auth.refuse(request, 400, "Ugyldigt seed", "Seed skal være et helt tal (højst 9 cifre).")
        job_id = await auth.call(
            lambda: queue_job(
                db,
                "draw_sample",
                request.state.staff.username,
                survey_id=survey_id,
                params={"seed": int(seed_text)},
            )
        )
        return RedirectResponse(f"/koersler/{job_id}", 303)

    async def purge(request: Request) -> Response:
        survey_id = request.path_params["survey_id"]
        if await auth.call(survey_or_none, db, survey_id) is None:
            return not_found(request)
        if first(await read_form(request), "bekraeft") != "ja":
            return auth.refuse(
                request, 400, "Ikke bekræftet", "Sæt kryds i bekræftelsen for at slette persondata."
            )
        job_id = await auth.call(
            lambda: queue_job(db, "purge", request.state.staff.username, survey_id=survey_id)
        )
        return RedirectResponse(f"/koersler/{job_id}", 303)

    async def show_job(request: Request) -> Response:
        job_id = request.path_params["job_id"]
        found = await auth.call(lambda: job(db, job_id, summary=True)) if job_id <= LARGEST_ID else None
        if found is None:
            return not_found(request)
        if request.state.staff.role != "administrator" and found.kind not in RESULT_JOBS:
            return auth.refuse(request, 403, "Ingen adgang", "Din rolle giver ikke adgang til denne kørsel.")
        refreshing = not found.finished and request.query_params.get("opdater") != "nej"
        response = page(
            request,
            "staff/job.html",
            job=found,
            name=JOB_NAMES.get(found.kind, found.kind),
            refreshing=refreshing,
            refresh_seconds=REFRESH_SECONDS,
            path=request.url.path,
        )
        if refreshing:
            response.headers["Refresh"] = str(REFRESH_SECONDS)
        return response

    return [
        auth.route("/undersoegelser/ny", new_form, roles=ADMIN),
        auth.route("/undersoegelser/ny", create, roles=ADMIN, methods=["POST"]),
        auth.route("/undersoegelser/{survey_id:int}", overview, roles=ADMIN),
        auth.route(
            "/undersoegelser/{survey_id:int}/register", upload, roles=ADMIN, methods=["POST"], files=True
        ),
        auth.route("/undersoegelser/{survey_id:int}/stikproeve", draw, roles=ADMIN, methods=["POST"]),
        auth.route("/undersoegelser/{survey_id:int}/slet-persondata", purge, roles=ADMIN, methods=["POST"]),
        auth.route("/koersler/{job_id:int}", show_job, roles=JOB_READERS),
    ]


def _audit(db: Database, request: Request, action: str, detail: str) -> None:
    record_audit(db, request.state.staff.username, action, detail)
