"""The interviewer screen: phone hotline and face-to-face entry through the same pages and routing as the web.

The interviewer finds a sampled citizen by the short case code, or starts an anonymous in-person interview
with VIVE's background fields. Mode and interviewer id travel with every page (hidden fields) and are stored
on every answer, so analysis can tell web, phone and in-person answers apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from borgerblik.collection import find_by_case_code, open_session, start, start_anonymous_interview
from borgerblik.collection.interview import LAB_CODES, MEMBER_FIELDS, InterviewError
from borgerblik.collection.service import survey_instrument
from borgerblik.core import Instrument
from borgerblik.web.forms import form_fields
from borgerblik.web.i18n import Translator, choose_language
from borgerblik.web.rendering import render

if TYPE_CHECKING:
    from borgerblik.web.app import Questionnaires

INTERVIEWER_ID = re.compile(r"^[A-Za-z0-9æøåÆØÅ._-]{1,50}$")
MODE_LABELS = {"phone": "Telefon", "in_person": "Ansigt til ansigt"}


def _mode_and_interviewer(values: Any) -> tuple[str, str] | None:
    mode, interviewer = values.get("mode", ""), values.get("interviewer", "").strip()
    if mode not in MODE_LABELS or not INTERVIEWER_ID.match(interviewer):
        return None
    return mode, interviewer


@dataclass(frozen=True)
class BackgroundInput:
    id: str
    label: str
    choices: tuple[tuple[int, str], ...]


def background_view(instrument: Instrument) -> list[BackgroundInput]:
    """The instrument's background fields as form inputs; gender and age are the screen's own fields."""
    inputs = []
    for field in instrument.background:
        if field.id in MEMBER_FIELDS:
            continue
        if field.kind.value == "yesno":
            choices: tuple[tuple[int, str], ...] = ((1, "Ja"), (2, "Nej"))
        else:
            choices = tuple((option.code, option.text.get("da")) for option in field.options)
        unit = " (måneder)" if field.kind.value == "duration" else (f" ({field.unit})" if field.unit else "")
        inputs.append(BackgroundInput(field.id, field.text("da") + ("" if choices else unit), choices))
    return inputs


def survey_number(text: object) -> int | None:
    """A survey id as typed in a URL or a form: digits only and at most 18 of them (a bigint), else None."""
    value = str(text or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


async def single_fields(request: Request) -> dict[str, str]:
    """The form's first value per field, as text (an uploaded file in a text field arrives as nothing)."""
    return {name: values[0] for name, values in (await form_fields(request)).items() if values}


