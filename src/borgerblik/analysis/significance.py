"""Significance in VIVE's manner: a group against the rest, two groups, one wave against the next.

Unweighted, the difference is tested with Welch's t-test (unequal variances; scipy
``ttest_ind(equal_var=False)``) and the controlled difference with OLS on the group indicator plus the
background variables (statsmodels, classical standard errors), as VIVE did. With weights, both are weighted
least squares with heteroscedasticity-robust (HC1) standard errors — the design-based analogue of the t-test.
Results are flagged at 5 % and at 10 % (VIVE falls back to 10 % where 5 % is not reached) and say whether the
difference survives the controls (still significant at 10 %, same sign). Age and duration are tested by
pairwise (Pearson) correlation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy import stats

from borgerblik.analysis.answers import AnalysisInputError, require_columns, scale_values, weights_of
from borgerblik.analysis.suppression import hidden_rows

DEFAULT_CONTROLS = ("koen", "etnicitet", "varighed_kontrol")
DERIVED_FROM = {
    "varighed": "varighed_kontrol",
    "tilknytning": "varighed_kontrol",
    "varighed_uger": "varighed_kontrol",
}
"""A control built from the grouping itself would absorb the very difference tested, so it is left out."""
WELCH = "Welch t-test"
WLS_HC1 = "WLS, robuste SE (HC1)"
OLS_CONTROLS = "OLS med kontrol"
WLS_CONTROLS = "WLS med kontrol, robuste SE (HC1)"


def significance_flag(p_value: float) -> str:
    """'5 %' or '10 %' for the level the result is significant at, empty when neither."""
    if p_value is None or not np.isfinite(p_value):
        return ""
    if p_value < 0.05:
        return "5 %"
    if p_value < 0.10:
        return "10 %"
    return ""


def _control_matrix(frame: pl.DataFrame, controls: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Background variables as regressors: text columns become dummies (first level dropped), numbers stay."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    for column in controls:
        series = frame.get_column(column)
        if series.dtype.is_numeric():
            blocks.append(series.cast(pl.Float64).fill_null(np.nan).to_numpy()[:, None])
            names.append(column)
            continue
        levels = sorted(v for v in series.drop_nulls().unique().to_list())
        missing = series.is_null().to_numpy()
        for level in levels[1:]:
            dummy = (series == level).fill_null(False).to_numpy().astype(float)
            dummy[missing] = np.nan
            blocks.append(dummy[:, None])
            names.append(f"{column}={level}")
    if not blocks:
        return np.empty((frame.height, 0)), []
    return np.hstack(blocks), names


def least_squares(
    y: np.ndarray, design: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients, t/z statistics and p-values; the same numbers as statsmodels, a hundred times faster.

    Unweighted: OLS with classical standard errors and t(n − k) p-values (``sm.OLS(...).fit()``). Weighted:
    WLS with HC1 sandwich standard errors and normal p-values (``sm.WLS(...).fit(cov_type="HC1")``).
    Solved through the normal equations, which is exact enough for the few dummies and counts used here.
    """
    n, k = design.shape
    if weights is None:
        gram = design.T @ design
        params = np.linalg.solve(gram, design.T @ y)
        residuals = y - design @ params
        covariance = np.linalg.inv(gram) * (residuals @ residuals) / (n - k)
        statistic = params / np.sqrt(np.diag(covariance))
        return params, statistic, 2.0 * stats.t.sf(np.abs(statistic), n - k)
    weighted = design * weights[:, None]
    gram_inverse = np.linalg.inv(design.T @ weighted)
    params = gram_inverse @ (weighted.T @ y)
    residuals = y - design @ params
    scores = weighted * residuals[:, None]
    covariance = gram_inverse @ (scores.T @ scores) @ gram_inverse * n / (n - k)
    statistic = params / np.sqrt(np.diag(covariance))
    return params, statistic, 2.0 * stats.norm.sf(np.abs(statistic))


