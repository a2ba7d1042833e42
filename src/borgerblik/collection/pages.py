"""One theme per page: which pages a citizen sees, in which order, and how far along they are.

A page is identified by its theme id, which is stable however routing turns out; the page *number* shown
to the citizen ("Side 3 af 7") counts only the themes that have at least one visible question for them.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass

from borgerblik.core import Instrument
from borgerblik.core.model import Question, Theme


@dataclass(frozen=True)
class Page:
    number: int
    theme: Theme
    questions: tuple[Question, ...]

    @property
    def key(self) -> str:
        return self.theme.id

    def answer_ids(self) -> tuple[str, ...]:
        """Form field names of this page: matrix items flattened, follow-ups included."""
        return tuple(answer_id for question in self.questions for answer_id in question.answer_ids)


@dataclass(frozen=True)
class Routing:
    """Where the instrument's routing takes a citizen: the questions shown, their answer ids, the pages."""

    visible: tuple[Question, ...]
    visible_ids: frozenset[str]
    pages: tuple[Page, ...]


# Routing depends only on the register context and the answers its conditions read (status, arbejdsgiver,
# andre_afdelinger in KL), so citizens in the same situation share one evaluation — the save path asks
# twice per page. Keyed by instrument identity, checked through a weak reference so a new instrument that
# reuses a dead one's id never sees its entries; bounded, since contexts x routing answers are few.
_ROUTINGS: dict[int, tuple[weakref.ref[Instrument], frozenset[str], dict[tuple[object, ...], Routing]]] = {}
_ROUTING_CACHE_SIZE = 4096


def routing(instrument: Instrument, context: Mapping[str, object], answers: Mapping[str, object]) -> Routing:
    """The routing for this citizen given register context and answers so far (memoised)."""
    entry = _ROUTINGS.get(id(instrument))
    if entry is None or entry[0]() is not instrument:
        entry = _ROUTINGS[id(instrument)] = (weakref.ref(instrument), _routing_answer_ids(instrument), {})
    _, read, cache = entry
    key = (
        tuple(sorted(context.items())),
        tuple((answer_id, _hashable(answers.get(answer_id))) for answer_id in sorted(read)),
    )
    found = cache.get(key)
    if found is None:
        visible = tuple(instrument.visible_questions(context, answers))
        ids = frozenset(answer_id for question in visible for answer_id in question.answer_ids)
        found = Routing(visible, ids, tuple(pages_of(instrument, list(visible))))
        if len(cache) >= _ROUTING_CACHE_SIZE:
            cache.clear()
        cache[key] = found
    return found


def _routing_answer_ids(instrument: Instrument) -> frozenset[str]:
    """Every answer id a routing condition of the instrument reads."""
    conditions = []
    questions = [q for theme in instrument.themes for q in theme.questions]
    questions += [q for local in instrument.local_questions.values() for q in local]
    for question in questions:
        for asked in (question, *question.follow_ups):
            if asked.when is not None:
                conditions.append(asked.when.to_data())
    found: set[str] = set()
    while conditions:
        data = conditions.pop()
        if isinstance(data, dict):
            answer = data.get("answer")
            if isinstance(answer, dict) and "question" in answer:
                found.add(str(answer["question"]))
            conditions.extend(data.values())
        elif isinstance(data, list | tuple):
            conditions.extend(data)
    return frozenset(found)


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def questionnaire_pages(
    instrument: Instrument, context: Mapping[str, object], answers: Mapping[str, object]
) -> list[Page]:
    """The pages this citizen sees given register context and answers so far (empty themes skipped)."""
    return list(routing(instrument, context, answers).pages)


def pages_of(instrument: Instrument, visible: list[Question]) -> list[Page]:
    """Group visible questions into pages, one per theme, in the instrument's theme order."""
    by_theme: dict[str, list[Question]] = {}
    for question in visible:
        by_theme.setdefault(question.theme, []).append(question)
    pages: list[Page] = []
    for theme in instrument.themes:
        if by_theme.get(theme.id):
            pages.append(Page(len(pages) + 1, theme, tuple(by_theme[theme.id])))
    return pages


def page_by_key(pages: list[Page], key: str) -> Page | None:
    return next((page for page in pages if page.key == key), None)


def resume_page(pages: list[Page], instrument: Instrument, current_theme_index: int) -> Page:
    """The page to reopen: the stored current page if still shown, else the next shown one after it."""
    order = {theme.id: index for index, theme in enumerate(instrument.themes)}
    for page in pages:
        if order[page.key] >= current_theme_index:
            return page
    return pages[-1]


def theme_index(instrument: Instrument, key: str) -> int:
    return next(index for index, theme in enumerate(instrument.themes) if theme.id == key)
