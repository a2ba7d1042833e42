"""Data exports from the results pages: a job writes the files of ``borgerblik export`` (the same bytes for
CSV, the same table for SPSS), the page and the API serve them as attachments, each export and each download
is in the audit log, no CPR number or contact data is in any file, and a municipal analyst is refused."""

from __future__ import annotations

import re

import pyreadstat
import pytest
import typer
from typer.testing import CliRunner

from borgerblik.cli import interop as interop_cli
from borgerblik.storage.audit import audit_entries
from borgerblik.web.worker import run_next_job


@pytest.fixture
def exports(tmp_path, monkeypatch):
    folder = tmp_path / "eksporter"
    monkeypatch.setenv("BORGERBLIK_EXPORTS", str(folder))
    return folder


def cli_export(db, survey_id, fmt, out):
    app = typer.Typer()
    interop_cli.register(app)
    app.command("_")(lambda: None)  # two commands, so Typer keeps "export" as a subcommand
    url = db.engine.url.render_as_string(hide_password=False)
    args = ["export", "--survey", str(survey_id), "--format", fmt, "--out", str(out), "--database", url]
    ran = CliRunner().invoke(app, args)
    assert ran.exit_code == 0, ran.output
    return out


def identifiers(db, survey_id):
    """Every CPR number (with and without the dash) and phone number of the survey's citizens."""
    found = set()
    for contact in db.contacts(survey_id):
        found |= {contact.cpr, contact.cpr.replace("-", "")} | ({contact.phone} if contact.phone else set())
    return found


def test_an_export_is_the_clis_own_file_and_every_download_is_audited(
    survey, answered, admin, exports, tmp_path
):
    page = admin.get(f"/resultater/{answered}/eksport")
    assert page.status_code == 200 and "Der er ingen eksporter endnu." in page.text
    assert f'href="/resultater/{answered}/eksport"' in admin.get(f"/resultater/{answered}").text
    posted = admin.post(
        f"/resultater/{answered}/eksport", data={"csrf": admin.csrf, "format": ["sav", "csv"], "sprog": "da"}
    )
    assert posted.status_code == 303 and posted.headers["location"].startswith("/koersler/")
    job_id = int(posted.headers["location"].rsplit("/", 1)[1])
    run_next_job(survey.db, "test")
    assert "Hent eksporten" in admin.get(f"/koersler/{job_id}").text

    listed = admin.get(f"/resultater/{answered}/eksport").text
    names = re.findall(rf'href="/resultater/{answered}/eksport/{job_id}/([^"]+)"', listed)
    base = f"undersoegelse-{answered}-da"
    assert sorted(names) == [f"{base}-kodebog.html", f"{base}.csv", f"{base}.sav"]

    csv = admin.get(f"/resultater/{answered}/eksport/{job_id}/{base}.csv")
    assert csv.status_code == 200
    assert csv.headers["content-disposition"] == f'attachment; filename="{answered}-{base}.csv"'
    assert csv.headers["cache-control"] == "no-store"
    assert csv.content == cli_export(survey.db, answered, "csv", tmp_path / "cli.csv").read_bytes()

    sav = admin.get(f"/resultater/{answered}/eksport/{job_id}/{base}.sav")
    (tmp_path / "web.sav").write_bytes(sav.content)
    web_frame, web_meta = pyreadstat.read_sav(tmp_path / "web.sav")
    cli_frame, cli_meta = pyreadstat.read_sav(cli_export(survey.db, answered, "sav", tmp_path / "cli.sav"))
    assert web_frame.equals(cli_frame) and web_meta.column_labels == cli_meta.column_labels
    assert len(web_frame) > 100

    secrets = identifiers(survey.db, answered)
    assert len(secrets) > 400
    fields = set(re.split(r"[,\r\n\"]+", csv.content.decode("utf-8")))
    cells = {str(value) for value in web_frame.to_numpy().ravel()}
    assert not secrets & (fields | cells), "a CPR number or phone number in an export"
    assert not [s for s in secrets if "-" in s and s.encode() in sav.content]
    assert not {"cpr", "telefon", "email", "member_id"} & set(web_frame.columns)

    entries = [(e.actor, e.action, e.detail) for e in audit_entries(survey.db)]
    exported = [d for actor, action, d in entries if action == "export" and actor == admin.username]
    assert len(exported) == 2 and all(f"survey_id={answered}" in d for d in exported)
    downloads = [d for actor, action, d in entries if action == "export_download" and actor == admin.username]
    assert sorted(downloads) == [
        f"undersøgelse {answered}, kørsel {job_id}: {base}.csv",
        f"undersøgelse {answered}, kørsel {job_id}: {base}.sav",
    ]
    for other in ("%2E%2E/%2E%2E/x.csv", "andet.csv"):  # only the job's own files
        assert admin.get(f"/resultater/{answered}/eksport/{job_id}/{other}").status_code == 404
    refused = admin.post(f"/resultater/{answered}/eksport", data={"csrf": admin.csrf, "format": ["docx"]})
    assert refused.status_code == 400 and "Vælg mindst ét format" in refused.text


