"""VIVE's tests, design-based: each equals an independent sandwich computation (design_reference.py) on the
same numbers; R's equality of the method is in tests/weighting/test_weighting_inference_against_r.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.formula.api as smf
from design_reference import svyglm_fixed

from borgerblik.analysis import compare_groups, correlation_with, significance_flag, subgroups_vs_rest


@pytest.fixture()
def survey() -> pl.DataFrame:
    """120 answers in three groups with gender, ethnicity, duration group and age; some 'ved ikke'."""
    rng = np.random.default_rng(2020)
    n = 120
    group = rng.choice(["ledighedsydelse", "sygedagpenge", "aktivitetsparate"], size=n)
    koen = rng.choice(["mand", "kvinde"], size=n)
    etnicitet = rng.choice(["dansk", "anden"], size=n, p=[0.7, 0.3])
    varighed = rng.choice(["under 26 uger", "26-52 uger", "1-2 år"], size=n)
    base = 3.6 - 0.5 * (group == "ledighedsydelse") - 0.4 * (etnicitet == "anden")
    answer = np.clip(np.round(base + rng.normal(scale=0.9, size=n)), 1, 5)
    answer[rng.random(n) < 0.08] = 9
    return pl.DataFrame(
        {
            "gruppe": group,
            "koen": koen,
            "etnicitet": etnicitet,
            "varighed_kontrol": varighed,
            "alder": rng.integers(18, 66, size=n),
            "vaegt": rng.uniform(0.5, 3.0, size=n),
            "samtale": answer,
        }
    )


def valid(frame: pl.DataFrame) -> pd.DataFrame:
    data = frame.to_pandas()
    return data[data["samtale"] != 9]


def test_subgroup_vs_rest_is_a_design_based_t_test_and_the_controls_a_design_based_regression(survey):
    result = compare_groups(survey, "samtale", "gruppe", "ledighedsydelse")
    data = valid(survey)
    inside = (data["gruppe"] == "ledighedsydelse").to_numpy().astype(float)
    y = data["samtale"].to_numpy()
    params, statistic, p_values = svyglm_fixed(y, inside, np.ones(len(y)), survey.height)
    assert result["test"] == "designbaseret t-test (Taylor-linearisering, som R's svyttest)"
    assert result["statistic"] == pytest.approx(statistic[1], rel=1e-10)
    assert result["p_value"] == pytest.approx(p_values[1], rel=1e-9)
    assert result["difference"] == pytest.approx(y[inside == 1].mean() - y[inside == 0].mean(), abs=1e-12)
    controls = pd.get_dummies(data[["koen", "etnicitet", "varighed_kontrol"]], drop_first=True).to_numpy()
    params, _, p_values = svyglm_fixed(y, np.column_stack([inside, controls]), np.ones(len(y)), survey.height)
    formula = "samtale ~ i + C(koen) + C(etnicitet) + C(varighed_kontrol)"
    ols = smf.ols(formula, data=data.assign(i=inside)).fit()
    assert result["controlled_difference"] == pytest.approx(ols.params["i"], abs=1e-10) == params[1]
    assert result["controlled_p_value"] == pytest.approx(p_values[1], rel=1e-9)
    assert result["controlled_test"] == "designbaseret regression med kontrol (som R's svyglm)"
    assert result["controls"] == "koen, etnicitet, varighed_kontrol"
    assert result["n_group"] + result["n_rest"] == len(data)


def test_weighted_comparison_is_design_based_on_the_fixed_weights(survey):
    result = compare_groups(survey, "samtale", "gruppe", "sygedagpenge", weight="vaegt", controls=("koen",))
    data = valid(survey)
    inside = (data["gruppe"] == "sygedagpenge").to_numpy().astype(float)
    y, w = data["samtale"].to_numpy(), data["vaegt"].to_numpy()
    params, _, p_values = svyglm_fixed(y, inside, w, survey.height)
    assert result["difference"] == pytest.approx(params[1], abs=1e-10)
    assert result["p_value"] == pytest.approx(p_values[1], rel=1e-9)
    man = (data["koen"] == "mand").to_numpy().astype(float)
    _, _, p_values = svyglm_fixed(y, np.column_stack([inside, man]), w, survey.height)
    assert result["controlled_p_value"] == pytest.approx(p_values[1], rel=1e-9)


def test_two_groups_leave_the_third_out(survey):
    result = compare_groups(survey, "samtale", "gruppe", "sygedagpenge", rest="aktivitetsparate", controls=())
    data = valid(survey)
    data = data[data["gruppe"].isin(["sygedagpenge", "aktivitetsparate"])]
    inside = (data["gruppe"] == "sygedagpenge").to_numpy().astype(float)
    _, _, p_values = svyglm_fixed(data["samtale"].to_numpy(), inside, np.ones(len(data)), survey.height)
    assert result["p_value"] == pytest.approx(p_values[1], rel=1e-9)
    assert (result["n_group"], result["n_rest"]) == (int(inside.sum()), int(len(inside) - inside.sum()))
    assert result["compared_with"] == "aktivitetsparate"


def test_correlation_with_age_is_pearsons_with_a_design_based_slope(survey):
    result = correlation_with(survey, "samtale", "alder")
    data = valid(survey)
    r = np.corrcoef(data["alder"], data["samtale"])[0, 1]
    _, _, p_values = svyglm_fixed(
        data["samtale"].to_numpy(), data["alder"].to_numpy(), np.ones(len(data)), survey.height
    )
    assert result["correlation"] == pytest.approx(r, abs=1e-12)
    assert result["p_value"] == pytest.approx(p_values[1], rel=1e-9)


@pytest.mark.parametrize(
    ("p", "flag"), [(0.049, "5 %"), (0.05, "10 %"), (0.0999, "10 %"), (0.10, ""), (0.7, "")]
)
def test_flags_at_five_and_ten_percent(p, flag):
    assert significance_flag(p) == flag


def test_survives_controls_when_the_controlled_difference_stays_significant(survey):
    table = subgroups_vs_rest(survey, ["samtale"], "gruppe")
    assert table["group"].to_list() == ["aktivitetsparate", "ledighedsydelse", "sygedagpenge"]
    for row in table.iter_rows(named=True):
        expected = (
            bool(row["flag"])
            and row["controlled_p_value"] < 0.10
            and (np.sign(row["controlled_difference"]) == np.sign(row["difference"]))
        )
        assert row["survives_controls"] == expected
    ledighed = table.filter(pl.col("group") == "ledighedsydelse").row(0, named=True)
    assert ledighed["difference"] < 0 and ledighed["flag"] == "5 %"


def test_a_control_derived_from_the_grouping_is_left_out(survey):
    frame = survey.with_columns(pl.col("varighed_kontrol").alias("varighed"))
    result = compare_groups(frame, "samtale", "varighed", "1-2 år")
    assert result["controls"] == "koen, etnicitet"
    assert result["controlled_p_value"] is not None


def test_a_group_without_answers_to_a_question_is_skipped(survey):
    silent = survey.with_columns(
        pl.when(pl.col("gruppe") == "ledighedsydelse").then(9).otherwise(pl.col("samtale")).alias("samtale")
    )
    table = subgroups_vs_rest(silent, ["samtale"], "gruppe")
    assert table["group"].to_list() == ["aktivitetsparate", "sygedagpenge"]