def interviewer_routes(handlers: Questionnaires) -> list[Route]:
    db = handlers.db
    t = Translator("da")

    def surveys() -> list[Any]:
        return db.surveys()

    def start_screen(
        request: Request,
        *,
        status_code: int = 200,
        error: str | None = None,
        values: dict[str, str] | None = None,
    ) -> Response:
        chosen = surveys()
        asked = (values or {}).get("survey") or request.query_params.get("survey")
        survey_id = survey_number(asked) if asked else (chosen[-1].id if chosen else 0)
        if survey_id not in {survey.id for survey in chosen} and chosen:
            return render(
                "staff/message.html",
                t,
                status_code=400 if survey_id is None else 404,
                heading="Ukendt undersøgelse",
                body=f"Der er ingen undersøgelse nr. {str(asked)[:20]!r}. Vælg en fra forsiden.",
                user=None,
            )
        background = []
        if chosen:
            with db.reading() as connection:
                background = background_view(survey_instrument(connection, survey_id))
        return render(
            "interviewer.html",
            t,
            csrf=request.state.staff.csrf,
            status_code=status_code,
            surveys=chosen,
            survey_id=survey_id,
            municipalities=db.municipalities(),
            lab_codes=LAB_CODES,
            modes=MODE_LABELS,
            background=background,
            error=error,
            values=values or {},
        )

    async def screen(request: Request) -> Response:
        return await handlers.call(start_screen, request)

    async def find(request: Request) -> Response:
        form = await single_fields(request)
        who = _mode_and_interviewer(form)
        if who is None:
            return await handlers.call(
                start_screen,
                request,
                status_code=422,
                values=form,
                error="Angiv svarform (telefon eller ansigt til ansigt) og dit interviewer-id.",
            )
        survey_id = survey_number(form.get("survey")) or 0
        token = await handlers.call(find_by_case_code, db, survey_id, str(form.get("case_code", ""))[:40])
        if token is None:
            return await handlers.call(
                start_screen,
                request,
                status_code=404,
                values=form,
                error="Ingen borger i undersøgelsen har den sagskode. Tjek koden og prøv igen.",
            )
        return await begin(request, token, *who)

    async def anonymous(request: Request) -> Response:
        form = await single_fields(request)
        who = _mode_and_interviewer({**form, "mode": "in_person"})
        if who is None:
            return await handlers.call(
                start_screen, request, status_code=422, values=form, error="Angiv dit interviewer-id."
            )
        survey_id = survey_number(form.get("survey")) or 0
        background = {key[len("bg_") :]: value for key, value in form.items() if key.startswith("bg_")}
        age = str(form.get("alder", "")).strip()
        try:
            token = await handlers.call(
                start_anonymous_interview,
                db,
                survey_id,
                kommune=str(form.get("kommune", "")),
                maalgruppe=str(form.get("maalgruppe", "")),
                gender=str(form.get("koen", "")),
                age=int(age) if age.isdigit() else -1,
                background=background,
                interviewer_id=who[1],
            )
        except InterviewError as exc:
            return await handlers.call(start_screen, request, status_code=422, values=form, error=str(exc))
        return await begin(request, token, *who)

    async def begin(request: Request, token: str, mode: str, interviewer: str) -> Response:
        questionnaire = await handlers.call(open_session, db, token)
        if questionnaire.closed:
            return handlers.closed(t, questionnaire)
        if questionnaire.status == "new":
            await handlers.call(start, db, token, mode=mode, interviewer_id=interviewer)
        page = questionnaire.resume().key
        return RedirectResponse(
            f"/interviewer/s/{quote(token)}/side/{page}?mode={mode}&interviewer={quote(interviewer)}", 303
        )

    async def show_page(request: Request) -> Response:
        token, key = request.path_params["token"], request.path_params["page"]
        who = _mode_and_interviewer(request.query_params)
        questionnaire = await handlers.call(open_session, db, token)
        if questionnaire is None or who is None:
            return handlers.unknown(request)
        if questionnaire.closed:
            return handlers.closed(t, questionnaire)
        return handlers.page_response(
            request,
            questionnaire,
            handlers.translator(request, questionnaire),  # the language links keep mode and interviewer
            key,
            hidden={"mode": who[0], "interviewer": who[1], "csrf": request.state.staff.csrf},
            action_base=f"/interviewer/s/{quote(token)}",
        )

    async def save(request: Request) -> Response:
        token, key = request.path_params["token"], request.path_params["page"]
        fields = await form_fields(request)
        who = _mode_and_interviewer({name: str(values[0]) for name, values in fields.items() if values})
        if who is None:
            return handlers.unknown(request)
        return await handlers.handle_save(
            request,
            token,
            key,
            fields,
            choose_language((fields.get("lang") or [None])[0]),
            mode=who[0],
            interviewer_id=who[1],
            hidden={"mode": who[0], "interviewer": who[1], "csrf": request.state.staff.csrf},
            action_base=f"/interviewer/s/{quote(token)}",
        )

    async def done(request: Request) -> Response:
        return render(
            "interviewer_done.html", t, mode=MODE_LABELS.get(request.query_params.get("mode", ""), "")
        )

    return [
        Route("/", screen, methods=["GET"]),
        Route("/find", find, methods=["POST"]),
        Route("/anonym", anonymous, methods=["POST"]),
        Route("/s/{token}/side/{page}", show_page, methods=["GET"]),
        Route("/s/{token}/side/{page}", save, methods=["POST"]),
        Route("/s/{token}/tak", done, methods=["GET"]),
    ]
