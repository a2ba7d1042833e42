"""``borgerblik export``: a stored survey's respondents as an analysis file, logged as an export.

Storage feeds the table (:func:`borgerblik.surveys.stored_survey`: register fields without CPR or contact
data), the weights are KL's post-stratification (population / answers per kommune × køn × aldersgruppe ×
målgruppe cell, collapsed as the weighting stage does), and the paradata (mode, language, dates) come from
the stored answers. Every export is recorded in the audit log: who, which survey, format and how many rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from borgerblik.interop.codebook import write_codebook
from borgerblik.interop.dataset import WEIGHT_COLUMN, Dataset, analysis_dataset
from borgerblik.interop.writers import Format, write_dataset
from borgerblik.storage import Database
from borgerblik.storage.audit import record_audit
from borgerblik.surveys import stored_survey
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


def survey_dataset(db: Database, survey_id: int) -> Dataset:
    """The analysis dataset of a stored survey: partial and complete respondents, weighted."""
    record = db.survey(survey_id)
    scheme = str(record.settings.get("grouping") or "kl2024") if record.settings else "kl2024"
    stored = stored_survey(db, survey_id, (scheme,))
    respondents = stored.respondents.with_columns(pl.col(ID_COLUMN).cast(pl.Utf8))
    if respondents.height:
        cells = ["kommune", "koen", "aldersgruppe", f"maalgruppe_{scheme}"]
        weights = stored.poststratify(cells).design.weights_frame().select(
            pl.col(ID_COLUMN).cast(pl.Utf8), pl.col("weight").alias(WEIGHT_COLUMN)
        )
        respondents = respondents.join(weights, on=ID_COLUMN, how="left", maintain_order="left")
    else:
        respondents = respondents.with_columns(pl.lit(None, dtype=pl.Float64).alias(WEIGHT_COLUMN))
    respondents = respondents.join(_paradata(db, survey_id), on=ID_COLUMN, how="left", maintain_order="left")
    return analysis_dataset(respondents, stored.instrument, schemes=(scheme,))


def _paradata(db: Database, survey_id: int) -> pl.DataFrame:
    """Per respondent: how (mode of the first answer), in which language, when first and last, outcome."""
    long = db.responses_frame(survey_id)
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
        "respondents": dataset.frame.height,
        "variables": len(dataset.variables),
        "file": path.name,
    }
    _record(db, actor, detail)
    return Export(path, codebook, dataset.frame.height, len(dataset.variables))


def _record(db: Database, actor: str, detail: dict[str, object]) -> None:
    """The audit log (storage.audit), as text a person reads: survey, format, language, rows, file."""
    text = ", ".join(f"{key}={value}" for key, value in detail.items())
    record_audit(db, actor, EXPORT_ACTION, text)
    log.info("eksport af %s: %s", actor, text)
