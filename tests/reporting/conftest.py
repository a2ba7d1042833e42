"""One fixed small KL 2024 survey, analysed once, and its reports written once in every format.

Four municipalities with enough answers and Læsø with three respondents: below the threshold of 5, so the
analysis suppresses it and no report may name it.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from borgerblik.analysis import prepare_analysis_frame
from borgerblik.analysis.survey import AnalysisOptions, analyze_survey, write_tables
from borgerblik.core import load_template

MUNICIPALITIES = ("Albertslund", "Ballerup", "Dragør", "Høje-Taastrup")
SMALL = "Læsø"
OWN = "Høje-Taastrup"


def small_survey(n: int = 240) -> pl.DataFrame:
    rng = np.random.default_rng(13)
    items = load_template("kl-2024").scale_items()
    kommune = rng.choice(list(MUNICIPALITIES), size=n).tolist()
    kommune[:3] = [SMALL] * 3
    latent = rng.normal(size=n)
    frame = {
        "respondent_id": [str(i) for i in range(1, n + 1)],
        "kommune": kommune,
        "maalgruppe": rng.choice(["6.1", "6.2", "6.3", "6.6"], size=n).tolist(),
        "koen": rng.choice(["mand", "kvinde"], size=n).tolist(),
        "alder": rng.integers(16, 67, size=n).tolist(),
        "ydelse_start": ["2023-03-01"] * n,
        "status": rng.choice([1, 2], size=n).tolist(),
    }
    for item in items:
        values = np.clip(np.round(3 + latent + rng.normal(scale=0.8, size=n)), 1, 5)
        values[rng.random(n) < 0.05] = 9
        frame[item] = values.astype(int).tolist()
    return pl.DataFrame(frame)


@pytest.fixture(scope="session")
def analysis_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    instrument = load_template("kl-2024")
    tables = analyze_survey(
        prepare_analysis_frame(small_survey()),
        instrument.scale_items(),
        instrument.overall_question,
        options=AnalysisOptions(bootstrap=50, seed=1),
    )
    directory = tmp_path_factory.mktemp("analyse")
    write_tables(tables, directory)
    return directory


@pytest.fixture(scope="session")
def reports_dir(analysis_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from borgerblik.reporting.publish import choose_municipalities, write_reports
    from borgerblik.reporting.tables import read_tables

    assert multiprocessing.get_start_method(allow_none=True) in (None, "fork", "spawn", "forkserver")
    tables = read_tables(analysis_dir)
    instrument = load_template("kl-2024")
    chosen, _ = choose_municipalities(tables, instrument, "all")
    out = tmp_path_factory.mktemp("rapporter") / "ud"
    write_reports(tables, instrument, out, chosen, workers=1)
    return out


@pytest.fixture(scope="session")
def tables(analysis_dir: Path) -> dict[str, pl.DataFrame]:
    return {p.stem: pl.read_parquet(p) for p in analysis_dir.glob("*.parquet")}
