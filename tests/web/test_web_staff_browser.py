"""In Chromium, without JavaScript doing anything for us: an administrator runs a survey from a template to
its results through the pages — creates it, uploads the register extract, draws the sample, sends the
invitations, logs a hotline call, sends a reminder, closes the fieldwork, runs the analysis, reads the
results and downloads the report — while the citizens answer through their letters' links; axe-core finds
no WCAG 2.1 A/AA violation on any staff page type on the way."""

from __future__ import annotations

import re
import subprocess

import pytest
from web_staff_support import answer_through_the_pages, browser_sign_in, register_csv

from borgerblik.fieldwork import DigitalPostFolder, send_due
from borgerblik.storage.jobs import job
from borgerblik.storage.overview import survey_progress
from borgerblik.web.worker import run_next_job

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LINK = re.compile(r"/s/([A-Za-z0-9_-]{16,})")


def run_job(phone, db, button: str) -> dict:
    """Press a button that queues a background job, let the worker run it, show its finished page; the
    job's result."""
    phone.get_by_role("button", name=button).click()
    phone.wait_for_url("**/koersler/*")
    ran = run_next_job(db, "browser-test")
    assert ran is not None
    finished = job(db, ran.id)
    assert finished.state == "done", finished.message
    phone.reload()
    return finished.result


def letter_tokens(folder) -> list[str]:
    """The link of every Digital Post letter the sender delivered, read from the PDFs as a citizen would."""
    tokens = []
    for letter in sorted(folder.rglob("*.pdf")):
        text = subprocess.run(["pdftotext", str(letter), "-"], capture_output=True, text=True, check=True)
        tokens.append(LINK.search(text.stdout).group(1))
    return tokens


