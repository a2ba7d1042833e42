"""In Chromium: the staff pages this stage added pass axe-core (WCAG 2.1 A/AA) and work without JavaScript —
the fieldwork forms, the hotline, local questions and the citizen preview, the priority map and reports."""

from __future__ import annotations

import pytest
from web_staff_support import browser_sign_in

from borgerblik.storage.jobs import queue_job
from borgerblik.web.worker import run_next_job

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOCAL_YAML = """- id: ht_parkering
  kind: scale
  scale: grad
  text: I hvilken grad er det nemt at parkere ved jobcentret?
"""


def test_fieldwork_hotline_and_local_question_pages_pass_axe(
    phone, server, survey, wcag_violations, tmp_path, monkeypatch
):
    monkeypatch.setenv("BORGERBLIK_SPOOL", str(tmp_path / "udbakke"))
    visited: dict[str, list[str]] = {}
    browser_sign_in(phone, server.url, survey.db, "administrator")
    base = f"{server.url}/undersoegelser/{survey.survey_id}"
    phone.goto(f"{base}/lokale-spoergsmaal")
    visited["lokale spørgsmål"] = wcag_violations(phone)
    phone.fill("#kommune", "Høje-Taastrup")
    phone.fill("#sporgsmaal", LOCAL_YAML)
    phone.get_by_role("button", name="Gem spørgsmålene").click()
    assert "Ret spørgsmålene for Høje-Taastrup" in phone.content()
    phone.fill("#sporgsmaal", "- id: [\n")
    phone.get_by_role("button", name="Gem spørgsmålene").click()
    assert "Spørgsmålene blev ikke gemt" in phone.content()
    visited["lokale spørgsmål (fejl)"] = wcag_violations(phone)
    phone.fill("#vis-kommune", "Høje-Taastrup")
    phone.get_by_role("button", name="Vis spørgeskemaet").click()
    phone.wait_for_url("**/forhaandsvisning/**")
    visited["forhåndsvisning"] = wcag_violations(phone)
    for _ in range(12):  # through the questionnaire by its own buttons, to the local question
        if "nemt at parkere" in phone.content():
            break
        phone.get_by_role("button", name="Næste").click()
        phone.wait_for_load_state()
    assert "I hvilken grad er det nemt at parkere ved jobcentret?" in phone.content()
    visited["forhåndsvisning (lokalt)"] = wcag_violations(phone)

    phone.goto(base)
    visited["undersøgelse med feltarbejde"] = wcag_violations(phone)
    phone.get_by_role("button", name="Læg invitationerne i udbakken").click()
    phone.wait_for_url("**/koersler/*")
    run_next_job(survey.db, "browser-test")
    phone.reload()
    assert "Beskeder i udbakken" in phone.content()
    visited["bølge"] = wcag_violations(phone)
    phone.goto(f"{base}/hotline")
    visited["hotline"] = wcag_violations(phone)
    phone.fill("#kode", survey.case_codes["dagpenge"])
    phone.get_by_label("Ønsker ikke at deltage").check()
    phone.get_by_role("button", name="Registrér opkaldet").click()
    assert "Opkaldet er registreret" in phone.content()
    visited["hotline (registreret)"] = wcag_violations(phone)
    phone.goto(base)
    phone.get_by_label("Jeg bekræfter: luk feltarbejdet", exact=False).check()
    phone.get_by_role("button", name="Luk feltarbejdet").click()
    assert "der sendes ikke flere breve" in phone.content()
    visited["lukket"] = wcag_violations(phone)
    assert {name: found for name, found in visited.items() if found} == {}


def test_priority_map_and_report_pages_pass_axe(phone, server, survey, answered, wcag_violations):
    queue_job(survey.db, "analysis", "test", survey_id=answered, params={"bootstrap": 20})
    run_next_job(survey.db, "browser-test")
    browser_sign_in(phone, server.url, survey.db, "analyst")
    visited: dict[str, list[str]] = {}
    phone.goto(f"{server.url}/resultater/{answered}")
    phone.get_by_role("link", name="Prioritetskort for KL simuleret").click()
    assert "<svg" in phone.content()
    visited["prioritetskort"] = wcag_violations(phone)
    phone.select_option("#kommune", "Rødovre")
    phone.get_by_role("button", name="Vis").click()
    visited["prioritetskort (kommune)"] = wcag_violations(phone)
    phone.goto(f"{server.url}/resultater/{answered}/rapporter")
    visited["rapporter"] = wcag_violations(phone)
    assert {name: found for name, found in visited.items() if found} == {}
