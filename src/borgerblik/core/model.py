"""The survey instrument: themes of questions with scales, routing, tense and follow-ups.

An :class:`Instrument` is an immutable value built by :func:`borgerblik.core.loader.load_instrument`.
Routing is evaluated here, as a pure function of register context and answers, so every stage that
asks questions (web questionnaire, interviewer entry, synthetic fieldwork) agrees on who sees what.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from borgerblik.core.groupings import GroupingScheme, load_groupings
from borgerblik.core.routing import Condition, Situation, answer_codes
from borgerblik.core.texts import BASE_LANGUAGE, LocalText, Tense, text_direction

DONT_KNOW = 9
YES, NO = 1, 2
_YES_NO = {
    YES: LocalText({"da": "Ja", "en": "Yes", "ar": "نعم"}),
    NO: LocalText({"da": "Nej", "en": "No", "ar": "لا"}),
}


class Kind(StrEnum):
    SCALE = "scale"
    YESNO = "yesno"
    SINGLE = "single"
    MULTI = "multi"
    OPEN = "open"
    MATRIX = "matrix"


class BackgroundKind(StrEnum):
    SINGLE = "single"
    YESNO = "yesno"
    NUMBER = "number"
    DURATION = "duration"


class ScaleKind(StrEnum):
    """The answer scales an instrument can declare (``type:`` under ``scales``)."""

    LIKERT_5 = "1-5"
    ZERO_TEN = "0-10"
    YESNO = "yesno"


SCALE_RANGES = {ScaleKind.LIKERT_5: (1, 5), ScaleKind.ZERO_TEN: (0, 10), ScaleKind.YESNO: (1, 2)}
"""The answer codes of each scale type, lowest and highest."""
DEFAULT_POSITIVE = {ScaleKind.LIKERT_5: (4, 5), ScaleKind.ZERO_TEN: (9, 10), ScaleKind.YESNO: (1,)}
"""The codes counted as positive unless the instrument says: the top two, 9–10 (NPS's promoters), "ja"."""
DEFAULT_DONT_KNOW_CODE = {ScaleKind.LIKERT_5: DONT_KNOW, ScaleKind.ZERO_TEN: 99, ScaleKind.YESNO: DONT_KNOW}
"""The "ved ikke" code: 9, except on 0–10 where 9 is an answer and "ved ikke" is 99."""
YES_NO_LABELS = _YES_NO


@dataclass(frozen=True)
class Scale:
    """A labelled answer scale: 1–5 (5 the most positive), 0–10 or yes/no, optionally with "ved ikke".

    A 1–5 scale labels every point; a 0–10 scale labels at least its ends (the points between are shown as
    their numbers); a yes/no scale is 1 = ja, 2 = nej. "Ved ikke" has its own code outside the scale.
    """

    name: str
    labels: dict[int, LocalText]
    dont_know: LocalText | None = None
    descending: bool = True
    source: str | None = None
    positive: tuple[int, ...] = (4, 5)
    """The codes that count as a positive answer ("% positive"); the top two unless the instrument says."""
    kind: ScaleKind = ScaleKind.LIKERT_5
    dont_know_code: int = DONT_KNOW

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                tuple(sorted(self.labels.items())),
                self.dont_know,
                self.descending,
                self.positive,
                self.kind,
                self.dont_know_code,
            )
        )

    @property
    def low(self) -> int:
        return SCALE_RANGES[self.kind][0]

    @property
    def high(self) -> int:
        return SCALE_RANGES[self.kind][1]

    @property
    def values(self) -> tuple[int, ...]:
        """The answer codes on the scale, lowest first ("ved ikke" not included)."""
        return tuple(range(self.low, self.high + 1))

    @property
    def has_mean(self) -> bool:
        """A mean score means something on 1–5 and 0–10; on yes/no only the share answering ja does."""
        return self.kind is not ScaleKind.YESNO

    def options(self, lang: str = BASE_LANGUAGE) -> list[tuple[int, str]]:
        """(code, label) in display order, "ved ikke" last."""
        return [(code, text.get(lang)) for code, text in self.option_texts()]

    def option_texts(self) -> list[tuple[int, LocalText]]:
        """(code, wording in every language) in display order, "ved ikke" last.

        An unlabelled point of a 0–10 scale shows its number; a labelled one its number and label."""
        codes = list(reversed(self.values)) if self.descending else list(self.values)
        shown = [(code, self.point_text(code)) for code in codes]
        if self.dont_know is not None:
            shown.append((self.dont_know_code, self.dont_know))
        return shown

    def point_text(self, code: int) -> LocalText:
        """What the citizen reads at one point of the scale."""
        if self.kind is not ScaleKind.ZERO_TEN:
            return self.labels[code]
        languages = {lang for text in self.labels.values() for lang in text.languages}
        label = self.labels.get(code)
        if label is None:
            return LocalText({lang: str(code) for lang in sorted(languages)})
        return LocalText(
            {lang: f"{code} – {label.get(lang)}" for lang in sorted(languages)},
            {lang: f"{code} – {text}" for lang, text in label.past.items()},
        )

    @property
    def codes(self) -> frozenset[int]:
        return frozenset(set(self.values) | ({self.dont_know_code} if self.dont_know is not None else set()))


