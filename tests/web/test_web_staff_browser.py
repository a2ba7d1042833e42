"""In Chromium, without JavaScript doing anything for us: an administrator signs in, creates a survey from a
template, uploads the register extract, follows the import job to its summary, draws the sample, and signs
out — and axe-core finds no WCAG 2.1 A/AA violation on any staff page type on the way."""

from __future__ import annotations

import pytest
from web_staff_support import browser_sign_in, register_csv

from borgerblik.web.worker import run_next_job

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_administrator_runs_a_survey_through_the_pages(phone, server, survey, wcag_violations, tmp_path):
    extract = tmp_path / "udtraek.csv"
    extract.write_bytes(register_csv())
    visited: dict[str, list[str]] = {}
    browser_sign_in(phone, server.url, survey.db, "administrator")
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

    phone.set_input_files("#udtraek", str(extract))
    phone.get_by_role("button", name="Indlæs udtrækket").click()
    phone.wait_for_url("**/koersler/*")
    assert "I kø" in phone.content()
    visited["kørsel i kø"] = wcag_violations(phone)
    run_next_job(survey.db, "browser-test")
    phone.reload()
    assert "Importsummering" in phone.content()
    visited["importsummering"] = wcag_violations(phone)

    phone.goto(survey_url)
    phone.get_by_role("button", name="Træk stikprøven").click()
    phone.wait_for_url("**/koersler/*")
    run_next_job(survey.db, "browser-test")
    phone.reload()
    assert "Stikprøverapport" in phone.content()
    visited["stikprøverapport"] = wcag_violations(phone)
    phone.goto(survey_url)
    assert "Færdig" in phone.content()
    phone.goto(f"{server.url}/admin/audit")
    visited["revisionslog"] = wcag_violations(phone)
    phone.get_by_role("button", name="Log ud").click()
    phone.wait_for_url("**/login")
    visited["log ind"] = wcag_violations(phone)
    phone.goto(survey_url)
    assert "/login?next=" in phone.url
    assert {name: found for name, found in visited.items() if found} == {}


def test_the_results_pages_pass_axe(phone, server, survey, answered, wcag_violations):
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
