"""The municipality benchmark reproduces the KL report's sentences; its tests are design-based (svyttest),
checked against an independent sandwich computation (design_reference.py)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from design_reference import svyglm_fixed

from borgerblik.analysis import benchmark_statements, municipality_benchmark

# Counts of 5, 4, 3, 2, 1 chosen to give the KL seed's figures: 4,03 and 77,2 %; 3,32 and 51,6 %.
BEST = {5: 207, 4: 179, 3: 60, 2: 30, 1: 24}
WORST = {5: 144, 4: 114, 3: 100, 2: 42, 1: 100}
MIDDLE = {5: 100, 4: 150, 3: 150, 2: 60, 1: 40}


def answers(counts: dict[int, int]) -> list[int]:
    return [code for code, count in counts.items() for _ in range(count)]


def kl_like() -> pl.DataFrame:
    kommuner = {
        "Gentofte": answers(BEST),
        "Ishøj": answers(WORST),
        "Odense": answers(MIDDLE),
        "Læsø": [5, 5, 4],
        "Fanø": [4, 3] * 10,
    }
    rows = [{"kommune": k, "samlet": a} for k, values in kommuner.items() for a in values]
    rows += [{"kommune": "Ishøj", "samlet": 9}] * 12
    rng = np.random.default_rng(44)
    return pl.DataFrame(rows).with_columns(pl.Series("vaegt", rng.uniform(0.5, 4.0, size=len(rows))))


def test_most_and_least_satisfied_municipality_as_the_kl_report_states_them():
    table = municipality_benchmark(kl_like(), ["samlet"])
    gentofte = table.filter(pl.col("kommune") == "Gentofte").row(0, named=True)
    assert (gentofte["mean"], gentofte["pct_positive"], gentofte["rank"]) == (4.03, pytest.approx(0.772), 1)
    hidden = table.filter(pl.col("rank").is_null())
    assert hidden["kommune"].sort().to_list() == ["Fanø", "Læsø"]  # Læsø: 3 answers; Fanø: its complement
    assert hidden["mean"].null_count() == 2
    assert table["n_municipalities"][0] == 3
    assert benchmark_statements(table, "samlet")[:2] == [
        "Kommunen med mest tilfredshed er Gentofte og scorer 4,03. "
        "I denne kommune har 77,2 % svaret, at de er meget tilfredse eller tilfredse.",
        "Kommunen med mindst tilfredshed er Ishøj og scorer 3,32. I denne kommune er det kun 51,6 %, der har "
        "svaret, at de er meget tilfredse eller tilfredse.",
    ]
    assert benchmark_statements(table, "samlet", satisfaction=False)[0] == (
        "Kommunen med den højeste score er Gentofte med 4,03. Her svarer 77,2 % positivt."
    )
    national = (sum(answers(BEST)) + sum(answers(WORST)) + sum(answers(MIDDLE)) + 14 + 70) / 1523
    assert gentofte["national_mean"] == pytest.approx(national)


@pytest.mark.parametrize("weight", [None, "vaegt"])
def test_municipality_against_the_rest_is_a_design_based_t_test(weight):
    frame = kl_like()
    table = municipality_benchmark(frame, ["samlet"], weight=weight)
    data = frame.filter(pl.col("samlet") != 9)
    w = np.ones(data.height) if weight is None else data["vaegt"].to_numpy()
    for kommune in ("Gentofte", "Ishøj", "Odense", "Læsø"):
        dummy = (data["kommune"] == kommune).cast(pl.Float64).to_numpy()
        params, statistic, p_values = svyglm_fixed(data["samlet"].to_numpy(), dummy, w, frame.height)
        row = table.filter(pl.col("kommune") == kommune).row(0, named=True)
        if kommune == "Læsø":
            assert row["p_value"] is None and row["flag"] == ""
            continue
        assert row["difference"] == pytest.approx(params[1], rel=1e-10)
        assert row["statistic"] == pytest.approx(statistic[1], rel=1e-10)
        assert row["p_value"] == pytest.approx(p_values[1], rel=1e-8, abs=1e-300)
        assert row["test"] == "designbaseret t-test (Taylor-linearisering, som R's svyttest)"
