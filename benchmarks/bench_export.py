"""Export speed goal: the national survey (~34,000 respondents) to each format in ≤ 3 s, peak memory printed.

The respondents come straight from borgerblik.synth's national fieldwork (register → sample → simulated
answers, about 2 s) with KL's post-stratification weights, not from a database filled by the simulated
fieldwork (minutes); the export's own work — building the dataset and writing the file — is what is timed.
Peak memory is the process's resident memory sampled while each format is built and written, above what it
was before (the respondents table already loaded).
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import polars as pl

from benchmarks.result import Result, stopwatch
from borgerblik.core import load_template
from borgerblik.interop.dataset import analysis_dataset
from borgerblik.interop.writers import Format, write_dataset
from borgerblik.synth import generate_register, proportional_sample, simulate_fieldwork, with_strata
from borgerblik.weighting import poststratify

CELLS = ["kommune", "koen", "aldersgruppe", "maalgruppe_kl2024"]


def national_respondents() -> pl.DataFrame:
    instrument = load_template("kl-2024")
    register = generate_register(seed=2024)
    fieldwork = simulate_fieldwork(proportional_sample(register, seed=7), instrument, seed=11)
    respondents = fieldwork.respondents().with_columns(pl.col("respondent_id").cast(pl.Utf8))
    population = with_strata(register).group_by(CELLS).len("count")
    weights = poststratify(respondents, population, CELLS).design.weights_frame()
    weights = weights.with_columns(pl.col("respondent_id").cast(pl.Utf8))
    return respondents.join(weights, on="respondent_id").with_columns(
        pl.col("responded_at").dt.date().alias("started_on"),
        pl.col("responded_at").dt.date().alias("finished_on"),
    )


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakMemory:
    """The highest resident memory seen while a block runs, sampled every 2 ms (polars and readstat allocate
    outside Python, so tracemalloc would not see them), as MB above the memory at the start."""

    def __enter__(self) -> PeakMemory:
        self.start = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())

    @property
    def above_start(self) -> float:
        return self.peak - self.start


def run() -> list[Result]:
    respondents = national_respondents()
    instrument = load_template("kl-2024")
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as folder:
        for fmt in Format:
            path = Path(folder) / f"kl.{fmt}"
            with PeakMemory() as memory, stopwatch() as elapsed:
                dataset = analysis_dataset(respondents, instrument, schemes=("kl2024",))
                write_dataset(dataset, fmt, path)
            seconds = elapsed()
            size = path.stat().st_size / 2**20
            label = f"export: {fmt.value}, {respondents.height:,} resp × {len(dataset.variables)} var"
            results.append(Result(label, seconds, "s", "≤ 3 s", seconds / 3, "of goal"))
            results.append(Result(f"export: {fmt.value}, peak memory above the data ({size:.1f} MB file)",
                                  memory.above_start, "MB"))
    return results
