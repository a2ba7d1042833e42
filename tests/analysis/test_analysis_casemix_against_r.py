"""Case-mix adjusted municipality scores against R's survey package (issue 16), tolerance 1e-8 relative.

Golden file: tests/analysis/r/golden_casemix.csv, written by tests/analysis/r/casemix_goldens.R (survey 4.1.1,
Debian's r-cran-survey) from the weighting stage's R inputs (tests/weighting/r: 1,990 respondents in three
municipalities). Regenerate with
``Rscript tests/analysis/r/casemix_goldens.R tests/weighting/r tests/analysis/r``; the live test below
reruns it when Rscript with survey is installed (always under CI).

Per design — post-stratified (stratified, fpc), R's default ``svydesign(ids=~1)`` post-stratified and raked,
raked on municipal strata, fixed weights — and municipality: observed (svyby svymean), expected (svyby of the
svyglm predictions), adjusted (national + observed − expected) and the adjusted score's standard error, which
R computes by another route than ours: the delta method on svytotal's joint covariance of the totals the
score is a function of (X'WX, X'Wy and the municipality's W, Wy, WX), where ours sums influence values. The
interval ``ci_low``/``ci_high`` is adjusted ± 1,959964 · se. Tolerance 1e-8 relative. Measured: scores
within 1e-14 and SEs within 3e-13 on the post-stratified and fixed designs; on the raked ones scores within
3e-12 and SEs within 6e-11, the raking's convergence (R's epsilon 1e-13 on the weights) being the difference.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from borgerblik.analysis.casemix import casemix_scores
from borgerblik.weighting import Weighting, fixed_weights, poststratify, rake
from borgerblik.weighting.estimates import Z_95

HERE = Path(__file__).parent
R_INPUT = HERE.parent / "weighting" / "r"
GOLDEN = HERE / "r" / "golden_casemix.csv"
RTOL = 1e-8
STRATA = ["kommune", "koen", "alder", "maalgruppe"]
MIX = ["maalgruppe", "alder", "koen", "status"]
METHODS = ["poststratify", "poststratify_srs", "rake_srs", "rake_kommune", "fixed"]


@pytest.fixture(scope="module")
def responses() -> pl.DataFrame:
    return pl.read_csv(R_INPUT / "responses.csv", infer_schema=False)


def _design(responses: pl.DataFrame, method: str) -> Weighting:
    population = pl.read_csv(R_INPUT / "population.csv", infer_schema=False)
    if method == "fixed":
        weights = responses["fixed_weight"].cast(pl.Float64).to_numpy()
        return fixed_weights(responses["respondent_id"].to_numpy(), weights)
    if method.startswith("poststratify"):
        return poststratify(
            responses, population, STRATA, design="srs" if method.endswith("srs") else "stratified"
        )
    if method == "rake_srs":
        return rake(responses, population, STRATA, design="srs")
    return rake(responses, population, STRATA, design_strata=["kommune"])


def _compare(ours: pl.DataFrame, golden: pl.DataFrame) -> None:
    ours = ours.sort("kommune")
    golden = golden.sort("kommune")
    assert ours["kommune"].to_list() == golden["kommune"].to_list()
    assert ours["n"].to_list() == golden["n"].cast(pl.Int64).to_list()
    for column in ("observed", "expected", "adjusted", "se"):
        expected = golden[column].cast(pl.Float64).to_numpy()
        np.testing.assert_allclose(ours[column].to_numpy(), expected, rtol=RTOL, err_msg=column)
    adjusted, se = golden["adjusted"].cast(pl.Float64).to_numpy(), golden["se"].cast(pl.Float64).to_numpy()
    np.testing.assert_allclose(ours["ci_low"].to_numpy(), adjusted - Z_95 * se, rtol=RTOL)
    np.testing.assert_allclose(ours["ci_high"].to_numpy(), adjusted + Z_95 * se, rtol=RTOL)


@pytest.mark.parametrize("method", METHODS)
def test_adjusted_scores_and_their_interval_equal_r(responses: pl.DataFrame, method: str) -> None:
    ours = casemix_scores(responses, "tillid", adjust=MIX, design=_design(responses, method), threshold=1)
    golden = pl.read_csv(GOLDEN, infer_schema=False).filter(pl.col("method") == method)
    assert golden.height == 3
    _compare(ours, golden)


def test_the_committed_golden_is_what_the_r_script_writes(
    responses: pl.DataFrame, rscript: str, tmp_path: Path
) -> None:
    subprocess.run(
        [rscript, str(HERE / "r" / "casemix_goldens.R"), str(R_INPUT), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    fresh = pl.read_csv(tmp_path / "golden_casemix.csv", infer_schema=False)
    committed = pl.read_csv(GOLDEN, infer_schema=False)
    for method in METHODS:
        _compare(
            casemix_scores(responses, "tillid", adjust=MIX, design=_design(responses, method), threshold=1),
            fresh.filter(pl.col("method") == method),
        )
    numbers = ["observed", "expected", "adjusted", "se"]
    np.testing.assert_allclose(
        fresh.select(pl.col(numbers).cast(pl.Float64)).to_numpy(),
        committed.select(pl.col(numbers).cast(pl.Float64)).to_numpy(),
        rtol=1e-12,
    )