@dataclass(frozen=True)
class Option:
    code: int
    text: LocalText


@dataclass(frozen=True)
class Question:
    """One question (or matrix item, or open follow-up) of an instrument."""

    id: str
    kind: Kind
    wording: LocalText
    theme: str
    scale: Scale | None = None
    options: tuple[Option, ...] = ()
    items: tuple[Question, ...] = ()
    when: Condition | None = None
    follow_ups: tuple[Question, ...] = ()
    follow_up_of: str | None = None
    note: LocalText | None = None
    label: LocalText | None = None
    local_for: str | None = None
    source: str | None = None

    def text(self, lang: str = BASE_LANGUAGE, tense: str = Tense.PRESENT) -> str:
        """The wording shown to the citizen, in ``lang`` (Danish fallback) and tense."""
        return self.wording.get(lang, tense)

    def heading(self, lang: str = BASE_LANGUAGE) -> str:
        """The short name reports put over a chart ("Tillid"), or the full wording when none is given."""
        return (self.label or self.wording).get(lang)

    def choices(self, lang: str = BASE_LANGUAGE) -> list[tuple[int, str]]:
        """(code, label) pairs a respondent chooses from; empty for open questions."""
        return [(code, text.get(lang)) for code, text in self.choice_texts()]

    def choice_texts(self) -> list[tuple[int, LocalText]]:
        """(code, wording in every language) a respondent chooses from, for a page that marks a fallback."""
        if self.scale is not None:
            return self.scale.option_texts()
        if self.kind is Kind.YESNO:
            return list(_YES_NO.items())
        return [(option.code, option.text) for option in self.options]

    @property
    def codes(self) -> frozenset[int]:
        """Valid answer codes (the union over items for a matrix)."""
        if self.scale is not None:
            return self.scale.codes
        if self.kind is Kind.YESNO:
            return frozenset({YES, NO})
        return frozenset(option.code for option in self.options)

    @property
    def dont_know_code(self) -> int | None:
        """The code of "ved ikke" for this question (9, or 99 on a 0–10 scale), None when it has none."""
        if self.scale is None or self.scale.dont_know is None:
            return None
        return self.scale.dont_know_code

    @property
    def answer_ids(self) -> tuple[str, ...]:
        """The ids answers are stored under: the items of a matrix, else the question itself."""
        return tuple(item.id for item in self.items) if self.kind is Kind.MATRIX else (self.id,)


@dataclass(frozen=True)
class Theme:
    id: str
    title: LocalText
    questions: tuple[Question, ...]
    intro: LocalText | None = None
    local: bool = False


