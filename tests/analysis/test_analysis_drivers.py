"""Relative weights (Johnson 2000) against independent computations, and the bad inputs they refuse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.api as sm

from borgerblik.analysis import DriverError, largest_differences, relative_weights
from borgerblik.analysis.drivers import relative_weights_by_group

PREDICTORS = ["q1", "q2", "q3", "q4"]


def as_valid(frame: pl.DataFrame) -> pd.DataFrame:
    data = frame.to_pandas()
    return data.where(data != 9)


def johnson_by_svd(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson's own route: the orthogonal Z closest to the standardised X via the SVD of the data matrix."""
    xs = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    ys = (y - y.mean()) / y.std(ddof=1)
    p_mat, _, q_t = np.linalg.svd(xs, full_matrices=False)
    z = np.sqrt(len(xs) - 1) * p_mat @ q_t
    beta = np.linalg.lstsq(z, ys, rcond=None)[0]
    lam = np.linalg.lstsq(z, xs, rcond=None)[0]
    return (lam.T**2) @ (beta**2)


def test_listwise_weights_equal_johnsons_svd_route_and_sum_to_the_regression_r2(driver_frame):
    data = as_valid(driver_frame)[["samlet", *PREDICTORS]].dropna()
    result = relative_weights(driver_frame, "samlet", PREDICTORS, missing="listwise", bootstrap=0)
    x, y = data[PREDICTORS].to_numpy(), data["samlet"].to_numpy()
    expected = johnson_by_svd(x, y)
    np.testing.assert_allclose(result.table["raw_weight"].to_numpy(), expected, rtol=0, atol=1e-9)
    r_squared = sm.OLS(y, sm.add_constant(x)).fit().rsquared
    assert result.r_squared == pytest.approx(r_squared, abs=1e-9)
    np.testing.assert_allclose(
        result.table["rescaled_weight"].to_numpy(), 100 * expected / r_squared, atol=1e-9
    )
    assert result.n_included == len(data)


def test_pairwise_weights_equal_a_direct_eigen_decomposition_of_pandas_pairwise_correlations(driver_frame):
    data = as_valid(driver_frame)[["samlet", *PREDICTORS]]
    included = data[data.notna().sum(axis=1) >= 2.5]
    corr = included.corr().to_numpy()
    r_xx, r_xy = corr[1:, 1:], corr[1:, 0]
    values, vectors = np.linalg.eigh(r_xx)
    lam = vectors @ np.diag(np.sqrt(values)) @ vectors.T
    beta = np.linalg.solve(lam, r_xy)
    expected = (lam**2) @ (beta**2)
    result = relative_weights(driver_frame, "samlet", PREDICTORS, bootstrap=0)
    np.testing.assert_allclose(result.table["raw_weight"].to_numpy(), expected, rtol=0, atol=1e-9)
    assert result.n_included == len(included)
    assert result.n_excluded == len(data) - len(included)
    np.testing.assert_allclose(
        result.table["mean"].to_numpy(), included[PREDICTORS].mean().to_numpy(), atol=1e-12
    )


def test_bootstrap_intervals_bracket_the_estimate_and_repeat_with_the_seed(driver_frame):
    first = relative_weights(driver_frame, "samlet", PREDICTORS, bootstrap=200, seed=7).table
    again = relative_weights(driver_frame, "samlet", PREDICTORS, bootstrap=200, seed=7).table
    assert first.equals(again)
    assert (first["raw_ci_low"] <= first["raw_weight"]).all()
    assert (first["raw_weight"] <= first["raw_ci_high"]).all()
    assert (first["rescaled_ci_low"] <= first["rescaled_weight"]).all()
    assert first["rescaled_weight"].sum() == pytest.approx(100.0, abs=1e-9)


def test_without_bootstrap_the_intervals_are_empty_never_nan(driver_frame):
    table = relative_weights(driver_frame, "samlet", PREDICTORS, bootstrap=0).table
    assert table["raw_ci_low"].null_count() == len(PREDICTORS)
    assert not any(table[c].is_nan().any() for c in table.columns if table[c].dtype == pl.Float64)


