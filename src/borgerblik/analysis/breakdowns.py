"""Breakdowns: every closed question by age, gender, duration, attachment, target group and municipality.

One long table holds them all, nationally (kommune = "alle") and within each municipality, so a municipal
report and the cross-municipal report read the same numbers. "Ved ikke" is excluded from n, mean and
shares and counted in ``n_dont_know``; a respondent whose breakdown value is unknown (duration for an
ended course) is left out of that breakdown only. Shares are weighted when a weight column is given
(share = sum of weights in the category / sum of weights of valid answers, the KL rule), and
``pct_positive`` is the top two in percent.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from borgerblik.analysis.answers import DONT_KNOW, POSITIVE_CODES, VALID_CODES, require_columns, scale_values
from borgerblik.analysis.frame import CURRENT, DURATION_GROUPS, ENDED
from borgerblik.analysis.suppression import DEFAULT_THRESHOLD, TOTAL, suppress_small_groups

DEFAULT_BREAKDOWNS = ("aldersgruppe", "koen", "varighed", "tilknytning", "maalgruppe_kl2024")
MUNICIPALITY = "kommune"
NATURAL_ORDER = {label: k for k, label in enumerate((*DURATION_GROUPS, CURRENT, ENDED))}
"""Groups with an order of their own (duration, attachment); others sort alphabetically."""
BREAKDOWN_COLUMNS = (
    "question",
    MUNICIPALITY,
    "by",
    "group",
    "n_valid",
    "n_dont_know",
    "weight_sum",
    "mean",
    "pct_positive",
    *(f"share_{code}" for code in VALID_CODES),
)


def _long_answers(
    frame: pl.DataFrame, questions: Sequence[str], keys: Sequence[str], weight: str | None
) -> pl.DataFrame:
    """Answers as (keys…, weight, question, value) rows; value NaN for missing, 9 kept for counting."""
    weights = frame.get_column(weight).cast(pl.Float64) if weight else pl.Series([1.0] * frame.height)
    columns = []
    for question in questions:
        valid = pl.Series(scale_values(frame, question)).fill_nan(None)
        dont_know = (frame.get_column(question).cast(pl.Float64, strict=False) == DONT_KNOW).fill_null(False)
        columns.append(
            pl.DataFrame(
                {
                    **{key: frame.get_column(key) for key in keys},
                    "_w": weights,
                    "question": [question] * frame.height,
                    "_y": valid,
                    "_dk": dont_know,
                }
            )
        )
    return pl.concat(columns)


def _aggregate(long: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    valid = pl.col("_y").is_not_null()
    weight_valid = pl.when(valid).then(pl.col("_w")).otherwise(0.0)
    weight_sum = weight_valid.sum()
    shares = [
        ((pl.col("_y") == code).fill_null(False).cast(pl.Float64) * pl.col("_w")).sum().alias(f"share_{code}")
        for code in VALID_CODES
    ]
    table = long.group_by(["question", *keys]).agg(
        valid.sum().cast(pl.Int64).alias("n_valid"),
        pl.col("_dk").sum().cast(pl.Int64).alias("n_dont_know"),
        weight_sum.alias("weight_sum"),
        (pl.col("_y").fill_null(0.0) * pl.col("_w")).sum().alias("_sum"),
        *shares,
    )
    return (
        table.with_columns(
            pl.when(pl.col("weight_sum") > 0).then(pl.col("_sum") / pl.col("weight_sum")).alias("mean"),
            *[
                pl.when(pl.col("weight_sum") > 0)
                .then(pl.col(f"share_{c}") / pl.col("weight_sum"))
                .alias(f"share_{c}")
                for c in VALID_CODES
            ],
        )
        .with_columns((100.0 * pl.sum_horizontal(f"share_{c}" for c in POSITIVE_CODES)).alias("pct_positive"))
        .drop("_sum")
    )


def breakdowns(
    frame: pl.DataFrame,
    questions: Sequence[str],
    *,
    by: Sequence[str] | None = None,
    weight: str | None = None,
    per_municipality: bool = True,
) -> pl.DataFrame:
    """The breakdown table (columns BREAKDOWN_COLUMNS), unsuppressed; see ``published_breakdowns``."""
    chosen = [b for b in (DEFAULT_BREAKDOWNS if by is None else by) if b in frame.columns]
    if by is not None:
        require_columns(frame, list(by))
    has_municipality = MUNICIPALITY in frame.columns
    keys = [*chosen, *([MUNICIPALITY] if has_municipality else [])]
    long = _long_answers(frame, questions, keys, weight)
    parts = []
    levels = [False, True] if per_municipality and has_municipality else [False]
    for within_municipality in levels:
        place = [MUNICIPALITY] if within_municipality else []
        overall = _aggregate(long, place).with_columns(
            pl.lit(TOTAL).alias("by"), pl.lit(TOTAL).alias("group")
        )
        parts.append(overall)
        for variable in chosen:
            grouped = _aggregate(long.filter(pl.col(variable).is_not_null()), [*place, variable])
            parts.append(
                grouped.with_columns(
                    pl.lit(variable).alias("by"), pl.col(variable).cast(pl.Utf8).alias("group")
                ).drop(variable)
            )
    table = pl.concat(
        [
            p if MUNICIPALITY in p.columns else p.with_columns(pl.lit(TOTAL).alias(MUNICIPALITY))
            for p in parts
        ],
        how="diagonal_relaxed",
    ).select(BREAKDOWN_COLUMNS)
    order = {q: k for k, q in enumerate(questions)}
    by_order = {b: k for k, b in enumerate([TOTAL, *chosen])}
    return table.sort(
        pl.col("question").replace_strict(order, return_dtype=pl.Int64),
        pl.col(MUNICIPALITY) != TOTAL,
        MUNICIPALITY,
        pl.col("by").replace_strict(by_order, return_dtype=pl.Int64),
        pl.col("group").replace_strict(NATURAL_ORDER, default=len(NATURAL_ORDER), return_dtype=pl.Int64),
        "group",
    )


def published_breakdowns(table: pl.DataFrame, *, threshold: int = DEFAULT_THRESHOLD) -> pl.DataFrame:
    """The breakdown table with small groups and their complements suppressed (groups × municipalities)."""
    return suppress_small_groups(
        table,
        threshold=threshold,
        fixed=("question", "by"),
        varying=(MUNICIPALITY, "group"),
        count="n_valid",
    )