def _compare(
    y: np.ndarray,
    indicator: np.ndarray,
    use: np.ndarray,
    weights: np.ndarray | None,
    controls: np.ndarray,
) -> dict[str, object]:
    """Group (indicator 1) minus comparison (indicator 0) among ``use`` rows with a valid answer."""
    rows = use & ~np.isnan(y)
    y_r, x_r = y[rows], indicator[rows].astype(float)
    in_a, in_b = x_r == 1, x_r == 0
    result: dict[str, object] = {"n_group": int(in_a.sum()), "n_rest": int(in_b.sum())}
    if in_a.sum() < 2 or in_b.sum() < 2:
        raise AnalysisInputError(
            f"for få svar til en test: {int(in_a.sum())} i gruppen og {int(in_b.sum())} i sammenligningen "
            "(mindst 2 i hver)"
        )
    if weights is None:
        mean_a, mean_b = float(y_r[in_a].mean()), float(y_r[in_b].mean())
        test = stats.ttest_ind(y_r[in_a], y_r[in_b], equal_var=False)
        statistic, p_value, method = float(test.statistic), float(test.pvalue), WELCH
    else:
        w_r = weights[rows]
        mean_a = float(np.average(y_r[in_a], weights=w_r[in_a]))
        mean_b = float(np.average(y_r[in_b], weights=w_r[in_b]))
        _, statistics, p_values = least_squares(y_r, np.column_stack([np.ones_like(x_r), x_r]), w_r)
        statistic, p_value, method = float(statistics[1]), float(p_values[1]), WLS_HC1
    result.update(
        mean_group=mean_a,
        mean_rest=mean_b,
        difference=mean_a - mean_b,
        test=method,
        statistic=statistic,
        p_value=p_value,
        flag=significance_flag(p_value),
    )
    result.update(_controlled(y_r, x_r, controls[rows], None if weights is None else weights[rows]))
    controlled_p = result["controlled_p_value"]
    result["survives_controls"] = bool(
        result["flag"] != ""
        and controlled_p is not None
        and controlled_p < 0.10
        and np.sign(result["controlled_difference"]) == np.sign(result["difference"])
    )
    return result


def _controlled(
    y: np.ndarray, x: np.ndarray, controls: np.ndarray, weights: np.ndarray | None
) -> dict[str, object]:
    """The group difference holding the background variables constant; rows missing a control are left out."""
    complete = ~np.isnan(controls).any(axis=1) if controls.shape[1] else np.ones(y.size, dtype=bool)
    design = np.column_stack([x[complete], controls[complete]])
    varying = [0] + [j for j in range(1, design.shape[1]) if np.ptp(design[:, j]) > 0]
    design = np.column_stack([np.ones(int(complete.sum())), design[:, varying]])
    empty = {
        "controlled_difference": None,
        "controlled_p_value": None,
        "controlled_flag": "",
        "n_controlled": 0,
    }
    if complete.sum() <= design.shape[1] or np.linalg.matrix_rank(design.T @ design) < design.shape[1]:
        return empty
    w = None if weights is None else weights[complete]
    params, _, p_values = least_squares(y[complete], design, w)
    method = OLS_CONTROLS if weights is None else WLS_CONTROLS
    p_value = float(p_values[1])
    return {
        "controlled_difference": float(params[1]),
        "controlled_p_value": p_value,
        "controlled_flag": significance_flag(p_value),
        "controlled_test": method,
        "n_controlled": int(complete.sum()),
    }


def _controls_for(frame: pl.DataFrame, controls: Sequence[str] | None, group_column: str) -> list[str]:
    chosen = DEFAULT_CONTROLS if controls is None else controls
    overlapping = {group_column, DERIVED_FROM.get(group_column)}
    return [c for c in chosen if c in frame.columns and c not in overlapping]


def compare_groups(
    frame: pl.DataFrame,
    question: str,
    group_column: str,
    group: object,
    *,
    rest: object | None = None,
    weight: str | None = None,
    controls: Sequence[str] | None = None,
) -> dict[str, object]:
    """``group`` against ``rest`` (another value of the column) or, when ``rest`` is None, against all others.

    Controls default to gender, ethnicity and duration where the data has them; a control that is the grouping
    itself is left out, since it would absorb the difference being tested.
    """
    require_columns(frame, [question, group_column])
    y = scale_values(frame, question)
    column = frame.get_column(group_column)
    in_group = (column == group).fill_null(False).to_numpy()
    if rest is None:
        use = column.is_not_null().to_numpy()
    else:
        use = in_group | (column == rest).fill_null(False).to_numpy()
    chosen = _controls_for(frame, controls, group_column)
    control_values, _ = _control_matrix(frame, chosen)
    weights = None if weight is None else weights_of(frame, weight)
    result = _compare(y, in_group, use, weights, control_values)
    return {
        "question": question,
        "by": group_column,
        "group": str(group),
        "compared_with": "øvrige" if rest is None else str(rest),
        "controls": ", ".join(chosen),
        **result,
    }


