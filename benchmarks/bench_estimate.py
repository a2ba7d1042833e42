"""Issue 7: the national table set in one `borgerblik estimate` call (goal ≤ 1 s), against R's survey and svy.

Data: the synthetic KL 2024 register and its simulated fieldwork (borgerblik.synth, ~33,700 respondents in
44 municipalities), 17 closed KL items plus 3 local items = 20 questions, overall and by age group,
gender, duration, attachment, target group and municipality; distributions, means, % positive and all
their standard errors. Post-stratified on the 1,320 cells (kommune × køn × alder × målgruppe) and raked
to the four margins on a design stratified by municipality.

R's survey and PyPI svy are timed on the same tables for the first question and extrapolated linearly to
20 questions (R's svyby over the 44 municipalities takes minutes for the full set; each question costs the
same there). svy gets the post-stratified weights as fixed weights of the cell-stratified design, which
gives the same standard errors here because the post-strata are the sampling strata; it is not timed on
raking (its calibrated variances are replicate-based, not the same tables).
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.result import Result, stopwatch

WORK = Path(__file__).resolve().parent / ".work" / "estimate"
STRATA = ["kommune", "koen", "aldersgruppe", "maalgruppe_kl2024"]
BY = ["aldersgruppe", "koen", "varighed", "tilknytning", "maalgruppe_kl2024", "kommune"]
LOCAL = ["lokal_1", "lokal_2", "lokal_3"]
SURVEY_CLOSED = date(2024, 4, 7)
GOAL_SECONDS = 1.0
GOAL_RATIO = 200.0
MEASURED_QUESTIONS = 1

R_SCRIPT = r"""
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
args <- commandArgs(trailingOnly = TRUE)
resp <- read.csv(args[1], colClasses = "character", encoding = "UTF-8")
pop <- read.csv(args[2], colClasses = "character", encoding = "UTF-8")
questions <- strsplit(args[3], ",")[[1]]
by_columns <- strsplit(args[4], ",")[[1]]
strata <- c("kommune", "koen", "aldersgruppe", "maalgruppe_kl2024")
pop$count <- as.numeric(pop$count)
pop$cell <- do.call(paste, c(pop[strata], sep = "|"))
resp$cell <- do.call(paste, c(resp[strata], sep = "|"))
resp$N <- pop$count[match(resp$cell, pop$cell)]
resp$poststratum <- pop$poststratum[match(resp$cell, pop$cell)]
post_totals <- aggregate(pop$count, by = list(poststratum = pop$poststratum), FUN = sum)
names(post_totals) <- c("poststratum", "Freq")
kommune_n <- tapply(pop$count, pop$kommune, sum)
resp$N_kommune <- as.numeric(kommune_n[resp$kommune])
for (q in questions) {
  code <- suppressWarnings(as.numeric(resp[[q]]))
  valid <- !is.na(code) & code >= 1 & code <= 5
  resp[[paste0(q, "_valid")]] <- valid
  resp[[paste0(q, "_score")]] <- ifelse(valid, code, 0)
  for (k in 1:5) resp[[paste0(q, "_", k)]] <- as.numeric(valid & code == k)
  resp[[paste0(q, "_pos")]] <- as.numeric(valid & code >= 4)
}
resp$overall <- "all"
tables <- function(design) {
  for (q in questions) {
    f <- as.formula(paste("~", paste(paste0(q, "_", c("score", 1:5, "pos")), collapse = "+")))
    domain <- subset(design, resp[[paste0(q, "_valid")]])
    for (by in c("overall", by_columns)) {
      keep <- !is.na(resp[[by]]) & resp[[by]] != ""
      svyby(f, as.formula(paste0("~", by)), subset(domain, keep), svymean)
    }
  }
}
start <- proc.time()[["elapsed"]]
post <- postStratify(svydesign(ids = ~1, strata = ~cell, fpc = ~N, data = resp), ~poststratum, post_totals)
tables(post)
post_seconds <- proc.time()[["elapsed"]] - start
start <- proc.time()[["elapsed"]]
margin <- function(column) {
  totals <- aggregate(pop$count, by = list(pop[[column]]), FUN = sum)
  names(totals) <- c(column, "Freq")
  totals
}
raked <- rake(svydesign(ids = ~1, strata = ~kommune, fpc = ~N_kommune, data = resp),
              lapply(strata, function(s) as.formula(paste0("~", s))), lapply(strata, margin),
              control = list(maxit = 100, epsilon = 1e-10))