def test_groups_and_the_stratified_whole(driver_frame):
    frame = driver_frame.with_columns(pl.Series("kommune", ["Albertslund", "Ballerup", "Dragør"] * 100))
    results = relative_weights_by_group(frame, "samlet", PREDICTORS, "kommune", bootstrap=200, seed=4)
    assert list(results) == ["alle", "Albertslund", "Ballerup", "Dragør"]
    whole = relative_weights(frame, "samlet", PREDICTORS, bootstrap=0)
    stratified = results["alle"].table
    np.testing.assert_allclose(
        stratified["raw_weight"].to_numpy(), whole.table["raw_weight"].to_numpy(), atol=1e-12
    )
    assert results["alle"].n_included == sum(
        results[k].n_included for k in ("Albertslund", "Ballerup", "Dragør")
    )
    assert (stratified["raw_ci_low"] <= stratified["raw_weight"]).all()
    assert (stratified["raw_weight"] <= stratified["raw_ci_high"]).all()
    ballerup = frame.filter(pl.col("kommune") == "Ballerup")
    alone = relative_weights(ballerup, "samlet", PREDICTORS, bootstrap=0).table["raw_weight"].to_numpy()
    np.testing.assert_allclose(results["Ballerup"].table["raw_weight"].to_numpy(), alone, atol=1e-12)


def test_half_answered_rule_drops_respondents_who_answered_fewer_than_half():
    frame = pl.DataFrame(
        {
            "y": [1, 2, 3, 4, 5, 3, 2, 4, 9],
            "a": [1, 3, 2, 5, 4, 3, 1, 4, 9],
            "b": [2, 1, 3, 4, 5, 2, 3, 5, 9],
            "c": [1, 2, 4, 3, 5, 4, 2, 3, 2],
        }
    )
    result = relative_weights(frame, "y", ["a", "b", "c"], bootstrap=0)
    assert (result.n_included, result.n_excluded) == (8, 1)


def test_a_constant_predictor_is_named():
    frame = pl.DataFrame({"y": [1, 2, 3, 4, 5, 2], "a": [1, 3, 2, 5, 4, 1], "fast": [3, 3, 3, 3, 3, 9]})
    with pytest.raises(DriverError, match="kolonne 'fast' er konstant"):
        relative_weights(frame, "y", ["a", "fast"], bootstrap=0)


def test_perfectly_collinear_predictors_are_named():
    a = [1, 3, 2, 5, 4, 1, 2, 4]
    frame = pl.DataFrame(
        {"y": [1, 2, 3, 4, 5, 2, 3, 5], "a": a, "b": [6 - v for v in a], "c": [2, 1, 3, 4, 5, 3, 3, 1]}
    )
    with pytest.raises(DriverError, match="'a', 'b' er perfekt kollineære"):
        relative_weights(frame, "y", ["a", "b", "c"], bootstrap=0)


def test_too_few_complete_rows_for_the_number_of_predictors():
    frame = pl.DataFrame({"y": [1, 2, 3, 4], "a": [1, 3, 2, 5], "b": [2, 1, 3, 4], "c": [5, 1, 2, 3]})
    with pytest.raises(DriverError, match="for få svar.*3 forklarende spørgsmål kræver mindst 5"):
        relative_weights(frame, "y", ["a", "b", "c"], bootstrap=0)


def test_a_non_numeric_outcome_names_the_column_and_row():
    frame = pl.DataFrame({"y": ["1", "2", "tilfreds"], "a": [1, 2, 3]})
    with pytest.raises(
        ValueError, match="kolonne 'y', linje 4: forventede et svar 1–5, 9 eller tomt, fik 'tilfreds'"
    ):
        relative_weights(frame, "y", ["a"], bootstrap=0)


def test_largest_differences_between_high_and_low_on_the_outcome_come_largest_first():
    frame = pl.DataFrame(
        {
            "job": [5, 4, 4, 2, 1, 3, 9],
            "a": [5, 5, 4, 1, 2, 3, 1],
            "b": [3, 4, 3, 3, 3, 5, 5],
            "c": [4, 9, 5, 2, 3, 1, 1],
        }
    )
    table = largest_differences(frame, "job", ["job", "a", "b", "c"])
    assert table["question"].to_list() == ["a", "c", "b"]
    assert table["difference"].to_list() == pytest.approx([14 / 3 - 1.5, 4.5 - 2.5, 10 / 3 - 3])
    assert table.row(0, named=True)["n_high"] == 3 and table.row(1, named=True)["n_high"] == 2
