"""Breakdowns: every closed question by age, gender, duration, attachment, target group and municipality.

One long table holds them all, nationally (kommune = "alle") and within each municipality, so a municipal
report and the cross-municipal report read the same numbers. The figures come from the weighting stage's
design-based estimator (``borgerblik.weighting.estimate``): "ved ikke" is excluded from n, mean and shares and
counted in ``n_dont_know``, shares are weighted (sum of weights in the category / sum of weights of valid
answers, the KL rule) and ``pct_positive`` (top two) and the shares are fractions 0–1. A respondent whose
breakdown value is unknown (duration for an ended course) is left out of that breakdown only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from borgerblik.analysis.answers import AnswerScale, is_likert, require_columns, scale_for
from borgerblik.analysis.frame import CURRENT, DURATION_GROUPS, ENDED
from borgerblik.analysis.suppression import DEFAULT_THRESHOLD, TOTAL, suppress_small_groups
from borgerblik.weighting import SurveyDesign, Weighting, estimate, fixed_weights
from borgerblik.weighting.estimates import OVERALL, scale_estimate

DEFAULT_BREAKDOWNS = ("aldersgruppe", "koen", "varighed", "tilknytning", "maalgruppe_kl2024")
MUNICIPALITY = "kommune"
NATURAL_ORDER = {label: k for k, label in enumerate((*DURATION_GROUPS, CURRENT, ENDED))}
"""Groups with an order of their own (duration, attachment); others sort alphabetically."""
SEPARATOR = "\x1f"
ID_COLUMN = "respondent_id"
KEY_COLUMNS = ("question", MUNICIPALITY, "by", "group")


def unweighted_design(frame: pl.DataFrame, id_column: str = ID_COLUMN) -> Weighting:
    """Every respondent with weight 1: the same estimator, for a survey analysed without weights."""
    ids = frame.get_column(id_column).cast(pl.Utf8).to_numpy().astype(str)
    return fixed_weights(ids, np.ones(frame.height))


def with_respondent_ids(frame: pl.DataFrame, id_column: str = ID_COLUMN) -> pl.DataFrame:
    """The frame with a respondent id, numbering rows from 1 when the data has none."""
    if id_column in frame.columns:
        return frame
    return frame.with_row_index(id_column, offset=1).with_columns(pl.col(id_column).cast(pl.Utf8))


def breakdowns(
    frame: pl.DataFrame,
    questions: Sequence[str],
    *,
    design: SurveyDesign | Weighting | None = None,
    by: Sequence[str] | None = None,
    per_municipality: bool = True,
    id_column: str = ID_COLUMN,
    scales: Mapping[str, AnswerScale] | None = None,
) -> pl.DataFrame:
    """The breakdown table, unsuppressed (see ``published_breakdowns``).

    A question on another scale than 1–5 (``scales``: 0–10, yes/no) gets mean and % positive by its own
    positive codes (``weighting.scale_estimate``, the same linearisation) and no share_1 … share_5; on a
    scale without a meaningful mean (yes/no) the mean columns are empty.

    Columns: question, kommune, by, group, then the estimate table of ``borgerblik.weighting.estimate``
    (n_valid, n_dont_know, weighted_n, mean with SE and interval, pct_positive and share_1 … share_5 as
    fractions with SEs). Without a design every respondent weighs 1. National groups and municipality totals
    are domains of the whole (calibrated) design. Groups within a municipality use the same weights taken as
    fixed (R: ``svydesign(ids=~1, weights=~w)``): identical point estimates, and standard errors that ignore
    the calibration — the calibrated domain estimator over 44 × 20 groups costs minutes, this one a second.
    """
    frame = with_respondent_ids(frame, id_column)
    if by is not None:
        require_columns(frame, list(by))
    chosen = [b for b in (DEFAULT_BREAKDOWNS if by is None else by) if b in frame.columns]
    has_municipality = MUNICIPALITY in frame.columns
    composites: list[str] = []
    if per_municipality and has_municipality:
        composites = [f"{MUNICIPALITY}{SEPARATOR}{variable}" for variable in chosen]
        frame = frame.with_columns(
            pl.concat_str(
                [pl.col(MUNICIPALITY).cast(pl.Utf8), pl.col(v).cast(pl.Utf8)], separator=SEPARATOR
            ).alias(name)
            for v, name in zip(chosen, composites, strict=True)
        )
    design = design or unweighted_design(frame, id_column)
    national = [*chosen, *([MUNICIPALITY] if has_municipality else [])]
    likert = [q for q in questions if is_likert(scale_for(scales, q))]
    table = estimate(frame, design, likert, national, id_column=id_column)
    if composites:
        calibrated = design.design if isinstance(design, Weighting) else design
        fixed = fixed_weights(calibrated.ids, calibrated.weights)
        within = estimate(frame, fixed, likert, composites, id_column=id_column)
        table = pl.concat([table, within.filter(pl.col("by") != OVERALL)])
    for question in (q for q in questions if q not in likert):
        table = pl.concat(
            [table, _other_scale(frame, design, question, scale_for(scales, question), national, composites)],
            how="diagonal_relaxed",
        )
    by_col, group_col = pl.col("by"), pl.col("group")
    composite = by_col.str.contains(SEPARATOR, literal=True)
    table = table.with_columns(
        pl.when(by_col == OVERALL)
        .then(pl.lit(TOTAL))
        .when(by_col == MUNICIPALITY)
        .then(group_col)
        .when(composite)
        .then(group_col.str.split(SEPARATOR).list.first())
        .otherwise(pl.lit(TOTAL))
        .alias(MUNICIPALITY),
        pl.when(by_col.is_in([OVERALL, MUNICIPALITY]))
        .then(pl.lit(TOTAL))
        .when(composite)
        .then(by_col.str.split(SEPARATOR).list.last())
        .otherwise(by_col)
        .alias("by"),
        pl.when(by_col.is_in([OVERALL, MUNICIPALITY]))
        .then(pl.lit(TOTAL))
        .when(composite)
        .then(group_col.str.split(SEPARATOR).list.last())
        .otherwise(group_col)
        .alias("group"),
    )
    table = table.select(*KEY_COLUMNS, *[c for c in table.columns if c not in KEY_COLUMNS])
    order = {q: k for k, q in enumerate(questions)}
    by_order = {b: k for k, b in enumerate([TOTAL, *chosen])}
    return table.sort(
        pl.col("question").replace_strict(order, return_dtype=pl.Int64),
        pl.col(MUNICIPALITY) != TOTAL,
        MUNICIPALITY,
        pl.col("by").replace_strict(by_order, return_dtype=pl.Int64),
        pl.col("group").replace_strict(NATURAL_ORDER, default=len(NATURAL_ORDER), return_dtype=pl.Int64),
        "group",
        maintain_order=True,
    )


def _other_scale(
    frame: pl.DataFrame,
    design: SurveyDesign | Weighting,
    question: str,
    scale: AnswerScale,
    national: Sequence[str],
    composites: Sequence[str],
) -> pl.DataFrame:
    """Breakdown rows of a question on a 0–10 or yes/no scale: national domains of the calibrated design,
    groups within a municipality with the weights taken as fixed, as for 1–5."""
    settings = {
        "low": scale.low,
        "high": scale.high,
        "dont_know": scale.dont_know,
        "positive": scale.positive,
    }
    table = scale_estimate(frame, design, [question], national, **settings)  # type: ignore[arg-type]
    if composites:
        calibrated = design.design if isinstance(design, Weighting) else design
        fixed = fixed_weights(calibrated.ids, calibrated.weights)
        within = scale_estimate(frame, fixed, [question], composites, **settings)  # type: ignore[arg-type]
        table = pl.concat([table, within.filter(pl.col("by") != OVERALL)])
    if not scale.has_mean:
        table = table.with_columns(
            pl.lit(None, dtype=pl.Float64).alias(c)
            for c in ("mean", "mean_se", "mean_ci_low", "mean_ci_high", "unweighted_mean")
        )
    return table


def published_breakdowns(table: pl.DataFrame, *, threshold: int = DEFAULT_THRESHOLD) -> pl.DataFrame:
    """The breakdown table with small groups and their complements suppressed (groups × municipalities)."""
    return suppress_small_groups(
        table,
        threshold=threshold,
        fixed=("question", "by"),
        varying=(MUNICIPALITY, "group"),
        count="n_valid",
    )
