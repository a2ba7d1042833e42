"""Significance in VIVE's manner: a group against the rest, two groups, one wave against the next.

Every test is design-based, with the linearisation of the estimates beside it (weighting/inference.py): the
difference of two domain means is tested as R's ``svyttest`` and the controlled difference is the group
coefficient of ``svyglm`` on the group indicator plus the background variables, both on the survey's design
(stratified, fpc, post-stratified or raked). Without a design the answers are treated as R's
``svydesign(ids=~1, weights=~w)`` (weights 1 when unweighted). Each row names its test (``test``,
``controlled_test``). Results are flagged at 5 % and at 10 % (VIVE falls back to 10 % where 5 % is not
reached) and say whether the difference survives the controls (still significant at 10 %, same sign). Age and
duration are tested by pairwise (Pearson) correlation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from borgerblik.analysis.answers import (
    LIKERT_5,
    AnalysisInputError,
    AnswerScale,
    DesignRows,
    design_rows,
    require_columns,
    scale_for,
    scale_values,
)
from borgerblik.analysis.suppression import hidden_rows
from borgerblik.weighting.design import SurveyDesign, Weighting
from borgerblik.weighting.inference import (
    DESIGN_REGRESSION,
    DESIGN_T_TEST,
    Regression,
    design_regression,
    t_p_value,
)

DEFAULT_CONTROLS = ("koen", "etnicitet", "varighed_kontrol")
DERIVED_FROM = {
    "varighed": "varighed_kontrol",
    "tilknytning": "varighed_kontrol",
    "varighed_uger": "varighed_kontrol",
}
"""A control built from the grouping itself would absorb the very difference tested, so it is left out."""


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


def _fit(rows: DesignRows, y: np.ndarray, regressors: np.ndarray, used: np.ndarray) -> Regression:
    """svyglm(y ~ regressors) over the ``used`` frame rows, within the whole design."""
    x = np.column_stack([np.ones(len(y)), regressors])
    return design_regression(
        rows.variance,
        rows.spread(np.nan_to_num(y)),
        rows.spread(x),
        rows.spread(used.astype(bool)),
        coefficient=1,
    )


def _compare(
    y: np.ndarray,
    indicator: np.ndarray,
    use: np.ndarray,
    rows: DesignRows,
    controls: np.ndarray,
) -> dict[str, object]:
    """Group (indicator 1) minus comparison (indicator 0) among ``use`` rows with a valid answer.

    The difference of the two domain means is the coefficient of the indicator in ``svyglm(y ~ group)`` on
    the domain, and its test is R's ``svyttest``: design-based t with the design's degrees of freedom.
    """
    result = _compare_many(y, [indicator], use, rows, controls)[0]
    if isinstance(result, AnalysisInputError):
        raise result
    return result


def _compare_many(
    y: np.ndarray,
    indicators: Sequence[np.ndarray],
    use: np.ndarray,
    rows: DesignRows,
    controls: np.ndarray,
) -> list[dict[str, object] | AnalysisInputError]:
    """:func:`_compare` for several groups of one question and one domain (a breakdown's groups against
    their rests), with one design-variance pass for all their plain tests and one for all their controlled
    ones: the groups share the domain, so the degrees of freedom and the calibration projection are shared.
    The figures are the one-group ones (per group the same regressions); only the work is pooled."""
    used = use & ~np.isnan(y)
    # the design's own row order, so every sum runs in the order design_regression's would
    order = np.argsort(rows.rows, kind="stable")
    w, y0 = rows.weights[order], np.nan_to_num(y)[order]
    used_o = used[order]
    complete = used & (~np.isnan(controls).any(axis=1) if controls.shape[1] else True)
    complete_o = complete[order]
    c0 = np.nan_to_num(controls)[order]
    kept = [j for j in range(c0.shape[1]) if complete_o.any() and np.ptp(c0[complete_o, j]) > 0]
    c0 = c0[:, kept]
    variance = rows.variance
    df_plain = variance.degrees_of_freedom(rows.spread(used)) - 1
    p_controlled = 2 + len(kept)
    df_controlled = variance.degrees_of_freedom(rows.spread(complete)) + 1 - p_controlled
    results: list[dict[str, object] | AnalysisInputError] = []
    plain_z, plain_beta, controlled_z, controlled_beta, controlled_at = [], [], [], [], []
    # the domain's rows are the same for every group: sliced once, the group column filled in per group
    u, c = np.flatnonzero(used_o), np.flatnonzero(complete_o)
    plain_x = np.ones((len(u), 2))
    controlled_x = np.ones((len(c), 2 + len(kept)))
    controlled_x[:, 2:] = c0[c]
    for indicator in indicators:
        d = np.asarray(indicator, dtype=float)[order]
        in_a, in_b = used_o & (d == 1), used_o & (d == 0)
        if in_a.sum() < 2 or in_b.sum() < 2:
            results.append(
                AnalysisInputError(
                    f"for få svar til en test: {int(in_a.sum())} i gruppen og {int(in_b.sum())} i "
                    "sammenligningen (mindst 2 i hver)"
                )
            )
            continue
        mean_a = float(np.average(y0[in_a], weights=w[in_a]))
        mean_b = float(np.average(y0[in_b], weights=w[in_b]))
        plain_x[:, 1] = d[u]
        beta, z = _coefficient_influence(w, y0, plain_x, u)
        plain_beta.append(beta)
        plain_z.append(z)
        result: dict[str, object] = {
            "n_group": int(in_a.sum()),
            "n_rest": int(in_b.sum()),
            "mean_group": mean_a,
            "mean_rest": mean_b,
            "difference": mean_a - mean_b,
            "test": DESIGN_T_TEST,
        }
        controlled_x[:, 1] = d[c]
        full_rank = len(c) > controlled_x.shape[1] and (
            np.linalg.matrix_rank(controlled_x.T @ controlled_x) == controlled_x.shape[1]
        )
        if full_rank:
            beta_c, z_c = _coefficient_influence(w, y0, controlled_x, c)
            controlled_at.append(len(results))
            controlled_beta.append(beta_c)
            controlled_z.append(z_c)
        results.append(result)
    plain_se = _design_se(rows, order, plain_z)
    controlled_se = _design_se(rows, order, controlled_z)
    tested = [r for r in results if isinstance(r, dict)]
    for result, beta, se in zip(tested, plain_beta, plain_se, strict=True):
        statistic = beta / se
        p_value = float(t_p_value(statistic, df_plain))
        result.update(statistic=float(statistic), p_value=p_value, flag=significance_flag(p_value))
        result.update(_EMPTY_CONTROLLED)
    for at, beta, se in zip(controlled_at, controlled_beta, controlled_se, strict=True):
        p_value = float(t_p_value(beta / se, df_controlled))
        results[at].update(  # type: ignore[union-attr]
            controlled_difference=float(beta),
            controlled_p_value=p_value,
            controlled_flag=significance_flag(p_value),
            n_controlled=int(complete.sum()),
        )
    for result in tested:
        controlled_p = result["controlled_p_value"]
        result["survives_controls"] = bool(
            result["flag"] != ""
            and controlled_p is not None
            and controlled_p < 0.10  # type: ignore[operator]
            and np.sign(result["controlled_difference"]) == np.sign(result["difference"])
        )
    return results


_EMPTY_CONTROLLED: dict[str, object] = {
    "controlled_difference": None,
    "controlled_p_value": None,
    "controlled_flag": "",
    "controlled_test": DESIGN_REGRESSION,
    "n_controlled": 0,
}


def _coefficient_influence(
    w: np.ndarray, y: np.ndarray, xu: np.ndarray, used: np.ndarray
) -> tuple[float, np.ndarray]:
    """The group coefficient (column 1) of the weighted least squares of y on ``xu`` (the regressors of the
    ``used`` rows, given by index) and its influence values on every row (zero outside ``used``) —
    design_regression's, for one coefficient."""
    yu = y[used]
    weighted = xu * w[used, None]
    inverse = np.linalg.inv(xu.T @ weighted)
    beta = inverse @ (weighted.T @ yu)
    z = np.zeros(len(y))
    z[used] = (weighted * (yu - xu @ beta)[:, None]) @ inverse[:, 1]
    return float(beta[1]), z


