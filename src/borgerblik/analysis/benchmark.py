"""Municipality benchmark: each municipality's mean and % positive against the others and the country.

The test of a municipality against the rest is design-based, with the linearisation of the estimates: the
contrast of the municipality's domain mean and the rest's, R's ``svyttest(y ~ I(kommune == k))`` on the valid
answers, t with the design's degrees of freedom. All municipalities of a question share one pass: their
influence values are the columns of one matrix projected on the calibration once. Without a design the answers
count as R's ``svydesign(ids=~1, weights=~w)`` (weights 1 when none are given).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from borgerblik.analysis.answers import (
    AnalysisInputError,
    AnswerScale,
    DesignRows,
    design_rows,
    require_columns,
    scale_for,
    scale_values,
)
from borgerblik.analysis.breakdowns import MUNICIPALITY
from borgerblik.analysis.significance import significance_flag
from borgerblik.analysis.suppression import DEFAULT_THRESHOLD, hidden_rows
from borgerblik.danish import decimal, percent
from borgerblik.weighting.design import SurveyDesign, Weighting
from borgerblik.weighting.inference import DESIGN_T_TEST, domain_mean_influence, t_p_value

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
    design: SurveyDesign | Weighting | None = None,
    scales: Mapping[str, AnswerScale] | None = None,
) -> pl.DataFrame:
    """One row per question and municipality; rank 1 is the highest mean among the shown municipalities.

    ``scales`` gives a question's scale (0–10 and its positive codes; default 1–5 with 4–5 positive).

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
    placed = design_rows(frame, design, weight)
    parts = []
    for question in questions:
        scale = scale_for(scales, question)
        y = scale_values(frame, question, scale)
        parts.append(_question_benchmark(question, y, index, names, placed, threshold, scale.positive))
    return pl.concat(parts).select(BENCHMARK_COLUMNS)


def _sums(values: np.ndarray, index: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(index, weights=values, minlength=k)


def _question_benchmark(
    question: str,
    y: np.ndarray,
    index: np.ndarray,
    names: np.ndarray,
    placed: DesignRows,
    threshold: int,
    positive_codes: Sequence[float] = (4, 5),
) -> pl.DataFrame:
    weights = placed.weights
    valid = ~np.isnan(y)
    y0, w0, idx = y[valid], weights[valid], index[valid]
    k = len(names)
    positive = np.isin(y0, positive_codes).astype(float)
    n = np.bincount(idx, minlength=k).astype(float)
    w_sum = _sums(w0, idx, k)
    wy = _sums(w0 * y0, idx, k)
    wpos = _sums(w0 * positive, idx, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = wy / w_sum
        pct = wpos / w_sum
        rest_mean = (wy.sum() - wy) / (w_sum.sum() - w_sum)
        statistic, p_value = municipality_tests(y, index, k, placed)
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
            "test": [DESIGN_T_TEST] * k,
            "statistic": masked(statistic),
            "p_value": masked(p_value),
            "flag": [significance_flag(p) if s else "" for p, s in zip(p_value, shown, strict=True)],
        },
        schema_overrides={"n_valid": pl.Int64, "rank": pl.Int64},
    )


def municipality_tests(
    y: np.ndarray, index: np.ndarray, k: int, placed: DesignRows
) -> tuple[np.ndarray, np.ndarray]:
    """t statistics and p-values of every municipality's mean against the rest's (R's svyttest).

    z_k − z_rest(k) are the influence values of the contrast; their design variance is the test's.
    """
    valid = ~np.isnan(y)
    domain = placed.spread(valid)
    members = placed.spread((index[:, None] == np.arange(k)[None, :]) & valid[:, None])
    y_all = placed.spread(np.nan_to_num(y))
    w_all = placed.variance.design.weights
    mean, z_in = domain_mean_influence(y_all, w_all, members)
    rest_mean, z_rest = domain_mean_influence(y_all, w_all, domain[:, None] & ~members)
    with np.errstate(invalid="ignore", divide="ignore"):
        statistic = (mean - rest_mean) / np.sqrt(placed.variance.variances(z_in - z_rest))
    df = placed.variance.degrees_of_freedom(domain) - 1
    return statistic, t_p_value(statistic, df)


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
