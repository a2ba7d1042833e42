"""The citizen's questionnaire as a Starlette app: server-rendered, no JavaScript needed, Danish first.

Plain Starlette (FastAPI's validation layer buys nothing for HTML forms) keeps the save path short: parse the
form, one transaction through :mod:`borgerblik.collection`, a 303 to the next page. Database calls run in
a thread pool (``anyio.to_thread``), never in the event loop: one slow call — a save waiting for the SQLite
write lock while ``register import`` writes, a slow PostgreSQL — must not stall every other citizen's page
and the static files (issue 12; the event-loop variant measured about 1.2 × the throughput on two cores,
but one held lock froze the app). No transaction spans an ``await``. ``BORGERBLIK_WEB_DB_THREADS=n`` sets
the pool size (default 8).
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import quote

from anyio import CapacityLimiter, to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from borgerblik.collection import OPEN_ANSWER_LIMIT, Questionnaire, open_session, opt_out, save_page, start
from borgerblik.collection.form import Problem
from borgerblik.storage import Database, database_url, make_engine
from borgerblik.storage.engine import lock_busy
from borgerblik.storage.outcomes import SUBMITTED
from borgerblik.web.auth import SECRET_VARIABLE, Auth
from borgerblik.web.faults import DATABASE_FAULTS, database_fault_handler
from borgerblik.web.forms import FormTooLarge, FormUnreadable, form_fields
from borgerblik.web.i18n import LANGUAGES, Translator, choose_language
from borgerblik.web.probes import LinkProbeLimit
from borgerblik.web.rendering import SECURITY_HEADERS, message_page, render
from borgerblik.web.security import SecuredStarlette
from borgerblik.web.staff_pages import staff_routes

log = logging.getLogger("borgerblik.web")
NONCE_HEADER = "X-Borgerblik-Nonce"
THREADS_VARIABLE = "BORGERBLIK_WEB_DB_THREADS"
DEFAULT_DB_THREADS = 8


class Questionnaires:
    """The request handlers of the citizen's link; mode and interviewer come from the interviewer screen."""

    def __init__(self, db: Database, *, database_threads: int = 0) -> None:
        self.db = db
        self.threads = CapacityLimiter(database_threads or DEFAULT_DB_THREADS)
        # PostgreSQL: the calls run in the event loop unless threads are asked for — concurrency comes from
        # the worker processes, a save waits only on its own citizen's row, and handing each call to a thread
        # cost a fifth of the saves per second (0,81–0,90 against 1,15–1,21 of the bare reference, same run).
        self.inline = db.dialect == "postgresql" and not database_threads
        # SQLite has one write lock. A citizen's write is first tried here in the event loop on a connection
        # that never waits for the lock (BEGIN IMMEDIATE fails at once, nothing written): handing every save
        # to a thread halved the saves per second on two cores. Only a write that finds the lock taken
        # (register import, another process) waits for it in a thread, so a held lock never stalls the other
        # citizens' pages; those threads take turns (one per process), since threads of one process fighting
        # over the lock back off in the busy handler's sleeps of milliseconds. Reads run in the thread pool.
        self.eager: Database | None = None
        if db.dialect == "sqlite" and db.engine.url.database not in (None, "", ":memory:"):
            engine = make_engine(db.engine.url.render_as_string(False), sqlite_busy_ms=0, pool_size=1)
            self.eager = Database(engine=engine, migrate=False, clock=db.clock)
        self.writers = CapacityLimiter(1) if db.dialect == "sqlite" else self.threads

    async def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A read (or a rare write): in the thread pool, or in the event loop on PostgreSQL by default."""
        if self.inline:
            return function(*args, **kwargs)
        return await to_thread.run_sync(partial(function, *args, **kwargs), limiter=self.threads)

    async def write(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A citizen's write (start, save, opt-out) as ``function(db, *args, **kwargs)``: on SQLite in the
        event loop while the lock is free, else in a thread, one at a time per process."""
        if self.inline:
            return function(self.db, *args, **kwargs)
        if self.eager is not None:
            try:
                return function(self.eager, *args, **kwargs)
            except Exception as exc:
                if not lock_busy(exc):
                    raise
        return await to_thread.run_sync(partial(function, self.db, *args, **kwargs), limiter=self.writers)

    # Helpers -----------------------------------------------------------------------------------------------

    @staticmethod
    def languages(questionnaire: Questionnaire) -> dict[str, str]:
        offered = questionnaire.instrument.language_codes()
        return {code: name for code, name in LANGUAGES.items() if code in offered or code == "da"}

    def translator(
        self, request: Request, questionnaire: Questionnaire | None, chosen: str | None = None
    ) -> Translator:
        wanted = chosen or request.query_params.get("lang")
        if wanted is None and questionnaire is not None:
            wanted = questionnaire.respondent.language
        if questionnaire is not None and wanted not in self.languages(questionnaire):
            wanted = None
        return Translator(choose_language(wanted))

    @staticmethod
    def base(request: Request) -> str:
        return request.scope.get("root_path", "") + "/s/" + quote(request.path_params["token"])

    def unknown(self, request: Request) -> Response:
        t = Translator(choose_language(request.query_params.get("lang")))
        return message_page(t, "unknown_link_heading", "unknown_link_body", 404)

    def closed(self, t: Translator, questionnaire: Questionnaire) -> Response:
        if questionnaire.status == "opted_out":
            return message_page(t, "opted_out_heading", "opted_out_body", 200)
        if questionnaire.status in SUBMITTED:
            return message_page(t, "already_answered_heading", "already_answered_body", 200)
        return message_page(t, "survey_closed_heading", "survey_closed_body", 200)

    def page_response(
        self,
        request: Request,
        questionnaire: Questionnaire,
        t: Translator,
        key: str,
        *,
        answers: dict[str, Any] | None = None,
        problems: tuple[Problem, ...] = (),
        notice: str | None = None,
        status_code: int = 200,
        hidden: dict[str, str] | None = None,
        action_base: str | None = None,
        revealed: tuple[str, ...] = (),
    ) -> Response:
        pages = questionnaire.pages()
        page = questionnaire.page(key) or questionnaire.resume()
        base = action_base or self.base(request)
        errors = {problem.answer_id: problem_text(t, questionnaire, problem) for problem in problems}
        return render(
            "page.html",
            t,
            status_code=status_code,
            languages=self.languages(questionnaire),
            page=page,
            total=len(pages),
            answers=answers if answers is not None else questionnaire.answers,
            tense=questionnaire.tense(),
            nonce=questionnaire.nonce,
            action=f"{base}/side/{page.key}",
            problems=problems,
            problem_text=lambda p: errors[p.answer_id],
            errors=errors,
            notice=notice,
            limit=OPEN_ANSWER_LIMIT,
            limit_text=t("open_limit", limit=f"{OPEN_ANSWER_LIMIT:,}".replace(",", ".")),
            hidden=hidden or {},
            base=base,
            show_opt_out=action_base is None,
            revealed=revealed,
        )

    # Routes ------------------------------------------------------------------------------------------------

    async def welcome(self, request: Request) -> Response:
        token = request.path_params["token"]
        questionnaire = await self.call(open_session, self.db, token)
        if questionnaire is None:
            return self.unknown(request)
        t = self.translator(request, questionnaire)
        if questionnaire.closed:
            return self.closed(t, questionnaire)
        if questionnaire.status == "new":
            await self.write(start, token, lang=t.language)
        return render(
            "welcome.html",
            t,
            languages=self.languages(questionnaire),
            base=self.base(request),
            welcome=instrument_text(questionnaire, t, "welcome", "welcome_body"),
            anonymity=instrument_text(questionnaire, t, "anonymity", "anonymity_promise"),
            first_page=questionnaire.resume().key,
            resuming=questionnaire.status == "partial",
        )

    async def show_page(self, request: Request) -> Response:
        questionnaire = await self.call(open_session, self.db, request.path_params["token"])
        if questionnaire is None:
            return self.unknown(request)
        t = self.translator(request, questionnaire)
        if questionnaire.closed:
            return self.closed(t, questionnaire)
        key = request.path_params["page"]
        if questionnaire.page(key) is None:
            return RedirectResponse(
                f"{self.base(request)}/side/{questionnaire.resume().key}?lang={t.language}", 303
            )
        revealed = tuple(request.query_params.get(REVEALED_PARAM, "").split(","))
        return self.page_response(request, questionnaire, t, key, revealed=revealed)

    async def save(self, request: Request) -> Response:
        token, key = request.path_params["token"], request.path_params["page"]
        fields = await form_fields(request)
        lang = choose_language((fields.get("lang") or [None])[0])
        return await self.handle_save(request, token, key, fields, lang, mode="web", interviewer_id=None)

    async def handle_save(
        self,
        request: Request,
        token: str,
        key: str,
        fields: dict[str, list[Any]],
        lang: str,
        *,
        mode: str,
        interviewer_id: str | None,
        hidden: dict[str, str] | None = None,
        action_base: str | None = None,
    ) -> Response:
        """The hot path: one call, one transaction; reread only to show a refused page."""
        direction = "back" if fields.get("direction") == ["back"] else "next"
        nonce = str((fields.get("nonce") or [""])[0])
        answers = {name: values for name, values in fields.items() if name not in CONTROL_FIELDS}
        result = await self.write(
            save_page,
            token,
            key,
            answers,
            lang=lang,
            mode=mode,
            interviewer_id=interviewer_id,
            nonce=nonce,
            direction=direction,
        )
        base = action_base or self.base(request)
        suffix = f"?lang={lang}" + "".join(
            f"&{k}={quote(v)}"
            for k, v in (hidden or {}).items()
            if k != "csrf"  # a form secret, not a URL's
        )
        if result.outcome == "completed":
            return RedirectResponse(f"{base}/tak{suffix}", 303)
        if result.outcome == "saved":
            cue = ""
            if result.revealed:  # the page cues the follow-up the answer opened and scrolls to it
                cue = f"&{REVEALED_PARAM}={','.join(result.revealed)}#felt-{result.revealed[0]}"
            target = f"{base}/side/{result.next_page}{suffix}{cue}"
            return RedirectResponse(target, 303, headers={NONCE_HEADER: result.nonce or ""})
        if result.outcome == "unknown":
            return self.unknown(request)
        t = Translator(lang)
        fresh = await self.call(open_session, self.db, token)
        if fresh is None:
            return self.unknown(request)
        if result.outcome == "closed":
            return self.closed(t, fresh)
        if result.outcome == "stale":
            return self.page_response(
                request,
                fresh,
                t,
                key,
                notice=t("error_stale_page"),
                status_code=409,
                hidden=hidden,
                action_base=action_base,
            )
        if fresh.page(key) is None:
            return RedirectResponse(f"{base}/side/{fresh.resume().key}{suffix}", 303)
        return self.page_response(
            request,
            fresh,
            t,
            key,
            answers={**fresh.answers, **_redisplay(answers)},
            problems=result.problems,
            status_code=422,
            hidden=hidden,
            action_base=action_base,
        )

    async def thanks(self, request: Request) -> Response:
        questionnaire = await self.call(open_session, self.db, request.path_params["token"])
        if questionnaire is None:
            return self.unknown(request)
        t = self.translator(request, questionnaire)
        if questionnaire.status != "complete":
            return RedirectResponse(f"{self.base(request)}?lang={t.language}", 303)
        return render(
            "thanks.html",
            t,
            heading=t("thanks_heading"),
            body=t("thanks_body"),
            anonymity=instrument_text(questionnaire, t, "anonymity", "anonymity_promise"),
        )

    async def opt_out_page(self, request: Request) -> Response:
        questionnaire = await self.call(open_session, self.db, request.path_params["token"])
        if questionnaire is None:
            return self.unknown(request)
        t = self.translator(request, questionnaire)
        if questionnaire.closed:
            return self.closed(t, questionnaire)
        return render("opt_out.html", t, languages=self.languages(questionnaire), base=self.base(request))

    async def opt_out(self, request: Request) -> Response:
        fields = await form_fields(request)
        t = Translator(choose_language((fields.get("lang") or [None])[0]))
        recorded = await self.write(opt_out, request.path_params["token"], channel="web")
        if recorded is None:
            return self.unknown(request)
        if recorded is False:
            questionnaire = await self.call(open_session, self.db, request.path_params["token"])
            return self.closed(t, questionnaire)
        return message_page(t, "opted_out_heading", "opted_out_body", 200)


