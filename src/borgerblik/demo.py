"""`borgerblik demo`: the honest end-to-end path of what works, on a fresh embedded SQLite file.

Every step calls the same stage functions as the commands and the web app do — nothing here computes on
its own. The synthetic national register stands in for the municipalities' extracts; by default the demo
keeps a handful of them (:data:`DEMO_MUNICIPALITIES`, a first run in about a minute), the national run is
``borgerblik demo --national``.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
from rich.console import Console

from borgerblik.analysis.answers import instrument_scales
from borgerblik.analysis.survey import AnalysisOptions, analyze_survey, write_tables
from borgerblik.core import load_template
from borgerblik.danish import decimal, integer, share
from borgerblik.fieldwork import run_simulated_fieldwork
from borgerblik.progress import fieldwork_days
from borgerblik.registers import read_register
from borgerblik.registers.survey_import import import_register
from borgerblik.reporting.demo_reports import publish_demo_reports
from borgerblik.sampling import reachability_totals
from borgerblik.sampling.survey_sample import sample_survey, survey_channels
from borgerblik.storage import Database
from borgerblik.surveys import create_survey_from_template, stored_survey
from borgerblik.synth import generate_register
from borgerblik.synth.behaviour import simulated_citizens
from borgerblik.text.demo import QUESTION, open_answers_step
from borgerblik.weighting.fieldwork_summary import weigh_fieldwork
from borgerblik.weighting.tables import ID_COLUMN

SURVEY_NAME = "KL tværkommunal 2024"
DANISH_TIME = ZoneInfo("Europe/Copenhagen")
CELLS = ("kommune", "koen", "aldersgruppe", "maalgruppe_kl2024")
"""KL's weighting cells: age × gender × municipality × target group."""
DEMO_MUNICIPALITIES = ("Assens", "Frederiksberg", "Hørsholm", "Lemvig", "Morsø", "Odsherred")
"""The default demo: one municipality from each region plus the second, big one of Hovedstaden — every stage
for real on 13 % of the register (the national 198.877 citizens are ``--national``)."""
SHOWN_MERGES = 5
"""Collapsed weighting cells listed by name; the rest are counted (all are in the weights report)."""
FIELDWORK_DAYS = 21
"""Three weeks: invitation, then two reminders a week apart."""
INELIGIBLE = 2_400
"""Register rows that each fail one population rule, so the exclusion counts show in the demo."""


@dataclass
class DemoRun:
    """What the demo produced, for the closing summary and for tests."""

    workdir: Path
    database_url: str
    survey_id: int = 0
    facts: dict[str, object] = field(default_factory=dict)