@dataclass(frozen=True)
class BackgroundField:
    """A fact about the respondent entered by an interviewer (VIVE's face-to-face form)."""

    id: str
    kind: BackgroundKind
    wording: LocalText
    options: tuple[Option, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    unit: str | None = None
    source: str | None = None

    def text(self, lang: str = BASE_LANGUAGE) -> str:
        return self.wording.get(lang)


@dataclass(frozen=True)
class Language:
    code: str
    name: str


@dataclass(frozen=True)
class TenseRule:
    """Past tense is used when ``question`` was answered with one of ``past_codes``."""

    question: str
    past_codes: tuple[int, ...]


@dataclass(frozen=True)
class Instrument:
    """A complete questionnaire. Equality ignores where it was read from (load → dump → load)."""

    id: str
    title: LocalText
    languages: tuple[Language, ...]
    themes: tuple[Theme, ...]
    overall: str
    scales: dict[str, Scale]
    grouping: str | None = None
    texts: dict[str, LocalText] = field(default_factory=dict)
    tense_rule: TenseRule | None = None
    local_questions: dict[str, tuple[Question, ...]] = field(default_factory=dict)
    background: tuple[BackgroundField, ...] = ()
    description: str | None = None
    source: str | None = None
    file: str | None = field(default=None, compare=False)

    def __hash__(self) -> int:
        # equal instruments share id, themes and overall question, so this agrees with ==
        return hash((self.id, self.themes, self.overall))

    @property
    def overall_question(self) -> str:
        """Id of the overall-satisfaction question (the outcome of key-driver analysis)."""
        return self.overall

    def questions(self, kommune: str | None = None) -> list[Question]:
        """Every question in order, follow-ups after their parent; local ones of ``kommune`` included."""
        result: list[Question] = []
        for theme in self.themes:
            for question in self._theme_questions(theme, kommune):
                result.append(question)
                result.extend(question.follow_ups)
        return result

    def question(self, question_id: str) -> Question:
        """A question, matrix item or follow-up by id (local questions of any municipality included)."""
        for question in self._all_questions():
            if question.id == question_id:
                return question
            for item in question.items:
                if item.id == question_id:
                    return item
        raise KeyError(f"instrumentet '{self.id}' har intet spørgsmål '{question_id}'")

    def scale_items(self, kommune: str | None = None) -> list[str]:
        """Ids of the closed scale items (1–5, 0–10, yes/no scales) in order, matrices flattened (local ones
        of ``kommune`` too); ``scale_of`` says which scale each is on."""
        result: list[str] = []
        for question in self.questions(kommune):
            if question.kind is Kind.SCALE:
                result.append(question.id)
            elif question.kind is Kind.MATRIX:
                result.extend(item.id for item in question.items)
        return result

    def scale_of(self, question_id: str) -> Scale:
        """The scale a scale item is answered on."""
        scale = self.question(question_id).scale
        if scale is None:
            raise KeyError(f"spørgsmålet '{question_id}' har ingen skala")
        return scale

    def open_questions(self, kommune: str | None = None) -> list[str]:
        return [q.id for q in self.questions(kommune) if q.kind is Kind.OPEN]

    def direction(self, lang: str) -> str:
        """``rtl`` or ``ltr`` for the web page's ``dir`` attribute."""
        return text_direction(lang)

    def language_codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.languages)

    def tense(self, answers: Mapping[str, object]) -> Tense:
        """Past tense for a citizen whose status answer says the course has ended."""
        if self.tense_rule is None:
            return Tense.PRESENT
        given = answer_codes(answers.get(self.tense_rule.question))
        return Tense.PAST if given & set(self.tense_rule.past_codes) else Tense.PRESENT

    def visible_questions(
        self,
        context: Mapping[str, object],
        answers: Mapping[str, object],
        schemes: Mapping[str, GroupingScheme] | None = None,
    ) -> list[Question]:
        """The questions this citizen is asked, in order, given register context and answers so far.

        Only answers to questions that are themselves shown count for later routing, so a
        citizen who changes an early answer (say, status) never keeps a stale routed path.
        """
        shown_answers: dict[str, object] = {}
        situation = Situation(context, shown_answers, schemes if schemes is not None else load_groupings())
        visible: list[Question] = []
        for theme in self.themes:
            for question in self._theme_questions(theme, _kommune(context)):
                if question.when is not None and not question.when.holds(situation):
                    continue
                visible.append(question)
                for answer_id in question.answer_ids:
                    if answer_id in answers:
                        shown_answers[answer_id] = answers[answer_id]
                for follow_up in question.follow_ups:
                    if follow_up.when is None or follow_up.when.holds(situation):
                        visible.append(follow_up)
                        if follow_up.id in answers:
                            shown_answers[follow_up.id] = answers[follow_up.id]
        return visible

    def _theme_questions(self, theme: Theme, kommune: str | None) -> tuple[Question, ...]:
        if theme.local and kommune is not None:
            return theme.questions + self.local_questions.get(kommune, ())
        return theme.questions

    def _all_questions(self) -> Iterator[Question]:
        for theme in self.themes:
            for question in theme.questions:
                yield question
                yield from question.follow_ups
        for questions in self.local_questions.values():
            for question in questions:
                yield question
                yield from question.follow_ups


def _kommune(context: Mapping[str, object]) -> str | None:
    value = context.get("kommune")
    return None if value is None else str(value).strip()
