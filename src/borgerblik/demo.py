"""`borgerblik demo`: the honest end-to-end path of what works, on a fresh embedded SQLite file.

Every step calls the same stage functions as the commands and the web app do — nothing here computes on
its own. The synthetic national register stands in for the municipalities' extracts.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from babel.numbers import format_decimal
from rich.console import Console

from borgerblik.core import load_template
from borgerblik.registers import read_register
from borgerblik.registers.survey_import import import_register
from borgerblik.sampling import reachability_totals
from borgerblik.sampling.survey_sample import sample_survey, survey_channels
from borgerblik.storage import Database
from borgerblik.surveys import create_survey_from_template
from borgerblik.synth import generate_register

SURVEY_NAME = "KL tværkommunal 2024"
INELIGIBLE = 2_400
"""Register rows that each fail one population rule, so the exclusion counts show in the demo."""


def number(value: float, decimals: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale="da_DK")


@dataclass
class DemoRun:
    """What the demo produced, for the closing summary and for tests."""

    workdir: Path
    database_url: str
    survey_id: int = 0
    facts: dict[str, object] = field(default_factory=dict)


def run_demo(workdir: Path, console: Console, seed: int = 2024) -> DemoRun:
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    run = DemoRun(workdir, f"sqlite:///{workdir / 'borgerblik.sqlite'}")
    with Database(run.database_url) as db:
        create_survey(db, run, console)
        import_synthetic_register(db, run, console, seed)
        draw_kl_sample(db, run, console, seed)
    return run


def create_survey(db: Database, run: DemoRun, console: Console) -> None:
    console.rule("1. Undersøgelse")
    run.survey_id = create_survey_from_template(db, SURVEY_NAME, "kl-2024")
    instrument = load_template("kl-2024")
    console.print(
        f"{SURVEY_NAME} oprettet fra skabelonen kl-2024: {len(instrument.questions())} spørgsmål, "
        f"{len(instrument.scale_items())} skala-items, sprog {', '.join(instrument.language_codes())}"
    )


def import_synthetic_register(db: Database, run: DemoRun, console: Console, seed: int) -> None:
    console.rule("2. Registerudtræk og population")
    path = run.workdir / "registerudtraek.csv"
    generate_register(seed=seed, ineligible=INELIGIBLE).write_csv(path)
    survey = db.survey(run.survey_id)
    check = read_register(path, reference_date=survey.period_end)
    check.rejects.write_csv(path.with_name(path.name + ".rejects.csv"))
    console.print(
        f"Syntetisk udtræk {path.name}: {number(check.members.height)} rækker godkendt, "
        f"{number(check.rejects.height)} afviste værdier"
    )
    result = import_register(db, survey, check)
    for exclusion in result.population.exclusions:
        console.print(
            f"  udelukket af {exclusion.rule} ({exclusion.description}): {number(exclusion.excluded)}"
        )
    console.print(
        f"Population: {number(result.population.size)} borgere i "
        f"{result.population.frame['kommune'].n_unique()} kommuner"
    )
    run.facts["population"] = result.population.size


def draw_kl_sample(db: Database, run: DemoRun, console: Console, seed: int) -> None:
    console.rule("3. Stikprøve")
    survey = db.survey(run.survey_id)
    sample = sample_survey(db, survey, seed)
    deviation = float(sample.report()["afvigelse"].abs().max() or 0.0)
    console.print(
        f"Stikprøve: {number(sample.size)} borgere (KL: 86.965); største afvigelse fra "
        f"proportional fordeling i et stratum: {number(deviation, 2)} person"
    )
    totals = reachability_totals(survey_channels(db, run.survey_id, sample.frame))
    for row in totals.iter_rows(named=True):
        console.print(f"  {row['beskrivelse']}: {number(row['antal'])} ({number(row['andel'] * 100, 1)} %)")
    run.facts["sample"] = sample.size
    run.facts["reachability"] = pl.DataFrame(totals)
