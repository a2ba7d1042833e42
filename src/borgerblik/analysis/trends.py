"""Trends across waves of the same survey: % positive and mean per question, year and group.

The Copenhagen memo's table 1 shows % positive per question for each year and group and an average row, the
plain mean of the question rows, rounded like the rows (half up: 77,71 → 78). A change between consecutive
waves is tested with a two-proportion z-test on % positive when only the numbers of answers are known (the
memo's own table), and design-based when the answers themselves are at hand: the waves are independent
samples, so they are the strata of one design of fixed weights
(R: ``svydesign(ids=~1, strata=~wave, weights=~w)``) and the change is ``svyttest`` on it,
controlled by ``svyglm``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import polars as pl
from statsmodels.stats.proportion import proportions_ztest

from borgerblik.analysis.answers import (
    DESIGN_ROW,
    POSITIVE_CODES,
    AnalysisInputError,
    require_columns,
    scale_values,
    weights_of,
)
from borgerblik.analysis.significance import significance_flag, wave_change
from borgerblik.weighting.design import SurveyDesign

AVERAGE_LABEL = "Gennemsnitlig besvarelse på alle spørgsmål"


def round_half_up(value: float, decimals: int = 0) -> float:
    """Round as the reports do (0,5 goes up), not banker's rounding."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def with_average_row(
    trend: pl.DataFrame, *, values: Sequence[str] = ("pct_positive",), decimals: int | None = 0
) -> pl.DataFrame:
    """The trend table with the average row appended per year and group (question = AVERAGE_LABEL).

    ``trend`` is long: question, year, group and the ``values`` columns (and optionally n_valid). The average
    is the mean of the question rows present for that year and group; ``decimals=None`` leaves it unrounded.
    """
    require_columns(trend, ["question", "year", "group", *values], "trendtabel")
    average = (
        trend.group_by(["year", "group"], maintain_order=True)
        .agg(*[pl.col(v).mean().alias(v) for v in values], pl.len().alias("n_questions"))
        .with_columns(pl.lit(AVERAGE_LABEL).alias("question"))
    )
    if decimals is not None:
        average = average.with_columns(
            pl.col(v).map_elements(lambda x: round_half_up(x, decimals), return_dtype=pl.Float64)
            for v in values
        )
    rows = trend.with_columns(pl.lit(None, dtype=pl.UInt32).alias("n_questions"))
    return pl.concat([rows, average], how="diagonal_relaxed")


def proportion_changes(trend: pl.DataFrame, *, value: str = "pct_positive") -> pl.DataFrame:
    """Change in % positive from each wave to the next, per question and group, tested where n is known."""
    require_columns(trend, ["question", "year", "group", value], "trendtabel")
    has_n = "n_valid" in trend.columns
    rows = []
    for (question, group), part in trend.sort("year").group_by(["question", "group"], maintain_order=True):
        records = part.to_dicts()
        for before, after in zip(records, records[1:], strict=False):
            row = {
                "question": question,
                "group": group,
                "year_before": before["year"],
                "year_after": after["year"],
                "before": before[value],
                "after": after[value],
                "change": after[value] - before[value],
                "p_value": None,
                "flag": "",
            }
            if has_n and before["n_valid"] and after["n_valid"]:
                counts = (
                    np.array([after[value], before[value]])
                    / 100.0
                    * np.array([after["n_valid"], before["n_valid"]])
                )
                _, p_value = proportions_ztest(
                    np.round(counts), np.array([after["n_valid"], before["n_valid"]])
                )
                row["p_value"] = float(p_value)
                row["flag"] = significance_flag(float(p_value))
            rows.append(row)
    schema = {
        "question": pl.Utf8,
        "group": pl.Utf8,
        "year_before": pl.Int64,
        "year_after": pl.Int64,
        "before": pl.Float64,
        "after": pl.Float64,
        "change": pl.Float64,
        "p_value": pl.Float64,
        "flag": pl.Utf8,
    }
    return pl.DataFrame(rows, schema=schema)


