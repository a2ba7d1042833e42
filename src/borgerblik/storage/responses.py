"""The one save path of answers, as Core statements built once at import.

Every answer is written here — the web questionnaire, the interviewer screen, the hotline, the simulated
fieldwork and the gateway's :meth:`~borgerblik.storage.Database.save_answers` — and every save is checked by
:func:`borgerblik.storage.answers.check_answers` first, so the rules are the same whoever sends the answer.

Everything runs on a connection the caller opened, so a page save is atomic: either one transaction
that locks the invitation and session rows, checks the page nonce and replaces the answers, or — on
PostgreSQL, for the common page — one compare-and-set statement that writes only if the session is still as
it was read. Either way nothing is acknowledged before it is committed. The statements are module
constants with bind parameters because building a SQLAlchemy statement costs more than executing it on
SQLite; the save path is the hot path of fieldwork (issue 5's benchmark). A save replaces the rows of the
answer ids it names, and the session state never moves backwards.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Delete,
    Engine,
    Insert,
    Integer,
    SmallInteger,
    String,
    Text,
    Update,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from borgerblik.core import Instrument
from borgerblik.core.loader import parse_instrument
from borgerblik.storage.answers import AnswerRules, check_answers, fold_answers
from borgerblik.storage.driver import Link, Prepared, pipelined
from borgerblik.storage.errors import NotFoundError, StorageError
from borgerblik.storage.open_answers import keep_originals, redact_on_arrival
from borgerblik.storage.outbox import CANCEL_QUEUED
from borgerblik.storage.schema import (
    MODES,
    SESSION_STATES,
    Answer,
    Invitation,
    Member,
    Municipality,
    OptOut,
    ResponseSession,
    Survey,
    Timestamp,
)
from borgerblik.storage.times import as_utc

AnswerValue = int | str | list[int] | None

CLOSED_INVITATION_STATES = ("opted_out", "completed")


@dataclass(frozen=True)
class Respondent:
    """A citizen behind a link, with only the register fields routing needs — never CPR or contact data."""

    invitation_id: int
    survey_id: int
    token: str
    case_code: str
    invitation_state: str
    maalgruppe: str
    kommune: str
    gender: str
    age_group: str | None
    session_state: str | None
    current_page: int
    mode: str | None
    language: str | None
    interviewer_id: str | None
    updated_at: datetime | None
    opted_out: bool
    survey_closed: bool = False

    @property
    def context(self) -> dict[str, object]:
        return {
            "maalgruppe": self.maalgruppe,
            "kommune": self.kommune,
            "koen": self.gender,
            "aldersgruppe": self.age_group,
        }


_RESPONDENT = (
    select(
        Invitation.id,
        Invitation.survey_id,
        Invitation.token,
        Invitation.case_code,
        Invitation.state,
        Member.maalgruppe,
        Municipality.name,
        Member.gender,
        Member.age_group,
        ResponseSession.state,
        ResponseSession.current_page,
        ResponseSession.mode,
        ResponseSession.language,
        ResponseSession.interviewer_id,
        ResponseSession.updated_at,
        OptOut.id,
        Survey.fieldwork_closed_at,
    )
    .join(Survey, Survey.id == Invitation.survey_id)
    .join(Member, Member.id == Invitation.member_id)
    .join(Municipality, Municipality.id == Member.municipality_id)
    .outerjoin(ResponseSession, ResponseSession.invitation_id == Invitation.id)
    .outerjoin(OptOut, OptOut.invitation_id == Invitation.id)
)


def _respondent(row: Any) -> Respondent | None:
    if row is None:
        return None
    values = list(row)
    return Respondent(
        *values[:10],
        current_page=values[10] or 0,
        mode=values[11],
        language=values[12],
        interviewer_id=values[13],
        updated_at=as_utc(values[14]),
        opted_out=values[15] is not None,
        survey_closed=values[16] is not None,
    )


# One round trip for the citizen and their answers: one row per answer (or one row without any).
_WITH_ANSWERS = Prepared(
    _RESPONDENT.add_columns(Answer.question_id, Answer.value_code, Answer.text)
    .outerjoin(Answer, Answer.invitation_id == Invitation.id)
    .where(Invitation.token == bindparam("token"))
    .order_by(Answer.id)
)
_TOKEN_OF = Prepared(select(Invitation.token).where(Invitation.id == bindparam("invitation")))
_LOCK_INVITATION = Prepared(
    select(Invitation.id).where(Invitation.token == bindparam("token")).with_for_update()
)
# PostgreSQL: the session row too, so a compare-and-set save (which takes no invitation lock) waits for a
# locked save to finish and then finds the session moved.
_LOCK_SESSION = Prepared(
    select(ResponseSession.invitation_id)
    .join(Invitation, Invitation.id == ResponseSession.invitation_id)
    .where(Invitation.token == bindparam("token"))
    .with_for_update(of=ResponseSession)
)
_DELETE_ANSWER = Prepared(
    delete(Answer).where(
        Answer.invitation_id == bindparam("invitation"), Answer.question_id == bindparam("question")
    )
)
_ANSWER_COLUMNS = (
    "invitation_id",
    "question_id",
    "value_code",
    "text",
    "mode",
    "language",
    "interviewer_id",
    "answered_at",
)
_INSERT_ANSWER = Prepared(insert(Answer).values({name: bindparam(name) for name in _ANSWER_COLUMNS}))
_SESSION_COLUMNS = (
    "invitation_id",
    "state",
    "mode",
    "language",
    "current_page",
    "interviewer_id",
    "started_at",
    "updated_at",
    "completed_at",
)
_INSERT_SESSION = Prepared(
    insert(ResponseSession).values({name: bindparam(name) for name in _SESSION_COLUMNS})
)
_INVITATION = bindparam("invitation", type_=Integer)


def _move_session(*conditions: ColumnElement[bool]) -> Update:
    """The session's state, mode, language and page move on; the state never backwards (the caller's
    ``new_state`` is already the later of the two) and ``completed_at`` is set once."""
    return (
        update(ResponseSession)
        .where(ResponseSession.invitation_id == _INVITATION, *conditions)
        .values(
            state=bindparam("new_state", type_=String),
            mode=bindparam("new_mode", type_=String),
            language=bindparam("new_language", type_=String),
            current_page=func.coalesce(bindparam("new_page", type_=Integer), ResponseSession.current_page),
            interviewer_id=func.coalesce(
                bindparam("new_interviewer", type_=String), ResponseSession.interviewer_id
            ),
            updated_at=bindparam("now", type_=Timestamp),
            completed_at=func.coalesce(ResponseSession.completed_at, bindparam("completed", type_=Timestamp)),
        )
    )


def _insert_answers(invitation: ColumnElement[int]) -> Insert:
    """PostgreSQL: a page's answers as arrays, unnested into rows in one statement."""
    return insert(Answer).from_select(
        list(_ANSWER_COLUMNS),
        select(
            invitation,
            func.unnest(bindparam("questions", type_=ARRAY(String))),
            func.unnest(bindparam("codes", type_=ARRAY(SmallInteger))),
            func.unnest(bindparam("texts", type_=ARRAY(Text))),
            bindparam("new_mode", type_=String),
            bindparam("new_language", type_=String),
            bindparam("new_interviewer", type_=String),
            bindparam("now", type_=Timestamp),
        ),
    )


