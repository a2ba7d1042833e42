"""The analysis dataset of a survey: one row per respondent, pseudonymised, every answer by its code.

:func:`analysis_dataset` turns a respondents table (the shape :func:`borgerblik.surveys.stored_survey` and the
synthetic fieldwork both give) into the export's columns and :class:`Variable` list. Only the columns named
here go out: CPR numbers, contact data, the internal member id and free-text answers (unredacted, so they
may name a caseworker or the citizen) never reach a file. The respondent number is a fresh running number,
so an export cannot be joined back to the register.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import polars as pl

from borgerblik.core.model import Instrument, Kind, Question, ScaleKind
from borgerblik.interop.routing_text import describe
from borgerblik.interop.variables import Measure, Variable, valid_name

RESPONDENT_NUMBER = "lbnr"
WEIGHT_COLUMN = "weight"

#: source column → (export name, Danish label, English label, measure), in export order
BACKGROUND: tuple[tuple[str, str, str, str, Measure], ...] = (
    ("kommune", "kommune", "Kommune", "Municipality", Measure.TEXT),
    ("koen", "koen", "Køn", "Gender", Measure.TEXT),
    ("aldersgruppe", "aldersgruppe", "Aldersgruppe", "Age group", Measure.TEXT),
    ("maalgruppe", "maalgruppe", "Målgruppe (LAB § 6)", "Target group (LAB § 6)", Measure.TEXT),
    ("tilknytning", "tilknytning", "Tilknytning (aktuelt/afsluttet forløb)", "Attachment (current/ended)",
     Measure.TEXT),
    ("varighed", "varighed", "Varighed af seneste ydelse", "Duration of the latest benefit", Measure.TEXT),
    ("mode", "mode", "Besvarelsesform (web, telefon, personligt, papir)", "Mode of answering", Measure.TEXT),
    ("language", "sprog", "Besvarelsens sprog", "Language of the answers", Measure.TEXT),
    ("outcome", "udfald", "Udfald (complete/partial)", "Outcome (complete/partial)", Measure.TEXT),
    ("started_on", "startdato", "Dato for første svar", "Date of the first answer", Measure.DATE),
    ("finished_on", "slutdato", "Dato for seneste svar", "Date of the latest answer", Measure.DATE),
)
_NOT_EXPORTED = {
    "da": "ikke eksporteret: fritekst kan identificere borgeren (uredigeret)",
    "en": "not exported: free text may identify the citizen (unredacted)",
}


@dataclass(frozen=True)
class Excluded:
    """A question whose answers are deliberately left out, and why (the codebook lists it)."""

    question: str
    label: dict[str, str]
    reason: dict[str, str]


@dataclass(frozen=True)
class Dataset:
    """The export's table (columns named as ``variables``) and what each column means.

    A dataset in memory holds its table in ``frame``. A streamed one (:func:`streamed_dataset`, a stored
    survey read batch by batch) holds only the table's empty schema there, ``rows`` respondents and
    ``source``, which reads the batches again each time a writer asks (:meth:`chunks`).
    """

    frame: pl.DataFrame
    variables: tuple[Variable, ...]
    instrument_id: str
    excluded: tuple[Excluded, ...] = ()
    source: Callable[[], Iterable[pl.DataFrame]] | None = field(default=None, compare=False)
    streamed_rows: int = 0

    def variable(self, name: str) -> Variable:
        return next(v for v in self.variables if v.name == name)

    @property
    def rows(self) -> int:
        """The number of respondents (rows) in the export."""
        return self.streamed_rows if self.source is not None else self.frame.height

    def chunks(self, size: int) -> Iterator[pl.DataFrame]:
        """The table in pieces of at most ``size`` rows, each with the export's columns."""
        if self.source is None:
            yield from self.frame.iter_slices(size)
            return
        for batch in self.source():
            yield from batch.iter_slices(size)

    def collect(self) -> pl.DataFrame:
        """The whole table in memory (tests, small surveys); a streamed dataset reads every batch."""
        if self.source is None:
            return self.frame
        return pl.concat([self.frame, *self.source()], how="vertical")


@dataclass(frozen=True)
class _Plan:
    """The export's variables and the expression of each column over a respondents table."""

    variables: tuple[Variable, ...]
    columns: tuple[pl.Expr, ...]
    excluded: tuple[Excluded, ...]

    def apply(self, respondents: pl.DataFrame, first_number: int = 1) -> pl.DataFrame:
        """The export's rows of ``respondents``, numbered on from ``first_number``."""
        number = pl.int_range(first_number, first_number + pl.len(), dtype=pl.Int32)
        return respondents.select(number.alias(self.variables[0].name), *self.columns)


def analysis_dataset(
    respondents: pl.DataFrame,
    instrument: Instrument,
    *,
    schemes: Sequence[str] = (),
    languages: Sequence[str] | None = None,
) -> Dataset:
    """The export of ``respondents`` (one row each; ``weight`` column optional) under ``instrument``.

    ``schemes`` adds the target group of each grouping scheme (column ``maalgruppe_<scheme>``). Labels are
    kept in every language of the instrument (or ``languages``); a writer picks one per file.
    """
    plan = _plan(respondents.columns, instrument, schemes, languages)
    return Dataset(plan.apply(respondents), plan.variables, instrument.id, plan.excluded)


