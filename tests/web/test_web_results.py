"""Results pages: the numbers are `borgerblik analyze --survey`'s own, computed by the analysis job; a
municipal analyst sees the national figure and their own municipality, and gets 403 for another one by URL
and through the API."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files

import polars as pl
import pytest
from typer.testing import CliRunner

from borgerblik.core import load_template
from borgerblik.fieldwork import run_simulated_fieldwork
from borgerblik.sampling.survey_sample import sample_survey
from borgerblik.storage.jobs import latest_done_job
from borgerblik.synth.behaviour import simulated_citizens
from borgerblik.web.worker import run_next_job

pytestmark = pytest.mark.slow
KOMMUNER = ("Høje-Taastrup", "Rødovre")


@pytest.fixture
def answered(survey, tmp_path):
    """A second survey: 400 citizens in two municipalities through a simulated three-week fieldwork."""
    db = survey.db
    yaml_text = files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
    survey_id = db.create_survey("KL simuleret", "kl-2024", yaml_text)
    rows = [
        {
            "cpr": f"{(n % 28) + 61:02d}0385-{n:04d}",
            "kommune": KOMMUNER[n % 2],
            "maalgruppe": ("6.1", "6.2", "6.3")[n % 3],
            "gender": "mand" if n % 2 else "kvinde",
            "birth_date": "1985-03-01",
            "age": 38,
            "age_group": "30-49",
            "ydelse_start": "2023-06-15",
            "ydelse_slut": "",
            "samtaler": "jobsamtale",
            "digital_post_fritaget": "nej",
            "telefon": f"2{n:07d}",
            "email": "",
        }
        for n in range(1, 401)
    ]
    db.add_members(survey_id, rows)
    sample_survey(db, db.survey(survey_id), seed=1)
    db.create_invitations(survey_id)
    citizens = simulated_citizens(db, survey_id, load_template("kl-2024"), seed=7)
    start = datetime(2024, 3, 11, 9, tzinfo=UTC)
    run_simulated_fieldwork(db, survey_id, tmp_path / "felt", start=start, actions=citizens.actions, seed=7)
    return survey_id


def test_the_pages_show_the_numbers_of_borgerblik_analyze(survey, answered, admin, tmp_path):
    assert "Der er ingen analyse endnu" in admin.get(f"/resultater/{answered}").text
    queued = admin.post(f"/resultater/{answered}/analyse", data={"csrf": admin.csrf})
    assert queued.status_code == 303
    run_next_job(survey.db, "test")
    analysis, _ = latest_done_job(survey.db, answered, "analysis")
    assert analysis is not None, "the analysis job ran"
    url = str(survey.db.engine.url)
    out = tmp_path / "analyse"
    from borgerblik.cli import app

    ran = CliRunner().invoke(
        app, ["analyze", "--survey", str(answered), "--database", url, "--out", str(out), "--bootstrap", "20"]
    )
    assert ran.exit_code == 0, ran.output
    for name in ("breakdowns", "benchmark"):
        expected = pl.read_parquet(out / f"{name}.parquet")
        got = pl.DataFrame(analysis.result["tables"][name], infer_schema_length=None)
        columns = got.columns
        assert got.height == expected.height
        assert (
            got.select(columns)
            .sort(columns[:4] if name == "breakdowns" else columns[:2])
            .equals(expected.select(columns).sort(columns[:4] if name == "breakdowns" else columns[:2]))
        ), name
    page = admin.get(f"/resultater/{answered}/samlet_tilfredshed")
    assert page.status_code == 200 and "Kommunesammenligning" in page.text
    national = next(
        row
        for row in analysis.result["tables"]["breakdowns"]
        if row["question"] == "samlet_tilfredshed" and row["kommune"] == "alle" and row["by"] == "alle"
    )
    assert f"{national['mean']:.2f}".replace(".", ",") in page.text
    for kommune in KOMMUNER:
        assert kommune in page.text


def test_a_municipal_analyst_sees_only_their_municipality_and_the_nation(
    survey, answered, admin, staff_client
):
    admin.post(f"/resultater/{answered}/analyse", data={"csrf": admin.csrf})
    run_next_job(survey.db, "test")
    analyst = staff_client("municipal_analyst", "Rødovre")
    base = f"/resultater/{answered}/samlet_tilfredshed"
    own = analyst.get(f"{base}?kommune=Rødovre")
    assert own.status_code == 200 and "Høje-Taastrup" not in own.text
    assert analyst.get(base).status_code == 200
    assert analyst.get(f"{base}?kommune=Høje-Taastrup").status_code == 403
    api = f"/api/surveys/{answered}/results/samlet_tilfredshed"
    assert analyst.get(api, params={"kommune": "Høje-Taastrup"}).status_code == 403
    mine = analyst.get(api, params={"kommune": "Rødovre"}).json()
    assert {row["kommune"] for row in mine["benchmark"]} == {"Rødovre"}
    assert mine["total"]["kommune"] == "Rødovre"
    everyone = admin.get(api, params={"kommune": "Høje-Taastrup"}).json()
    assert {row["kommune"] for row in everyone["benchmark"]} == set(KOMMUNER)
    assert analyst.post(f"/resultater/{answered}/analyse", data={"csrf": analyst.csrf}).status_code == 403
    assert analyst.get(f"/resultater/{answered}/findes_ikke").status_code == 404
