"""What an answer may be, checked at the one place every answer is written; and answers read back.

Every entry point — the web questionnaire, the interviewer screen, the hotline, the simulated fieldwork,
imports and the gateway's own ``save_answers`` — ends in :func:`borgerblik.storage.responses.page_save`,
which calls :func:`check_answers`. So a NUL byte, an over-long text, an unknown question id or a code outside
the question's scale is refused the same way whoever sends it, before anything is written, on SQLite and on
PostgreSQL alike (PostgreSQL cannot store a NUL byte in text at all: it would be a driver error, a 500).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from borgerblik.core import Instrument
from borgerblik.core.model import NO, YES, BackgroundKind, Kind, Question
from borgerblik.storage.errors import InvalidRowError
from borgerblik.storage.records import SessionRecord
from borgerblik.storage.schema import Answer, ResponseSession
from borgerblik.storage.times import as_utc

AnswerValue = int | str | Sequence[int] | None
TEXT_LIMIT = 10_000
"""The longest open answer storage keeps (the questionnaire asks for at most 5.000; interviewers' notes and
imported answers may be longer, but a 10.000-character answer is a paste accident, not an answer)."""
SMALLINT_MAX = 32_767
SHOWN_TEXT = 40


class AnswerRefused(InvalidRowError):
    """One answer storage will not write; nothing of the save was written.

    ``reason`` says why in a word a screen can translate: ``unknown_question``, ``invalid_code``,
    ``too_long`` or ``invalid_text``.
    """

    def __init__(self, row: int, answer_id: str, reason: str, expected: str, got: object) -> None:
        shown = (
            got
            if not isinstance(got, str) or len(got) <= SHOWN_TEXT
            else f"{got[:SHOWN_TEXT]}… ({len(got)} tegn)"
        )
        super().__init__(row, str(answer_id), expected, shown)
        self.answer_id, self.reason = str(answer_id), reason
        self.length = len(got) if isinstance(got, str) else None


@dataclass(frozen=True)
class AnswerRules:
    """Per answer id of an instrument: the codes it accepts, or that it is an open text or a number."""

    codes: Mapping[str, frozenset[int]]
    multi: frozenset[str]
    texts: frozenset[str]
    numbers: Mapping[str, tuple[int | None, int | None]]
    closed: frozenset[str]
    """The closed questions' answer ids (background fields not included): a submission answering none of
    them is *blank* (see :mod:`borgerblik.storage.outcomes`)."""

    @classmethod
    def of(cls, instrument: Instrument) -> AnswerRules:
        codes: dict[str, frozenset[int]] = {}
        multi, texts, closed = set(), set(), set()
        for question in _every_question(instrument):
            if question.kind is Kind.OPEN:
                texts.add(question.id)
                continue
            for item in question.items if question.kind is Kind.MATRIX else (question,):
                codes[item.id] = item.codes or question.codes
                closed.add(item.id)
            if question.kind is Kind.MULTI:
                multi.add(question.id)
        numbers: dict[str, tuple[int | None, int | None]] = {}
        for field in instrument.background:
            if field.kind in (BackgroundKind.NUMBER, BackgroundKind.DURATION):
                numbers[field.id] = (field.minimum, field.maximum)
            elif field.kind is BackgroundKind.YESNO:
                codes[field.id] = frozenset({YES, NO})
            else:
                codes[field.id] = frozenset(option.code for option in field.options) or frozenset({YES, NO})
        return cls(codes, frozenset(multi), frozenset(texts), numbers, frozenset(closed))

    def is_blank(self, answers: Iterable[str]) -> bool:
        """True when none of ``answers`` (answer ids with a stored value) is a closed question's."""
        return not any(answer_id in self.closed for answer_id in answers)


def _every_question(instrument: Instrument) -> Iterable[Question]:
    """Every question a citizen may answer, follow-ups and every municipality's local questions too."""
    local = [q for questions in instrument.local_questions.values() for q in questions]
    for question in [*instrument.questions(), *local]:
        yield question
        if question in local:
            yield from question.follow_ups


def check_answers(answers: Mapping[str, AnswerValue], rules: AnswerRules | None = None) -> None:
    """Refuse the first answer that storage will not write (:class:`AnswerRefused`).

    Without ``rules`` only what every answer must be is checked: an id, text without NUL bytes and within
    :data:`TEXT_LIMIT`, codes that are small whole numbers.
    """
    for row, (answer_id, value) in enumerate(answers.items(), start=1):
        if not isinstance(answer_id, str) or not answer_id or len(answer_id) > 100 or "\x00" in answer_id:
            raise AnswerRefused(
                row,
                str(answer_id)[:100],
                "unknown_question",
                "et spørgsmåls-id (tekst, højst 100 tegn)",
                answer_id,
            )
        known = (
            rules is None
            or answer_id in rules.codes
            or answer_id in rules.texts
            or answer_id in rules.numbers
        )
        if not known:
            raise AnswerRefused(
                row, answer_id, "unknown_question", "et spørgsmål i undersøgelsens skema", answer_id
            )
        if value is None:
            continue
        if isinstance(value, str):
            if rules is not None and answer_id not in rules.texts:
                raise AnswerRefused(
                    row, answer_id, "invalid_code", "en svarkode (heltal), ikke en tekst", value
                )
            if "\x00" in value:
                raise AnswerRefused(row, answer_id, "invalid_text", "tekst uden nul-tegn (\\x00)", value)
            if len(value) > TEXT_LIMIT:
                raise AnswerRefused(
                    row,
                    answer_id,
                    "too_long",
                    f"en tekst på højst {TEXT_LIMIT:,} tegn".replace(",", "."),
                    value,
                )
            continue
        if rules is not None and answer_id in rules.texts:
            raise AnswerRefused(row, answer_id, "invalid_code", "en tekst (åbent svar)", value)
        several = isinstance(value, list | tuple)
        values = list(value) if several else [value]
        if several and rules is not None and answer_id not in rules.multi:
            raise AnswerRefused(row, answer_id, "invalid_code", "én svarkode", value)
        for code in values:
            if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code <= SMALLINT_MAX:
                raise AnswerRefused(
                    row,
                    answer_id,
                    "invalid_code",
                    "en svarkode (heltal), en tekst eller en liste af koder",
                    value,
                )
            if rules is None:
                continue
            if answer_id in rules.numbers:
                low, high = rules.numbers[answer_id]
                if (low is not None and code < low) or (high is not None and code > high):
                    raise AnswerRefused(
                        row, answer_id, "invalid_code", f"et tal mellem {low} og {high}", code
                    )
            elif code not in rules.codes[answer_id]:
                allowed = ", ".join(str(c) for c in sorted(rules.codes[answer_id]))
                raise AnswerRefused(row, answer_id, "invalid_code", f"en af svarkoderne {allowed}", code)


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
    """The stored answers of one invitation, in the shape a save takes.

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
