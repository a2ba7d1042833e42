"""Non-response analysis (KL seed, "Frafaldsanalyse" 1–3): sample vs respondents by group before and after
weighting, mean age of each, and the answered / opted-out ratio per group — on a ten-person sample
worked by hand."""

from __future__ import annotations

import polars as pl
import pytest

from borgerblik.weighting import mean_age, nonresponse_table, optout_ratio, poststratify, weights_report

SAMPLE = pl.DataFrame(
    {
        "respondent_id": [str(i) for i in range(1, 11)],
        "koen": ["kvinde"] * 5 + ["mand"] * 5,
        "alder_aar": [25, 35, 45, 55, 65, 20, 30, 40, 50, 60],
    }
)
ANSWERED = ["2", "3", "4", "5", "9", "10"]
OPTED_OUT = ["1", "6", "7"]


def test_sample_against_respondents_before_and_after_weighting() -> None:
    respondents = SAMPLE.filter(pl.col("respondent_id").is_in(ANSWERED))
    population = pl.DataFrame({"koen": ["kvinde", "mand"], "count": [500, 500]})
    weighting = poststratify(respondents, population, ["koen"])
    table = nonresponse_table(SAMPLE, ANSWERED, ["koen"], weights=weighting.weights)
    assert table.to_dicts() == [
        {"variable": "koen", "group": "kvinde", "sample_n": 5, "sample_share": 0.5, "respondents_n": 4,
         "respondents_share": pytest.approx(4 / 6), "weighted_share": pytest.approx(0.5),
         "difference": pytest.approx(4 / 6 - 0.5)},
        {"variable": "koen", "group": "mand", "sample_n": 5, "sample_share": 0.5, "respondents_n": 2,
         "respondents_share": pytest.approx(2 / 6), "weighted_share": pytest.approx(0.5),
         "difference": pytest.approx(2 / 6 - 0.5)},
    ]
    ages = mean_age(SAMPLE, ANSWERED, weights=weighting.weights)
    # Women 35,45,55,65 weigh 125 each, men 50,60 weigh 250 each: (200·125 + 110·250)/1000 = 52,5.
    assert ages == pytest.approx({"sample": 42.5, "respondents": 310 / 6, "respondents_weighted": 52.5})
    report = weights_report(weighting)
    assert (report.min_weight, report.max_weight, report.weight_sum) == (125.0, 250.0, 1000.0)
    assert report.design_effect == pytest.approx(6 * (4 * 125**2 + 2 * 250**2) / 1000**2)  # 1,125


def test_optout_ratio_per_group() -> None:
    table = optout_ratio(SAMPLE, ANSWERED, OPTED_OUT, ["koen"])
    assert table.select("group", "answered_n", "optout_n", "ratio").rows() == [
        ("kvinde", 4, 1, 4.0),
        ("mand", 2, 2, 1.0),
    ]
    assert table["answered_share"].to_list() == [0.8, 0.4]