def trend_from_responses(
    frame: pl.DataFrame,
    questions: Sequence[str],
    *,
    wave_column: str = "aar",
    group_column: str | None = None,
    weight: str | None = None,
    controls: Sequence[str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The trend table (with average rows) and the tested wave-to-wave changes, from answers of several waves.

    Returns (trend, changes). ``trend`` holds question, year, group, n_valid, mean, pct_positive (a fraction
    0–1, as in the estimate table); ``changes``
    tests each question's mean between consecutive waves (design-based t-test, waves as strata) and again
    controlled for the background variables (``controls``, default gender, ethnicity, duration), as
    VIVE did year on year.
    """
    require_columns(frame, [wave_column, *([group_column] if group_column else [])])
    waves = sorted(frame.get_column(wave_column).drop_nulls().unique().to_list())
    if len(waves) < 1:
        raise AnalysisInputError(f"kolonne '{wave_column}': ingen bølger (år) i data")
    groups: list[object] = [None]
    if group_column is not None:
        groups = sorted(frame.get_column(group_column).drop_nulls().unique().to_list())
    weights = weights_of(frame, weight)
    wave_codes = np.unique(frame.get_column(wave_column).cast(pl.Utf8).to_numpy(), return_inverse=True)[1]
    design = SurveyDesign(
        ids=np.arange(frame.height),
        weights=weights,
        strata=wave_codes.astype(np.int64),
        population_sizes=np.full(int(wave_codes.max()) + 1 if frame.height else 1, np.inf),
    )
    frame = frame.with_columns(pl.Series(DESIGN_ROW, np.arange(frame.height), dtype=pl.Int64))
    rows, changes = [], []
    for group in groups:
        part = frame if group is None else frame.filter(pl.col(group_column) == group)
        in_part = np.ones(frame.height, dtype=bool)
        if group is not None:
            in_part = (frame.get_column(group_column) == group).to_numpy()
        part_weights = weights[in_part]
        label = "alle" if group is None else str(group)
        for question in questions:
            y = scale_values(part, question)
            wave = part.get_column(wave_column).to_numpy()
            for year in waves:
                valid = (wave == year) & ~np.isnan(y)
                if not valid.any():
                    continue
                w = part_weights[valid]
                positive = np.isin(y[valid], POSITIVE_CODES)
                rows.append(
                    {
                        "question": question,
                        "year": int(year),
                        "group": label,
                        "n_valid": int(valid.sum()),
                        "mean": float(np.average(y[valid], weights=w)),
                        "pct_positive": float(np.average(positive, weights=w)),
                    }
                )
            for before, after in zip(waves, waves[1:], strict=False):
                try:
                    tested = wave_change(
                        part,
                        question,
                        before,
                        after,
                        wave_column=wave_column,
                        controls=controls,
                        design=design,
                    )
                except AnalysisInputError:
                    continue
                changes.append(
                    {
                        "question": question,
                        "group": label,
                        "year_before": int(before),
                        "year_after": int(after),
                        "change": tested["difference"],
                        "test": tested["test"],
                        "p_value": tested["p_value"],
                        "flag": tested["flag"],
                        "controlled_difference": tested["controlled_difference"],
                        "controlled_p_value": tested["controlled_p_value"],
                        "controlled_flag": tested["controlled_flag"],
                        "survives_controls": tested["survives_controls"],
                    }
                )
    trend = pl.DataFrame(
        rows,
        schema={
            "question": pl.Utf8,
            "year": pl.Int64,
            "group": pl.Utf8,
            "n_valid": pl.Int64,
            "mean": pl.Float64,
            "pct_positive": pl.Float64,
        },
    )
    change_schema = {
        "question": pl.Utf8,
        "group": pl.Utf8,
        "year_before": pl.Int64,
        "year_after": pl.Int64,
        "change": pl.Float64,
        "test": pl.Utf8,
        "p_value": pl.Float64,
        "flag": pl.Utf8,
        "controlled_difference": pl.Float64,
        "controlled_p_value": pl.Float64,
        "controlled_flag": pl.Utf8,
        "survives_controls": pl.Boolean,
    }
    trend = with_average_row(trend, values=("mean", "pct_positive"), decimals=None)
    return trend, pl.DataFrame(changes, schema=change_schema)
