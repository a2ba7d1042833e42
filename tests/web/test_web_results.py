"""Results pages: the numbers are `borgerblik analyze --survey`'s own, computed by the analysis job; a
municipal analyst sees the national figure and their own municipality, and gets 403 for another one by URL
and through the API."""

from __future__ import annotations

import polars as pl
import pytest
from typer.testing import CliRunner

from borgerblik.storage.jobs import latest_done_job
from borgerblik.web.worker import run_next_job

pytestmark = pytest.mark.slow
KOMMUNER = ("Høje-Taastrup", "Rødovre")  # the municipalities of the ``answered`` fixture


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
