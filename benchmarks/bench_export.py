"""Export speed goal: the national survey (~34,000 respondents × ~60 variables) to each format in ≤ 3 s; peak
memory at two sizes, to show it flat in the number of respondents.

The respondents come straight from borgerblik.synth's national fieldwork (register → sample → simulated
answers, about 2 s) with KL's post-stratification weights, not from a database filled by the simulated
fieldwork (minutes). The instrument is KL 2024 with local questions in the seven largest municipalities (four
each, as a KL municipality adds them), so the file has ~60 variables as the issue's national export; a local
question is empty for the citizens of other municipalities, as in the survey.

The export is streamed as a stored survey's is (``interop.exports.survey_dataset``: storage hands over whole
invitations in batches, :data:`BATCH` respondents here): each batch becomes export rows and is written before
the next. Peak memory is the process's resident memory sampled while each format is built and written, above
what it was before (the respondents table already loaded), at a quarter of the survey and at the whole: CSV,
Parquet and Excel stay flat; SPSS and Stata grow, as pyreadstat writes one whole frame (no append).
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import threading
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from benchmarks.result import Result, stopwatch
from borgerblik.core import Instrument, instrument_to_data, load_template, parse_instrument
from borgerblik.interop.dataset import Dataset, streamed_dataset
from borgerblik.interop.writers import Format, write_dataset
from borgerblik.synth import generate_register, proportional_sample, simulate_fieldwork, with_strata
from borgerblik.weighting import poststratify

CELLS = ["kommune", "koen", "aldersgruppe", "maalgruppe_kl2024"]
BATCH = 5_000
LOCAL_MUNICIPALITIES = 7
LOCAL_QUESTIONS = ("ventetid", "kontakt", "information", "sagsbehandler")


def national_respondents(instrument: Instrument | None = None) -> pl.DataFrame:
    instrument = instrument or load_template("kl-2024")
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


def with_local_questions(respondents: pl.DataFrame) -> tuple[Instrument, pl.DataFrame]:
    """KL 2024 with four local scale questions in each of the largest municipalities, and their answers
    (1–5 or 9 for that municipality's citizens, empty elsewhere)."""
    largest = (
        respondents.group_by("kommune").len().sort(["len", "kommune"], descending=[True, False])["kommune"]
    ).to_list()[:LOCAL_MUNICIPALITIES]
    data = instrument_to_data(load_template("kl-2024"))
    data["local_questions"] = {
        kommune: [
            {
                "id": f"lokal_{number}_{topic}",
                "kind": "scale",
                "scale": "grad",
                "text": {
                    "da": f"Hvor tilfreds er du med {topic} i {kommune}?",
                    "en": f"How satisfied are you with {topic} in {kommune}?",
                    "ar": f"ما مدى رضاك عن {topic} في {kommune}؟",
                },
            }
            for topic in LOCAL_QUESTIONS
        ]
        for number, kommune in enumerate(largest, 1)
    }
    instrument = parse_instrument(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "bench")
    rng = np.random.default_rng(17)
    place = respondents.get_column("kommune").to_numpy()
    columns = []
    for number, kommune in enumerate(largest, 1):
        for topic in LOCAL_QUESTIONS:
            codes = rng.choice(
                [1, 2, 3, 4, 5, 9], size=respondents.height, p=[0.05, 0.1, 0.2, 0.35, 0.25, 0.05]
            )
            values = np.where(place == kommune, codes, 0)
            columns.append(pl.Series(f"lokal_{number}_{topic}", values, dtype=pl.Int16).replace(0, None))
    return instrument, respondents.with_columns(columns)


def streamed(respondents: pl.DataFrame, instrument: Instrument) -> Dataset:
    """The export as a stored survey's: respondents arriving :data:`BATCH` at a time."""
    return streamed_dataset(
        lambda: respondents.iter_slices(BATCH),
        respondents.columns,
        respondents.height,
        instrument,
        schemes=("kl2024",),
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


def _child(part: pl.DataFrame, instrument: Instrument, fmt: Format, path: Path, queue: object) -> None:
    with PeakMemory() as memory, stopwatch() as elapsed:
        write_dataset(streamed(part, instrument), fmt, path)
    queue.put((elapsed(), memory.above_start))  # type: ignore[attr-defined]


def _export_in_child(
    part: pl.DataFrame, instrument: Instrument, fmt: Format, path: Path
) -> tuple[float, float]:
    """(seconds, peak MB above start) of one export in a fresh process, so no size inherits another's heap
    (the allocator keeps freed memory, which would hide the second size's peak). Spawned, not forked:
    polars' thread pool does not survive a fork."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(part, instrument, fmt, path, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def run() -> list[Result]:
    instrument, respondents = with_local_questions(national_respondents())
    quarter = respondents.head(respondents.height // 4)
    variables = len(streamed(respondents, instrument).variables)
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as folder:
        for fmt in Format:
            peaks = []
            for part in (quarter, respondents):
                path = Path(folder) / f"kl-{part.height}.{fmt}"
                seconds, peak = _export_in_child(part, instrument, fmt, path)
                peaks.append((part.height, peak, path.stat().st_size / 2**20))
            label = f"export: {fmt.value}, {respondents.height:,} resp × {variables} var"
            results.append(Result(label, seconds, "s", "≤ 3 s", seconds / 3, "of goal"))
            for rows, peak, size in peaks:
                goal = "flat in respondents" if fmt not in (Format.SAV, Format.DTA) else "grows (pyreadstat)"
                name = f"export: {fmt.value}, {rows:,} resp: peak RSS above data ({size:.1f} MB file)"
                results.append(Result(name, peak, "MB", goal))
    return results
