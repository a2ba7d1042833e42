"""A municipality's local questions on the survey's page, and a preview of the questionnaire exactly as a
citizen of that municipality and target group sees it — through a test link that records nothing.

The questions are written as YAML, as under ``local_questions`` in an instrument (docs/instruments.md); the
page merges them into the survey's frozen instrument, and the whole instrument is validated by the loader
(:func:`borgerblik.core.parse_instrument`) before anything is stored — and only until fieldwork begins
(:mod:`borgerblik.storage.local_questions`).

The preview renders the citizens' own page template through the citizens' own handler
(:meth:`borgerblik.web.app.Questionnaires.page_response`), for a respondent that exists only in the request:
no invitation, no session, no answer row. Its form posts back to the preview, which checks the page with the
citizens' own answer check and routes with the citizens' own routing, carrying the answers so far in a
hidden field instead of the database.
"""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import yaml
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from borgerblik.collection.form import check_page_answers
from borgerblik.collection.pages import page_by_key, questionnaire_pages
from borgerblik.collection.service import Questionnaire
from borgerblik.core import InstrumentError, dump_instrument, instrument_to_data, parse_instrument
from borgerblik.core.errors import BorgerblikError
from borgerblik.core.yaml_source import read_yaml
from borgerblik.storage import Database, StorageError
from borgerblik.storage.answers import AnswerRules
from borgerblik.storage.audit import record_audit
from borgerblik.storage.local_questions import instrument_editable, store_local_questions
from borgerblik.storage.responses import Respondent
from borgerblik.web import lookup
from borgerblik.web.auth import Auth, first, read_form
from borgerblik.web.i18n import Translator, choose_language
from borgerblik.web.rendering import render

if TYPE_CHECKING:
    from borgerblik.web.app import Questionnaires

ADMIN = ("administrator",)
PREVIEW_FIELDS = frozenset({"nonce", "lang", "direction", "csrf", "svar"})
MAX_YAML = 100_000
LAB_GROUPS = ("6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9")


class LocalQuestionsRefused(BorgerblikError, ValueError):
    """The local questions cannot go into the instrument; the message says why (with the line)."""


def with_local_questions(instrument_yaml: str, kommune: str, questions_yaml: str) -> str:
    """The survey's instrument YAML with ``kommune``'s local questions replaced by ``questions_yaml`` (a
    YAML list; empty removes them), validated whole by the instrument loader."""
    if len(questions_yaml) > MAX_YAML:
        raise LocalQuestionsRefused("Højst 100.000 tegn spørgsmål.")
    try:
        given = read_yaml(questions_yaml, "lokale spørgsmål").data if questions_yaml.strip() else []
    except InstrumentError as exc:
        raise LocalQuestionsRefused(str(exc)) from None
    if not isinstance(given, list):
        raise LocalQuestionsRefused(
            "Skriv spørgsmålene som en YAML-liste: hvert spørgsmål starter med '- id:'."
        )
    instrument = parse_instrument(instrument_yaml, "undersøgelsens spørgeskema")
    data = instrument_to_data(instrument)
    local = dict(data.get("local_questions") or {})  # type: ignore[call-overload]
    if given:
        local[kommune] = given
    else:
        local.pop(kommune, None)
    data["local_questions"] = local
    if not local:
        del data["local_questions"]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)
    try:
        merged = parse_instrument(text, "spørgeskemaet med de lokale spørgsmål")
    except InstrumentError as exc:
        raise LocalQuestionsRefused(str(exc)) from None
    return dump_instrument(merged)


def preview_questionnaire(
    survey: Any, kommune: str, maalgruppe: str, answers: dict[str, Any]
) -> Questionnaire:
    """A questionnaire for a citizen who exists only in this request."""
    instrument = parse_instrument(survey.instrument_yaml, f"undersøgelse {survey.id}")
    respondent = Respondent(
        invitation_id=0,
        survey_id=survey.id,
        token="forhaandsvisning",
        case_code="",
        invitation_state="created",
        maalgruppe=maalgruppe,
        kommune=kommune,
        gender="kvinde",
        age_group="30-49",
        session_state=None,
        current_page=0,
        mode=None,
        language=None,
        interviewer_id=None,
        updated_at=None,
        opted_out=False,
    )
    return Questionnaire(respondent, instrument, answers, AnswerRules.of(instrument))


