"""Case-mix adjusted municipality scores, funnel limits and mode effects on synthetic municipalities.

borgerblik.synth.casemix draws 40 municipalities with very different mixes of target groups and ages; the
answer depends on the mix the same way everywhere. Raw means then put most municipalities outside the funnel;
adjusted ones put about the false-positive share outside 95 % and none outside 99,8 %, and a planted effect
of +0,5 in one municipality is found. The limits are recomputed here from statsmodels' WLS residuals.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from scipy import stats

from borgerblik.analysis.casemix import CASEMIX_COLUMNS, casemix_scores
from borgerblik.analysis.funnel import funnel_curves, outside_statement
from borgerblik.analysis.modes import mode_effects
from borgerblik.synth.casemix import case_mix_survey

MIX = ["maalgruppe_kl2024", "aldersgruppe", "koen"]
Q = "samlet_tilfredshed"


@pytest.fixture(scope="module")
def same_effect() -> pl.DataFrame:
    return case_mix_survey(40, seed=1)


def test_same_true_effect_different_mix_raw_flags_many_adjusted_no_more_than_chance(same_effect):
    scores = casemix_scores(same_effect, Q, adjust=MIX)
    assert scores.columns[: len(CASEMIX_COLUMNS)] == list(CASEMIX_COLUMNS)
    raw_95, raw_998 = int(scores["raw_outside_95"].sum()), int(scores["raw_outside_998"].sum())
    adjusted_95, adjusted_998 = int(scores["outside_95"].sum()), int(scores["outside_998"].sum())
    assert (raw_95, raw_998) == (32, 25)  # the raw ranking mostly ranks the mixes
    # 5 % of 40 is 2 expected by chance at 95 %; P(more than 5 of 40) under chance < 1 %
    assert adjusted_95 <= stats.binom.ppf(0.99, 40, 0.05) and adjusted_998 == 0
    assert sorted(scores["rank_adjusted"].to_list()) == list(range(1, 41))


def test_a_planted_municipal_effect_is_found():
    scores = casemix_scores(case_mix_survey(40, seed=1, planted={3: 0.5}), Q, adjust=MIX)
    flagged = scores.filter(pl.col("outside_998"))
    assert flagged["kommune"].to_list() == ["K04"]
    k04 = flagged.row(0, named=True)
    assert k04["adjusted"] - k04["national"] == pytest.approx(0.5, abs=0.15)
    assert k04["ci_low"] > k04["national"]
    assert "over landsniveau (99,8 %): K04" in outside_statement(scores)


def test_expected_is_the_national_model_at_the_municipality_mix_and_limits_are_independent(same_effect):
    scores = casemix_scores(same_effect, Q, adjust=MIX)
    data = same_effect.to_pandas()
    exog = sm.add_constant(pd_dummies(data))
    fit = sm.WLS(data[Q].to_numpy(float), exog, weights=np.ones(len(data))).fit()
    predicted = fit.fittedvalues
    residual = data[Q] - predicted
    national = data[Q].mean()
    sigma = residual.std(ddof=0)
    for row in scores.head(5).iter_rows(named=True):
        inside = (data["kommune"] == row["kommune"]).to_numpy()
        assert row["observed"] == pytest.approx(data.loc[inside, Q].mean(), rel=1e-12)
        assert row["expected"] == pytest.approx(predicted[inside].mean(), rel=1e-10)
        assert row["adjusted"] == pytest.approx(national + residual[inside].mean(), rel=1e-10)
        n = int(inside.sum())
        assert row["limit_95"] == pytest.approx(stats.norm.ppf(0.975) * sigma / np.sqrt(n), rel=1e-10)
        assert row["limit_998"] == pytest.approx(stats.norm.ppf(0.999) * sigma / np.sqrt(n), rel=1e-10)
    curves = funnel_curves(national, sigma, 700)
    at = curves.row(30, named=True)
    expected = national + stats.norm.ppf(0.999) * sigma / np.sqrt(at["n"])
    assert at["upper_998"] == pytest.approx(expected, rel=1e-12)


def pd_dummies(data):
    import pandas as pd

    return pd.get_dummies(data[MIX], drop_first=True).astype(float)


def test_ranks_before_and_after_and_small_municipalities_hidden():
    frame = case_mix_survey(6, seed=4, size=(30, 80))
    small = frame.filter(pl.col("kommune") == "K01").head(3)
    frame = pl.concat([frame.filter(pl.col("kommune") != "K01"), small])
    scores = casemix_scores(frame, Q, adjust=MIX, threshold=5)
    hidden = scores.filter(pl.col("adjusted").is_null())
    assert "K01" in hidden["kommune"].to_list() and hidden.height == 2  # K01 and its complement
    shown = scores.filter(pl.col("adjusted").is_not_null()).sort("observed", descending=True)
    assert shown["rank_raw"].to_list() == [1, 2, 3, 4]


def test_the_mode_effect_after_case_mix_recovers_the_planted_phone_effect():
    frame = case_mix_survey(30, seed=3, phone_effect=0.3)
    effects = mode_effects(frame, [Q], adjust=MIX).row(0, named=True)
    assert effects["mode"] == "telefon"
    assert effects["adjusted_difference"] == pytest.approx(0.3, abs=0.08)
    # phone answers are mostly aktivitetsparate, who answer lower: the raw difference understates the effect
    assert effects["raw_difference"] < effects["adjusted_difference"] - 0.1
    assert effects["flag"] == "5 %"
    with_mode = casemix_scores(frame, Q, adjust=[*MIX, "mode"])
    assert with_mode["adjusted_for"][0] == "maalgruppe_kl2024, aldersgruppe, koen, mode"


def test_analyze_adds_the_casemix_funnel_and_mode_tables():
    from borgerblik.analysis.survey import AnalysisOptions, analyze_survey

    frame = case_mix_survey(8, seed=6, size=(60, 90), phone_effect=0.2)
    tables = analyze_survey(frame, [Q], Q, options=AnalysisOptions(bootstrap=0, scheme="kl2024"))
    casemix = tables["casemix"]
    assert casemix.columns[: len(CASEMIX_COLUMNS)] == list(CASEMIX_COLUMNS)
    assert casemix["adjusted_for"][0] == "maalgruppe_kl2024, aldersgruppe, koen"
    assert tables["funnel"]["question"].unique().to_list() == [Q]
    assert tables["modes"]["mode"].to_list() == ["telefon"]
    assert list(tables)[-3:] == ["casemix", "funnel", "modes"]
