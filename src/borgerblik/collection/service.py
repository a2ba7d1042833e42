"""What a questionnaire page does, as plain functions: open a link, save a page, complete, opt out.

The web pages, the interviewer screen and the simulated fieldwork of the demo all call these, so routing,
validation and storage are the same whoever fills in the questionnaire. No state lives in the process: every
call reads the database, so several workers on one PostgreSQL behave as one.

The page nonce is an HMAC of the session's last-saved timestamp keyed by the citizen's token: it changes on
every save, so a double submit or a stale second window is recognised (compare-and-set under the session row
lock), and a form cannot be forged without the token — which is the citizen's only credential anyway.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection

from borgerblik.collection.form import AnswerValue, Problem, check_page_answers
from borgerblik.collection.pages import (
    Page,
    page_by_key,
    questionnaire_pages,
    resume_page,
    routing,
    theme_index,
)
from borgerblik.core import Instrument
from borgerblik.storage import Database
from borgerblik.storage import responses as store
from borgerblik.storage.answers import TEXT_LIMIT, AnswerRefused, AnswerRules
from borgerblik.storage.driver import Link, single_statements, transaction
from borgerblik.storage.outcomes import SUBMITTED

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MODES = ("web", "phone", "in_person")
Status = Literal["new", "started", "partial", "blank", "complete", "opted_out"]
Outcome = Literal["saved", "completed", "invalid", "stale", "closed", "unknown"]


def page_nonce(token: str, updated_at: datetime | None) -> str:
    """The nonce a form must carry to save: bound to the token and to the session's last save."""
    stamp = "new" if updated_at is None else updated_at.isoformat()
    return hmac.digest(token.encode(), stamp.encode(), "sha256").hex()[:32]


def well_formed_token(token: str) -> bool:
    return bool(TOKEN_SHAPE.match(token))


def survey_instrument(source: Database | Connection | Link, survey_id: int) -> Instrument:
    """The survey's instrument as stored now (see :func:`store.parsed_instrument`)."""
    if isinstance(source, Database):
        with transaction(source.engine, write=False) as link:
            return store.survey_instrument(link, survey_id)
    link = source if isinstance(source, Link) else Link.of(source)
    return store.survey_instrument(link, survey_id)


@dataclass(frozen=True)
class Questionnaire:
    """A citizen's questionnaire as it stands: register context, instrument, answers so far."""

    respondent: store.Respondent
    instrument: Instrument
    answers: dict[str, AnswerValue]
    rules: AnswerRules

    @property
    def status(self) -> Status:
        if self.respondent.opted_out:
            return "opted_out"
        return self.respondent.session_state or "new"  # type: ignore[return-value]

    @property
    def closed(self) -> bool:
        """No more answers: submitted, opted out, or the survey's fieldwork closed."""
        return self.status in (*SUBMITTED, "opted_out") or self.respondent.survey_closed

    @property
    def nonce(self) -> str:
        return page_nonce(self.respondent.token, self.respondent.updated_at)

    @property
    def context(self) -> dict[str, object]:
        return self.respondent.context

    def pages(self) -> list[Page]:
        return questionnaire_pages(self.instrument, self.context, self.answers)

    def page(self, key: str) -> Page | None:
        return page_by_key(self.pages(), key)

    def resume(self) -> Page:
        """Where a returning citizen continues: the page they were about to see when they left."""
        return resume_page(self.pages(), self.instrument, self.respondent.current_page)

    def tense(self) -> str:
        return self.instrument.tense(self.answers)


@dataclass(frozen=True)
class SaveResult:
    outcome: Outcome
    next_page: str | None = None
    nonce: str | None = None
    problems: tuple[Problem, ...] = ()
    revealed: tuple[str, ...] = field(default=())


def _load(link: Link, token: str, *, for_update: bool = False) -> Questionnaire | None:
    # An unknown or malformed token costs the same single indexed lookup as a known one (the instrument is
    # cached), so response time does not tell a guessed token from a real one.
    found = store.respondent_with_answers(link, token[:64], for_update=for_update)
    if found is None or not well_formed_token(token):
        return None
    respondent, answers = found
    instrument, rules = store.parsed_instrument(
        link, respondent.survey_id, frozen=store.instrument_frozen(respondent)
    )
    return Questionnaire(respondent, instrument, answers, rules)


