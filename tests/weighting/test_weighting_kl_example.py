"""The KL 2024 seed's worked example of weighting (kl-tvaerkommunal-2024.txt, "Fremgangsmetode og eksempel
på vægtning"): overall satisfaction, counts 9.769/10.247/5.388/2.375/2.795 (n = 30.574) with weight sums
20.409/23.183/12.672/5.773/7.063 (69.100) give the weighted shares 29,5/33,5/18,3/8,4/10,2 %.

The seed's *unweighted* column reads 32,0/33,5/18,3/8,4/10,2 %: its first two are 9.769/30.574 and
10.247/30.574, but the last three repeat the weighted column; the counts give 17,6/7,8/9,1 %.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from borgerblik.weighting import estimate as estimate_table
from borgerblik.weighting import poststratify, weights_report

COUNTS = [9769, 10247, 5388, 2375, 2795]
WEIGHT_SUMS = [20409, 23183, 12672, 5773, 7063]
# Seed order is Meget tilfreds … Meget utilfreds; answer code 5 = Meget tilfreds.
CODES = [5, 4, 3, 2, 1]


@pytest.fixture(scope="module")
def kl_example() -> tuple[pl.DataFrame, pl.DataFrame]:
    """One stratum per answer category, population = the seed's weight sum, respondents = its count.

    The KL rule, weight = population count / complete answers in the stratum, then gives every category
    exactly the seed's weight sum.
    """
    stratum = np.repeat([f"s{c}" for c in CODES], COUNTS)
    answers = np.repeat(CODES, COUNTS).astype(str)
    responses = pl.DataFrame(
        {"respondent_id": [f"r{i}" for i in range(len(stratum))], "stratum": stratum,
         "samlet_tilfredshed": answers}
    )
    population = pl.DataFrame({"stratum": [f"s{c}" for c in CODES], "count": WEIGHT_SUMS})
    return responses, population


def test_weight_sums_are_the_seeds(kl_example: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    responses, population = kl_example
    weighting = poststratify(responses, population, ["stratum"])
    sums = (
        responses.with_columns(pl.Series("w", weighting.design.weights))
        .group_by("samlet_tilfredshed").agg(pl.col("w").sum()).sort("samlet_tilfredshed", descending=True)
    )
    assert np.allclose(sums["w"].to_numpy(), WEIGHT_SUMS, rtol=1e-12)
    assert weights_report(weighting).weight_sum == pytest.approx(69100, rel=1e-12)


def test_weighted_shares_reproduce_the_seed(kl_example: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    responses, population = kl_example
    weighting = poststratify(responses, population, ["stratum"])
    row = estimate_table(responses, weighting, ["samlet_tilfredshed"]).row(0, named=True)
    weighted = [round(100 * row[f"share_{c}"], 1) for c in CODES]
    assert weighted == [29.5, 33.5, 18.3, 8.4, 10.2]
    assert row["n_valid"] == 30574
    assert row["weighted_n"] == pytest.approx(69100, rel=1e-12)
    unweighted = [round(100 * row[f"unweighted_share_{c}"], 1) for c in CODES]
    assert unweighted == [32.0, 33.5, 17.6, 7.8, 9.1]
    # Every respondent is in a census-like stratum of its own answer: the shares are known without error.
    assert row["share_5_se"] == pytest.approx(0.0, abs=1e-8)