REVEALED_PARAM = "nyt"
"""Query parameter naming the follow-up questions the last save opened, so the page cues them."""
CONTROL_FIELDS = frozenset({"nonce", "lang", "direction", "mode", "interviewer", "csrf"})


def _redisplay(fields: dict[str, list[Any]]) -> dict[str, Any]:
    """Submitted values shaped like stored ones, so a refused page shows what the citizen chose and typed."""
    shown: dict[str, Any] = {}
    for name, values in fields.items():
        codes = [
            int(v) if isinstance(v, str) and v.isascii() and v.isdigit() else v for v in values if v != ""
        ]
        shown[name] = codes[0] if len(codes) == 1 else (codes or None)
    return shown


def instrument_text(questionnaire: Questionnaire, t: Translator, key: str, fallback: str) -> str:
    """The survey's own wording (its welcome, its anonymity promise) where the instrument has one."""
    text = questionnaire.instrument.texts.get(key)
    return text.get(t.language) if text is not None else t(fallback)


def problem_text(t: Translator, questionnaire: Questionnaire, problem: Problem) -> str:
    try:
        question = questionnaire.instrument.question(problem.answer_id).text(
            t.language, questionnaire.tense()
        )
    except KeyError:
        question = problem.answer_id
    return t(problem.message, question=question, **problem.values)


