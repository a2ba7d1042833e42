"""The questionnaire's reads and writes, as Core statements built once at import.

Everything here runs on a connection the caller opened, so a page save is one transaction: the invitation row
is locked, the session checked against the page nonce, and the answers replaced before anything is
acknowledged. The statements are module constants with bind parameters because building a SQLAlchemy
statement costs more than executing it on SQLite; the save path is the hot path of fieldwork (issue 5's
benchmark). The semantics follow :func:`borgerblik.storage.answers.save`: a save replaces the rows of the
answer ids it names, and the session state never moves backwards.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Connection,
    Integer,
    SmallInteger,
    String,
    Text,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from borgerblik.collection.driver import Link, Prepared, pipelined
from borgerblik.storage.schema import (
    SESSION_STATES,
    Answer,
    Invitation,
    Member,
    Municipality,
    OptOut,
    OutboxMessage,
    ResponseSession,
    Survey,
    Timestamp,
)
from borgerblik.storage.times import as_utc

AnswerValue = int | str | list[int] | None

CLOSED_INVITATION_STATES = frozenset({"opted_out", "completed"})


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
    )
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
    )


# One round trip for the citizen and their answers: one row per answer (or one row without any).
_WITH_ANSWERS = Prepared(
    _RESPONDENT.add_columns(Answer.question_id, Answer.value_code, Answer.text)
    .outerjoin(Answer, Answer.invitation_id == Invitation.id)
    .where(Invitation.token == bindparam("token"))
    .order_by(Answer.id)
)
_LOCK_INVITATION = Prepared(
    select(Invitation.id).where(Invitation.token == bindparam("token")).with_for_update()
)
_DELETE_ANSWER = Prepared(
    delete(Answer).where(
        Answer.invitation_id == bindparam("invitation"), Answer.question_id == bindparam("question")
    )
)
# PostgreSQL: a page's answers go in and out in one statement each, as arrays, not one statement per row.
_DELETE_ANSWERS_ARRAY = Prepared(
    delete(Answer).where(
        Answer.invitation_id == bindparam("invitation"),
        Answer.question_id == any_(bindparam("questions", type_=ARRAY(String))),
    )
)
_INSERT_ANSWERS_ARRAY = Prepared(
    insert(Answer).from_select(
        [
            Answer.invitation_id,
            Answer.question_id,
            Answer.value_code,
            Answer.text,
            Answer.mode,
            Answer.language,
            Answer.interviewer_id,
            Answer.answered_at,
        ],
        select(
            bindparam("invitation", type_=Integer),
            func.unnest(bindparam("questions", type_=ARRAY(String))),
            func.unnest(bindparam("codes", type_=ARRAY(SmallInteger))),
            func.unnest(bindparam("texts", type_=ARRAY(Text))),
            bindparam("mode", type_=String),
            bindparam("language", type_=String),
            bindparam("interviewer", type_=String),
            bindparam("now", type_=Timestamp),
        ),
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
_UPDATE_SESSION = Prepared(
    update(ResponseSession)
    .where(ResponseSession.invitation_id == bindparam("invitation"))
    .values(
        state=bindparam("new_state"),
        mode=bindparam("new_mode"),
        language=bindparam("new_language"),
        current_page=func.coalesce(bindparam("new_page", type_=Integer), ResponseSession.current_page),
        interviewer_id=func.coalesce(
            bindparam("new_interviewer", type_=String), ResponseSession.interviewer_id
        ),
        updated_at=bindparam("now"),
        completed_at=func.coalesce(ResponseSession.completed_at, bindparam("completed", type_=Timestamp)),
    )
)


# PostgreSQL, session already there: the session update, the answer delete and the answer insert as one
# statement (data-modifying CTEs). All three see the statement's one snapshot, so the DELETE can only remove
# rows stored before, never the ones the INSERT adds — the same result as three statements, in one.
_SESSION_UPDATE_CTE = (
    update(ResponseSession)
    .where(ResponseSession.invitation_id == bindparam("invitation", type_=Integer))
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
    .cte("moved_session")
)
_ANSWERS_DELETE_CTE = (
    delete(Answer)
    .where(
        Answer.invitation_id == bindparam("invitation", type_=Integer),
        Answer.question_id == any_(bindparam("replaced", type_=ARRAY(String))),
    )
    .cte("replaced_answers")
)
_SAVE_PAGE_ARRAY = Prepared(
    insert(Answer)
    .from_select(
        [
            Answer.invitation_id,
            Answer.question_id,
            Answer.value_code,
            Answer.text,
            Answer.mode,
            Answer.language,
            Answer.interviewer_id,
            Answer.answered_at,
        ],
        select(
            bindparam("invitation", type_=Integer),
            func.unnest(bindparam("questions", type_=ARRAY(String))),
            func.unnest(bindparam("codes", type_=ARRAY(SmallInteger))),
            func.unnest(bindparam("texts", type_=ARRAY(Text))),
            bindparam("new_mode", type_=String),
            bindparam("new_language", type_=String),
            bindparam("new_interviewer", type_=String),
            bindparam("now", type_=Timestamp),
        ),
    )
    .add_cte(_SESSION_UPDATE_CTE, _ANSWERS_DELETE_CTE)
)


def respondent_with_answers(
    link: Link, token: str, *, for_update: bool = False
) -> tuple[Respondent, dict[str, AnswerValue]] | None:
    """The citizen behind a link and their stored answers in one statement.

    ``for_update`` first locks the invitation row on PostgreSQL, in a statement of its own (sent in the
    same round trip): under READ COMMITTED a locking join would return the locked row fresh but the joined
    session and answers from before the wait, so a concurrent save would go unseen. SQLite's write
    transaction already holds the lock.
    """
    parameters = {"token": token}
    if for_update and link.postgresql:
        with pipelined(link):
            _LOCK_INVITATION.execute(link, parameters)
            cursor = _WITH_ANSWERS.execute(link, parameters)
        rows = _WITH_ANSWERS.rows(link, cursor)
    else:
        rows = _WITH_ANSWERS.all(link, parameters)
    if not rows:
        return None
    respondent = _respondent(rows[0][:16])
    return respondent, _fold(row[16:] for row in rows if row[16] is not None)  # type: ignore[return-value]


def _fold(rows: Iterable[Any]) -> dict[str, AnswerValue]:
    """Answer rows (question id, code, text) as stored values; several codes of one question become a list."""
    result: dict[str, Any] = {}
    for question_id, code, text in rows:
        value = text if code is None else code
        if question_id in result:
            earlier = result[question_id]
            result[question_id] = [*earlier, value] if isinstance(earlier, list) else [earlier, value]
        else:
            result[question_id] = value
    return result


def save_answers(
    link: Link,
    respondent: Respondent,
    answers: Mapping[str, AnswerValue],
    *,
    mode: str,
    language: str,
    interviewer_id: str | None,
    page: int | None,
    state: str,
    now: datetime,
    stored: Collection[str] | None = None,
) -> datetime:
    """Replace the named answers (``None`` clears one) and move the session on; returns its ``updated_at``.

    The caller holds the invitation lock and has read the session through ``respondent``; ``stored`` names
    the answer ids that have rows (None = unknown), so a first answer costs no DELETE.
    """
    invitation_id = respondent.invitation_id
    replaced = [key for key in answers if stored is None or key in stored]
    rows = [
        {
            "invitation_id": invitation_id,
            "question_id": question_id,
            "value_code": code,
            "text": text,
            "mode": mode,
            "language": language,
            "interviewer_id": interviewer_id,
            "answered_at": now,
        }
        for question_id, value in answers.items()
        for code, text in _stored_values(value)
    ]
    if link.postgresql and respondent.session_state is not None:
        new_state = max(respondent.session_state, state, key=SESSION_STATES.index)
        _SAVE_PAGE_ARRAY.execute(
            link,
            {
                "invitation": invitation_id,
                "new_state": new_state,
                "new_mode": mode,
                "new_language": language,
                "new_page": page,
                "new_interviewer": interviewer_id,
                "now": now,
                "completed": now if new_state == "complete" else None,
                "replaced": replaced,
                "questions": [row["question_id"] for row in rows],
                "codes": [row["value_code"] for row in rows],
                "texts": [row["text"] for row in rows],
            },
        )
        return now
    with pipelined(link):
        if respondent.session_state is None:
            _INSERT_SESSION.execute(
                link,
                {
                    "invitation_id": invitation_id,
                    "state": state,
                    "mode": mode,
                    "language": language,
                    "current_page": page or 0,
                    "interviewer_id": interviewer_id,
                    "started_at": now,
                    "updated_at": now,
                    "completed_at": now if state == "complete" else None,
                },
            )
        else:
            new_state = max(respondent.session_state, state, key=SESSION_STATES.index)
            _UPDATE_SESSION.execute(
                link,
                {
                    "invitation": invitation_id,
                    "new_state": new_state,
                    "new_mode": mode,
                    "new_language": language,
                    "new_page": page,
                    "new_interviewer": interviewer_id,
                    "now": now,
                    "completed": now if new_state == "complete" else None,
                },
            )
        if link.postgresql:
            if replaced:
                _DELETE_ANSWERS_ARRAY.execute(link, {"invitation": invitation_id, "questions": replaced})
            if rows:
                _INSERT_ANSWERS_ARRAY.execute(
                    link,
                    {
                        "invitation": invitation_id,
                        "questions": [row["question_id"] for row in rows],
                        "codes": [row["value_code"] for row in rows],
                        "texts": [row["text"] for row in rows],
                        "mode": mode,
                        "language": language,
                        "interviewer": interviewer_id,
                        "now": now,
                    },
                )
        else:
            if replaced:
                _DELETE_ANSWER.execute_many(
                    link, [{"invitation": invitation_id, "question": key} for key in replaced]
                )
            if rows:
                _INSERT_ANSWER.execute_many(link, rows)
    return now


def _stored_values(value: AnswerValue) -> list[tuple[int | None, str | None]]:
    if value is None:
        return []
    if isinstance(value, str):
        return [(None, value)]
    if isinstance(value, int):
        return [(value, None)]
    return [(code, None) for code in value]


_INSTRUMENT = Prepared(select(Survey.instrument_yaml).where(Survey.id == bindparam("survey")))
_CLOSE_INVITATION = Prepared(
    update(Invitation)
    .where(Invitation.id == bindparam("invitation"))
    .values(state=bindparam("new_state"), updated_at=bindparam("now"))
)
# The rule of :func:`borgerblik.storage.outbox.cancel_pending`, as a statement the save path can run.
_CANCEL_QUEUED = Prepared(
    update(OutboxMessage)
    .where(OutboxMessage.invitation_id == bindparam("invitation"), OutboxMessage.status == "queued")
    .values(status="cancelled")
)


def instrument_yaml(link: Link, survey_id: int) -> str:
    """The survey's frozen instrument (YAML)."""
    return _INSTRUMENT.all(link, {"survey": survey_id})[0][0]


def close_completed(link: Link, invitation_id: int, now: datetime) -> None:
    """Mark the invitation completed and cancel its queued reminders: a complete answer gets no more."""
    with pipelined(link):
        _CLOSE_INVITATION.execute(link, {"invitation": invitation_id, "new_state": "completed", "now": now})
        _CANCEL_QUEUED.execute(link, {"invitation": invitation_id})


def record_opt_out(connection: Connection, respondent: Respondent, channel: str, now: datetime) -> bool:
    """Store the opt-out once; True when it is new. Nothing is asked of the citizen, so no reason is kept."""
    if respondent.opted_out:
        return False
    connection.execute(
        insert(OptOut).values(
            survey_id=respondent.survey_id,
            invitation_id=respondent.invitation_id,
            channel=channel,
            reason=None,
            recorded_at=now,
        )
    )
    set_invitation_state(connection, respondent.invitation_id, "opted_out", now)
    return True


def set_invitation_state(connection: Connection, invitation_id: int, state: str, now: datetime) -> None:
    connection.execute(
        update(Invitation).where(Invitation.id == invitation_id).values(state=state, updated_at=now)
    )
