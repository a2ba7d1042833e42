"""Issue 4 goal: import + validate + sample a 1,000,000-row register in ≤ 10 s; rows per second.

The register is the synthetic national extract repeated with different seeds (so some CPR numbers repeat
and are rejected as duplicates, as in a real merged extract), written as CSV once; the clock covers reading
the file, checking every row, the KL population rules and the KL stratified draw.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import polars as pl

from benchmarks.result import Result, stopwatch
from borgerblik.registers import apply_population_rules, load_population_rules, read_register
from borgerblik.sampling import draw_sample, load_design
from borgerblik.synth import generate_register

ROWS = 1_000_000
GOAL_SECONDS = 10.0


def _write_register(path: Path) -> None:
    parts: list[pl.DataFrame] = []
    seed = 1
    while sum(part.height for part in parts) < ROWS:
        parts.append(generate_register(seed))
        seed += 1
    pl.concat(parts).head(ROWS).write_csv(path)


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "register.csv"
        _write_register(path)
        with stopwatch() as total:
            with stopwatch() as reading:
                check = read_register(path, reference_date=date(2023, 12, 31))
            with stopwatch() as rules:
                population = apply_population_rules(check.members, load_population_rules("kl2024"))
            with stopwatch() as drawing:
                sample = draw_sample(population.frame, load_design("kl2024"), seed=2024)
    seconds = total()
    assert sample.size > 0
    return [
        Result("register: import+validate+sample 1M rows", seconds, "s", f"≤ {GOAL_SECONDS:g} s",
               seconds / GOAL_SECONDS, "of goal"),
        Result("register: rows per second (whole pipeline)", ROWS / seconds, "rows/s"),
        Result("register: read + validate 1M rows", reading(), "s"),
        Result("register: population rules", rules(), "s"),
        Result("register: KL stratified draw", drawing(), "s"),
    ]