def open_session(db: Database, token: str) -> Questionnaire | None:
    """The questionnaire behind a personal link, or None for an unknown or malformed token (read-only)."""
    with transaction(db.engine, write=False) as link:
        return _load(link, token)


def start(
    db: Database, token: str, *, lang: str = "da", mode: str = "web", interviewer_id: str | None = None
) -> None:
    """Record that the link was opened (session state ``started``), so fieldwork sees who began."""
    with transaction(db.engine, write=True) as link:
        questionnaire = _load(link, token, for_update=True)
        if questionnaire is None or questionnaire.status != "new":
            return
        started = store.page_save(
            questionnaire.respondent,
            {},
            rules=questionnaire.rules,
            mode=mode,
            language=lang,
            interviewer_id=interviewer_id,
            page=0,
            state="started",
            now=db.clock(),
        )
        store.save_answers(link, started)


def save_page(
    db: Database,
    token: str,
    page: str,
    answers: Mapping[str, object],
    *,
    lang: str = "da",
    mode: str = "web",
    interviewer_id: str | None = None,
    nonce: str | None = None,
    direction: Literal["next", "back"] = "next",
) -> SaveResult:
    """Save one page atomically and say which page comes next.

    ``answers`` maps the page's answer ids to codes or texts (strings from a form are fine); an id left
    out is unanswered. Going ``next`` from the last page completes the questionnaire. Answers that the new
    routing no longer shows (say, a follow-up after its trigger changed) are cleared in the same transaction.
    A web form passes its ``nonce``; the simulated fieldwork may pass None. An answer storage refuses
    (:func:`borgerblik.storage.answers.check_answers`) makes the page ``invalid``, nothing written.

    On PostgreSQL the common case — a page of a started questionnaire that does not complete it — is read
    without a lock and written as one compare-and-set statement (:func:`store.save_answers_if_unchanged`):
    two round trips, no BEGIN or COMMIT. If anything moved the session in between, nothing is written and
    the save runs again under the row locks, where a double submit shows as stale.
    """
    if mode not in MODES:
        raise ValueError(f"ukendt svarform {mode!r}; forventede en af {', '.join(MODES)}")
    try:
        if db.dialect == "postgresql":
            with single_statements(db.engine) as link:
                planned = _plan(_load(link, token), page, answers, nonce, direction, db.clock())
                if not isinstance(planned, _Plan):
                    return planned
                if not planned.completing and planned.questionnaire.respondent.session_state is not None:
                    saved = store.save_answers_if_unchanged(link, planned.write(lang, mode, interviewer_id))
                    if saved:
                        return planned.result()
        with transaction(db.engine, write=True) as link:
            planned = _plan(_load(link, token, for_update=True), page, answers, nonce, direction, db.clock())
            if not isinstance(planned, _Plan):
                return planned
            store.save_answers(link, planned.write(lang, mode, interviewer_id))
            if planned.completing:
                store.close_completed(link, planned.questionnaire.respondent.invitation_id, planned.now)
            return planned.result()
    except AnswerRefused as refused:
        return SaveResult("invalid", next_page=page, problems=(refusal_problem(refused),))


REFUSAL_MESSAGES = {
    "unknown_question": "error_unknown_field",
    "invalid_code": "error_invalid_code",
    "too_long": "error_too_long",
    "invalid_text": "error_invalid_text",
}


def refusal_problem(refused: AnswerRefused) -> Problem:
    """Storage's refusal as the problem a page shows next to the answer (a translation key and values)."""
    values: dict[str, object] = {"field": refused.answer_id}
    if refused.reason == "too_long":
        values.update(length=refused.length, limit=TEXT_LIMIT)
    return Problem(refused.answer_id, REFUSAL_MESSAGES[refused.reason], values)


