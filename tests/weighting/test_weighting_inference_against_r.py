"""Design-based tests and regressions against R's survey package (4.x), tolerance 1e-8 relative.

Goldens from tests/weighting/r/inference_goldens.R on the inputs of survey_goldens.R: ``svyttest`` of a
municipality against the rest and of one age group against another, a ``svycontrast`` of two municipal domain
means, and ``svyglm`` with controls (coefficients, SEs, t, df, p) — each on the post-stratified design, on R's
default ``svydesign(ids=~1)`` post-stratified and raked (``--design srs``), raked on sampling strata coarser
than the cells, and with fixed weights.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from weighting_data import STRATA

from borgerblik.weighting import Weighting, fixed_weights, poststratify, rake
from borgerblik.weighting.inference import DesignVariance, design_regression, domain_mean_influence

R_DIR = Path(__file__).parent / "r"
RTOL = 1e-8
METHODS = ["poststratify", "poststratify_srs", "rake_srs", "rake_kommune", "fixed"]


@pytest.fixture(scope="module")
def responses() -> pl.DataFrame:
    return pl.read_csv(R_DIR / "responses.csv", infer_schema=False)


@pytest.fixture(scope="module")
def designs(responses: pl.DataFrame) -> dict[str, Weighting]:
    population = pl.read_csv(R_DIR / "population.csv", infer_schema=False)
    return {
        "poststratify": poststratify(responses, population, STRATA),
        "poststratify_srs": poststratify(responses, population, STRATA, design="srs"),
        "rake_srs": rake(responses, population, STRATA, design="srs"),
        "rake_kommune": rake(responses, population, STRATA, design_strata=["kommune"]),
        "fixed": fixed_weights(
            responses["respondent_id"].to_numpy(), responses["fixed_weight"].cast(pl.Float64).to_numpy()
        ),
    }


def _scores(responses: pl.DataFrame, question: str) -> np.ndarray:
    y = responses[question].cast(pl.Float64, strict=False).to_numpy()
    return np.where((y >= 1) & (y <= 5), y, np.nan)


def _golden(method: str, test: str) -> pl.DataFrame:
    return pl.read_csv(R_DIR / "golden_inference.csv", infer_schema=False).filter(
        (pl.col("method") == method) & (pl.col("test") == test)
    )


def _value(frame: pl.DataFrame, column: str) -> np.ndarray:
    return frame[column].cast(pl.Float64, strict=False).to_numpy()


@pytest.mark.parametrize("method", METHODS)
def test_municipality_against_the_rest_equals_svyttest(
    responses: pl.DataFrame, designs: dict[str, Weighting], method: str
) -> None:
    y = _scores(responses, "tillid")
    used = ~np.isnan(y)
    x = np.column_stack([np.ones(len(y)), (responses["kommune"] == "Albertslund").to_numpy()])
    fit = design_regression(DesignVariance(designs[method]), np.nan_to_num(y), x, used)
    golden = _golden(method, "kommune_vs_rest")
    np.testing.assert_allclose(fit.coefficients[1], _value(golden, "estimate"), rtol=RTOL)
    np.testing.assert_allclose(fit.se[1], _value(golden, "se"), rtol=RTOL)
    np.testing.assert_allclose(fit.p_value[1], _value(golden, "p_value"), rtol=RTOL)
    assert fit.df - 0 == int(_value(golden, "df")[0])


@pytest.mark.parametrize("method", METHODS)
def test_group_against_group_equals_svyttest(
    responses: pl.DataFrame, designs: dict[str, Weighting], method: str
) -> None:
    y = _scores(responses, "samlet_tilfredshed")
    age = responses["alder"].to_numpy()
    used = ~np.isnan(y) & np.isin(age, ["16-29", "50-66"])
    x = np.column_stack([np.ones(len(y)), age == "50-66"])
    fit = design_regression(DesignVariance(designs[method]), np.nan_to_num(y), x, used)
    golden = _golden(method, "age_vs_age")
    np.testing.assert_allclose(fit.statistic[1], _value(golden, "statistic"), rtol=RTOL)
    np.testing.assert_allclose(fit.p_value[1], _value(golden, "p_value"), rtol=RTOL)
    assert fit.df == int(_value(golden, "df")[0])


@pytest.mark.parametrize("method", METHODS)
def test_contrast_of_domain_means_equals_svycontrast(
    responses: pl.DataFrame, designs: dict[str, Weighting], method: str
) -> None:
    y = _scores(responses, "tillid")
    kommune = responses["kommune"].to_numpy()
    members = np.column_stack([~np.isnan(y) & (kommune == k) for k in ("Brøndby", "Albertslund")])
    design = designs[method].design
    means, z = domain_mean_influence(y, design.weights, members)
    variance = DesignVariance(design).variances(z[:, [0]] - z[:, [1]])
    golden = _golden(method, "contrast")
    np.testing.assert_allclose(means[0] - means[1], _value(golden, "estimate"), rtol=RTOL)
    np.testing.assert_allclose(np.sqrt(variance), _value(golden, "se"), rtol=RTOL)


@pytest.mark.parametrize("method", METHODS)
def test_regression_with_controls_equals_svyglm(
    responses: pl.DataFrame, designs: dict[str, Weighting], method: str
) -> None:
    y = _scores(responses, "tillid")
    x = np.column_stack([
        np.ones(len(y)),
        (responses["kommune"] == "Albertslund").to_numpy(),
        (responses["koen"] == "mand").to_numpy(),
        (responses["status"] == "igangværende").to_numpy(),
    ]).astype(float)
    fit = design_regression(DesignVariance(designs[method]), np.nan_to_num(y), x, ~np.isnan(y))
    golden = _golden(method, "controls")
    assert golden["term"].to_list() == ["(Intercept)", "albertslund", "koenmand", "statusigangværende"]
    np.testing.assert_allclose(fit.coefficients, _value(golden, "estimate"), rtol=RTOL)
    np.testing.assert_allclose(fit.se, _value(golden, "se"), rtol=RTOL)
    np.testing.assert_allclose(fit.statistic, _value(golden, "statistic"), rtol=RTOL)
    np.testing.assert_allclose(fit.p_value, _value(golden, "p_value"), rtol=1e-7, atol=1e-300)
    assert fit.df == int(_value(golden, "df")[0])


@pytest.mark.r
@pytest.mark.slow
def test_inference_goldens_are_current(rscript: str, tmp_path: Path) -> None:
    """Re-runs the R script live: the committed goldens must be what R's survey package gives today."""
    subprocess.run([rscript, str(R_DIR / "inference_goldens.R"), str(R_DIR), str(tmp_path)], check=True,
                   capture_output=True)
    fresh = pl.read_csv(tmp_path / "golden_inference.csv", infer_schema=False)
    committed = pl.read_csv(R_DIR / "golden_inference.csv", infer_schema=False)
    keys = ["method", "test", "term"]
    assert fresh.select(keys).equals(committed.select(keys))
    for column in ("estimate", "se", "statistic", "df", "p_value"):
        np.testing.assert_allclose(
            fresh[column].cast(pl.Float64, strict=False), committed[column].cast(pl.Float64, strict=False),
            rtol=1e-10, atol=1e-300,
        )