def _replace_answers(invitation: ColumnElement[int] | Any) -> Delete:
    return delete(Answer).where(
        Answer.invitation_id == invitation,
        Answer.question_id == any_(bindparam("replaced", type_=ARRAY(String))),
    )


_UPDATE_SESSION = Prepared(_move_session())
_DELETE_ANSWERS_ARRAY = Prepared(_replace_answers(_INVITATION))
_INSERT_ANSWERS_ARRAY = Prepared(_insert_answers(_INVITATION))
# PostgreSQL, session already there: the session update, the answer delete and the answer insert as one
# statement (data-modifying CTEs). All three see the statement's one snapshot, so the DELETE can only remove
# rows stored before, never the ones the INSERT adds — the same result as three statements, in one.
_SAVE_PAGE_ARRAY = Prepared(
    _insert_answers(_INVITATION).add_cte(
        _move_session().cte("moved_session"), _replace_answers(_INVITATION).cte("replaced_answers")
    )
)
# The same as a compare-and-set, for a save made without a lock: the session moves only if it is still as
# the citizen's page was read (same ``updated_at``: every other writer — a locked save, completion, opt-out
# — moves it), and the answers change only if it moved. Under READ COMMITTED a concurrent writer's commit
# makes the UPDATE recheck the new row version, so the condition is judged on what is committed. One
# statement is one transaction, so it runs in autocommit: no BEGIN, no COMMIT.
_MOVED_IF_UNCHANGED = (
    _move_session(ResponseSession.updated_at == bindparam("seen", type_=Timestamp))
    .returning(ResponseSession.invitation_id)
    .cte("moved_session")
)
_SAVE_PAGE_IF_UNCHANGED = Prepared(
    select(_MOVED_IF_UNCHANGED.c.invitation_id).add_cte(
        _replace_answers(select(_MOVED_IF_UNCHANGED.c.invitation_id).scalar_subquery()).cte(
            "replaced_answers"
        ),
        _insert_answers(_MOVED_IF_UNCHANGED.c.invitation_id).cte("new_answers"),
    )
)


