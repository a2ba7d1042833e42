"""Report speed goals on the national synthetic survey: national + 44 municipal reports — HTML ≤ 30 s in all,
PDF ≤ 2 min (typst in two spawned workers), Excel ≤ 30 s; seconds per report and peak memory.

The analysis tables come from the synthetic national survey analysed in memory (no database: building the
national demo survey through storage and fieldwork takes minutes here); the reports read them exactly as
`borgerblik report --analysis` does.
"""

from __future__ import annotations

import resource
import tempfile
from pathlib import Path

import polars as pl

from benchmarks.result import Result, stopwatch
from borgerblik.analysis import prepare_analysis_frame
from borgerblik.analysis.survey import AnalysisOptions, analyze_survey
from borgerblik.core import load_template
from borgerblik.reporting.publish import choose_municipalities, write_reports
from borgerblik.reporting.tables import AnalysisTables
from borgerblik.synth import generate_register, proportional_sample, simulate_fieldwork, with_strata
from borgerblik.weighting import poststratify

STRATA = ["kommune", "koen", "aldersgruppe", "maalgruppe_kl2024"]


def national_tables() -> AnalysisTables:
    instrument = load_template("kl-2024")
    register = generate_register(seed=2024)
    fieldwork = simulate_fieldwork(proportional_sample(register, seed=7), instrument, seed=11)
    respondents = fieldwork.respondents().with_columns(pl.col("respondent_id").cast(pl.Utf8))
    population = with_strata(register).group_by(STRATA).len("count")
    tables = analyze_survey(
        prepare_analysis_frame(respondents), instrument.scale_items(), instrument.overall_question,
        design=poststratify(respondents, population, STRATA), options=AnalysisOptions(bootstrap=200),
    )
    return AnalysisTables(tables)


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024


def run() -> list[Result]:
    instrument = load_template("kl-2024")
    tables = national_tables()
    chosen, _ = choose_municipalities(tables, instrument, "all")
    count = len(chosen) + 1
    results = []
    goals = {"html": 30.0, "pdf": 120.0, "xlsx": 30.0}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, goal in goals.items():
            with stopwatch() as elapsed:
                write_reports(tables, instrument, Path(tmp) / fmt, chosen, [fmt], workers=2)
            seconds = elapsed()
            results += [
                Result(f"report: {fmt}, national + {len(chosen)} municipal ({count} reports)", seconds, "s",
                       f"≤ {goal:.0f} s", seconds / goal, "of goal"),
                Result(f"report: {fmt}, per report", seconds / count, "s/report"),
            ]
    results.append(Result("report: peak memory (process or one PDF worker)", _peak_mb(), "MB"))
    return results
