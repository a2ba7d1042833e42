"""``borgerblik export``: a stored survey's respondents as an analysis file, logged as an export.

Storage feeds the table as :func:`borgerblik.surveys.stored_survey` reads it (register fields without CPR
or contact data), but streamed: the members (narrow: register fields only) are read once for the weights,
KL's post-stratification (population / answers per kommune × køn × aldersgruppe × målgruppe cell, collapsed
as the weighting stage does); the answers then arrive in batches of whole invitations
(``Database.response_batches``), each turned into export rows and written before the next is read, so memory
stays flat in the number of respondents. The paradata (mode, language, dates) come from each batch's answers.
Every export is recorded in the audit log: who, which survey, format and how many rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from borgerblik.analysis import prepare_analysis_frame
from borgerblik.core import Instrument, Kind, parse_instrument
from borgerblik.interop.codebook import write_codebook
from borgerblik.interop.dataset import WEIGHT_COLUMN, Dataset, analysis_dataset, streamed_dataset
from borgerblik.interop.writers import Format, write_dataset
from borgerblik.storage import Database
from borgerblik.storage.audit import record_audit
from borgerblik.storage.frames import wide_responses
from borgerblik.storage.outcomes import RESPONDED
from borgerblik.surveys import MEMBER_FIELDS, stored_survey
from borgerblik.weighting import poststratify
from borgerblik.weighting.tables import ID_COLUMN

log = logging.getLogger("borgerblik.export")
EXPORT_ACTION = "export"


@dataclass(frozen=True)
class Export:
    """What was written: the data file, its codebook, the number of respondents and variables."""

    path: Path
    codebook: Path
    respondents: int
    variables: int


BATCH_INVITATIONS = 5_000
"""Invitations per batch read from storage: a few MB of answers, whatever the size of the survey."""


def survey_dataset(db: Database, survey_id: int, *, batch: int = BATCH_INVITATIONS) -> Dataset:
    """The analysis dataset of a stored survey: partial and complete respondents, weighted, streamed.

    The rows are those of ``stored_survey(...).respondents`` in the same order (invitation order), read
    ``batch`` invitations at a time each time a writer asks for them.
    """
    record = db.survey(survey_id)
    scheme = str(record.settings.get("grouping") or "kl2024") if record.settings else "kl2024"
    schemes = (scheme,)
    instrument = parse_instrument(record.instrument_yaml, f"undersøgelse {record.id}")
    stored = db.members_frame(record.id)
    members = stored.select(pl.col(source).alias(target) for source, target in MEMBER_FIELDS.items())
    population = prepare_analysis_frame(members, schemes=schemes)
    responded = stored.filter(pl.col("outcome").is_in(RESPONDED)).get_column("member_id")
    who = population.filter(pl.col(ID_COLUMN).is_in(responded.implode()))
    if who.height == 0:  # nothing to stream: the (empty) table as stored_survey gives it
        empty = stored_survey(db, survey_id, schemes).respondents
        empty = empty.with_columns(pl.lit(None, dtype=pl.Float64).alias(WEIGHT_COLUMN))
        return analysis_dataset(
            empty.join(_paradata(db.responses_frame(survey_id)), on=ID_COLUMN, how="left"),
            instrument,
            schemes=schemes,
        )
    cells = ["kommune", "koen", "aldersgruppe", f"maalgruppe_{scheme}"]
    counts = population.group_by(cells).len("count")
    weights = (
        poststratify(who, counts, cells)
        .design.weights_frame()
        .select(pl.col(ID_COLUMN).cast(pl.Utf8), pl.col("weight").alias(WEIGHT_COLUMN))
    )
    respondents = members.filter(pl.col(ID_COLUMN).is_in(responded.implode())).join(
        weights, on=ID_COLUMN, how="left"
    )
    close = {"close_date": record.reference_date} if record.reference_date else {}

    def rows() -> Iterator[pl.DataFrame]:
        for long in db.response_batches(survey_id, invitations=batch):
            yield _batch_rows(long, respondents, instrument, schemes, close)

    first = next(rows(), None)
    columns = first.columns if first is not None else [*respondents.columns]
    schema = first.schema if first is not None else respondents.schema

    def conformed() -> Iterator[pl.DataFrame]:
        for part in rows():
            yield part.select(
                pl.col(c).cast(schema[c], strict=False)
                if c in part.columns
                else pl.lit(None, schema[c]).alias(c)
                for c in columns
            )

    return streamed_dataset(conformed, columns, weights.height, instrument, schemes=schemes)


def _batch_rows(
    long: pl.DataFrame,
    respondents: pl.DataFrame,
    instrument: Instrument,
    schemes: tuple[str, ...],
    close: dict[str, object],
) -> pl.DataFrame:
    """One batch of stored answers as respondents' rows: register fields, weight, answers, paradata."""
    wide = wide_responses(long).drop("invitation_id", "response_state")
    part = respondents.join(
        wide.rename({"member_id": ID_COLUMN}), on=ID_COLUMN, how="inner", maintain_order="right"
    )
    closed = _closed_answer_ids(instrument)
    part = part.with_columns(
        pl.lit(None, dtype=pl.List(pl.Int16) if multi else pl.Int16).alias(answer_id)
        for answer_id, multi in closed.items()
        if answer_id not in part.columns
    )
    part = part.with_columns(  # a multi answer with one code comes back as a plain code
        pl.when(pl.col(a).is_null()).then(None).otherwise(pl.concat_list(a)).alias(a)
        for a, multi in closed.items()
        if multi and not isinstance(part.schema[a], pl.List)
    )
    part = prepare_analysis_frame(part, schemes=schemes, **close)  # type: ignore[arg-type]
    return part.join(_paradata(long), on=ID_COLUMN, how="left", maintain_order="left")


