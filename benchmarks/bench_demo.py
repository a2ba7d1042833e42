"""The first run: `make demo` (six municipalities, every stage for real) within 3 minutes.

The national demo (`borgerblik demo --national`, 198,877 citizens) takes over ten minutes, so it is timed
only when asked: `make bench NATIONAL=1` (BORGERBLIK_BENCH_NATIONAL=1).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rich.console import Console

from benchmarks.result import Result, stopwatch
from borgerblik.demo import DEMO_MUNICIPALITIES, run_demo

DEMO_GOAL_SECONDS = 180.0
NATIONAL_VARIABLE = "BORGERBLIK_BENCH_NATIONAL"


def _timed_demo(municipalities: tuple[str, ...]) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder, open(os.devnull, "w") as quiet:
        with stopwatch() as elapsed:
            run = run_demo(Path(folder) / "demo", Console(file=quiet), 2024, municipalities)
        return elapsed(), int(run.facts["population"])


def run() -> list[Result]:
    seconds, population = _timed_demo(DEMO_MUNICIPALITIES)
    results = [
        Result(
            name=f"demo: make demo, {len(DEMO_MUNICIPALITIES)} municipalities ({population:,} citizens)",
            figure=seconds,
            unit="s",
            goal=f"≤ {DEMO_GOAL_SECONDS:g} s",
            ratio=seconds / DEMO_GOAL_SECONDS,
            ratio_label="of goal",
        )
    ]
    if os.environ.get(NATIONAL_VARIABLE) == "1":
        national, citizens = _timed_demo(())
        results.append(
            Result(name=f"demo: --national ({citizens:,} citizens)", figure=national, unit="s",
                   ratio=national / seconds, ratio_label="of make demo")
        )
    return results