def subgroups_vs_rest(
    frame: pl.DataFrame,
    questions: Sequence[str],
    group_column: str,
    *,
    weight: str | None = None,
    controls: Sequence[str] | None = None,
    min_n: int = 2,
) -> pl.DataFrame:
    """Every group of ``group_column`` against the rest, per question (VIVE's "delmålgruppe vs øvrige").

    Groups with fewer than ``min_n`` answers (and a complementary one, see ``hidden_rows``) are neither shown
    nor part of any "rest", so no published mean of a rest contains a hidden group on its own.
    """
    require_columns(frame, [group_column])
    column = frame.get_column(group_column)
    groups = sorted(column.drop_nulls().unique().to_list())
    known = column.is_not_null().to_numpy()
    members = {group: (column == group).fill_null(False).to_numpy() for group in groups}
    chosen = _controls_for(frame, controls, group_column)
    control_values, _ = _control_matrix(frame, chosen)
    weights = None if weight is None else weights_of(frame, weight)
    rows = []
    for question in questions:
        y = scale_values(frame, question)
        answered = ~np.isnan(y)
        sizes = np.array([int((members[g] & answered).sum()) for g in groups])
        hidden = hidden_rows(sizes, max(min_n, 2))
        shown = known & ~np.any(
            [members[g] for g, h in zip(groups, hidden, strict=True) if h] or [False], axis=0
        )
        for group, size, is_hidden in zip(groups, sizes, hidden, strict=True):
            n_rest = int((shown & answered & ~members[group]).sum())
            if is_hidden or size < max(min_n, 2) or n_rest < max(min_n, 2):
                continue
            result = _compare(y, members[group], shown, weights, control_values)
            rows.append(
                {
                    "question": question,
                    "by": group_column,
                    "group": str(group),
                    "compared_with": "øvrige",
                    "controls": ", ".join(chosen),
                    **result,
                }
            )
    return comparisons_frame(rows)


def wave_change(
    frame: pl.DataFrame,
    question: str,
    before: object,
    after: object,
    *,
    wave_column: str = "aar",
    weight: str | None = None,
    controls: Sequence[str] | None = None,
) -> dict[str, object]:
    """Change from ``before`` to ``after``: difference = after − before, tested as two groups."""
    return compare_groups(frame, question, wave_column, after, rest=before, weight=weight, controls=controls)


def correlation_with(
    frame: pl.DataFrame, question: str, variable: str, *, weight: str | None = None
) -> dict[str, object]:
    """Pairwise correlation of the answers with a numeric background variable (age, duration)."""
    require_columns(frame, [question, variable])
    y = scale_values(frame, question)
    x = frame.get_column(variable).cast(pl.Float64, strict=False).fill_null(np.nan).to_numpy()
    rows = ~np.isnan(y) & ~np.isnan(x)
    if rows.sum() < 3:
        raise AnalysisInputError(
            f"kolonne '{variable}': kun {int(rows.sum())} rækker med både svar og værdi; mindst 3 kræves"
        )
    if np.ptp(x[rows]) == 0 or np.ptp(y[rows]) == 0:
        raise AnalysisInputError(
            f"kolonne '{variable}' eller '{question}' er konstant; korrelation er udefineret"
        )
    if weight is None:
        r, p_value = stats.pearsonr(x[rows], y[rows])
        method = "Pearson"
    else:
        w = weights_of(frame, weight)[rows]
        cov = np.cov(x[rows], y[rows], aweights=w)
        r = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
        _, _, p_values = least_squares(y[rows], np.column_stack([np.ones(int(rows.sum())), x[rows]]), w)
        p_value = p_values[1]
        method = "vægtet Pearson, WLS-hældning med robuste SE (HC1)"
    return {
        "question": question,
        "variable": variable,
        "n": int(rows.sum()),
        "correlation": float(r),
        "test": method,
        "p_value": float(p_value),
        "flag": significance_flag(float(p_value)),
    }


COMPARISON_SCHEMA = {
    "question": pl.Utf8,
    "by": pl.Utf8,
    "group": pl.Utf8,
    "compared_with": pl.Utf8,
    "controls": pl.Utf8,
    "n_group": pl.Int64,
    "n_rest": pl.Int64,
    "mean_group": pl.Float64,
    "mean_rest": pl.Float64,
    "difference": pl.Float64,
    "test": pl.Utf8,
    "statistic": pl.Float64,
    "p_value": pl.Float64,
    "flag": pl.Utf8,
    "controlled_difference": pl.Float64,
    "controlled_p_value": pl.Float64,
    "controlled_flag": pl.Utf8,
    "controlled_test": pl.Utf8,
    "n_controlled": pl.Int64,
    "survives_controls": pl.Boolean,
}


def comparisons_frame(rows: Sequence[dict[str, object]]) -> pl.DataFrame:
    """Comparison results as one table with a fixed schema (also when empty)."""
    return pl.DataFrame(
        [{key: row.get(key) for key in COMPARISON_SCHEMA} for row in rows], schema=COMPARISON_SCHEMA
    )