async def not_found(request: Request, exc: Exception) -> Response:
    t = Translator(choose_language(request.query_params.get("lang")))
    return message_page(t, "not_found_heading", "not_found_body", getattr(exc, "status_code", 404))


async def bad_form(request: Request, exc: Exception) -> Response:
    """A body too large or not a form: say so, change nothing."""
    t = Translator(choose_language(request.query_params.get("lang")))
    if isinstance(exc, FormTooLarge):
        return message_page(t, "form_too_large_heading", "form_too_large_body", 413)
    return message_page(t, "form_unreadable_heading", "form_unreadable_body", 400)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("fejl ved %s %s: %s", request.method, request.url.path.split("/s/")[0], type(exc).__name__)
    return message_page(Translator("da"), "server_error_heading", "server_error_body", 500)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return await not_found(request, exc)
    t = Translator(choose_language(request.query_params.get("lang")))
    response = message_page(t, "not_found_heading", "not_found_body", exc.status_code)
    return response


def create_app(
    db: Database,
    *,
    interviewer: bool = True,
    analyst: bool = True,
    database_threads: int = 0,
    secret_key: str | None = None,
    secure_cookies: bool = True,
) -> Starlette:
    """The questionnaire app on ``db``, and the staff pages behind a sign-in with the accounts in ``db``
    (:mod:`borgerblik.web.staff_pages`); ``interviewer=False`` leaves out the interviewer screen and
    ``analyst=False`` the fieldwork monitor; ``secret_key`` signs staff sessions (without one, a random key:
    sessions then live as long as the process); ``database_threads`` sizes the pool the database calls run
    in (0 = the default: 8 on SQLite, whose free-lock writes run in the event loop; none on PostgreSQL, whose
    calls run in the event loop of each worker process — see :class:`Questionnaires`).

    Every response carries the security headers (:mod:`borgerblik.web.security`), a database that fails
    under a request answers a 503 page that says nothing was saved (:mod:`borgerblik.web.faults`), and an
    address that opens too many unknown citizen links is refused (:mod:`borgerblik.web.probes`)."""
    handlers = Questionnaires(db, database_threads=database_threads)
    auth = Auth(db, secret_key or secrets.token_urlsafe(32), secure_cookies=secure_cookies)

    routes = [
        Route("/s/{token}", handlers.welcome, methods=["GET"]),
        Route("/s/{token}/side/{page}", handlers.show_page, methods=["GET"]),
        Route("/s/{token}/side/{page}", handlers.save, methods=["POST"]),
        Route("/s/{token}/tak", handlers.thanks, methods=["GET"]),
        Route("/s/{token}/fravalg", handlers.opt_out_page, methods=["GET"]),
        Route("/s/{token}/fravalg", handlers.opt_out, methods=["POST"]),
        Mount("/static", app=StaticFiles(packages=[("borgerblik.web", "static")]), name="static"),
    ]
    routes += staff_routes(db, handlers, auth, interviewer=interviewer, analyst=analyst)
    faults = database_fault_handler(db)
    app = SecuredStarlette(
        routes=routes,
        middleware=[Middleware(LinkProbeLimit, db=db)],
        exception_handlers={
            HTTPException: http_error,
            FormTooLarge: bad_form,
            FormUnreadable: bad_form,
            **dict.fromkeys(DATABASE_FAULTS, faults),
            Exception: server_error,
        },
    )
    app.state.security_headers = SECURITY_HEADERS
    app.state.engines = (db.engine, *((handlers.eager.engine,) if handlers.eager else ()))  # all it writes by
    return app