def token_of(link: Link, invitation_id: int) -> str | None:
    """The link token of an invitation (None if there is none), to read it as its citizen's page would."""
    rows = _TOKEN_OF.all(link, {"invitation": invitation_id})
    return rows[0][0] if rows else None


def respondent_with_answers(
    link: Link, token: str, *, for_update: bool = False
) -> tuple[Respondent, dict[str, AnswerValue]] | None:
    """The citizen behind a link and their stored answers in one statement.

    ``for_update`` first locks the invitation and session rows on PostgreSQL, in statements of their own
    (sent in the same round trip): under READ COMMITTED a locking join would return the locked row fresh
    but the joined session and answers from before the wait, so a concurrent save would go unseen. SQLite's
    write transaction already holds the lock.
    """
    parameters = {"token": token}
    if for_update and link.postgresql:
        with pipelined(link):
            _LOCK_INVITATION.execute(link, parameters)
            _LOCK_SESSION.execute(link, parameters)
            cursor = _WITH_ANSWERS.execute(link, parameters)
        rows = _WITH_ANSWERS.rows(link, cursor)
    else:
        rows = _WITH_ANSWERS.all(link, parameters)
    return _folded(rows)


def _folded(rows: list[Any]) -> tuple[Respondent, dict[str, AnswerValue]] | None:
    if not rows:
        return None
    width = len(_RESPONDENT.selected_columns)
    respondent = _respondent(rows[0][:width])
    return respondent, fold_answers(row[width:] for row in rows if row[width] is not None)  # type: ignore[arg-type]


_INSTRUMENT = Prepared(select(Survey.instrument_yaml).where(Survey.id == bindparam("survey")))
_INSTRUMENTS: WeakKeyDictionary[Engine, dict[int, tuple[Instrument, AnswerRules]]] = WeakKeyDictionary()


def instrument_frozen(respondent: Respondent) -> bool:
    """Whether the survey's instrument can no longer change, as this citizen's row shows: their invitation
    has gone out or they have a session. :mod:`borgerblik.storage.local_questions` changes an instrument only
    while neither is true of anyone, and invitations never go back to ``created`` nor sessions away."""
    return respondent.invitation_state != "created" or respondent.session_state is not None