def test_an_administrator_runs_a_survey_from_template_to_results(
    phone, server, survey, wcag_violations, tmp_path, monkeypatch
):
    monkeypatch.setenv("BORGERBLIK_SPOOL", str(tmp_path / "udbakke"))
    monkeypatch.setenv("BORGERBLIK_REPORTS", str(tmp_path / "rapporter"))
    db = survey.db
    extract = tmp_path / "udtraek.csv"
    extract.write_bytes(register_csv())
    visited: dict[str, list[str]] = {}
    browser_sign_in(phone, server.url, db, "administrator")
    visited["forside"] = wcag_violations(phone)
    phone.get_by_role("link", name="Ny undersøgelse fra en skabelon").click()
    visited["ny undersøgelse"] = wcag_violations(phone)
    phone.fill("#name", "   ")  # passes the browser's own check; the server refuses it and says why
    phone.get_by_role("button", name="Opret undersøgelsen").click()
    assert "Giv undersøgelsen et navn" in phone.content()
    visited["ny undersøgelse (fejl)"] = wcag_violations(phone)
    phone.fill("#name", "KL 2025 i browseren")
    phone.get_by_role("button", name="Opret undersøgelsen").click()
    phone.wait_for_url("**/undersoegelser/*")
    assert phone.get_by_role("heading", level=1).inner_text() == "KL 2025 i browseren"
    visited["undersøgelse"] = wcag_violations(phone)
    survey_url = phone.url
    survey_id = int(survey_url.rsplit("/", 1)[1])

    phone.set_input_files("#udtraek", str(extract))
    phone.get_by_role("button", name="Indlæs udtrækket").click()
    phone.wait_for_url("**/koersler/*")
    assert "I kø" in phone.content()
    visited["kørsel i kø"] = wcag_violations(phone)
    run_next_job(db, "browser-test")
    phone.reload()
    assert "Importsummering" in phone.content()
    visited["importsummering"] = wcag_violations(phone)

    phone.goto(survey_url)
    run_job(phone, db, "Træk stikprøven")
    assert "Stikprøverapport" in phone.content()
    visited["stikprøverapport"] = wcag_violations(phone)
    sampled = survey_progress(db, survey_id).sampled

    # fieldwork: the invitations into the outbox, the sending service delivers them as Digital Post letters
    phone.goto(survey_url)
    wave = run_job(phone, db, "Læg invitationerne i udbakken")
    assert f"{sampled} borgere" in phone.content()
    exempt = "exempt from Digital Post: SMS or e-mail"
    assert sum(wave["queued"].values()) + wave["no_channel"] == sampled, exempt
    visited["invitationer"] = wcag_violations(phone)
    letters = tmp_path / "digital-post"
    delivered = send_due(db, {"digital_post": DigitalPostFolder(letters)})
    assert delivered.sent == {"digital_post": wave["queued"]["digital_post"]}
    tokens = letter_tokens(letters)
    assert len(set(tokens)) == wave["queued"]["digital_post"]

    # citizens follow their letter's link; two thirds finish, one opts out on the hotline
    answering = tokens[: len(tokens) * 2 // 3]
    for n, token in enumerate(answering):
        assert answer_through_the_pages(server.url, token, seed=n).endswith("/tak?lang=da")
    phone.goto(survey_url)
    phone.get_by_role("link", name="Hotline og ringelister for KL 2025 i browseren").click()
    visited["hotline"] = wcag_violations(phone)
    opting_out = db.invitation_by_token(tokens[-1]).case_code
    phone.check("#emne-opt_out")
    phone.fill("#kode", opting_out)
    phone.get_by_role("button", name="Registrér opkaldet").click()
    assert "Opkaldet er registreret: Ønsker ikke at deltage." in phone.content()

    phone.goto(survey_url)
    reminder = run_job(phone, db, "Læg påmindelsen i udbakken")
    waiting = sampled - len(answering) - 1
    assert reminder["citizens"] == waiting, "a reminder goes to those who neither answered nor opted out"
    phone.goto(survey_url)
    phone.get_by_role("link", name="Feltarbejdsmonitor for KL 2025 i browseren").click()
    visited["feltarbejdsmonitor"] = wcag_violations(phone)
    phone.goto(survey_url)
    phone.check("#luk-bekraeft")
    phone.get_by_role("button", name="Luk feltarbejdet").click()
    phone.wait_for_url(survey_url)
    assert "Lukket." in phone.content()
    assert survey_progress(db, survey_id).complete == len(answering)

    # the analysis from the results page, then a question, its municipality benchmark and the priority map
    phone.goto(f"{server.url}/resultater/{survey_id}")
    run_job(phone, db, "Kør analysen")
    phone.goto(f"{server.url}/resultater/{survey_id}")
    assert f"Analyse af {len(answering)} besvarelser" in phone.content()
    visited["resultater"] = wcag_violations(phone)
    phone.locator('a[href$="/samlet_tilfredshed"]').click()
    assert "Fordeling: hele landet" in phone.content() and "Kommunesammenligning" in phone.content()
    visited["spørgsmål"] = wcag_violations(phone)
    phone.goto(f"{server.url}/resultater/{survey_id}/prioritetskort")
    visited["prioritetskort"] = wcag_violations(phone)

    phone.goto(f"{server.url}/resultater/{survey_id}/rapporter")
    run_job(phone, db, "Lav rapporterne")
    phone.goto(f"{server.url}/resultater/{survey_id}/rapporter")
    visited["rapporter"] = wcag_violations(phone)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="landsrapport.html").click()
    report = download.value.path().read_text(encoding="utf-8")
    assert "KL 2025 i browseren" in report and not re.search(r"\b\d{6}-?\d{4}\b", report), "no CPR number"

    phone.goto(f"{server.url}/admin/audit")
    log = phone.locator("tbody").inner_text()
    assert "close_fieldwork" in log and "report_download" in log and "landsrapport.html" in log
    visited["revisionslog"] = wcag_violations(phone)
    phone.get_by_role("button", name="Log ud").click()
    phone.wait_for_url("**/login")
    visited["log ind"] = wcag_violations(phone)
    phone.goto(survey_url)
    assert "/login?next=" in phone.url
    assert {name: found for name, found in visited.items() if found} == {}


