"""Municipality benchmark: each municipality's mean and % positive against the others and the country.

The test of a municipality against the rest is computed in closed form for all municipalities and questions
at once: unweighted it is Welch's t-test; weighted it is the WLS regression on a municipality dummy with HC1
robust standard errors and a normal reference distribution (statsmodels' default for robust covariances),
which for a single dummy reduces to the two weighted means and their sandwich variances. The tests equal
scipy and statsmodels run one municipality at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy import stats

from borgerblik.analysis.answers import AnalysisInputError, require_columns, scale_values, weights_of
from borgerblik.analysis.breakdowns import MUNICIPALITY
from borgerblik.analysis.significance import WELCH, WLS_HC1, significance_flag
from borgerblik.analysis.suppression import DEFAULT_THRESHOLD, hidden_rows
from borgerblik.danish import decimal, percent

BENCHMARK_COLUMNS = (
    "question",
    MUNICIPALITY,
    "n_valid",
    "mean",
    "pct_positive",
    "rank",
    "n_municipalities",
    "national_mean",
    "national_pct_positive",
    "rest_mean",
    "difference",
    "test",
    "statistic",
    "p_value",
    "flag",
)


def municipality_benchmark(
    frame: pl.DataFrame,
    questions: Sequence[str],
    *,
    weight: str | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> pl.DataFrame:
    """One row per question and municipality; rank 1 is the highest mean among the shown municipalities.

    ``pct_positive`` is a fraction 0–1, as in the estimate table.

    A municipality with fewer than ``threshold`` valid answers to a question gets no figures, rank or test,
    and neither does the next smallest one: the national figure is published, so one hidden municipality
    could be recovered by subtracting the others.
    """
    require_columns(frame, [MUNICIPALITY])
    municipality = frame.get_column(MUNICIPALITY).cast(pl.Utf8)
    if municipality.null_count():
        row = int(municipality.is_null().arg_true()[0])
        raise AnalysisInputError(f"kolonne '{MUNICIPALITY}', linje {row + 2}: kommune mangler")
    names, index = np.unique(municipality.to_numpy().astype(str), return_inverse=True)
    weights = weights_of(frame, weight)
    parts = []
    for question in questions:
        y = scale_values(frame, question)
        parts.append(_question_benchmark(question, y, index, names, weights, weight is not None, threshold))
    return pl.concat(parts).select(BENCHMARK_COLUMNS)


def _sums(values: np.ndarray, index: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(index, weights=values, minlength=k)


def _question_benchmark(
    question: str,
    y: np.ndarray,
    index: np.ndarray,
    names: np.ndarray,
    weights: np.ndarray,
    weighted: bool,
    threshold: int,
) -> pl.DataFrame:
    valid = ~np.isnan(y)
    y0, w0, idx = y[valid], weights[valid], index[valid]
    k = len(names)
    positive = np.isin(y0, (4, 5)).astype(float)
    n = np.bincount(idx, minlength=k).astype(float)
    w_sum = _sums(w0, idx, k)
    wy = _sums(w0 * y0, idx, k)
    wpos = _sums(w0 * positive, idx, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = wy / w_sum
        pct = wpos / w_sum
        rest_mean = (wy.sum() - wy) / (w_sum.sum() - w_sum)
        if weighted:
            statistic, p_value = _weighted_test(y0, w0, idx, k, mean, rest_mean)
        else:
            statistic, p_value = _welch_test(y0, idx, k, n, mean, rest_mean)
    shown = ~hidden_rows(n, threshold) & (n > 0)
    answered = w_sum.sum() > 0
    national_mean = float(wy.sum() / w_sum.sum()) if answered else None
    national_pct = float(wpos.sum() / w_sum.sum()) if answered else None
    ranks = np.full(k, np.nan)
    order = np.argsort(-np.where(shown, mean, -np.inf), kind="stable")
    ranks[order[: shown.sum()]] = np.arange(1, shown.sum() + 1)

    def masked(values: np.ndarray) -> list[float | None]:
        return [float(v) if s and np.isfinite(v) else None for v, s in zip(values, shown, strict=True)]

    return pl.DataFrame(
        {
            "question": [question] * k,
            MUNICIPALITY: names.tolist(),
            "n_valid": [int(v) if s else None for v, s in zip(n, shown, strict=True)],
            "mean": masked(mean),
            "pct_positive": masked(pct),
            "rank": [int(r) if np.isfinite(r) else None for r in ranks],
            "n_municipalities": [int(shown.sum())] * k,
            "national_mean": [national_mean] * k,
            "national_pct_positive": [national_pct] * k,
            "rest_mean": masked(rest_mean),
            "difference": masked(mean - rest_mean),
            "test": [WLS_HC1 if weighted else WELCH] * k,
            "statistic": masked(statistic),
            "p_value": masked(p_value),
            "flag": [significance_flag(p) if s else "" for p, s in zip(p_value, shown, strict=True)],
        },
        schema_overrides={"n_valid": pl.Int64, "rank": pl.Int64},
    )


Arrays = tuple[np.ndarray, np.ndarray]


def _welch_test(
    y: np.ndarray, idx: np.ndarray, k: int, n: np.ndarray, mean: np.ndarray, rest_mean: np.ndarray
) -> Arrays:
    """Welch's t-test of each municipality against all others, from sums of y and y²."""
    sum_yy = _sums(y * y, idx, k)
    n_rest = n.sum() - n
    var = (sum_yy - n * mean**2) / (n - 1)
    rest_var = ((sum_yy.sum() - sum_yy) - n_rest * rest_mean**2) / (n_rest - 1)
    se_a, se_b = var / n, rest_var / n_rest
    statistic = (mean - rest_mean) / np.sqrt(se_a + se_b)
    df = (se_a + se_b) ** 2 / (se_a**2 / (n - 1) + se_b**2 / (n_rest - 1))
    return statistic, 2.0 * stats.t.sf(np.abs(statistic), df)