def parsed_instrument(link: Link, survey_id: int, *, frozen: bool = False) -> tuple[Instrument, AnswerRules]:
    """The survey's instrument and its answer rules, parsed once per database once it is ``frozen``.

    Before fieldwork an administrator may still add a municipality's local questions, in any worker process:
    an instrument read then is parsed afresh on every call and never kept, so no process holds one from
    before a change (the preview and the interviewer screen read it then; a citizen rarely can). Once a
    citizen's row shows fieldwork has begun (:func:`instrument_frozen`, read with the session the save path
    reads anyway) it cannot change again, and the parsed copy is kept for every later call — no query is
    added to the hot path to check for a change.
    """
    cached = _INSTRUMENTS.setdefault(link.engine, {})
    found = cached.get(survey_id)
    if found is None:
        rows = _INSTRUMENT.all(link, {"survey": survey_id})
        if not rows:
            raise NotFoundError(f"ingen undersøgelse med id {survey_id}")
        instrument = parse_instrument(rows[0][0], f"survey {survey_id}")
        found = (instrument, AnswerRules.of(instrument))
        if frozen:
            cached[survey_id] = found
    return found


def survey_instrument(link: Link, survey_id: int) -> Instrument:
    """The survey's instrument (see :func:`parsed_instrument`; kept only once a citizen's row froze it)."""
    return parsed_instrument(link, survey_id)[0]


def answer_rules(link: Link, survey_id: int, *, frozen: bool = False) -> AnswerRules:
    """What the survey's instrument accepts under each answer id (see :func:`check_answers`)."""
    return parsed_instrument(link, survey_id, frozen=frozen)[1]


@dataclass(frozen=True)
class PageSave:
    """One save, decided: whose it is, and its bind values — the session's move and the answers as
    parallel arrays (question, code, text)."""

    respondent: Respondent
    values: dict[str, Any]


def page_save(
    respondent: Respondent,
    answers: Mapping[str, AnswerValue],
    *,
    rules: AnswerRules,
    mode: str,
    language: str,
    interviewer_id: str | None,
    page: int | None,
    state: str,
    now: datetime,
    stored: Collection[str] | None = None,
) -> PageSave:
    """Replace the named answers (``None`` clears one) and move the session to ``state`` (never backwards).

    The answers are checked against ``rules`` first (:class:`~borgerblik.storage.answers.AnswerRefused`,
    nothing written). ``stored`` names the answer ids that have rows, so a first answer costs no DELETE. A
    questionnaire completed without an answer to any closed question is recorded as ``blank``.
    """
    if mode not in MODES:
        raise StorageError(f"ukendt svarform {mode!r}; forventede en af {', '.join(MODES)}")
    if state not in SESSION_STATES:
        expected = ", ".join(SESSION_STATES)
        raise StorageError(f"ukendt besvarelsestilstand {state!r}; forventede en af {expected}")
    check_answers(answers, rules)
    if state in ("complete", "blank"):
        kept = {key for key in stored or () if key not in answers}
        kept.update(key for key, value in answers.items() if value is not None)
        state = "blank" if rules.is_blank(kept) else "complete"
    new_state = max(respondent.session_state or state, state, key=SESSION_STATES.index)
    # Open answers are redacted on arrival; the originals go to the protected store (storage.open_answers).
    answers, originals = redact_on_arrival(answers)
    replaced = [key for key in answers if stored is None or key in stored]
    stored_rows = [
        (question_id, code, text)
        for question_id, value in answers.items()
        for code, text in _stored_values(value)
    ]
    return PageSave(
        respondent,
        {
            "invitation": respondent.invitation_id,
            "new_state": new_state,
            "new_mode": mode,
            "new_language": language,
            "new_page": page,
            "new_interviewer": interviewer_id,
            "now": now,
            "completed": now if new_state in ("complete", "blank") else None,
            "replaced": replaced,
            "originals": originals,
            "open_replaced": [k for k in replaced if answers[k] is None or isinstance(answers[k], str)],
            "questions": [row[0] for row in stored_rows],
            "codes": [row[1] for row in stored_rows],
            "texts": [row[2] for row in stored_rows],
        },
    )