def app_from_env() -> Starlette:
    """The app on ``BORGERBLIK_DATABASE_URL`` (default ``borgerblik.sqlite``), for ``uvicorn --factory``.

    On PostgreSQL the engine skips the pre-ping, a round trip per save, and the calls run in the event loop
    unless ``BORGERBLIK_WEB_DB_THREADS=n`` asks for n threads; the pool then holds a connection for each (a
    smaller pool opened and closed a connection per request under load), its overflow the sign-in's four.
    ``BORGERBLIK_SECRET_KEY`` signs the staff sessions; without it the app refuses to start, since workers
    with keys of their own would not know each other's sessions.
    """
    url = database_url()
    secret = os.environ.get(SECRET_VARIABLE)
    if not secret:
        raise RuntimeError(f"{SECRET_VARIABLE} mangler: nøglen, der signerer personalets sessioner")
    sqlite = url.startswith("sqlite")
    asked = int(os.environ.get(THREADS_VARIABLE) or 0)
    options = {} if sqlite else {"pool_pre_ping": False}
    pool = (asked or DEFAULT_DB_THREADS) + 1 if sqlite or asked else 2  # + 1: the SQLite writer
    engine = make_engine(url, pool_size=pool, max_overflow=4, **options)
    return create_app(Database(engine=engine), database_threads=asked, secret_key=secret)
