"""Surveys for the results pages' tests: waves of the KL survey with their close dates, so the analysis finds
the earlier ones (a module of its own, since test modules never import ``conftest``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib.resources import files
from pathlib import Path

from borgerblik.core import load_template
from borgerblik.fieldwork import run_simulated_fieldwork
from borgerblik.sampling.survey_sample import sample_survey
from borgerblik.storage import Database
from borgerblik.storage.jobs import latest_done_job, queue_job
from borgerblik.synth.behaviour import simulated_citizens
from borgerblik.web.worker import run_next_job

MUNICIPALITIES = ("Høje-Taastrup", "Rødovre")


def simulated_wave(db: Database, folder: Path, year: int, *, citizens: int = 400) -> int:
    """The KL survey of ``year`` (closed 7 April, register quarter the autumn before): ``citizens`` in the
    two municipalities through a simulated three-week fieldwork, as the ``answered`` fixture's."""
    yaml_text = files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
    survey_id = db.create_survey(
        f"KL bølge {year}",
        "kl-2024",
        yaml_text,
        period_start=date(year - 1, 10, 1),
        period_end=date(year - 1, 12, 31),
        reference_date=date(year, 4, 7),
    )
    rows = [
        {
            "cpr": f"{(n % 28) + 61:02d}{year % 12 + 1:02d}85-{n:04d}",  # day + 60: never a real person
            "kommune": MUNICIPALITIES[n % 2],
            "maalgruppe": ("6.1", "6.2", "6.3")[n % 3],
            "gender": "mand" if n % 2 else "kvinde",
            "birth_date": "1985-03-01",
            "age": 38,
            "age_group": "30-49",
            "ydelse_start": f"{year - 1}-06-15",
            "ydelse_slut": "",
            "samtaler": "jobsamtale",
            "digital_post_fritaget": "nej",
            "telefon": f"3{year % 100:02d}{n:05d}",
            "email": "",
        }
        for n in range(1, citizens + 1)
    ]
    db.add_members(survey_id, rows)
    sample_survey(db, db.survey(survey_id), seed=year)
    db.create_invitations(survey_id)
    behaviour = simulated_citizens(db, survey_id, load_template("kl-2024"), seed=year, wave=year)
    start = datetime(year, 3, 11, 9, tzinfo=UTC)
    run_simulated_fieldwork(
        db, survey_id, folder / f"felt-{year}", start=start, actions=behaviour.actions, seed=year
    )
    return survey_id


def run_analysis(db: Database, survey_id: int) -> object:
    """The analysis job of the results page, run to its end; the finished job."""
    queue_job(db, "analysis", "test", survey_id=survey_id, params={"bootstrap": 20})
    run_next_job(db, "test")
    found, _ = latest_done_job(db, survey_id, "analysis")
    assert found is not None
    return found
