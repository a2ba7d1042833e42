"""Fair municipality comparison: false positives of raw vs case-mix adjusted funnels, a planted effect found,
and the time of the adjusted benchmark of one question on the national synthetic survey.

Figures, not timings, are the point of the first three lines: 40 municipalities with the same true effect but
different citizens (borgerblik.synth.casemix), so every municipality outside the 95 % limits is a false
positive; chance alone gives 5 % (2 of 40). The ratio column is the share flagged ÷ that expected share.
"""

from __future__ import annotations

import polars as pl

from benchmarks.result import Result, stopwatch
from borgerblik.analysis import prepare_analysis_frame
from borgerblik.analysis.casemix import casemix_scores
from borgerblik.core import load_template
from borgerblik.synth import generate_register, proportional_sample, simulate_fieldwork, with_strata
from borgerblik.synth.casemix import case_mix_survey
from borgerblik.weighting import poststratify

MIX = ["maalgruppe_kl2024", "aldersgruppe", "koen"]
STRATA = ["kommune", "koen", "aldersgruppe", "maalgruppe_kl2024"]
QUESTION = "samlet_tilfredshed"


def run() -> list[Result]:
    same = casemix_scores(case_mix_survey(40, seed=1), QUESTION, adjust=MIX)
    raw = float(same["raw_outside_95"].mean())
    adjusted = float(same["outside_95"].mean())
    planted = casemix_scores(case_mix_survey(40, seed=1, planted={3: 0.5}), QUESTION, adjust=MIX)
    found = planted.filter(pl.col("outside_998"))["kommune"].to_list()

    instrument = load_template("kl-2024")
    register = generate_register(seed=2024)
    fieldwork = simulate_fieldwork(proportional_sample(register, seed=7), instrument, seed=11)
    respondents = fieldwork.respondents().with_columns(pl.col("respondent_id").cast(pl.Utf8))
    population = with_strata(register).group_by(STRATA).len("count")
    design = poststratify(respondents, population, STRATA)
    frame = prepare_analysis_frame(respondents)
    with stopwatch() as elapsed:
        national = casemix_scores(frame, instrument.overall_question, design=design)
    seconds = elapsed()
    return [
        Result("casemix: same effect, raw funnel, share outside 95 %", raw, "share", "", raw / 0.05,
               "of chance (0,05)"),
        Result("casemix: same effect, adjusted, share outside 95 %", adjusted, "share", "≈ 0,05",
               adjusted / 0.05, "of chance (0,05)"),
        Result("casemix: same effect, adjusted, outside 99,8 %", float(same["outside_998"].sum()), "count",
               "0"),
        Result(f"casemix: planted +0,5 in K04 found alone ({', '.join(found) or 'none'})",
               float(found == ["K04"]), "yes=1", "1"),
        Result(f"casemix: national benchmark, {national.height} municipalities, 1 question", seconds, "s",
               "≤ 5 s", seconds / 5, "of goal"),
    ]
