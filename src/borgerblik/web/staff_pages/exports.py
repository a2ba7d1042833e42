"""Data exports from the results pages: a job runs ``borgerblik export`` (the worker's ``_export``: the same
:func:`borgerblik.interop.exports.export_survey`, one file per format with its HTML codebook) into the
exports folder, and the page lists and serves its files as attachments — each export and each download
recorded in the audit log.

An export is the analysis dataset: one row per respondent, pseudonymised — a fresh running number, the
register's background fields (municipality, gender, age group, target group, duration), the weight, every
answer as its code and the paradata; never a CPR number, contact data, the member id or free text
(:mod:`borgerblik.interop.dataset` names every column that goes out; a test scans the files).

Who: the administrator and the cross-municipal analyst. **A municipal analyst is refused (403)**, not given
their own municipality's rows: row-level data carries no small-group suppression, and within one
municipality the background fields together (gender × age group × target group × duration) can single out
a citizen to the very caseworkers who know them — the municipality's own aggregated figures, reports and
themes stay theirs on the other results pages.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute

from borgerblik.storage import Database
from borgerblik.storage.jobs import queue_job, survey_jobs
from borgerblik.web import lookup
from borgerblik.web.api import json_body, problem, reply
from borgerblik.web.auth import Auth, read_form
from borgerblik.web.worker import EXPORT_FORMATS, EXPORT_LANGUAGES, exports_folder

EXPORTERS = ("administrator", "analyst")
FORMAT_NAMES = {
    "sav": "SPSS (.sav)",
    "csv": "CSV (.csv)",
    "dta": "Stata (.dta)",
    "xlsx": "Excel (.xlsx)",
    "parquet": "Parquet (.parquet)",
}
LANGUAGE_NAMES = {"da": "Dansk", "en": "Engelsk"}
SHOWN_JOBS = 50
"""How far back the page looks among the survey's jobs for finished exports."""


def export_params(formats: list[str], language: str) -> dict[str, Any] | str:
    """The job's parameters, or what is wrong with the request (Danish, for the page and the API)."""
    if not formats or any(f not in EXPORT_FORMATS for f in formats):
        return f"Vælg mindst ét format: {', '.join(EXPORT_FORMATS)}."
    if language not in EXPORT_LANGUAGES:
        return f"Sproget skal være et af {', '.join(EXPORT_LANGUAGES)}."
    return {"formats": list(dict.fromkeys(formats)), "language": language}


def finished_exports(db: Database, survey_id: int) -> list[Any]:
    """The survey's finished export jobs, newest first."""
    found = survey_jobs(db, survey_id, limit=SHOWN_JOBS)
    return [j for j in found if j.kind == "export" and j.state == "done"]


def export_routes(db: Database, auth: Auth, page: Any) -> list[BaseRoute]:
    found_survey = partial(lookup.found_survey, db, auth)

    async def overview(request: Request) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        exports = await auth.call(finished_exports, db, survey.id)
        if request.url.path.startswith("/api/"):
            return reply(
                [
                    {
                        "job": e.id,
                        "finished_at": e.finished_at,
                        "formats": e.result["formats"],
                        "language": e.result["language"],
                        "respondents": e.result["respondents"],
                        "files": [f"/api/surveys/{survey.id}/exports/{e.id}/{f}" for f in e.result["files"]],
                    }
                    for e in exports
                ]
            )
        return page(
            request,
            "staff/exports.html",
            survey=survey,
            exports=exports,
            formats=FORMAT_NAMES,
            label_languages=LANGUAGE_NAMES,
        )

    async def make(request: Request) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        api = request.url.path.startswith("/api/")
        if api:
            data = await json_body(request)
            if isinstance(data, JSONResponse):
                return data
            formats, language = data.get("formats", ["sav", "csv"]), data.get("language", "da")
            params = export_params(formats if isinstance(formats, list) else [], str(language))
        else:
            fields = await read_form(request)
            params = export_params(fields.get("format", []), (fields.get("sprog") or ["da"])[0])
        if isinstance(params, str):
            if api:
                return problem(422, "Ugyldig eksport", params)
            return auth.refuse(request, 400, "Vælg et format", params)
        user = request.state.staff.username
        job_id = await auth.call(lambda: queue_job(db, "export", user, survey_id=survey.id, params=params))
        if api:
            url = f"/api/jobs/{job_id}"
            return reply({"job": job_id, "url": url}, 202, {"Location": url})
        return RedirectResponse(f"/koersler/{job_id}", 303)

    async def download(request: Request) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        found = await lookup.finished_job_file(
            db, auth, request, survey, "export", "Der er ingen eksport med det navn."
        )
        if isinstance(found, Response):
            return found
        job_id, path = found.id, request.path_params["path"]
        file = exports_folder(survey.id, job_id) / path
        if not file.is_file():
            return auth.refuse(request, 410, "Filen er væk", "Filen findes ikke længere; lav eksporten igen.")
        return await lookup.job_file_download(db, auth, request, survey, file, "export_download")

    page_base, api_base = "/resultater/{survey_id:int}/eksport", "/api/surveys/{survey_id:int}/exports"
    return [
        auth.route(page_base, overview, roles=EXPORTERS),
        auth.route(page_base, make, roles=EXPORTERS, methods=["POST"]),
        auth.route(page_base + "/{job_id:int}/{path:path}", download, roles=EXPORTERS),
        auth.route(api_base, overview, roles=EXPORTERS),
        auth.route(api_base, make, roles=EXPORTERS, methods=["POST"]),
        auth.route(api_base + "/{job_id:int}/{path:path}", download, roles=EXPORTERS),
    ]
