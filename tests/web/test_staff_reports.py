"""Report downloads from the results pages: a job running ``borgerblik report``'s own functions, files served
as attachments with an audit entry, a municipal analyst held to the national report and their own."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from borgerblik.storage.audit import audit_entries
from borgerblik.storage.jobs import latest_done_job, queue_job
from borgerblik.web.worker import run_next_job


@pytest.fixture
def reports(survey, answered, tmp_path, monkeypatch):
    """The report job on the simulated survey, with the real analysis and choice of municipalities, and a
    writer that lays out the files as ``write_reports`` does (the real one is tested below)."""
    from borgerblik.reporting import publish

    monkeypatch.setenv("BORGERBLIK_REPORTS", str(tmp_path / "rapporter"))
    calls = []

    def write(tables, instrument, out, municipalities, formats, language, title, skipped=()):
        from borgerblik.reporting.slugs import slug

        calls.append((list(municipalities), list(formats), language, title))
        (out / "kommuner").mkdir(parents=True)
        for name in ("index", "landsrapport", *(f"kommuner/{slug(m)}" for m in municipalities)):
            for suffix in formats:
                (out / f"{name}.{suffix}").write_text(f"<p>{name}</p>", encoding="utf-8")
        return publish.Written(out / "index.html", 1 + len(municipalities), tuple(skipped))

    monkeypatch.setattr(publish, "write_reports", write)
    queue_job(survey.db, "reports", "test", survey_id=answered, params={"formats": ["html"], "bootstrap": 20})
    run_next_job(survey.db, "test")
    found, _ = latest_done_job(survey.db, answered, "reports")
    assert found is not None and found.state == "done", found
    assert calls == [(["Høje-Taastrup", "Rødovre"], ["html"], "da", "KL simuleret")]
    return found


@pytest.mark.slow
def test_the_report_job_lists_and_serves_its_files(survey, answered, reports, admin):
    assert reports.result["files"] == [
        "index.html",
        "kommuner/hoeje-taastrup.html",
        "kommuner/roedovre.html",
        "landsrapport.html",
    ]
    assert reports.message == "3 rapporter skrevet (html)"
    page = admin.get(f"/resultater/{answered}/rapporter")
    assert page.status_code == 200 and "kommuner/roedovre.html" in page.text
    got = admin.get(f"/resultater/{answered}/rapporter/{reports.id}/landsrapport.html")
    assert got.status_code == 200 and got.text == "<p>landsrapport</p>"
    assert got.headers["content-disposition"] == f'attachment; filename="{answered}-landsrapport.html"'
    entry = audit_entries(survey.db)[0]
    assert (entry.actor, entry.action, entry.detail) == (
        admin.username,
        "report_download",
        f"undersøgelse {answered}, kørsel {reports.id}: landsrapport.html",
    )


@pytest.mark.slow
def test_the_report_job_writes_what_borgerblik_report_writes(survey, answered, tmp_path, monkeypatch):
    from borgerblik.cli import app
    from borgerblik.storage.jobs import claim_job
    from borgerblik.web.worker import RUNNERS

    monkeypatch.setenv("BORGERBLIK_REPORTS", str(tmp_path / "rapporter"))
    queue_job(survey.db, "reports", "test", survey_id=answered, params={"formats": ["html"], "bootstrap": 20})
    claimed, _ = claim_job(survey.db, "test")
    result, _ = RUNNERS["reports"](survey.db, claimed, None)
    out = tmp_path / "cli"
    ran = CliRunner().invoke(
        app,
        [
            "report",
            "--survey",
            str(answered),
            "--database",
            str(survey.db.engine.url),
            "--municipality",
            "all",
        ]
        + ["--format", "html", "--bootstrap", "20", "--out", str(out)],
    )
    assert ran.exit_code == 0, ran.output
    written = tmp_path / "rapporter" / str(answered) / str(claimed.id)
    assert result["files"] == sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert (written / "landsrapport.html").read_bytes() == (out / "landsrapport.html").read_bytes()


@pytest.mark.slow
def test_a_municipal_analyst_downloads_the_national_and_their_own_report_only(
    survey, answered, reports, staff_client
):
    analyst = staff_client("municipal_analyst", "Rødovre")
    base = f"/resultater/{answered}/rapporter/{reports.id}"
    page = analyst.get(f"/resultater/{answered}/rapporter").text
    assert "landsrapport.html" in page and "kommuner/roedovre.html" in page
    assert "hoeje-taastrup" not in page and "index.html" not in page and "Lav rapporterne" not in page
    assert analyst.get(f"{base}/kommuner/roedovre.html").status_code == 200
    assert analyst.get(f"{base}/kommuner/hoeje-taastrup.html").status_code == 403
    assert analyst.get(f"{base}/index.html").status_code == 403
    assert analyst.get(f"{base}/../../etc/passwd").status_code == 404
    assert analyst.get(f"{base}/kommuner/ukendt.html").status_code == 404
    assert analyst.post(f"/resultater/{answered}/rapporter", data={"csrf": analyst.csrf}).status_code == 403
    assert analyst.get(f"/koersler/{reports.id}").status_code == 403


def test_an_analyst_follows_report_and_analysis_jobs_but_no_others(survey, staff_client):
    analyst = staff_client("analyst")
    made = analyst.post(
        f"/resultater/{survey.survey_id}/rapporter", data={"csrf": analyst.csrf, "format": "html"}
    )
    assert made.status_code == 303 and analyst.get(made.headers["location"]).status_code == 200
    refused = analyst.post(
        f"/resultater/{survey.survey_id}/rapporter", data={"csrf": analyst.csrf, "format": "doc"}
    )
    assert refused.status_code == 400
    sample = queue_job(survey.db, "draw_sample", "mette", survey_id=survey.survey_id, params={"seed": 1})
    assert analyst.get(f"/koersler/{sample}").status_code == 403
