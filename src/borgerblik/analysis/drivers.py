"""Key drivers: Johnson's (2000) relative weights of each question on an outcome question.

Rambøll's rule: only respondents who answered (1–5, not "ved ikke") at least half of the questions in the
analysis take part. Correlations are then *pairwise* by default — each pair of questions uses every included
respondent who answered both — which is what makes the half-answered rule matter; ``missing="listwise"`` uses
only respondents who answered everything. The bootstrap resamples respondents and recomputes the pairwise
moments for all replicates at once (one matrix product): 1,000 replicates of 800 × 15 take under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from borgerblik.analysis.answers import AnalysisInputError, require_columns, scale_matrix
from borgerblik.analysis.quadrants import classify_quadrants

Missing = Literal["pairwise", "listwise"]
COLLINEAR_TOLERANCE = 1e-10


class DriverError(AnalysisInputError):
    """The data cannot give relative weights; the message names the column(s) and the reason."""


@dataclass(frozen=True)
class DriverResult:
    """Relative weights with their context: the R², how many respondents and the table itself."""

    table: pl.DataFrame
    r_squared: float
    n_included: int
    n_excluded: int
    outcome: str
    missing: Missing
    bootstrap: int


def relative_weights_from_correlations(r_xx: np.ndarray, r_xy: np.ndarray) -> np.ndarray:
    """Raw relative weights (sum = R²) from predictor correlations and predictor–outcome correlations.

    Λ = R_xx^{1/2} (symmetric square root), β = Λ^{-1} r_xy, ε_j = Σ_k Λ_jk² β_k². Works on stacks of
    matrices (leading axes) so the bootstrap runs all replicates through one batched eigen-decomposition.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(r_xx)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    root = np.sqrt(eigenvalues)
    lam = (eigenvectors * root[..., None, :]) @ np.swapaxes(eigenvectors, -1, -2)
    inverse_root = np.divide(1.0, root, out=np.zeros_like(root), where=root > 0)
    lam_inv = (eigenvectors * inverse_root[..., None, :]) @ np.swapaxes(eigenvectors, -1, -2)
    beta = (lam_inv @ r_xy[..., None])[..., 0]
    return np.einsum("...jk,...k->...j", lam**2, beta**2)


def _pairwise_moments(data: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, ...]:
    """Pairwise-complete sums for every pair of columns, for one or many resamples.

    ``counts`` is replicates × rows (how often each row is drawn). Returns n, Σx, Σy, Σx², Σy², Σxy per pair,
    each replicates × p × p, where x is the row column and y the column column of the pair.
    """
    observed = ~np.isnan(data)
    values = np.where(observed, data, 0.0)
    mask = observed.astype(float)
    rows, p = data.shape

    def pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        outer = (a[:, :, None] * b[:, None, :]).reshape(rows, p * p)
        return (counts @ outer).reshape(-1, p, p)

    n = pair(mask, mask)
    sum_x = pair(values, mask)
    sum_xx = pair(values**2, mask)
    sum_xy = pair(values, values)
    return n, sum_x, np.swapaxes(sum_x, -1, -2), sum_xx, np.swapaxes(sum_xx, -1, -2), sum_xy


