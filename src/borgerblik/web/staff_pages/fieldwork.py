"""Fieldwork from the survey's page: queue the invitations and the reminders, log the hotline's calls, see the
call lists, close the fieldwork.

A wave is a job (:mod:`borgerblik.web.worker`) that calls the schedule's own ``queue_invitations`` and
``queue_reminder``, so the page and ``borgerblik fieldwork invite/remind`` queue exactly the same letters; the
outbox is then sent by ``borgerblik fieldwork send`` as before. The hotline page calls
:func:`~borgerblik.fieldwork.hotline.record_call` and the call lists of :mod:`borgerblik.fieldwork.hotline`.
The lists show case codes and phone numbers (whom to call) but never an answer; downloading one is recorded
in the audit log.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from borgerblik.core.errors import BorgerblikError
from borgerblik.fieldwork.hotline import TOPICS, HotlineError, phone_follow_up, record_call, unreachable_list
from borgerblik.storage import Database, StorageError
from borgerblik.storage.audit import record_audit
from borgerblik.storage.closing import CLOSED_AT, close_fieldwork
from borgerblik.storage.jobs import queue_job
from borgerblik.web import lookup
from borgerblik.web.auth import Auth, first, read_form
from borgerblik.web.staff_pages.surveys import CHANNELS

ADMIN = ("administrator",)
HOTLINE = ("administrator", "interviewer")
SHOWN = 500
"""Rows of a call list shown on the page; the CSV has them all."""
LISTS = {"opfoelgning": "Telefonopfølgning", "uden-kanal": "Uden kanal"}
DANISH_TIME = ZoneInfo("Europe/Copenhagen")


class BadForm(BorgerblikError, ValueError):
    """A field the page cannot use; the message says which and why, in Danish."""


def wave_params(fields: dict[str, list[str]], *, reminder: bool) -> dict[str, Any]:
    """The job's parameters from the wave form: channels ticked, a start time (Danish time), the number."""
    channels = [c for c in fields.get("kanal", []) if c]
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown or not channels:
        raise BadForm("Vælg mindst én kanal: Digital Post, SMS eller e-mail.")
    params: dict[str, Any] = {"channels": channels}
    when = first(fields, "tidspunkt").strip()
    if when:
        try:
            moment = datetime.fromisoformat(when)
        except ValueError:
            raise BadForm("Tidspunktet skal skrives ÅÅÅÅ-MM-DDTTT:MM, fx 2024-03-11T10:00.") from None
        params["at"] = (moment if moment.tzinfo else moment.replace(tzinfo=DANISH_TIME)).isoformat()
    if reminder:
        number = first(fields, "nummer").strip()
        if not (number.isascii() and number.isdigit() and 1 <= int(number) <= 9):
            raise BadForm("Påmindelsens nummer skal være 1–9.")
        params["number"] = int(number)
    return params


def fieldwork_routes(db: Database, auth: Auth, page: Any) -> list[BaseRoute]:
    """``page(request, template, status_code=…, **values)`` renders a staff template."""

    found_survey = partial(lookup.found_survey, db, auth)

    def closed(request: Request, survey: Any) -> Response:
        return auth.refuse(
            request,
            409,
            "Feltarbejdet er lukket",
            f"Feltarbejdet i {survey.name} blev lukket {survey.settings[CLOSED_AT]} (UTC); "
            "der sendes ikke flere breve.",
        )

    def wave(kind: str) -> Any:
        async def endpoint(request: Request) -> Response:
            survey = await found_survey(request)
            if isinstance(survey, Response):
                return survey
            if survey.settings.get(CLOSED_AT):
                return closed(request, survey)
            try:
                params = wave_params(await read_form(request), reminder=kind == "remind")
            except BadForm as exc:
                return auth.refuse(request, 400, "Udfyld formularen", str(exc))
            user = request.state.staff.username
            job_id = await auth.call(lambda: queue_job(db, kind, user, survey_id=survey.id, params=params))
            return RedirectResponse(f"/koersler/{job_id}", 303)

        return endpoint

    async def close(request: Request) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        if first(await read_form(request), "bekraeft") != "ja":
            return auth.refuse(request, 400, "Ikke bekræftet", "Sæt kryds i bekræftelsen for at lukke.")
        user = request.state.staff.username
        try:
            result = await auth.call(close_fieldwork, db, survey.id, user)
        except StorageError as exc:
            return auth.refuse(request, 409, "Allerede lukket", str(exc))
        detail = f"undersøgelse {survey.id}: feltarbejdet lukket, {result.cancelled} beskeder annulleret"
        await auth.call(record_audit, db, user, "close_fieldwork", detail)
        return RedirectResponse(f"/undersoegelser/{survey.id}", 303)

    def lists(survey_id: int) -> dict[str, Any]:
        return {"opfoelgning": phone_follow_up(db, survey_id), "uden-kanal": unreachable_list(db, survey_id)}

    async def hotline_page(
        request: Request, *, status_code: int = 200, error: str | None = None, notice: str | None = None
    ) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        found = await auth.call(lists, survey.id)
        return page(
            request,
            "staff/hotline.html",
            status_code=status_code,
            survey=survey,
            lists=found,
            list_names=LISTS,
            shown=SHOWN,
            topics=TOPICS,
            error=error,
            notice=notice,
        )

    async def log_call(request: Request) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        fields = await read_form(request)
        topic, code = first(fields, "emne"), first(fields, "kode").strip().upper()[:20]
        note = first(fields, "note").strip()[:500] or None
        user = request.state.staff.username
        try:
            await auth.call(
                lambda: record_call(db, survey.id, topic, case_code=code or None, note=note, handled_by=user)
            )
        except HotlineError as exc:
            return await hotline_page(request, status_code=422, error=str(exc))
        return await hotline_page(request, notice=f"Opkaldet er registreret: {TOPICS[topic]}.")

    async def call_list_csv(request: Request) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        which = request.path_params["which"]
        if which not in LISTS:
            return auth.refuse(request, 404, "Findes ikke", "Der er ingen liste med det navn.")
        entries = (await auth.call(lists, survey.id))[which]
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(["kode", "kommune", "maalgruppe", "telefon", "status"])
        writer.writerows((e.case_code, e.kommune, e.maalgruppe, e.phone or "", e.status) for e in entries)
        user = request.state.staff.username
        detail = f"undersøgelse {survey.id}: ringeliste {which}, {len(entries)} borgere"
        await auth.call(record_audit, db, user, "export_call_list", detail)
        return Response(
            "\ufeff" + buffer.getvalue(),  # Excel opens a UTF-8 CSV with its BOM right (æøå)
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="ringeliste-{survey.id}-{which}.csv"',
                "Cache-Control": "no-store",
            },
        )

    base = "/undersoegelser/{survey_id:int}"
    return [
        auth.route(f"{base}/inviter", wave("invite"), roles=ADMIN, methods=["POST"]),
        auth.route(f"{base}/paamind", wave("remind"), roles=ADMIN, methods=["POST"]),
        auth.route(f"{base}/luk", close, roles=ADMIN, methods=["POST"]),
        auth.route(f"{base}/hotline", hotline_page, roles=HOTLINE),
        auth.route(f"{base}/hotline", log_call, roles=HOTLINE, methods=["POST"]),
        auth.route(f"{base}/hotline/{{which}}.csv", call_list_csv, roles=HOTLINE),
    ]