def local_question_routes(db: Database, auth: Auth, page: Any, handlers: Questionnaires) -> list[BaseRoute]:
    found_survey = partial(lookup.found_survey, db, auth)

    async def form(
        request: Request,
        *,
        status_code: int = 200,
        error: str | None = None,
        values: dict[str, str] | None = None,
    ) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        instrument = parse_instrument(survey.instrument_yaml, f"undersøgelse {survey.id}")
        kommune = (values or {}).get("kommune") or request.query_params.get("kommune", "")[:100]
        existing = instrument.local_questions.get(kommune)
        if values is None and existing:
            data = instrument_to_data(instrument)["local_questions"][kommune]  # type: ignore[index]
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)
        else:
            text = (values or {}).get("sporgsmaal", "")
        return page(
            request,
            "staff/local_questions.html",
            status_code=status_code,
            survey=survey,
            municipalities=sorted(instrument.local_questions),
            counts={k: len(v) for k, v in instrument.local_questions.items()},
            kommune=kommune,
            text=text,
            error=error,
            editable=await auth.call(instrument_editable, db, survey.id),
            groups=LAB_GROUPS,
            quote=quote,
        )

    async def save(request: Request) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        fields = await read_form(request)
        kommune, text = first(fields, "kommune").strip()[:100], first(fields, "sporgsmaal")
        values = {"kommune": kommune, "sporgsmaal": text}
        if not kommune:
            return await form(request, status_code=422, error="Skriv kommunens navn.", values=values)
        try:
            merged = with_local_questions(survey.instrument_yaml, kommune, text)
            await auth.call(store_local_questions, db, survey.id, merged)
        except (LocalQuestionsRefused, StorageError) as exc:
            return await form(request, status_code=422, error=str(exc), values=values)
        actor = request.state.staff.username
        await auth.call(record_audit, db, actor, "local_questions", f"undersøgelse {survey.id}: {kommune}")
        return RedirectResponse(
            f"/undersoegelser/{survey.id}/lokale-spoergsmaal?kommune={quote(kommune)}&gemt=1", 303
        )

    # The preview -------------------------------------------------------------------------------------------

    def preview_base(survey: Any, kommune: str, maalgruppe: str) -> str:
        return f"/undersoegelser/{survey.id}/forhaandsvisning/{quote(kommune, safe='')}/{quote(maalgruppe)}"

    def show(
        request: Request,
        survey: Any,
        questionnaire: Questionnaire,
        key: str,
        t: Translator,
        *,
        problems: tuple[Any, ...] = (),
        status_code: int = 200,
        form_answers: dict[str, Any] | None = None,
    ) -> Response:
        respondent = questionnaire.respondent
        hidden = {
            "csrf": request.state.staff.csrf,
            "svar": json.dumps(questionnaire.answers, ensure_ascii=False),
        }
        return handlers.page_response(
            request,
            questionnaire,
            t,
            key,
            answers={**questionnaire.answers, **(form_answers or {})},
            problems=problems,
            status_code=status_code,
            hidden=hidden,
            action_base=preview_base(survey, respondent.kommune, respondent.maalgruppe),
        )

    async def preview_start(request: Request) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        kommune = request.query_params.get("kommune", "").strip()[:100]
        maalgruppe = request.query_params.get("maalgruppe", "6.1")
        if not kommune or maalgruppe not in LAB_GROUPS:
            return auth.refuse(request, 400, "Vælg kommune og målgruppe", "Vælg en kommune og en målgruppe.")
        questionnaire = preview_questionnaire(survey, kommune, maalgruppe, {})
        first_page = questionnaire.pages()[0].key
        return RedirectResponse(f"{preview_base(survey, kommune, maalgruppe)}/side/{first_page}", 303)

    async def preview_page(request: Request) -> Response:
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        kommune, maalgruppe = request.path_params["kommune"][:100], request.path_params["maalgruppe"]
        if maalgruppe not in LAB_GROUPS:
            return auth.refuse(request, 404, "Findes ikke", "Ukendt målgruppe.")
        questionnaire = preview_questionnaire(survey, kommune, maalgruppe, {})
        key = request.path_params["page"]
        if questionnaire.page(key) is None:
            return auth.refuse(request, 404, "Findes ikke", "Siden findes ikke for denne borger.")
        return show(request, survey, questionnaire, key, handlers.translator(request, questionnaire))

    async def preview_save(request: Request) -> Response:
        """The citizen's save, minus the database: check the page, route, show the next page."""
        survey = await found_survey(request)
        if isinstance(survey, Response):
            return survey
        kommune, maalgruppe = request.path_params["kommune"][:100], request.path_params["maalgruppe"]
        if maalgruppe not in LAB_GROUPS:
            return auth.refuse(request, 404, "Findes ikke", "Ukendt målgruppe.")
        fields = await read_form(request)
        try:
            carried = json.loads(first(fields, "svar") or "{}")
        except ValueError:
            carried = {}
        carried = carried if isinstance(carried, dict) else {}
        questionnaire = preview_questionnaire(survey, kommune, maalgruppe, carried)
        t = Translator(choose_language(first(fields, "lang") or None))
        shown = questionnaire.page(request.path_params["page"])
        if shown is None:
            return auth.refuse(request, 404, "Findes ikke", "Siden findes ikke for denne borger.")
        given = {name: values for name, values in fields.items() if name not in PREVIEW_FIELDS}
        checked, problems = check_page_answers(shown.questions, given)
        if problems:
            return show(
                request, survey, questionnaire, shown.key, t, problems=tuple(problems), status_code=422
            )
        merged = {k: v for k, v in {**carried, **checked}.items() if v is not None}
        after = preview_questionnaire(survey, kommune, maalgruppe, merged)
        pages = questionnaire_pages(after.instrument, after.context, merged)
        keys = [p.key for p in pages]
        position = keys.index(shown.key) if shown.key in keys else 0
        now_shown = page_by_key(pages, shown.key)
        revealed = now_shown is not None and any(q not in shown.questions for q in now_shown.questions)
        if revealed:
            target = shown.key
        elif first(fields, "direction") == "back":
            target = keys[max(position - 1, 0)]
        elif position + 1 < len(keys):
            target = keys[position + 1]
        else:
            return render(
                "thanks.html",
                t,
                heading=t("thanks_heading"),
                body=t("thanks_body"),
                anonymity=t("anonymity_promise"),
            )
        return show(request, survey, after, target, t)

    base = "/undersoegelser/{survey_id:int}"
    preview = base + "/forhaandsvisning/{kommune}/{maalgruppe}/side/{page}"
    return [
        auth.route(f"{base}/lokale-spoergsmaal", form, roles=ADMIN),
        auth.route(f"{base}/lokale-spoergsmaal", save, roles=ADMIN, methods=["POST"]),
        auth.route(f"{base}/forhaandsvisning", preview_start, roles=ADMIN),
        auth.route(preview, preview_page, roles=ADMIN),
        auth.route(preview, preview_save, roles=ADMIN, methods=["POST"]),
    ]