def _pairwise_correlations(data: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise correlation matrices (replicates × p × p) and the smallest pairwise n."""
    n, sx, sy, sxx, syy, sxy = _pairwise_moments(data, counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = n * sxy - sx * sy
        var_x = n * sxx - sx**2
        var_y = n * syy - sy**2
        corr = cov / np.sqrt(var_x * var_y)
    return corr, n


def _include_rows(data: np.ndarray, min_answered: float, missing: Missing) -> np.ndarray:
    answered = (~np.isnan(data)).sum(axis=1)
    keep = answered >= min_answered * data.shape[1]
    if missing == "listwise":
        keep &= answered == data.shape[1]
    return keep


def _check_predictors(data: np.ndarray, outcome: str, predictors: Sequence[str]) -> None:
    """Refuse what would silently give NaN or nonsense: too few rows, constant or collinear questions."""
    names = [outcome, *predictors]
    complete_pairs = (~np.isnan(data)).astype(int).T @ (~np.isnan(data)).astype(int)
    needed = len(predictors) + 2
    if complete_pairs.min() < needed:
        j, k = np.unravel_index(int(np.argmin(complete_pairs)), complete_pairs.shape)
        raise DriverError(
            f"for få svar: kolonnerne '{names[j]}' og '{names[k]}' er besvaret sammen af "
            f"{int(complete_pairs[j, k])} respondenter; {len(predictors)} forklarende spørgsmål kræver "
            f"mindst {needed} (hint: færre spørgsmål eller en lavere --min-answered)"
        )
    for j, name in enumerate(names):
        column = data[:, j]
        column = column[~np.isnan(column)]
        if column.size and np.ptp(column) == 0:
            role = "udfaldet" if j == 0 else "et forklarende spørgsmål"
            raise DriverError(
                f"kolonne '{name}' er konstant (alle svar er {column[0]:g}); {role} skal variere"
            )


def _collinear_columns(r_xx: np.ndarray, predictors: Sequence[str]) -> list[str]:
    eigenvalues, eigenvectors = np.linalg.eigh(r_xx)
    if eigenvalues[0] > COLLINEAR_TOLERANCE:
        return []
    loading = np.abs(eigenvectors[:, 0])
    return [predictors[j] for j in np.flatnonzero(loading > 1e-6)]


def relative_weights(
    frame: pl.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    *,
    min_answered: float = 0.5,
    missing: Missing = "pairwise",
    bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> DriverResult:
    """Relative weights of ``predictors`` on ``outcome`` with percentile bootstrap intervals and quadrants.

    The half-answered rule counts the outcome and the predictors together, as Rambøll did.
    """
    if not predictors:
        raise DriverError("ingen forklarende spørgsmål angivet (hint: --predictors COL[,COL…])")
    if outcome in predictors:
        raise DriverError(f"kolonne '{outcome}' er både udfald og forklarende spørgsmål")
    if not 0 <= min_answered <= 1:
        raise DriverError(f"--min-answered skal være en andel mellem 0 og 1, fik {min_answered:g}")
    require_columns(frame, [outcome, *predictors])
    data = scale_matrix(frame, [outcome, *predictors])
    keep = _include_rows(data, min_answered, missing)
    data = data[keep]
    _check_predictors(data, outcome, predictors)

    corr, _ = _pairwise_correlations(data, np.ones((1, data.shape[0])))
    corr = corr[0]
    r_xx, r_xy = corr[1:, 1:], corr[1:, 0]
    collinear = _collinear_columns(r_xx, predictors)
    if collinear:
        raise DriverError(
            "kolonnerne " + ", ".join(f"'{c}'" for c in collinear) + " er perfekt kollineære "
            "(det ene spørgsmål er bestemt af de andre); fjern et af dem fra --predictors"
        )
    raw = relative_weights_from_correlations(r_xx, r_xy)
    r_squared = float(raw.sum())
    rescaled = 100.0 * raw / r_squared if r_squared > 0 else np.zeros_like(raw)

    intervals = _bootstrap_intervals(data, bootstrap, seed, confidence)
    means = np.nanmean(data[:, 1:], axis=0)
    n_valid = (~np.isnan(data[:, 1:])).sum(axis=0)
    table = pl.DataFrame(
        {
            "predictor": list(predictors),
            "raw_weight": raw,
            "rescaled_weight": rescaled,
            "raw_ci_low": intervals[0],
            "raw_ci_high": intervals[1],
            "rescaled_ci_low": intervals[2],
            "rescaled_ci_high": intervals[3],
            "mean": means,
            "n_valid": n_valid.astype(np.int64),
        }
    )
    table = table.with_columns(
        pl.Series("quadrant", classify_quadrants(means, rescaled)),
        pl.col("rescaled_weight").rank(method="ordinal", descending=True).cast(pl.Int64).alias("rank"),
    )
    return DriverResult(
        table=table,
        r_squared=r_squared,
        n_included=int(keep.sum()),
        n_excluded=int((~keep).sum()),
        outcome=outcome,
        missing=missing,
        bootstrap=bootstrap,
    )


def _bootstrap_intervals(
    data: np.ndarray, replicates: int, seed: int, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Percentile intervals of raw and rescaled weights; NaN columns only when no bootstrap was asked for.

    A replicate whose correlation matrix cannot be formed (a question constant in the resample) is
    dropped from the percentiles rather than poisoning them; the point estimates never depend on it.
    """
    p = data.shape[1] - 1
    if replicates <= 0:
        empty = np.full(p, np.nan)
        return empty, empty, empty, empty
    rng = np.random.default_rng(seed)
    rows = data.shape[0]
    counts = rng.multinomial(rows, np.full(rows, 1.0 / rows), size=replicates).astype(float)
    corr, _ = _pairwise_correlations(data, counts)
    usable = np.isfinite(corr).all(axis=(1, 2))
    corr = corr[usable]
    raw = relative_weights_from_correlations(corr[:, 1:, 1:], corr[:, 1:, 0])
    total = raw.sum(axis=1, keepdims=True)
    rescaled = 100.0 * raw / np.where(total > 0, total, np.nan)
    tail = (1.0 - confidence) / 2.0 * 100.0
    low_raw, high_raw = np.percentile(raw, [tail, 100.0 - tail], axis=0)
    low_res, high_res = np.nanpercentile(rescaled, [tail, 100.0 - tail], axis=0)
    return low_raw, high_raw, low_res, high_res