def run_demo(
    workdir: Path,
    console: Console,
    seed: int = 2024,
    municipalities: Sequence[str] = (),
    bootstrap: int = 1000,
) -> DemoRun:
    """The whole pipeline; ``municipalities`` limits the register to those (a quicker, smaller run), none is
    the national register."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    run = DemoRun(workdir, f"sqlite:///{workdir / 'borgerblik.sqlite'}")
    with Database(run.database_url) as db:
        create_survey(db, run, console)
        import_synthetic_register(db, run, console, seed, municipalities)
        draw_kl_sample(db, run, console, seed, national=not municipalities)
        run_fieldwork(db, run, console, seed)
        weigh_and_analyse(db, run, console, bootstrap)
        run.facts["index"] = publish_demo_reports(db, run.survey_id, run.facts, workdir, console)
    return run


def create_survey(db: Database, run: DemoRun, console: Console) -> None:
    console.rule("1. Undersøgelse")
    run.survey_id = create_survey_from_template(db, SURVEY_NAME, "kl-2024")
    instrument = load_template("kl-2024")
    console.print(
        f"{SURVEY_NAME} oprettet fra skabelonen kl-2024: {len(instrument.questions())} spørgsmål, "
        f"{len(instrument.scale_items())} skala-items, sprog {', '.join(instrument.language_codes())}"
    )


def import_synthetic_register(
    db: Database, run: DemoRun, console: Console, seed: int, municipalities: Sequence[str]
) -> None:
    console.rule("2. Registerudtræk og population")
    path = run.workdir / "registerudtraek.csv"
    register = generate_register(seed=seed, ineligible=INELIGIBLE)
    if municipalities:
        unknown = sorted(set(municipalities) - set(register["kommune"]))
        if unknown:
            raise ValueError(
                f"kommunerne {', '.join(unknown)} er ikke blandt de 44 i de syntetiske data "
                f"(fx {', '.join(sorted(set(register['kommune']))[:4])} …)"
            )
        register = register.filter(pl.col("kommune").is_in(list(municipalities)))
    register.write_csv(path)
    survey = db.survey(run.survey_id)
    check = read_register(path, reference_date=survey.period_end)
    check.rejects.write_csv(path.with_name(path.name + ".rejects.csv"))
    console.print(
        f"Syntetisk udtræk {path.name}: {integer(check.members.height)} rækker godkendt, "
        f"{integer(check.rejects.height)} afviste værdier"
    )
    result = import_register(db, survey, check)
    for exclusion in result.population.exclusions:
        console.print(
            f"  udelukket af {exclusion.rule} ({exclusion.description}): {integer(exclusion.excluded)}"
        )
    console.print(
        f"Population: {integer(result.population.size)} borgere i "
        f"{result.population.frame['kommune'].n_unique()} kommuner"
    )
    run.facts["population"] = result.population.size


def draw_kl_sample(db: Database, run: DemoRun, console: Console, seed: int, *, national: bool) -> None:
    console.rule("3. Stikprøve")
    survey = db.survey(run.survey_id)
    sample = sample_survey(db, survey, seed)
    deviation = float(sample.report()["afvigelse"].abs().max() or 0.0)
    reference = " (KL: 86.965)" if national else ""
    console.print(
        f"Stikprøve: {integer(sample.size)} borgere{reference}; største afvigelse fra "
        f"proportional fordeling i et stratum: {decimal(deviation, 2)} person"
    )
    totals = reachability_totals(survey_channels(db, run.survey_id, sample.frame))
    for row in totals.iter_rows(named=True):
        console.print(f"  {row['beskrivelse']}: {integer(row['antal'])} ({share(row['andel'])})")
    run.facts["sample"] = sample.size
    run.facts["reachability"] = pl.DataFrame(totals)


def run_fieldwork(db: Database, run: DemoRun, console: Console, seed: int) -> None:
    """Three weeks with two reminders: letters and SMS really sent (locally), citizens answering through the
    questionnaire's own functions, their behaviour from synth's one model of simulated citizens."""
    console.rule("4. Feltarbejde: invitation, to påmindelser, besvarelser")
    invitations = db.create_invitations(run.survey_id)
    citizens = simulated_citizens(db, run.survey_id, load_template("kl-2024"), seed, wave=2024)
    start = datetime.combine(citizens.fieldwork.invited_on, time(9, 0), tzinfo=DANISH_TIME)
    console.print(
        f"{integer(invitations)} invitationer med personligt link; {integer(len(citizens.actions))} borgere "
        "handler i løbet af de tre uger"
    )
    with fieldwork_days(console, FIELDWORK_DAYS) as on_day:
        result = run_simulated_fieldwork(
            db,
            run.survey_id,
            run.workdir / "feltarbejde",
            start=start,
            actions=citizens.actions,
            days=FIELDWORK_DAYS,
            seed=seed,
            on_day=on_day,
        )
    for line in result.lines(reference=" (KL 2024: 38,8 %)"):
        console.print(line)
    run.facts["fieldwork"] = result.status
    run.facts["simulated"] = citizens.fieldwork


def weigh_and_analyse(db: Database, run: DemoRun, console: Console, bootstrap: int) -> None:
    console.rule("5. Vægtning og bortfald")
    stored = stored_survey(db, run.survey_id)
    overall = stored.instrument.overall_question
    persons = stored.sample.join(
        stored.respondents.select(ID_COLUMN, overall), on=ID_COLUMN, how="left", maintain_order="left"
    )
    weighted = weigh_fieldwork(
        persons, stored.population_counts(CELLS), CELLS, overall_question=overall, age_column="alder"
    )
    report = weighted.report.lines()
    merges = [line for line in report if line.startswith("  ")]  # one line per collapsed cell
    for line in [line for line in report if not line.startswith("  ")] + merges[:SHOWN_MERGES]:
        console.print(line)
    if len(merges) > SHOWN_MERGES:
        console.print(f"  … og {integer(len(merges) - SHOWN_MERGES)} flere (se vaegtrapport.txt)")
    for line in weighted.lines():
        console.print(line)
    weighted.weighting.weights.write_csv(run.workdir / "vaegte.csv")
    (run.workdir / "vaegtrapport.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    console.print(f"Vægtene og hele vægtrapporten: vaegte.csv og vaegtrapport.txt i {run.workdir}")
    console.rule("6. Analyse")
    tables = analyze_survey(
        stored.respondents,
        stored.instrument.scale_items(),
        overall,
        design=weighted.weighting,
        options=AnalysisOptions(bootstrap=bootstrap),
        scales=instrument_scales(stored.instrument),
    )
    written = write_tables(tables, run.workdir / "analyse")
    statements = tables["statements"].filter(pl.col("question") == overall)
    for text in statements["text"]:
        console.print(text)
    console.print(f"{len(tables)} tabeller skrevet til {run.workdir / 'analyse'} ({len(written)} filer)")
    run.facts["weighted"] = weighted
    run.facts["tables"] = tables
    weights, folder = weighted.weighting.weights, run.workdir / "analyse"
    truth = run.facts["simulated"].truth.select(pl.col("respondent_id").cast(pl.String), f"{QUESTION}_tema")
    planted = dict(truth.drop_nulls().iter_rows())
    tables.update(open_answers_step(stored.respondents, stored.instrument, weights, folder, console, planted))