tables(raked)
rake_seconds <- proc.time()[["elapsed"]] - start
cat(post_seconds, rake_seconds, "\n")
"""


def _national_data() -> tuple[Path, Path, list[str]]:
    """Responses and population CSVs from the synthetic register, cached under benchmarks/.work/."""
    from borgerblik.core import load_template
    from borgerblik.synth import generate_register, proportional_sample, simulate_fieldwork, with_strata

    WORK.mkdir(parents=True, exist_ok=True)
    responses_csv, population_csv = WORK / "responses.csv", WORK / "population.csv"
    instrument = load_template("kl-2024")
    questions = [*instrument.scale_items(), *LOCAL]
    if responses_csv.exists() and population_csv.exists():
        return responses_csv, population_csv, questions
    register = generate_register(seed=2024)
    population = with_strata(register).group_by(STRATA).len("count").sort(STRATA)
    sample = proportional_sample(register, seed=2024)
    respondents = simulate_fieldwork(sample, instrument, seed=2024, wave=2024).respondents()
    rng = np.random.default_rng(2024)
    weeks = (pl.lit(SURVEY_CLOSED) - pl.col("ydelse_start").str.to_date()).dt.total_days() / 7
    duration = (
        pl.when(pl.col("ydelse_slut").fill_null("") != "").then(None)
        .when(weeks < 26).then(pl.lit("under 26 uger"))
        .when(weeks < 52).then(pl.lit("26-52 uger"))
        .when(weeks < 104).then(pl.lit("1-2 år"))
        .otherwise(pl.lit("over 2 år"))
    )
    base = respondents["tillid"].to_numpy().astype(float)
    local = {}
    for name in LOCAL:
        redraw = rng.random(len(base)) < 0.3
        codes = np.where(redraw, rng.integers(1, 6, len(base)), base)
        local[name] = pl.Series(name, codes, dtype=pl.Int8, nan_to_null=True)
    frame = respondents.with_columns(
        duration.alias("varighed"),
        pl.col("status").replace_strict({1: "igangværende", 2: "afsluttet"}, default=None,
                                        return_dtype=pl.Utf8).alias("tilknytning"),
        *local.values(),
    ).select(["respondent_id", *STRATA, "varighed", "tilknytning", *questions])
    frame.write_csv(responses_csv)
    population.write_csv(population_csv)
    return responses_csv, population_csv, questions


def _arguments(responses: Path, population: Path, questions: list[str], *extra: str) -> list[str]:
    return [
        "estimate", "--responses", str(responses), "--population", str(population),
        "--strata", ",".join(STRATA), "--questions", ",".join(questions), "--by", ",".join(BY),
        "--out", str(WORK / "estimates.csv"), *extra,
    ]


def _in_process(arguments: list[str]) -> tuple[float, float]:
    """One `borgerblik estimate` call inside this interpreter (read, weight, estimate, write): wall and CPU s.

    The CPU time is what the call costs, summed over the threads that estimate the questions side by side;
    the goal is the wall time.
    """
    from typer.testing import CliRunner

    from borgerblik.cli import app

    runner = CliRunner()
    runner.invoke(app, arguments)  # warm-up: first-call costs of polars and numpy
    cpu = time.process_time()
    with stopwatch() as elapsed:
        result = runner.invoke(app, arguments)
    if result.exit_code != 0:
        raise RuntimeError(result.output)
    return elapsed(), time.process_time() - cpu


def _subprocess(arguments: list[str]) -> float:
    """The same call as a fresh process: adds the interpreter start and the import of the whole app."""
    with stopwatch() as elapsed:
        subprocess.run([str(Path(sys.executable).with_name("borgerblik")), *arguments], check=True,
                       capture_output=True)
    return elapsed()


def _r_population(responses: Path, population: Path) -> Path:
    """The population cells with our post-stratum of each (empty cells collapsed), for R's postStratify."""
    from borgerblik.weighting import poststratify, read_csv

    cells = poststratify(read_csv(responses), read_csv(population), STRATA).cells
    path = WORK / "population_poststrata.csv"
    cells.select(*STRATA, "count", pl.format("p{}", "poststratum").alias("poststratum")).write_csv(path)
    return path


