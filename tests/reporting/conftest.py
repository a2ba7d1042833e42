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


WAVES = {2023: ("KL tværkommunal 2023", 2023), 2024: ("KL tværkommunal 2024", 2024)}
STORED_MUNICIPALITIES = ("Hørsholm", "Lemvig")
STORED_INELIGIBLE = 60


def _store_wave(db, tmp: Path, year: int, seed: int) -> int:
    """One wave of the KL survey, stored the way the demo stores it: a register file imported through the
    population rules, the KL sample, invitation and two reminders, simulated citizens answering."""
    from datetime import UTC, date, datetime

    from borgerblik.fieldwork import run_simulated_fieldwork
    from borgerblik.registers import read_register
    from borgerblik.registers.survey_import import import_register
    from borgerblik.sampling.survey_sample import sample_survey
    from borgerblik.surveys import create_survey_from_template
    from borgerblik.synth.behaviour import simulated_citizens
    from borgerblik.synth.register import generate_register

    name, wave = WAVES[year]
    survey_id = create_survey_from_template(
        db,
        name,
        "kl-2024",
        period_start=date(year - 1, 10, 1),
        period_end=date(year - 1, 12, 31),
        reference_date=date(year, 4, 7),
    )
    register = generate_register(seed=seed, ineligible=STORED_INELIGIBLE)
    eligible = register.head(register.height - STORED_INELIGIBLE)
    small = eligible.filter(pl.col("kommune").is_in(list(STORED_MUNICIPALITIES))).sample(450, seed=seed)
    shifted = small.with_columns(  # the earlier wave's citizens were in a course a year earlier
        pl.col("ydelse_start").str.to_date().dt.offset_by(f"{year - 2024}y").dt.to_string("%Y-%m-%d")
    )
    path = tmp / f"udtraek-{year}.csv"
    pl.concat([shifted, register.tail(STORED_INELIGIBLE)]).write_csv(path)
    import_register(db, db.survey(survey_id), read_register(path, reference_date=date(year - 1, 12, 31)))
    sample_survey(db, db.survey(survey_id), seed)
    db.create_invitations(survey_id)
    citizens = simulated_citizens(db, survey_id, load_template("kl-2024"), seed=seed, wave=wave)
    start = datetime(year, 3, 4, 8, tzinfo=UTC)
    run_simulated_fieldwork(
        db, survey_id, tmp / f"felt-{year}", start=start, actions=citizens.actions, days=21, seed=seed
    )
    return survey_id


@pytest.fixture(scope="session")
def stored_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file with two waves of the same instrument (2023 and 2024) in two municipalities.

    Member ids are random pseudonyms and the simulated citizens act by them; numbered ids here make the
    fieldwork, and so the reports, the same on every run."""
    import itertools

    from borgerblik.storage import Database, population

    tmp = tmp_path_factory.mktemp("lagret")
    url = f"sqlite:///{tmp / 'borgerblik.sqlite'}"
    numbers = itertools.count(1)
    with pytest.MonkeyPatch.context() as patch, Database(url) as db:
        patch.setattr(population, "new_member_id", lambda: f"{next(numbers):016x}")
        _store_wave(db, tmp, 2023, seed=23)
        _store_wave(db, tmp, 2024, seed=24)
    return url
