"""The staff operations as JSON under ``/api/``, described by the OpenAPI document at ``/api/openapi.json``.

Same door as the pages: every route is a :class:`~borgerblik.web.auth.StaffRoute` with its roles, signed in by
the session cookie — a changing request then carries the session's CSRF token in the ``X-CSRF-Token`` header
(``GET /api/session`` gives it) — or, for scripts, by an API token (``Authorization: Bearer``, no CSRF token:
a browser never sends one by itself). Long work is queued as a job (202 with the job's URL), never run in the
request.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import date, datetime
from functools import partial
from typing import Any

from starlette.convertors import IntegerConvertor
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from borgerblik.core import InstrumentError, template_names
from borgerblik.storage import Database, StorageError
from borgerblik.storage.audit import audit_entries, record_audit
from borgerblik.storage.closing import CLOSED_AT, close_fieldwork
from borgerblik.storage.jobs import job, queue_job
from borgerblik.storage.overview import survey_progress
from borgerblik.web import lookup
from borgerblik.web.auth import ALL_ROLES, CSRF_HEADER, Auth, StaffRoute
from borgerblik.web.staff_pages.fieldwork import BadForm, wave_params
from borgerblik.web.staff_pages.surveys import RESULT_JOBS
from borgerblik.web.worker import REPORT_FORMATS

ADMIN = ("administrator",)
READERS = ("administrator", "analyst", "municipal_analyst")
RUNNERS = ("administrator", "analyst")
MAX_JSON_BYTES = 64 * 1024
CONVERTOR = re.compile(r"\{(\w+):\w+\}")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def reply(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    body = json.loads(json.dumps(data, default=_plain))
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})


def problem(status: int, error: str, detail: str) -> JSONResponse:
    return reply({"error": error, "detail": detail}, status)


async def json_body(request: Request) -> dict[str, Any] | JSONResponse:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return problem(415, "Forkert indholdstype", "Send application/json.")
    body = await request.body()
    if len(body) > MAX_JSON_BYTES:
        return problem(413, "For stort", "Højst 64 KB JSON.")
    try:
        data = json.loads(body or b"{}")
    except (UnicodeDecodeError, ValueError):
        return problem(400, "Ulæselig JSON", "Kroppen er ikke gyldig JSON.")
    return data if isinstance(data, dict) else problem(400, "Forventede et objekt", "Send et JSON-objekt.")


def _create_survey(db: Database, name: str, template: str, **dates: date | None) -> int:
    """``create_survey_from_template``, imported in the request's thread, not at start-up: it brings the
    statistics stack (seconds on two cores for every web worker; issue 18)."""
    from borgerblik.surveys import create_survey_from_template

    return create_survey_from_template(db, name, template, **dates)


def _survey_json(survey: Any) -> dict[str, Any]:
    return {
        "id": survey.id,
        "name": survey.name,
        "template": survey.template_name,
        "period_start": survey.period_start,
        "period_end": survey.period_end,
        "close_date": survey.reference_date,
    }


def _job_json(found: Any) -> dict[str, Any]:
    return {
        "id": found.id,
        "kind": found.kind,
        "survey_id": found.survey_id,
        "state": found.state,
        "progress": found.progress,
        "message": found.message,
        "result": found.result,
        "url": f"/api/jobs/{found.id}",
    }


def api_routes(db: Database, auth: Auth) -> list[BaseRoute]:
    survey_or_none = partial(lookup.survey_or_none, db)

    async def session(request: Request) -> Response:
        user = request.state.staff
        return reply(
            {
                "username": user.username,
                "role": user.role,
                "municipality": user.municipality,
                "csrf": user.csrf,
            }
        )

    async def surveys(request: Request) -> Response:
        return reply([_survey_json(s) for s in await auth.call(db.surveys)])

    async def survey(request: Request) -> Response:
        found = await auth.call(survey_or_none, request.path_params["survey_id"])
        if found is None:
            return problem(404, "Findes ikke", "Ingen undersøgelse med det nummer.")
        progress = await auth.call(survey_progress, db, found.id)
        return reply({**_survey_json(found), "progress": asdict(progress)})

    async def create(request: Request) -> Response:
        data = await json_body(request)
        if isinstance(data, JSONResponse):
            return data
        name, template = str(data.get("name", "")).strip(), str(data.get("template", "kl-2024"))
        if not name or len(name) > 200:
            return problem(422, "Navn mangler", "Feltet name skal have 1–200 tegn.")
        if template not in template_names():
            return problem(422, "Ukendt skabelon", f"template skal være en af {', '.join(template_names())}.")
        try:
            dates = [
                date.fromisoformat(str(data[key])) if data.get(key) else None
                for key in ("period_start", "period_end", "close_date")
            ]
            survey_id = await auth.call(
                lambda: _create_survey(
                    db, name, template, period_start=dates[0], period_end=dates[1], reference_date=dates[2]
                )
            )
        except (ValueError, StorageError, InstrumentError) as exc:
            return problem(422, "Ikke oprettet", str(exc))
        actor = request.state.staff.username
        await auth.call(record_audit, db, actor, "survey_create", f"{survey_id}: {name} ({template})")
        return reply({"id": survey_id, "url": f"/api/surveys/{survey_id}"}, 201)

    def queue(kind: str, params_of: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            found = await auth.call(survey_or_none, request.path_params["survey_id"])
            if found is None:
                return problem(404, "Findes ikke", "Ingen undersøgelse med det nummer.")
            if kind in ("invite", "remind") and found.settings.get(CLOSED_AT):
                return problem(409, "Feltarbejdet er lukket", "Der sendes ikke flere breve.")
            data = await json_body(request)
            if isinstance(data, JSONResponse):
                return data
            params = params_of(data)
            if isinstance(params, JSONResponse):
                return params
            user = request.state.staff.username
            job_id = await auth.call(lambda: queue_job(db, kind, user, survey_id=found.id, params=params))
            return reply(
                {"job": job_id, "url": f"/api/jobs/{job_id}"}, 202, {"Location": f"/api/jobs/{job_id}"}
            )

        return endpoint

    def sample_params(data: dict[str, Any]) -> Any:
        seed = data.get("seed", 2024)
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 10**9:
            return problem(422, "Ugyldigt seed", "seed skal være et helt tal 0–999999999.")
        return {"seed": seed}

    def purge_params(data: dict[str, Any]) -> Any:
        if data.get("confirm") is not True:
            return problem(422, "Ikke bekræftet", 'Send {"confirm": true} for at slette persondata.')
        return {}

    def wave_params_of(reminder: bool) -> Any:
        def params_of(data: dict[str, Any]) -> Any:
            channels = data.get("channels", [])
            fields = {
                "kanal": [str(c) for c in channels] if isinstance(channels, list) else [],
                "tidspunkt": [str(data.get("at") or "")],
                "nummer": [str(data.get("number", ""))],
            }
            try:
                return wave_params(fields, reminder=reminder)
            except BadForm as exc:
                return problem(422, "Ugyldig bølge", str(exc))

        return params_of

    def report_params(data: dict[str, Any]) -> Any:
        formats = data.get("formats", ["html", "xlsx"])
        if not isinstance(formats, list) or not formats or any(f not in REPORT_FORMATS for f in formats):
            return problem(
                422, "Ukendt format", f"formats skal være en liste af {', '.join(REPORT_FORMATS)}."
            )
        return {"formats": formats}

    async def close(request: Request) -> Response:
        found = await auth.call(survey_or_none, request.path_params["survey_id"])
        if found is None:
            return problem(404, "Findes ikke", "Ingen undersøgelse med det nummer.")
        data = await json_body(request)
        if isinstance(data, JSONResponse):
            return data
        if data.get("confirm") is not True:
            return problem(422, "Ikke bekræftet", 'Send {"confirm": true} for at lukke feltarbejdet.')
        user = request.state.staff.username
        try:
            result = await auth.call(close_fieldwork, db, found.id, user)
        except StorageError as exc:
            return problem(409, "Allerede lukket", str(exc))
        detail = f"undersøgelse {found.id}: feltarbejdet lukket, {result.cancelled} beskeder annulleret"
        await auth.call(record_audit, db, user, "close_fieldwork", detail)
        return reply({"closed_at": result.closed_at, "cancelled": result.cancelled})

    async def show_job(request: Request) -> Response:
        job_id = request.path_params["job_id"]
        found = await auth.call(job, db, job_id) if job_id <= lookup.LARGEST_ID else None
        if found is None:
            return problem(404, "Findes ikke", "Ingen kørsel med det nummer.")
        if request.state.staff.role != "administrator" and found.kind not in RESULT_JOBS:
            return problem(403, "Ingen adgang", "Din rolle giver ikke adgang til denne kørsel.")
        return reply(_job_json(found))

    async def audit(request: Request) -> Response:
        return reply([asdict(entry) for entry in await auth.call(audit_entries, db)])

    async def openapi(request: Request) -> Response:
        every = [r for r in request.app.routes if isinstance(r, StaffRoute) and r.path.startswith("/api/")]
        return reply(openapi_document(every))

    routes = [
        auth.route("/api/openapi.json", openapi, roles=ALL_ROLES),
        auth.route("/api/session", session, roles=ALL_ROLES),
        auth.route("/api/surveys", surveys, roles=READERS),
        auth.route("/api/surveys", create, roles=ADMIN, methods=["POST"]),
        auth.route("/api/surveys/{survey_id:int}", survey, roles=READERS),
        auth.route(
            "/api/surveys/{survey_id:int}/sample",
            queue("draw_sample", sample_params),
            roles=ADMIN,
            methods=["POST"],
        ),
        auth.route(
            "/api/surveys/{survey_id:int}/purge", queue("purge", purge_params), roles=ADMIN, methods=["POST"]
        ),
        auth.route(
            "/api/surveys/{survey_id:int}/invite",
            queue("invite", wave_params_of(False)),
            roles=ADMIN,
            methods=["POST"],
        ),
        auth.route(
            "/api/surveys/{survey_id:int}/remind",
            queue("remind", wave_params_of(True)),
            roles=ADMIN,
            methods=["POST"],
        ),
        auth.route("/api/surveys/{survey_id:int}/close", close, roles=ADMIN, methods=["POST"]),
        auth.route(
            "/api/surveys/{survey_id:int}/reports",
            queue("reports", report_params),
            roles=RUNNERS,
            methods=["POST"],
        ),
        auth.route("/api/jobs/{job_id:int}", show_job, roles=RUNNERS),
        auth.route("/api/audit", audit, roles=ADMIN),
    ]
    return routes


SUMMARIES = {
    ("/api/openapi.json", "GET"): "Dette dokument",
    ("/api/session", "GET"): "Den indloggede bruger og sessionens CSRF-token",
    ("/api/surveys", "GET"): "Undersøgelserne",
    (
        "/api/surveys",
        "POST",
    ): "Opret en undersøgelse fra en skabelon (name, template, period_start, period_end, close_date)",
    ("/api/surveys/{survey_id}", "GET"): "Én undersøgelse med population, stikprøve, invitationer og svar",
    ("/api/surveys/{survey_id}/sample", "POST"): "Træk stikprøven (seed) som kørsel",
    ("/api/surveys/{survey_id}/purge", "POST"): "Slet persondata (confirm: true) som kørsel",
    ("/api/surveys/{survey_id}/invite", "POST"): "Læg invitationerne i udbakken (channels, at) som kørsel",
    (
        "/api/surveys/{survey_id}/remind",
        "POST",
    ): "Læg påmindelse number i udbakken (channels, at) som kørsel",
    (
        "/api/surveys/{survey_id}/close",
        "POST",
    ): "Luk feltarbejdet (confirm: true); ventende beskeder annulleres",
    ("/api/surveys/{survey_id}/reports", "POST"): "Lav landsrapport og kommunerapporter (formats) som kørsel",
    (
        "/api/jobs/{job_id}",
        "GET",
    ): "En kørsels status, fremdrift og resultat (analytiker: analyse og rapporter)",
    ("/api/audit", "GET"): "Revisionsloggen, nyeste først",
    ("/api/surveys/{survey_id}/results/{question}", "GET"): "Et spørgsmåls fordeling, opdelinger og "
    "kommunesammenligning (?kommune=; en kommuneanalytiker kun egen kommune og landstal)",
    ("/api/surveys/{survey_id}/trends", "GET"): "Udvikling over tid: andel positive og gennemsnit pr. "
    "spørgsmål og bølge med den testede ændring (?kommune=; en kommuneanalytiker kun egen kommune og "
    "landstal)",
    ("/api/surveys/{survey_id}/open-answers", "GET"): "De kodede åbne svar: temaernes andele pr. gruppe og "
    "citaterne (?kommune=; en kommuneanalytiker kun egen kommune og landstal)",
    ("/api/surveys/{survey_id}/exports", "GET"): "De færdige dataeksporter og deres filer",
    (
        "/api/surveys/{survey_id}/exports",
        "POST",
    ): "Lav en dataeksport (formats: sav, csv, dta, xlsx, parquet; language: da, en) som kørsel",
    (
        "/api/surveys/{survey_id}/exports/{job_id}/{path}",
        "GET",
    ): "Hent en eksportfil (skrives i revisionsloggen)",
}


def _type(convertor: Any) -> str:
    return "integer" if isinstance(convertor, IntegerConvertor) else "string"


def openapi_document(routes: list[Any]) -> dict[str, Any]:
    """OpenAPI 3.1 for the routes, built from the routes themselves so it cannot miss one."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        path = CONVERTOR.sub(r"{\1}", route.path)  # {survey_id:int} → {survey_id}, {path:path} → {path}
        for method in sorted((route.methods or set()) - {"HEAD"}):
            parameters = [
                {"name": name, "in": "path", "required": True, "schema": {"type": _type(convertor)}}
                for name, convertor in route.param_convertors.items()
            ]
            operation: dict[str, Any] = {
                "summary": SUMMARIES.get((path, method), path),
                "x-roles": sorted(route.roles),
                "parameters": parameters,
                "responses": {
                    "200": {"description": "OK"},
                    "401": {"description": "Ikke logget ind"},
                    "403": {"description": "Rollen giver ikke adgang, eller CSRF-token mangler"},
                    "404": {"description": "Findes ikke"},
                },
            }
            if method == "POST":
                operation["parameters"].append(
                    {
                        "name": CSRF_HEADER,
                        "in": "header",
                        "required": False,
                        "description": "Sessionens CSRF-token (GET /api/session); ikke med et API-token",
                        "schema": {"type": "string"},
                    }
                )
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Borgerblik personale-API", "version": "1"},
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "__Host-borgerblik"},
                "token": {"type": "http", "scheme": "bearer", "description": "borgerblik staff token add"},
            }
        },
        "security": [{"session": []}, {"token": []}],
        "paths": paths,
    }