def _r_seconds(responses: Path, population: Path, questions: list[str]) -> tuple[float, float] | None:
    script = WORK / "bench_survey.R"
    script.write_text(R_SCRIPT, encoding="utf-8")
    try:
        done = subprocess.run(
            ["Rscript", str(script), str(responses), str(population), ",".join(questions), ",".join(BY)],
            check=True, capture_output=True, text=True,
        )
    except (FileNotFoundError, subprocess.CalledProcessError):
        return None
    post, raked = (float(x) for x in done.stdout.split())
    return post, raked


def _svy_seconds(responses: Path, population: Path, questions: list[str]) -> float | None:
    try:
        import svy
    except ImportError:
        return None
    from borgerblik.weighting import poststratify, read_csv

    table = read_csv(responses)
    weighting = poststratify(table, read_csv(population), STRATA)
    design = weighting.design
    frame = table.frame.with_columns(
        pl.Series("_w", design.weights), pl.Series("_h", design.strata),
        pl.Series("_N", design.population_sizes[design.strata]), pl.lit("alle").alias("_overall"),
    )
    for q in questions:
        code = frame[q].cast(pl.Int64, strict=False)
        valid = code.is_between(1, 5).fill_null(False)
        frame = frame.with_columns(
            valid.alias(f"{q}_valid"),
            pl.when(valid).then(code).otherwise(0).cast(pl.Float64).alias(f"{q}_score"),
            *((valid & (code == k)).fill_null(False).cast(pl.Float64).alias(f"{q}_{k}") for k in range(1, 6)),
            (valid & (code >= 4)).fill_null(False).cast(pl.Float64).alias(f"{q}_pos"),
        )
    sample = svy.Sample(frame, svy.Design(stratum="_h", wgt="_w", pop_size="_N", singleton="center"))
    start = time.perf_counter()
    for q in questions:
        variables = [f"{q}_{s}" for s in ("score", 1, 2, 3, 4, 5, "pos")]
        for by in ["_overall", *BY]:
            where = svy.col(f"{q}_valid") & svy.col(by).is_not_null()
            sample.estimation.mean(variables, by=by, where=where)
    return time.perf_counter() - start


def run() -> list[Result]:
    responses, population, questions = _national_data()
    rows = pl.read_csv(responses, infer_schema=False).height
    post_args = _arguments(responses, population, questions)
    rake_args = _arguments(responses, population, questions, "--method", "rake", "--design-strata", "kommune")
    post, post_cpu = _in_process(post_args)
    raked, raked_cpu = _in_process(rake_args)
    fresh = _subprocess(post_args)
    scale = len(questions) / MEASURED_QUESTIONS
    r_times = _r_seconds(responses, _r_population(responses, population), questions[:MEASURED_QUESTIONS])
    svy_time = _svy_seconds(responses, population, questions[:MEASURED_QUESTIONS])
    label = f"{len(questions)} q × {len(BY) + 1} breakdowns, {rows:,} resp."
    goal = f"≤ {GOAL_SECONDS:g} s"
    results = [
        Result(f"estimate, post-stratified ({label})", post, "s", goal, post / GOAL_SECONDS, "of goal"),
        Result("estimate, raked (municipality-stratified design)", raked, "s", goal, raked / GOAL_SECONDS,
               "of goal"),
        Result("estimate, post-stratified: CPU time of the call (all threads)", post_cpu, "s"),
        Result("estimate, raked: CPU time of the call (all threads)", raked_cpu, "s"),
        Result("estimate CLI as a new process (+ start, app import)", fresh, "s"),
    ]
    if r_times is not None:
        r_post, r_rake = (t * scale for t in r_times)
        results += [
            Result(f"R survey, post-stratified (1 question ×{scale:g})", r_post, "s",
                   f"≥ {GOAL_RATIO:g}× slower", r_post / post, "R / borgerblik"),
            Result(f"R survey, raked (1 question ×{scale:g})", r_rake, "s",
                   f"≥ {GOAL_RATIO:g}× slower", r_rake / raked, "R / borgerblik"),
        ]
    else:
        results.append(Result("R survey: Rscript with survey not installed", float("nan"), "s"))
    if svy_time is not None:
        results.append(Result(f"PyPI svy, post-stratified (1 question ×{scale:g})", svy_time * scale, "s",
                              "", svy_time * scale / post, "svy / borgerblik"))
    return results
