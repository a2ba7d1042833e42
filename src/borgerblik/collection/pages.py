"""One theme per page: which pages a citizen sees, in which order, and how far along they are.

A page is identified by its theme id, which is stable however routing turns out; the page *number* shown
to the citizen ("Side 3 af 7") counts only the themes that have at least one visible question for them.
"""

from __future__ import annotations

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


def questionnaire_pages(
    instrument: Instrument, context: Mapping[str, object], answers: Mapping[str, object]
) -> list[Page]:
    """The pages this citizen sees given register context and answers so far (empty themes skipped)."""
    return pages_of(instrument, instrument.visible_questions(context, answers))


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