def test_the_results_pages_pass_axe(phone, server, survey, answered, wcag_violations, tmp_path, monkeypatch):
    from borgerblik.storage.jobs import queue_job

    queue_job(survey.db, "analysis", "test", survey_id=answered, params={"bootstrap": 20})
    run_next_job(survey.db, "browser-test")
    browser_sign_in(phone, server.url, survey.db, "municipal_analyst", kommune="Rødovre")
    visited: dict[str, list[str]] = {}
    phone.goto(f"{server.url}/resultater/{answered}")
    visited["resultater"] = wcag_violations(phone)
    phone.locator('a[href$="/samlet_tilfredshed"]').click()
    visited["spørgsmål (landstal)"] = wcag_violations(phone)
    phone.get_by_role("link", name="Rødovre").click()
    assert "Fordeling: Rødovre" in phone.content()
    visited["spørgsmål (egen kommune)"] = wcag_violations(phone)
    phone.goto(f"{server.url}/resultater/{answered}/samlet_tilfredshed?kommune=H%C3%B8je-Taastrup")
    assert "Ingen adgang" in phone.content()
    visited["ingen adgang"] = wcag_violations(phone)
    assert {name: found for name, found in visited.items() if found} == {}

    # Trends, open answers and exports: two stored waves, one open question coded, one export made.
    from results_support import run_analysis, simulated_wave

    from borgerblik.storage.jobs import queue_job as queue
    from borgerblik.storage.open_answers import Code, open_answers, save_codebook, set_codes

    simulated_wave(survey.db, tmp_path, 2023)
    current = simulated_wave(survey.db, tmp_path, 2024)
    book = [Code("ventetid", "Ventetid"), Code("andet", "Andet")]
    save_codebook(survey.db, current, "hvorfor_tilfreds", book)
    coded = [
        (a.invitation_id, "ventetid" if "vent" in a.text.lower() else "andet")
        for a in open_answers(survey.db, current, "hvorfor_tilfreds")
    ]
    set_codes(survey.db, current, "hvorfor_tilfreds", coded, coder="analytiker")
    run_analysis(survey.db, current)
    phone.goto(f"{server.url}/resultater/{current}")
    phone.get_by_role("link", name="Udvikling over tid (tidligere bølger)").click()
    assert "Udvikling over tid: Alle" in phone.content()
    visited["tendenser (landstal)"] = wcag_violations(phone)
    phone.select_option("#kommune", "Rødovre")
    phone.get_by_role("button", name="Vis").click()
    assert "Udvikling over tid: Rødovre" in phone.content()
    visited["tendenser (egen kommune)"] = wcag_violations(phone)
    phone.goto(f"{server.url}/resultater/{current}/aabne-svar?kommune=R%C3%B8dovre")
    assert "<blockquote>" in phone.content()
    visited["åbne svar"] = wcag_violations(phone)
    phone.goto(f"{server.url}/resultater/{answered}/aabne-svar")
    assert "Ikke kodet endnu" in phone.content()
    visited["åbne svar (ikke kodet)"] = wcag_violations(phone)
    monkeypatch.setenv("BORGERBLIK_EXPORTS", str(tmp_path / "eksporter"))
    queue(survey.db, "export", "test", survey_id=current, params={"formats": ["csv"], "language": "da"})
    run_next_job(survey.db, "browser-test")
    browser_sign_in(phone, server.url, survey.db, "analyst")
    phone.goto(f"{server.url}/resultater/{current}")
    phone.get_by_role("link", name="Dataeksport").click()
    assert "Kørsel" in phone.content()
    visited["dataeksport"] = wcag_violations(phone)
    assert {name: found for name, found in visited.items() if found} == {}
