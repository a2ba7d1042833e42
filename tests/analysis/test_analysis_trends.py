"""The Copenhagen memo (notat-udvikling-2020-2022): question rows in, the published average row out."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from borgerblik.analysis import proportion_changes, trend_from_responses, with_average_row
from borgerblik.analysis.trends import AVERAGE_LABEL

# Tabel 1, % positive per question; columns 2022 JU, 2022 udsatte, 2021 JU, 2021 udsatte, 2020 JU, 2020 uds.
MEMO_ROWS = {
    "samtale": [89, 89, 89, 82, 93, 80],
    "behandlet": [75, 78, 84, 70, 80, 57],
    "spoerge": [89, 90, 85, 85, 89, 85],
    "naeste_samtale": [86, 86, 85, 72, 85, 72],
    "bidraget": [74, 69, 69, 64, 79, 64],
    "fremdrift": [49, 58, 46, 48, 44, 48],
    "inddrager": [82, 85, 82, 75, 85, 79],
}
COLUMNS = [
    (2022, "job_udd_parate"),
    (2022, "udsatte"),
    (2021, "job_udd_parate"),
    (2021, "udsatte"),
    (2020, "job_udd_parate"),
    (2020, "udsatte"),
]
MEMO_AVERAGE = [78, 79, 77, 71, 79, 69]


def memo_table() -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"question": q, "year": year, "group": group, "pct_positive": float(values[k])}
            for q, values in MEMO_ROWS.items()
            for k, (year, group) in enumerate(COLUMNS)
        ]
    )


def test_the_memos_average_row_follows_from_its_question_rows():
    table = with_average_row(memo_table())
    average = table.filter(pl.col("question") == AVERAGE_LABEL)
    got = {(r["year"], r["group"]): r["pct_positive"] for r in average.iter_rows(named=True)}
    assert [got[c] for c in COLUMNS] == MEMO_AVERAGE
    assert average["n_questions"].to_list() == [7] * 6


def test_unrounded_average_is_the_plain_mean():
    table = with_average_row(memo_table(), decimals=None)
    row = table.filter(
        (pl.col("question") == AVERAGE_LABEL)
        & (pl.col("year") == 2022)
        & (pl.col("group") == "job_udd_parate")
    )
    assert row["pct_positive"][0] == pytest.approx(544 / 7)


def test_change_in_percent_positive_is_a_two_proportion_z_test_when_n_is_known():
    trend = memo_table().filter(pl.col("question") == "fremdrift").with_columns(pl.lit(200).alias("n_valid"))
    changes = proportion_changes(trend).filter(pl.col("group") == "udsatte")
    assert changes.select("year_before", "year_after", "change").rows() == [
        (2020, 2021, 0.0),
        (2021, 2022, 10.0),
    ]
    _, p = proportions_ztest(np.array([116, 96]), np.array([200, 200]))
    assert changes["p_value"][1] == pytest.approx(p, abs=1e-12)
    assert changes["flag"][1] == "5 %"


def test_trend_from_answers_gives_percent_positive_mean_and_tested_change():
    frame = pl.DataFrame(
        {
            "aar": [2021] * 6 + [2022] * 6,
            "gruppe": ["udsatte"] * 12,
            "a": [5, 4, 2, 1, 9, 3, 5, 5, 4, 4, 3, 9],
            "b": [4, 4, 4, 2, 2, 2, 5, 4, 4, 4, 1, 2],
        }
    )
    trend, changes = trend_from_responses(frame, ["a", "b"], group_column="gruppe")
    a_2021 = trend.filter((pl.col("question") == "a") & (pl.col("year") == 2021)).row(0, named=True)
    assert (a_2021["n_valid"], a_2021["mean"], a_2021["pct_positive"]) == (5, 3.0, 0.4)
    average_2022 = trend.filter((pl.col("question") == AVERAGE_LABEL) & (pl.col("year") == 2022)).row(
        0, named=True
    )
    assert average_2022["pct_positive"] == pytest.approx((0.8 + 2 / 3) / 2)
    assert changes.filter(pl.col("question") == "a")["change"][0] == pytest.approx(4.2 - 3.0)


def test_the_change_between_waves_is_a_design_based_t_test_with_the_waves_as_strata():
    frame = pl.DataFrame(
        {
            "aar": [2021] * 6 + [2022] * 6,
            "a": [5, 4, 2, 1, 9, 3, 5, 5, 4, 4, 3, 9],
        }
    )
    _, changes = trend_from_responses(frame, ["a"])
    after, before = np.array([5, 5, 4, 4, 3]), np.array([5, 4, 2, 1, 3])
    # svydesign(ids=~1, strata=~aar): per wave of 6 rows, 6/5 · Σ z², z = (y − ȳ)/5 in the domain
    variance = 6 / 5 * (((after - after.mean()) ** 2).sum() + ((before - before.mean()) ** 2).sum()) / 25
    statistic = (after.mean() - before.mean()) / np.sqrt(variance)
    expected = 2 * stats.t.sf(abs(statistic), 10 - 2 + 1 - 2)  # degf = 10 answers − 2 strata; 2 coefficients
    row = changes.row(0, named=True)
    assert row["group"] == "alle"
    assert row["test"] == "designbaseret t-test (Taylor-linearisering, som R's svyttest)"
    assert row["p_value"] == pytest.approx(expected, rel=1e-10)