def test_the_api_queues_lists_and_serves_an_export(survey, answered, staff_client, exports):
    analyst = staff_client("analyst")
    headers = {"X-CSRF-Token": analyst.get("/api/session").json()["csrf"]}
    queued = analyst.post(
        f"/api/surveys/{answered}/exports", json={"formats": ["csv"], "language": "en"}, headers=headers
    )
    assert queued.status_code == 202, queued.text
    run_next_job(survey.db, "test")
    assert analyst.get(queued.json()["url"]).json()["state"] == "done"
    (listed,) = analyst.get(f"/api/surveys/{answered}/exports").json()
    assert listed["formats"] == ["csv"] and listed["language"] == "en" and listed["respondents"] > 100
    csv_url = next(url for url in listed["files"] if url.endswith(".csv"))
    got = analyst.get(csv_url)
    assert got.status_code == 200 and got.headers["content-disposition"].startswith("attachment;")
    assert [e.action for e in audit_entries(survey.db)][0] == "export_download"
    bad = analyst.post(f"/api/surveys/{answered}/exports", json={"language": "fr"}, headers=headers)
    assert bad.status_code == 422


def test_a_municipal_analyst_gets_no_export(survey, answered, staff_client, exports):
    analyst = staff_client("municipal_analyst", "Rødovre")
    assert analyst.get(f"/resultater/{answered}/eksport").status_code == 403
    posted = analyst.post(f"/resultater/{answered}/eksport", data={"csrf": analyst.csrf, "format": ["csv"]})
    assert posted.status_code == 403
    assert analyst.get(f"/api/surveys/{answered}/exports").status_code == 403
    assert "/eksport" not in analyst.get(f"/resultater/{answered}").text


def test_the_openapi_document_describes_the_results_twins(admin):
    paths = admin.get("/api/openapi.json").json()["paths"]
    for path, method, roles in (
        ("/api/surveys/{survey_id}/trends", "get", ["administrator", "analyst", "municipal_analyst"]),
        ("/api/surveys/{survey_id}/open-answers", "get", ["administrator", "analyst", "municipal_analyst"]),
        ("/api/surveys/{survey_id}/exports", "get", ["administrator", "analyst"]),
        ("/api/surveys/{survey_id}/exports", "post", ["administrator", "analyst"]),
        ("/api/surveys/{survey_id}/exports/{job_id}/{path}", "get", ["administrator", "analyst"]),
    ):
        operation = paths[path][method]
        assert operation["x-roles"] == roles and operation["summary"] != path, path
    download = paths["/api/surveys/{survey_id}/exports/{job_id}/{path}"]["get"]
    assert [(p["name"], p["schema"]["type"]) for p in download["parameters"]] == [
        ("survey_id", "integer"),
        ("job_id", "integer"),
        ("path", "string"),
    ]
