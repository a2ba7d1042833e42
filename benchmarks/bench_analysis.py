"""Analysis speed goals: key drivers of one municipality (≤ 1 s), the complete national analysis (≤ 30 s).

The national analysis also prints its CPU time (this process's, all threads): on a machine shared with
other work the wall time is mostly waiting, and the CPU time is what the code itself costs (docs/analysis.md,
Speed).
"""

from __future__ import annotations

import resource

import numpy as np
import polars as pl

from benchmarks.result import Result, stopwatch
from borgerblik.analysis import prepare_analysis_frame, relative_weights
from borgerblik.analysis.survey import AnalysisOptions, analyze_survey
from borgerblik.core import load_template
from borgerblik.synth import generate_register, proportional_sample, simulate_fieldwork, with_strata
from borgerblik.weighting import poststratify

STRATA = ["kommune", "koen", "aldersgruppe", "maalgruppe_kl2024"]


def one_municipality(respondents: int = 800, questions: int = 15, seed: int = 1) -> pl.DataFrame:
    """Correlated 1–5 answers with 5 % "ved ikke", as a municipality's survey looks."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(respondents, 1))
    scores = np.clip(np.round(3 + latent + rng.normal(scale=0.9, size=(respondents, questions + 1))), 1, 5)
    scores[rng.random(scores.shape) < 0.05] = 9
    return pl.DataFrame(scores, schema=["samlet", *[f"q{j}" for j in range(1, questions + 1)]])


def run() -> list[Result]:
    frame = one_municipality()
    predictors = [c for c in frame.columns if c != "samlet"]
    relative_weights(frame, "samlet", predictors, bootstrap=50)
    with stopwatch() as elapsed:
        relative_weights(frame, "samlet", predictors, bootstrap=1000, seed=2)
    drivers = elapsed()

    instrument = load_template("kl-2024")
    register = generate_register(seed=2024)
    fieldwork = simulate_fieldwork(proportional_sample(register, seed=7), instrument, seed=11)
    respondents = fieldwork.respondents().with_columns(pl.col("respondent_id").cast(pl.Utf8))
    population = with_strata(register).group_by(STRATA).len("count")
    cpu_before = _cpu_seconds()
    with stopwatch() as elapsed:
        design = poststratify(respondents, population, STRATA)
        analysis = prepare_analysis_frame(respondents)
        tables = analyze_survey(
            analysis, instrument.scale_items(), instrument.overall_question, design=design,
            options=AnalysisOptions(bootstrap=1000),
        )
    complete = elapsed()
    cpu = _cpu_seconds() - cpu_before
    municipalities = tables["drivers_summary"].height - 1
    return [
        Result("analysis: drivers, 800 resp × 15 questions, 1,000 bootstrap", drivers, "s", "≤ 1 s"),
        Result(
            f"analysis: complete national ({respondents.height:,} resp, {municipalities} kommuner)",
            complete, "s", "≤ 30 s",
        ),
        Result("analysis: complete national, CPU time (all threads)", cpu, "s"),
    ]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
