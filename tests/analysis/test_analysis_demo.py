"""On the national demo survey the analysis finds the synthetic truth: men, the young and aktivitetsparate
are less satisfied, and the best and worst municipality are named as the KL report names them."""

from __future__ import annotations

import polars as pl
import pytest

from borgerblik.analysis import (
    benchmark_statements,
    breakdowns,
    municipality_benchmark,
    prepare_analysis_frame,
    relative_weights,
)
from borgerblik.analysis.survey import driver_predictors
from borgerblik.core import load_template
from borgerblik.synth import generate_register, proportional_sample, simulate_fieldwork, with_strata
from borgerblik.weighting import poststratify

STRATA = ["kommune", "koen", "aldersgruppe", "maalgruppe_kl2024"]
OVERALL = "samlet_tilfredshed"


@pytest.fixture(scope="module")
def demo() -> tuple[pl.DataFrame, object]:
    register = generate_register(seed=2024)
    fieldwork = simulate_fieldwork(proportional_sample(register, seed=7), load_template("kl-2024"), seed=11)
    respondents = fieldwork.respondents().with_columns(pl.col("respondent_id").cast(pl.Utf8))
    population = with_strata(register).group_by(STRATA).len("count")
    return prepare_analysis_frame(respondents), poststratify(respondents, population, STRATA)


def overall_by(table: pl.DataFrame, by: str) -> dict[str, float]:
    rows = table.filter((pl.col("question") == OVERALL) & (pl.col("by") == by))
    return dict(zip(rows["group"], rows["mean"], strict=True))


def test_men_the_young_and_aktivitetsparate_are_less_satisfied(demo):
    frame, design = demo
    table = breakdowns(frame, [OVERALL], design=design, per_municipality=False)
    gender, age, group = (
        overall_by(table, "koen"),
        overall_by(table, "aldersgruppe"),
        overall_by(table, "maalgruppe_kl2024"),
    )
    assert gender["mand"] < gender["kvinde"]
    assert age["16-29"] < age["30-49"] < age["50-66"]
    assert min(group, key=group.get) == "aktivitetsparate"


def test_best_and_worst_municipality_are_named(demo):
    frame, design = demo
    weights = dict(zip(design.weights["respondent_id"], design.weights["weight"], strict=True))
    weighted = frame.with_columns(
        pl.col("respondent_id").replace_strict(weights, return_dtype=pl.Float64).alias("w")
    )
    table = municipality_benchmark(weighted, [OVERALL], weight="w")
    best, worst = table.sort("rank").row(0, named=True), table.sort("rank").row(-1, named=True)
    statements = benchmark_statements(table, OVERALL)
    assert statements[0].startswith(f"Kommunen med mest tilfredshed er {best['kommune']} og scorer ")
    assert statements[1].startswith(f"Kommunen med mindst tilfredshed er {worst['kommune']} og scorer ")
    assert best["mean"] > best["national_mean"] > worst["mean"]
    assert table["n_municipalities"][0] == 44


def test_drivers_of_one_municipality_use_the_questions_asked_to_all(demo):
    frame, _ = demo
    items = load_template("kl-2024").scale_items()
    predictors = driver_predictors(frame, items, OVERALL)
    assert {"taettere_job", "tilbagevenden_job", "styrket_tro", "samarbejde"}.isdisjoint(predictors)
    odense = frame.filter(pl.col("kommune") == "Odense")
    result = relative_weights(odense, OVERALL, predictors, bootstrap=200, seed=1)
    assert result.table["rescaled_weight"].sum() == pytest.approx(100.0)
    assert 0 < result.r_squared < 1
    assert set(result.table["quadrant"]) <= {"styrke", "udfordring", "svaghed", "mulighed"}
