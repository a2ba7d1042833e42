"""Estimates on any numeric scale: on 1–5 they are the estimate table's (R-checked) mean and % positive;
on 0–10 with its own "ved ikke" code they are the hand computation for fixed weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from weighting_data import BY, QUESTIONS, STRATA

from borgerblik.weighting import WeightingInputError, estimate, fixed_weights, poststratify, rake
from borgerblik.weighting.estimates import scale_estimate

R_DIR = Path(__file__).parent / "r"


@pytest.mark.parametrize("method", ["poststratify", "rake_kommune"])
def test_on_one_to_five_it_equals_the_estimate_table(method: str) -> None:
    responses = pl.read_csv(R_DIR / "responses.csv", infer_schema=False)
    population = pl.read_csv(R_DIR / "population.csv", infer_schema=False)
    if method == "poststratify":
        weighting = poststratify(responses, population, STRATA)
    else:
        weighting = rake(responses, population, STRATA, design_strata=["kommune"])
    ours = scale_estimate(responses, weighting, QUESTIONS, BY)
    table = estimate(responses, weighting, QUESTIONS, BY)
    columns = ["n_valid", "n_dont_know", "weighted_n", "mean", "mean_se", "pct_positive", "pct_positive_se"]
    for column in columns:
        np.testing.assert_allclose(ours[column].to_numpy(), table[column].to_numpy(), rtol=1e-10)


def test_a_zero_to_ten_scale_with_its_own_dont_know_code() -> None:
    answers = ["0", "10", "7", "99", "", "9", "8"]
    frame = pl.DataFrame({"respondent_id": [f"r{i}" for i in range(7)], "nps": answers})
    weighting = fixed_weights(frame["respondent_id"].to_numpy(), np.ones(7))
    row = scale_estimate(frame, weighting, ["nps"], low=0, high=10, dont_know=99, positive=(9, 10)).row(
        0, named=True
    )
    y = np.array([0, 10, 7, 9, 8.0])
    assert (row["n_valid"], row["n_dont_know"], row["mean"]) == (5, 1, pytest.approx(6.8))
    # svydesign(ids=~1, weights=~1) over 7 rows: z = (y − ȳ)/5 in the domain, var = 7/6 · Σ z²
    assert row["mean_se"] == pytest.approx(np.sqrt(7 / 6 * np.sum(((y - 6.8) / 5) ** 2)), rel=1e-12)
    assert row["pct_positive"] == pytest.approx(0.4)
    with pytest.raises(WeightingInputError, match="linje 2, kolonne 'nps'"):
        scale_estimate(frame, weighting, ["nps"], low=1, high=5, dont_know=9)
