"""Case-mix adjusted municipality scores: a fair comparison of job centres that serve different citizens.

A municipality with many sygedagpenge cases and older citizens scores higher than one with many young
aktivitetsparate, whatever its job centre does. So, per question (indirect standardisation):

1. a design-based regression (R: ``svyglm``) of the answer on the citizens' mix — target group, age group,
   gender, duration, attachment, configurable — is fitted on all municipalities together, with no municipal
   term, so the model says what a citizen *like this* answers nationally;
2. ``expected`` is the municipality's weighted mean of those predictions — the score its own mix of citizens
   would give at the national level; ``observed`` is its weighted mean;
3. ``adjusted`` = national + (observed − expected), the municipality's score had it served the national mix.

The interval of ``adjusted`` is design-based and counts the uncertainty of the model too: the residual mean of
municipality k has influence values w·1[k]·(e − ē_k)/Ŵ_k − z_β·x̄_k (z_β those of the coefficients), whose
variance under the survey's design (stratified, fpc, calibrated) is the squared standard error.

Municipalities under the suppression threshold (and their complement, as in the benchmark) get no figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from borgerblik.analysis.answers import (
    LIKERT_5,
    AnalysisInputError,
    AnswerScale,
    DesignRows,
    design_rows,
    require_columns,
    scale_values,
)
from borgerblik.analysis.breakdowns import MUNICIPALITY
from borgerblik.analysis.funnel import Z_998, control_limit
from borgerblik.analysis.suppression import DEFAULT_THRESHOLD, hidden_rows
from borgerblik.weighting.design import SurveyDesign, Weighting
from borgerblik.weighting.estimates import Z_95
from borgerblik.weighting.inference import design_regression, domain_contrast_variances

DEFAULT_CASE_MIX = ("maalgruppe_kl2024", "aldersgruppe", "koen", "varighed_kontrol", "tilknytning")
"""The citizens' mix the KL comparison adjusts for, where the data has the column."""
CASEMIX_COLUMNS = (
    MUNICIPALITY,
    "n",
    "observed",
    "expected",
    "adjusted",
    "ci_low",
    "ci_high",
    "rank_raw",
    "rank_adjusted",
    "outside_95",
    "outside_998",
)
"""The contract of ``borgerblik benchmark``; the full table adds question, national, se, limits and more."""


def mix_columns(frame: pl.DataFrame, adjust: Sequence[str] | None) -> list[str]:
    """The case-mix columns: the given ones (each must exist) or the default ones the data has."""
    if adjust is None:
        return [c for c in DEFAULT_CASE_MIX if c in frame.columns]
    require_columns(frame, list(adjust), "--adjust")
    return list(adjust)