def streamed_dataset(
    batches: Callable[[], Iterable[pl.DataFrame]],
    columns: Sequence[str],
    rows: int,
    instrument: Instrument,
    *,
    schemes: Sequence[str] = (),
    languages: Sequence[str] | None = None,
) -> Dataset:
    """The export of respondents that arrive in ``batches`` (each a table with ``columns``; ``rows`` in all),
    numbered on across batches. Nothing is read until a writer asks for the chunks."""
    plan = _plan(columns, instrument, schemes, languages)

    def source() -> Iterator[pl.DataFrame]:
        first = 1
        for batch in batches():
            yield plan.apply(batch, first)
            first += batch.height

    empty = plan.apply(pl.DataFrame(schema={c: pl.Null for c in columns})).head(0)
    return Dataset(empty, plan.variables, instrument.id, plan.excluded, source, rows)


def _plan(
    present_columns: Sequence[str],
    instrument: Instrument,
    schemes: Sequence[str],
    languages: Sequence[str] | None,
) -> _Plan:
    langs = tuple(languages or instrument.language_codes())
    available = set(present_columns)
    taken: set[str] = set()
    variables: list[Variable] = []
    columns: list[pl.Expr] = []

    def add(variable: Variable, expression: pl.Expr) -> None:
        variables.append(variable)
        columns.append(expression.alias(variable.name))

    variables.append(
        Variable(valid_name(RESPONDENT_NUMBER, taken), _both("Løbenummer (pseudonym)", "Respondent number"),
                 Measure.NOMINAL)
    )
    background = list(BACKGROUND)
    for scheme in schemes:
        background.insert(4, (f"maalgruppe_{scheme}", f"maalgruppe_{scheme}", f"Målgruppe ({scheme})",
                              f"Target group ({scheme})", Measure.TEXT))
    for source, name, da, en, measure in background:
        if source in available:
            expression = pl.col(source).cast(pl.Date if measure is Measure.DATE else pl.Utf8)
            add(Variable(valid_name(name, taken), _both(da, en), measure), expression)
    if WEIGHT_COLUMN in available:
        add(
            Variable(valid_name("vaegt", taken), _both("Vægt (population / svar i cellen)", "Weight"),
                     Measure.SCALE),
            pl.col(WEIGHT_COLUMN).cast(pl.Float64),
        )
    excluded: list[Excluded] = []
    for question, parent in _answered_questions(instrument):
        if question.kind is Kind.OPEN:
            excluded.append(Excluded(question.id, _texts(question, parent, langs), _NOT_EXPORTED))
            continue
        asked = describe((parent or question).when, instrument)
        present = question.id in available
        source = pl.col(question.id) if present else pl.lit(None)
        if question.kind is Kind.MULTI:
            for code, _ in question.choices():
                chosen = {lang: {1: "Valgt" if lang == "da" else "Chosen", 0: "Ikke valgt" if lang == "da"
                                 else "Not chosen"} for lang in langs}
                labels = {lang: f"{_text(question, parent, lang)}: {dict(question.choices(lang))[code]}"
                          for lang in langs}
                add(
                    Variable(valid_name(f"{question.id}_{code}", taken), labels, Measure.NOMINAL, chosen,
                             asked=asked, question=question.id),
                    source.cast(pl.List(pl.Int16)).list.contains(code).cast(pl.Int16) if present
                    else pl.lit(None, dtype=pl.Int16),
                )
            continue
        scale = question.scale or (parent.scale if parent else None)
        values = {lang: _value_labels(question if question.scale or not parent else parent, lang)
                  for lang in langs}
        missing = (scale.dont_know_code,) if scale is not None and scale.dont_know is not None else ()
        ordinal = scale is not None and scale.kind is not ScaleKind.YESNO
        measure = Measure.ORDINAL if ordinal else Measure.NOMINAL
        add(
            Variable(valid_name(question.id, taken), _texts(question, parent, langs), measure, values,
                     missing, asked, question.id),
            source.cast(pl.Int16),
        )
    return _Plan(tuple(variables), tuple(columns), tuple(excluded))


def _value_labels(question: Question, lang: str) -> dict[int, str]:
    """The labels of a question's codes: on a 0–10 scale only its labelled points (the others are numbers)
    and "ved ikke"; elsewhere every choice."""
    scale = question.scale
    if scale is None or scale.kind is not ScaleKind.ZERO_TEN:
        return dict(question.choices(lang))
    labels = {code: text.get(lang) for code, text in sorted(scale.labels.items())}
    if scale.dont_know is not None:
        labels[scale.dont_know_code] = scale.dont_know.get(lang)
    return labels


def _answered_questions(instrument: Instrument) -> list[tuple[Question, Question | None]]:
    """(question, its matrix) for every answer id in order: items of a matrix, local questions last."""
    questions = list(instrument.questions())
    for local in instrument.local_questions.values():
        for question in local:
            questions.extend((question, *question.follow_ups))
    answered: list[tuple[Question, Question | None]] = []
    for question in questions:
        if question.kind is Kind.MATRIX:
            answered.extend((item, question) for item in question.items)
        else:
            answered.append((question, None))
    return answered


def _text(question: Question, parent: Question | None, lang: str) -> str:
    return f"{parent.heading(lang)}: {question.text(lang)}" if parent is not None else question.text(lang)


def _texts(question: Question, parent: Question | None, langs: Sequence[str]) -> dict[str, str]:
    return {lang: _text(question, parent, lang) for lang in langs}


def _both(da: str, en: str) -> dict[str, str]:
    return {"da": da, "en": en}