def save_answers(link: Link, save: PageSave) -> datetime:
    """Write the save; returns the session's new ``updated_at``.

    The caller holds the invitation lock and has read the session through ``save.respondent``.
    """
    values = save.values
    if values["originals"] or values["open_replaced"]:
        keep_originals(
            link, values["invitation"], values["open_replaced"], values["originals"], values["now"]
        )
    if link.postgresql and save.respondent.session_state is not None:
        _SAVE_PAGE_ARRAY.execute(link, values)
        return values["now"]
    with pipelined(link):
        if save.respondent.session_state is None:
            _INSERT_SESSION.execute(
                link,
                {
                    "invitation_id": values["invitation"],
                    "state": values["new_state"],
                    "mode": values["new_mode"],
                    "language": values["new_language"],
                    "current_page": values["new_page"] or 0,
                    "interviewer_id": values["new_interviewer"],
                    "started_at": values["now"],
                    "updated_at": values["now"],
                    "completed_at": values["completed"],
                },
            )
        else:
            _UPDATE_SESSION.execute(link, values)
        if link.postgresql:
            if values["replaced"]:
                _DELETE_ANSWERS_ARRAY.execute(link, values)
            if values["questions"]:
                _INSERT_ANSWERS_ARRAY.execute(link, values)
        else:
            rows = _answer_rows(values)
            if values["replaced"]:
                _DELETE_ANSWER.execute_many(
                    link,
                    [{"invitation": values["invitation"], "question": key} for key in values["replaced"]],
                )
            if rows:
                _INSERT_ANSWER.execute_many(link, rows)
    return values["now"]


def save_answers_if_unchanged(link: Link, save: PageSave) -> bool:
    """PostgreSQL, without a lock: :func:`save_answers` as one compare-and-set statement in autocommit.

    True when saved; False, with nothing changed, when the session moved since ``save.respondent`` was
    read (another save, completion or an opt-out) — the caller then takes the locked path, which sees why.
    """
    seen = save.respondent.updated_at
    if save.values["originals"] or save.values["open_replaced"]:
        return False  # the locked path writes the protected originals in the save's transaction
    if save.respondent.session_state is None or seen is None:
        raise ValueError("a compare-and-set save needs a session that was read")
    return bool(_SAVE_PAGE_IF_UNCHANGED.all(link, {**save.values, "seen": seen}))


def _answer_rows(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answer rows of a :class:`PageSave`, one mapping each, for SQLite's executemany."""
    return [
        {
            "invitation_id": values["invitation"],
            "question_id": question_id,
            "value_code": code,
            "text": text,
            "mode": values["new_mode"],
            "language": values["new_language"],
            "interviewer_id": values["new_interviewer"],
            "answered_at": values["now"],
        }
        for question_id, code, text in zip(values["questions"], values["codes"], values["texts"], strict=True)
    ]


def _stored_values(value: AnswerValue) -> list[tuple[int | None, str | None]]:
    if value is None:
        return []
    if isinstance(value, str):
        return [(None, value)]
    if isinstance(value, int):
        return [(value, None)]
    return [(code, None) for code in value]


_CLOSE_INVITATION = Prepared(
    update(Invitation)
    .where(
        Invitation.id == bindparam("invitation"),
        *(Invitation.state != closed for closed in CLOSED_INVITATION_STATES),
    )
    .values(state="completed", updated_at=bindparam("now"))
)


def close_completed(link: Link, invitation_id: int, now: datetime) -> None:
    """Mark the invitation completed (unless it already is, or the citizen opted out) and cancel its queued
    reminders: a submitted questionnaire gets no more."""
    with pipelined(link):
        _CLOSE_INVITATION.execute(link, {"invitation": invitation_id, "now": now})
        CANCEL_QUEUED.execute(link, {"invitation": invitation_id})