def _weighted_test(
    y: np.ndarray, w: np.ndarray, idx: np.ndarray, k: int, mean: np.ndarray, rest_mean: np.ndarray
) -> Arrays:
    """HC1 sandwich for WLS on one dummy: Var(m_g) = Σ w²(y − m_g)² / (Σ w)², times n / (n − 2)."""
    w2 = w * w
    t0, t1, t2 = _sums(w2, idx, k), _sums(w2 * y, idx, k), _sums(w2 * y * y, idx, k)
    w_sum = _sums(w, idx, k)
    q_a = t2 - 2 * mean * t1 + mean**2 * t0
    q_b = (t2.sum() - t2) - 2 * rest_mean * (t1.sum() - t1) + rest_mean**2 * (t0.sum() - t0)
    total = len(y)
    variance = (q_a / w_sum**2 + q_b / (w_sum.sum() - w_sum) ** 2) * total / (total - 2)
    statistic = (mean - rest_mean) / np.sqrt(variance)
    return statistic, 2.0 * stats.norm.sf(np.abs(statistic))


def benchmark_statements(benchmark: pl.DataFrame, question: str, *, satisfaction: bool = True) -> list[str]:
    """The KL report's sentences on the highest and lowest municipality and the national figure, in Danish.

    ``satisfaction`` uses the overall question's words (tilfredshed, meget tilfredse eller tilfredse); other
    questions get neutral words (score, svarer positivt), since their scale is a degree, not satisfaction.
    """
    rows = benchmark.filter((pl.col("question") == question) & pl.col("rank").is_not_null()).sort("rank")
    if rows.height == 0:
        return []
    best, worst = rows.row(0, named=True), rows.row(-1, named=True)
    high, low = percent(100 * best["pct_positive"]), percent(100 * worst["pct_positive"])
    national = percent(100 * best["national_pct_positive"])
    if satisfaction:
        return [
            f"Kommunen med mest tilfredshed er {best[MUNICIPALITY]} og scorer {decimal(best['mean'])}. "
            f"I denne kommune har {high} svaret, at de er meget tilfredse eller tilfredse.",
            f"Kommunen med mindst tilfredshed er {worst[MUNICIPALITY]} og scorer {decimal(worst['mean'])}. "
            f"I denne kommune er det kun {low}, der har svaret, at de er meget tilfredse eller tilfredse.",
            f"På landsplan er gennemsnittet {decimal(best['national_mean'])}, og {national} er meget "
            "tilfredse eller tilfredse.",
        ]
    return [
        f"Kommunen med den højeste score er {best[MUNICIPALITY]} med {decimal(best['mean'])}. "
        f"Her svarer {high} positivt.",
        f"Kommunen med den laveste score er {worst[MUNICIPALITY]} med {decimal(worst['mean'])}. "
        f"Her svarer {low} positivt.",
        f"På landsplan er gennemsnittet {decimal(best['national_mean'])}, og {national} svarer positivt.",
    ]
