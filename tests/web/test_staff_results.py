"""The priority map on the results pages: the key drivers of ``borgerblik analyze`` (same rows), the report's
own chart, and a municipal analyst held to the nation and their own municipality."""

from __future__ import annotations

import re

import polars as pl
from typer.testing import CliRunner

from borgerblik.storage.jobs import latest_done_job, queue_job
from borgerblik.web.worker import run_next_job

POINT_COLUMNS = ["kommune", "predictor", "rescaled_weight", "mean", "quadrant", "rank"]


def analysed(survey, answered):
    queue_job(survey.db, "analysis", "test", survey_id=answered, params={"bootstrap": 20})
    run_next_job(survey.db, "test")
    found, _ = latest_done_job(survey.db, answered, "analysis")
    assert found is not None
    return found


def test_the_priority_map_has_the_drivers_of_borgerblik_analyze(survey, answered, admin, tmp_path):
    analysis = analysed(survey, answered)
    from borgerblik.cli import app

    out = tmp_path / "analyse"
    url = str(survey.db.engine.url)
    ran = CliRunner().invoke(
        app, ["analyze", "--survey", str(answered), "--database", url, "--out", str(out), "--bootstrap", "20"]
    )
    assert ran.exit_code == 0, ran.output
    expected = pl.read_parquet(out / "drivers.parquet").select(POINT_COLUMNS).sort("kommune", "predictor")
    got = (
        pl.DataFrame(analysis.result["tables"]["drivers"]).select(POINT_COLUMNS).sort("kommune", "predictor")
    )
    assert got.height == expected.height > 0
    assert got.equals(expected)

    page = admin.get(f"/resultater/{answered}/prioritetskort")
    assert page.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page.text and 'role="img"' in page.text
    national = got.filter(pl.col("kommune") == "alle")
    cells = re.findall(
        r"<tr><td>(\d+)</td><td>[^<]*</td><td>([\d,]+)</td><td>([\d,]+)</td><td>(\w+)</td></tr>", page.text
    )
    assert len(cells) == national.height
    top = national.sort("rank").row(0, named=True)
    shown = {(w, m, q) for _, w, m, q in cells}
    names = {"styrke": "Styrke", "udfordring": "Udfordring", "svaghed": "Svaghed", "mulighed": "Mulighed"}
    weight, mean = f"{top['rescaled_weight']:.1f}".replace(".", ","), f"{top['mean']:.2f}".replace(".", ",")
    assert (weight, mean, names[top["quadrant"]]) in shown
    assert admin.get(f"/resultater/{answered}").text.count("/prioritetskort") == 1


def test_a_municipal_analyst_gets_the_nation_and_their_own_map_only(survey, answered, staff_client):
    analysed(survey, answered)
    analyst = staff_client("municipal_analyst", "Rødovre")
    own = analyst.get(f"/resultater/{answered}/prioritetskort?kommune=Rødovre")
    assert own.status_code == 200
    assert "<option selected>Rødovre</option>" in own.text and "Høje-Taastrup" not in own.text
    assert analyst.get(f"/resultater/{answered}/prioritetskort").status_code == 200
    other = analyst.get(f"/resultater/{answered}/prioritetskort?kommune=Høje-Taastrup")
    assert other.status_code == 403


def test_without_an_analysis_the_map_sends_back_to_the_results(survey, answered, admin):
    answer = admin.get(f"/resultater/{answered}/prioritetskort")
    assert answer.status_code == 303 and answer.headers["location"] == f"/resultater/{answered}"