@dataclass(frozen=True)
class _Plan:
    """What a page save writes and where the citizen goes next, decided from one read of the session."""

    questionnaire: Questionnaire
    changes: dict[str, AnswerValue]
    page_index: int
    state: str
    next_key: str
    completing: bool
    revealed: tuple[str, ...]
    now: datetime

    def write(self, lang: str, mode: str, interviewer_id: str | None) -> store.PageSave:
        return store.page_save(
            self.questionnaire.respondent,
            self.changes,
            rules=self.questionnaire.rules,
            stored=self.questionnaire.answers.keys(),
            mode=mode,
            language=lang,
            interviewer_id=interviewer_id,
            page=self.page_index,
            state=self.state,
            now=self.now,
        )

    def result(self) -> SaveResult:
        if self.completing:
            return SaveResult("completed")
        return SaveResult(
            "saved",
            next_page=self.next_key,
            nonce=page_nonce(self.questionnaire.respondent.token, self.now),
            revealed=self.revealed,
        )


def _plan(
    questionnaire: Questionnaire | None,
    page: str,
    answers: Mapping[str, object],
    nonce: str | None,
    direction: str,
    now: datetime,
) -> _Plan | SaveResult:
    """Check the save against the session as read, then decide what it writes; a refusal is a result."""
    if questionnaire is None:
        return SaveResult("unknown")
    if questionnaire.closed:
        return SaveResult("closed")
    # as bytes: compare_digest refuses a str with non-ASCII characters (a tampered nonce was a 500)
    if nonce is not None and not hmac.compare_digest(nonce.encode(), questionnaire.nonce.encode()):
        return SaveResult("stale", next_page=page, nonce=questionnaire.nonce)
    shown = questionnaire.page(page)
    if shown is None:
        return SaveResult(
            "invalid",
            next_page=questionnaire.resume().key,
            problems=(Problem(page, "error_unknown_field", {"field": page}),),
        )
    checked, problems = check_page_answers(shown.questions, answers)
    if problems:
        return SaveResult("invalid", next_page=page, nonce=questionnaire.nonce, problems=tuple(problems))
    instrument, context = questionnaire.instrument, questionnaire.context
    merged = {key: value for key, value in {**questionnaire.answers, **checked}.items() if value is not None}
    background = {b.id for b in instrument.background}
    # Routing reads only answers to shown questions, so one evaluation gives both what is routed out and
    # the pages that follow once it is cleared.
    routed = routing(instrument, context, merged)
    visible_ids = routed.visible_ids
    routed_out = {key for key in merged if key not in visible_ids and key not in background}
    # Only what differs from the stored answers is written: going back and forward rewrites nothing.
    stored = questionnaire.answers
    written = {**checked, **dict.fromkeys(routed_out)}
    changes = {key: value for key, value in written.items() if stored.get(key) != value}
    pages = list(routed.pages)
    now_shown = page_by_key(pages, shown.key)
    revealed = tuple(q.id for q in (now_shown.questions if now_shown else ()) if q not in shown.questions)
    keys = [p.key for p in pages]
    position = keys.index(shown.key) if shown.key in keys else 0
    completing = False
    if revealed:
        next_key = shown.key
    elif direction == "back":
        next_key = keys[max(position - 1, 0)]
    elif position + 1 < len(keys):
        next_key = keys[position + 1]
    else:
        next_key, completing = shown.key, True
    return _Plan(
        questionnaire=questionnaire,
        changes=changes,
        page_index=theme_index(instrument, next_key),
        state="complete" if completing else ("partial" if merged else "started"),
        next_key=next_key,
        completing=completing,
        revealed=revealed,
        now=now,
    )


def complete(db: Database, token: str, *, lang: str = "da", mode: str = "web") -> bool:
    """Close the questionnaire as answered (False when the link is unknown or already closed)."""
    with transaction(db.engine, write=True) as link:
        questionnaire = _load(link, token, for_update=True)
        if questionnaire is None or questionnaire.closed:
            return False
        now = db.clock()
        completed = store.page_save(
            questionnaire.respondent,
            {},
            rules=questionnaire.rules,
            stored=questionnaire.answers.keys(),
            mode=mode,
            language=lang,
            interviewer_id=questionnaire.respondent.interviewer_id,
            page=None,
            state="complete",
            now=now,
        )
        store.save_answers(link, completed)
        store.close_completed(link, questionnaire.respondent.invitation_id, now)
        return True


def opt_out(db: Database, token: str, *, channel: str = "web") -> bool | None:
    """Record "Jeg ønsker ikke at deltage": None = unknown link, False = already closed."""
    questionnaire = open_session(db, token)
    if questionnaire is None:
        return None
    return db.record_opt_out(questionnaire.respondent.invitation_id, channel)
