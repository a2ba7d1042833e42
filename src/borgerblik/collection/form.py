"""Reading one page's answers from a submitted form and checking them against the instrument.

The web form sends text; the interviewer screen and the simulated fieldwork send codes. Both end in
:func:`check_page_answers`, so a tampered code is refused the same way whoever sends it. A refused page
changes nothing: the caller shows the problems and the citizen's typed text again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from borgerblik.core.model import Kind, Question

OPEN_ANSWER_LIMIT = 5_000
AnswerValue = int | str | list[int] | None


@dataclass(frozen=True)
class Problem:
    """Why a page was not saved; ``message`` is a key of the web translations, ``values`` fill it in."""

    answer_id: str
    message: str
    values: dict[str, object] = field(default_factory=dict)


def answerable(questions: Iterable[Question]) -> dict[str, Question]:
    """Answer id → the question (or matrix item) that defines its codes."""
    result: dict[str, Question] = {}
    for question in questions:
        if question.kind is Kind.MATRIX:
            result.update({item.id: item for item in question.items})
        else:
            result[question.id] = question
    return result


def normalise_text(value: str) -> str:
    """Browsers send textarea line breaks as CRLF; count and store them as one character, as typed."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def check_page_answers(
    questions: Iterable[Question], given: Mapping[str, object]
) -> tuple[dict[str, AnswerValue], list[Problem]]:
    """Answers as stored codes/texts for the page's answer ids, and the problems that stop the save.

    Values may be codes, texts, or a form's lists of strings. Ids not given are unanswered (``None``) — a
    partial page counts, as in the KL seed. An id that is not on the page is a problem, never ignored.
    """
    fields = answerable(questions)
    answers: dict[str, AnswerValue] = {}
    problems: list[Problem] = []
    for answer_id in given:
        if answer_id not in fields:
            problems.append(Problem(answer_id, "error_unknown_field", {"field": answer_id}))
    for answer_id, question in fields.items():
        value = given.get(answer_id)
        answer, problem = _check(question, value)
        if problem is not None:
            problems.append(problem)
        else:
            answers[answer_id] = answer
    return answers, problems


def _check(question: Question, value: object) -> tuple[AnswerValue, Problem | None]:
    if isinstance(value, list | tuple):
        value = [item for item in value if item != ""]
        if len(value) == 1 and question.kind is not Kind.MULTI:
            value = value[0]
    if value is None or value == "" or value == []:
        return None, None
    if question.kind is Kind.OPEN:
        if not isinstance(value, str):
            return None, Problem(question.id, "error_invalid_code", {})
        text = normalise_text(value)
        if len(text) > OPEN_ANSWER_LIMIT:
            return None, Problem(
                question.id, "error_too_long", {"length": len(text), "limit": OPEN_ANSWER_LIMIT}
            )
        return (text if text.strip() else None), None
    values = value if isinstance(value, list | tuple) else [value]
    if question.kind is not Kind.MULTI and len(values) != 1:
        return None, Problem(question.id, "error_invalid_code", {})
    codes: list[int] = []
    for item in values:
        code = _code(item)
        if code is None or code not in question.codes:
            return None, Problem(question.id, "error_invalid_code", {})
        codes.append(code)
    if question.kind is Kind.MULTI:
        return sorted(set(codes)), None
    return codes[0], None


def _code(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 3:
        return int(value)
    return None