def _closed_answer_ids(instrument: Instrument) -> dict[str, bool]:
    """Every closed answer id of the instrument (local questions included): whether it is multiple choice."""
    found: dict[str, bool] = {}
    questions = [
        *instrument.questions(),
        *(q for local in instrument.local_questions.values() for q in local),
    ]
    for question in questions:
        if question.kind is Kind.OPEN:
            continue
        for answer_id in question.answer_ids:
            found[answer_id] = question.kind is Kind.MULTI
    return found


def _paradata(long: pl.DataFrame) -> pl.DataFrame:
    """Per respondent: how (mode of the first answer), in which language, when first and last, outcome."""
    return (
        long.sort("answered_at")
        .group_by("member_id", maintain_order=True)
        .agg(
            pl.col("mode").first(),
            pl.col("language").last(),
            pl.col("answered_at").min().dt.date().alias("started_on"),
            pl.col("answered_at").max().dt.date().alias("finished_on"),
            pl.col("response_state").first().alias("outcome"),
        )
        .rename({"member_id": ID_COLUMN})
        .with_columns(pl.col(ID_COLUMN).cast(pl.Utf8))
    )


def default_path(survey_id: int, fmt: Format, language: str) -> Path:
    return Path(f"undersoegelse-{survey_id}-{language}.{fmt.value}")


def codebook_path(data_path: Path) -> Path:
    return data_path.with_name(f"{data_path.stem}-kodebog.html")


def export_survey(
    db: Database,
    survey_id: int,
    fmt: Format | str,
    *,
    language: str = "da",
    out: Path | None = None,
    actor: str = "ukendt",
) -> Export:
    """Write the survey's analysis file and its HTML codebook, and record the export."""
    fmt = Format(fmt)
    dataset = survey_dataset(db, survey_id)
    path = write_dataset(dataset, fmt, out or default_path(survey_id, fmt, language), language)
    codebook = write_codebook(dataset, codebook_path(path), language)
    detail = {
        "survey_id": survey_id,
        "format": fmt.value,
        "language": language,
        "respondents": dataset.rows,
        "variables": len(dataset.variables),
        "file": path.name,
    }
    _record(db, actor, detail)
    return Export(path, codebook, dataset.rows, len(dataset.variables))


def _record(db: Database, actor: str, detail: dict[str, object]) -> None:
    """The audit log (storage.audit), as text a person reads: survey, format, language, rows, file."""
    text = ", ".join(f"{key}={value}" for key, value in detail.items())
    record_audit(db, actor, EXPORT_ACTION, text)
    log.info("eksport af %s: %s", actor, text)
