"""Saving answers: the hot path of the web questionnaire and the interviewer form, in Core statements.

Each save replaces the rows of the questions it names (so a citizen going back and changing an answer leaves
one answer, not two) and moves the response session forward. The session row is written first: on PostgreSQL
its row lock serialises two saves for the same invitation, so concurrent double-submits cannot interleave.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from borgerblik.storage.errors import InvalidRowError, NotFoundError, StorageError
from borgerblik.storage.records import SessionRecord
from borgerblik.storage.schema import MODES, SESSION_STATES, Answer, Invitation, ResponseSession
from borgerblik.storage.times import as_utc

AnswerValue = int | str | Sequence[int] | None
SMALLINT_MAX = 32_767


def _rows(answers: Mapping[str, AnswerValue]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for index, (question_id, value) in enumerate(answers.items(), start=1):
        if not isinstance(question_id, str) or not question_id or len(question_id) > 100:
            raise InvalidRowError(
                index, "question_id", "et spørgsmåls-id (tekst, højst 100 tegn)", question_id
            )
        if value is None:
            continue
        if isinstance(value, str):
            if "\x00" in value:
                raise InvalidRowError(index, question_id, "tekst uden nul-tegn (\\x00)", value)
            rows.append({"question_id": question_id, "value_code": None, "text": value})
            continue
        codes = list(value) if isinstance(value, list | tuple) else [value]
        for code in codes:
            if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code <= SMALLINT_MAX:
                raise InvalidRowError(
                    index, question_id, "en svarkode (heltal), en tekst eller en liste af koder", value
                )
            rows.append({"question_id": question_id, "value_code": code, "text": None})
    return rows


def save(
    connection: Connection,
    invitation_id: int,
    answers: Mapping[str, AnswerValue],
    *,
    mode: str,
    language: str,
    interviewer_id: str | None,
    page: int | None,
    state: str,
    now: datetime,
) -> SessionRecord:
    """Write ``answers`` for one invitation; ``None`` removes an answer.

    The session state never moves backwards: a complete questionnaire edited later stays complete.
    """
    if mode not in MODES:
        raise StorageError(f"ukendt svarform {mode!r}; forventede en af {', '.join(MODES)}")
    if state not in SESSION_STATES:
        raise StorageError(
            f"ukendt besvarelsestilstand {state!r}; forventede en af {', '.join(SESSION_STATES)}"
        )
    rows = _rows(answers)
    session = _advance_session(connection, invitation_id, mode, language, interviewer_id, page, state, now)
    if answers:
        connection.execute(
            delete(Answer).where(Answer.invitation_id == invitation_id, Answer.question_id.in_(list(answers)))
        )
    if rows:
        common = {
            "invitation_id": invitation_id,
            "mode": mode,
            "language": language,
            "interviewer_id": interviewer_id,
            "answered_at": now,
        }
        connection.execute(insert(Answer), [{**common, **row} for row in rows])
    return session


def _advance_session(
    connection: Connection,
    invitation_id: int,
    mode: str,
    language: str,
    interviewer_id: str | None,
    page: int | None,
    state: str,
    now: datetime,
) -> SessionRecord:
    s = ResponseSession
    current = connection.execute(
        select(s.state, s.current_page).where(s.invitation_id == invitation_id).with_for_update()
    ).first()
    if current is None:
        exists = connection.execute(select(Invitation.id).where(Invitation.id == invitation_id)).scalar()
        if exists is None:
            raise NotFoundError(f"invitation {invitation_id} findes ikke")
        connection.execute(
            insert(s).values(
                invitation_id=invitation_id,
                state=state,
                mode=mode,
                language=language,
                current_page=page or 0,
                interviewer_id=interviewer_id,
                started_at=now,
                updated_at=now,
                completed_at=now if state == "complete" else None,
            )
        )
    else:
        new_state = max(current.state, state, key=SESSION_STATES.index)
        values: dict[str, Any] = {"state": new_state, "mode": mode, "language": language, "updated_at": now}
        if page is not None:
            values["current_page"] = page
        if interviewer_id is not None:
            values["interviewer_id"] = interviewer_id
        if new_state == "complete" and current.state != "complete":
            values["completed_at"] = now
        connection.execute(update(s).where(s.invitation_id == invitation_id).values(**values))
    return session(connection, invitation_id)  # type: ignore[return-value]


def session(connection: Connection, invitation_id: int) -> SessionRecord | None:
    s = ResponseSession
    row = connection.execute(
        select(
            s.invitation_id,
            s.state,
            s.mode,
            s.language,
            s.current_page,
            s.interviewer_id,
            s.started_at,
            s.updated_at,
            s.completed_at,
        ).where(s.invitation_id == invitation_id)
    ).first()
    if row is None:
        return None
    values = list(row)
    values[6:9] = [as_utc(value) for value in values[6:9]]
    return SessionRecord(*values)


def load(connection: Connection, invitation_id: int) -> dict[str, AnswerValue]:
    """The stored answers of one invitation, in the shape :func:`save` takes.

    A question with several codes comes back as a list; with one code, as that code.
    """
    rows = connection.execute(
        select(Answer.question_id, Answer.value_code, Answer.text)
        .where(Answer.invitation_id == invitation_id)
        .order_by(Answer.id)
    )
    return fold_answers(rows)


def fold_answers(rows: Iterable[Any]) -> dict[str, AnswerValue]:
    """Answer rows (question id, code, text) in storage order as stored values: several codes of one
    question become a list, one code that code, an open answer its text."""
    result: dict[str, Any] = {}
    for question_id, code, text in rows:
        value = text if code is None else code
        if question_id in result:
            earlier = result[question_id]
            result[question_id] = [*earlier, value] if isinstance(earlier, list) else [earlier, value]
        else:
            result[question_id] = value
    return result