def mix_matrix(frame: pl.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Dummies of each case-mix column (first level dropped; numbers stay numbers), rows complete, names."""
    blocks, names = [], []
    complete = np.ones(frame.height, dtype=bool)
    for column in columns:
        series = frame.get_column(column)
        complete &= series.is_not_null().to_numpy()
        if series.dtype.is_numeric():
            blocks.append(series.cast(pl.Float64).fill_null(0.0).to_numpy()[:, None])
            names.append(column)
            continue
        text = series.cast(pl.Utf8)
        for level in sorted(text.drop_nulls().unique().to_list())[1:]:
            blocks.append((text == level).fill_null(False).to_numpy().astype(float)[:, None])
            names.append(f"{column}={level}")
    matrix = np.hstack(blocks) if blocks else np.empty((frame.height, 0))
    return matrix, complete, names


def casemix_scores(
    frame: pl.DataFrame,
    question: str,
    *,
    adjust: Sequence[str] | None = None,
    design: SurveyDesign | Weighting | None = None,
    weight: str | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    scale: AnswerScale = LIKERT_5,
) -> pl.DataFrame:
    """One row per municipality: observed, expected from its own mix, adjusted with interval and ranks.

    Columns: CASEMIX_COLUMNS, then question, national, se, z (adjusted − national over the funnel's
    standard error), limit_95 and limit_998 (half-widths of the funnel at this n) and the case-mix columns
    used. A respondent missing a case-mix value leaves the model's domain (counted in none of the figures).
    """
    require_columns(frame, [MUNICIPALITY, question])
    columns = mix_columns(frame, adjust)
    placed = design_rows(frame, design, weight)
    y = scale_values(frame, question, scale)
    x, complete, _ = mix_matrix(frame, columns)
    used = ~np.isnan(y) & complete
    if used.sum() <= x.shape[1] + 1:
        raise AnalysisInputError(
            f"kolonne '{question}': {int(used.sum())} svar med hele baggrunden er for få til en model med "
            f"{x.shape[1] + 1} parametre"
        )
    regressors = independent_columns(np.column_stack([np.ones(frame.height), x]), used)
    fit = design_regression(
        placed.variance, placed.spread(np.nan_to_num(y)), placed.spread(regressors), placed.spread(used)
    )
    predicted = regressors @ fit.coefficients
    residual = np.where(used, np.nan_to_num(y) - predicted, 0.0)
    w = np.where(used, placed.weights, 0.0)
    municipality = frame.get_column(MUNICIPALITY).cast(pl.Utf8).fill_null("").to_numpy().astype(str)
    names, index = np.unique(municipality, return_inverse=True)
    k = len(names)
    at = index[used]

    def by_municipality(values: np.ndarray) -> np.ndarray:
        return np.bincount(at, weights=values[used], minlength=k)

    n = np.bincount(at, minlength=k)
    w_k = by_municipality(w)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = by_municipality(w * np.nan_to_num(y)) / w_k
        expected = by_municipality(w * predicted) / w_k
        mean_residual = by_municipality(w * residual) / w_k
        mix_means = (
            np.column_stack([by_municipality(w * regressors[:, j]) for j in range(regressors.shape[1])])
            / w_k[:, None]
        )  # (K, p)
    national = float((w * np.nan_to_num(y)).sum() / w.sum())
    adjusted = national + mean_residual
    se = _adjusted_se(placed, residual, w, index, used, w_k, mean_residual, regressors, mix_means)
    spread = float(np.sqrt((w * (residual - (w * residual).sum() / w.sum()) ** 2).sum() / w.sum()))
    with np.errstate(invalid="ignore", divide="ignore"):
        limits_95, limits_998 = control_limit(spread, n, Z_95), control_limit(spread, n, Z_998)
    shown = ~hidden_rows(n, threshold) & (n > 0)
    table = pl.DataFrame(
        {
            MUNICIPALITY: names.tolist(),
            "n": n.astype(np.int64),
            "observed": observed,
            "expected": expected,
            "adjusted": adjusted,
            "ci_low": adjusted - Z_95 * se,
            "ci_high": adjusted + Z_95 * se,
            "question": [question] * k,
            "national": [national] * k,
            "se": se,
            "z": (adjusted - national) / control_limit(spread, n, 1.0),
            "limit_95": limits_95,
            "limit_998": limits_998,
            "adjusted_for": [", ".join(columns)] * k,
            "_shown": shown,
        }
    )
    deviation = (pl.col("adjusted") - pl.col("national")).abs()
    raw_deviation = (pl.col("observed") - pl.col("national")).abs()
    table = table.with_columns(
        (deviation > pl.col("limit_95")).alias("outside_95"),
        (deviation > pl.col("limit_998")).alias("outside_998"),
        (raw_deviation > pl.col("limit_95")).alias("raw_outside_95"),
        (raw_deviation > pl.col("limit_998")).alias("raw_outside_998"),
    )
    table = table.with_columns(pl.lit(spread).alias("spread"))
    figures = [c for c in table.columns if c not in (MUNICIPALITY, "question", "adjusted_for", "_shown")]
    table = table.with_columns(
        pl.when(pl.col("_shown")).then(pl.col(c)).otherwise(None).alias(c) for c in figures
    )
    table = table.with_columns(
        pl.col("observed").rank("ordinal", descending=True).cast(pl.Int64).alias("rank_raw"),
        pl.col("adjusted").rank("ordinal", descending=True).cast(pl.Int64).alias("rank_adjusted"),
    ).drop("_shown")
    rest = [c for c in table.columns if c not in CASEMIX_COLUMNS]
    return table.select(*CASEMIX_COLUMNS, *rest).with_columns(pl.col(pl.Float64).fill_nan(None))


def independent_columns(x: np.ndarray, used: np.ndarray) -> np.ndarray:
    """The columns of x (intercept first) that are not linear combinations of earlier ones among ``used``.

    Case-mix columns overlap (an ended course is both a duration level and an attachment level); R's svyglm
    reports such a coefficient as NA, here it is left out, which gives the same fitted values.
    """
    gram = x[used].T @ x[used]
    kept: list[int] = []
    for j in range(x.shape[1]):
        trial = [*kept, j]
        block = gram[np.ix_(trial, trial)]
        if np.linalg.matrix_rank(block, tol=1e-9 * max(1.0, float(np.trace(block)))) == len(trial):
            kept.append(j)
    return x[:, kept]


def _adjusted_se(
    placed: DesignRows,
    residual: np.ndarray,
    w: np.ndarray,
    index: np.ndarray,
    used: np.ndarray,
    w_k: np.ndarray,
    mean_residual: np.ndarray,
    regressors: np.ndarray,
    mix_means: np.ndarray,
) -> np.ndarray:
    """Design-based SE of each municipality's mean residual, the model's uncertainty included.

    The influence values of municipality k are z_k = 1[k]·w·(e − ē_k)/W_k − z_β·x̄_k: a part in k's own rows
    and the model's part shared by all, which ``domain_contrast_variances`` takes as such (without a
    rows × municipalities matrix where the calibration allows)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        own = np.where(used, w * (residual - mean_residual[index]) / w_k[index], 0.0)
    weighted = regressors * w[:, None]
    gram_inverse = np.linalg.inv(regressors[used].T @ weighted[used])
    z_beta = (weighted * residual[:, None]) @ gram_inverse  # (rows, p)
    variances = domain_contrast_variances(
        placed.variance,
        placed.spread(np.nan_to_num(own)),
        placed.spread(index, fill=-1),
        len(w_k),
        placed.spread(z_beta),
        np.nan_to_num(mix_means),
    )
    return np.sqrt(np.maximum(variances, 0.0))