def _design_se(rows: DesignRows, order: np.ndarray, influences: list[np.ndarray]) -> np.ndarray:
    """Design-based standard errors of several coefficients from their influence values (in design order),
    in one variance pass."""
    if not influences:
        return np.empty(0)
    frame_order = np.empty((len(order), len(influences)))
    frame_order[order] = np.column_stack(influences)
    return np.sqrt(rows.variance.variances(rows.spread(frame_order)))


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
    design: SurveyDesign | Weighting | None = None,
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
    result = _compare(y, in_group, use, design_rows(frame, design, weight), control_values)
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
    design: SurveyDesign | Weighting | None = None,
    scales: Mapping[str, AnswerScale] | None = None,
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
    placed = design_rows(frame, design, weight)
    rows = []
    for question in questions:
        y = scale_values(frame, question, scale_for(scales, question))
        answered = ~np.isnan(y)
        sizes = np.array([int((members[g] & answered).sum()) for g in groups])
        hidden = hidden_rows(sizes, max(min_n, 2))
        shown = known & ~np.any(
            [members[g] for g, h in zip(groups, hidden, strict=True) if h] or [False], axis=0
        )
        tested = [
            group
            for group, size, is_hidden in zip(groups, sizes, hidden, strict=True)
            if not is_hidden
            and size >= max(min_n, 2)
            and int((shown & answered & ~members[group]).sum()) >= max(min_n, 2)
        ]
        found = _compare_many(y, [members[g] for g in tested], shown, placed, control_values)
        for group, result in zip(tested, found, strict=True):
            if isinstance(result, AnalysisInputError):
                raise result
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
    design: SurveyDesign | Weighting | None = None,
) -> dict[str, object]:
    """Change from ``before`` to ``after``: difference = after − before, tested as two groups."""
    return compare_groups(
        frame, question, wave_column, after, rest=before, weight=weight, controls=controls, design=design
    )


def correlation_with(
    frame: pl.DataFrame,
    question: str,
    variable: str,
    *,
    weight: str | None = None,
    design: SurveyDesign | Weighting | None = None,
    scale: AnswerScale = LIKERT_5,
) -> dict[str, object]:
    """Pairwise (weighted) correlation of the answers with a numeric background variable (age, duration),
    tested by the design-based slope of ``svyglm(answer ~ variable)``."""
    require_columns(frame, [question, variable])
    y = scale_values(frame, question, scale)
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
    placed = design_rows(frame, design, weight)
    w = placed.weights[rows]
    cov = np.cov(x[rows], y[rows], aweights=w)
    r = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    p_value = float(_fit(placed, np.where(rows, y, 0.0), np.where(rows, x, 0.0), rows).p_value[1])
    method = "vægtet Pearson; designbaseret test af hældningen (som R's svyglm)"
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
