"""Script in a municipality's name, in a local question's text, in a survey's name, in an audit entry and in a
citizen's open answer never runs — checked in Chromium on the citizen's pages, the staff pages and an HTML
report (issue 18). Each payload sets ``window.__xss`` if it ever executes, or leaves an element behind if it
is ever parsed as markup; the page must show it as text instead."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import pytest
import yaml
from web_staff_support import browser_sign_in

from borgerblik.storage import Database
from borgerblik.storage.audit import record_audit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KOMMUNE = "<img src=x onerror=\"window.__xss='kommune'\">"
LOCAL_TEXT = "<script>window.__xss='lokal'</script><b onmouseover=\"window.__xss='b'\">lokal</b>?"
SURVEY_NAME = "<svg onload=\"window.__xss='navn'\">KL</svg>"
ANSWER = "\"></textarea><script>window.__xss='svar'</script><img src=x onerror=\"window.__xss='svar2'\">"
AUDIT = "<iframe src=\"javascript:window.top.__xss='audit'\"></iframe>"
#: What a payload leaves behind if the page ever parsed it as markup.
INJECTED = "script:not([src]), img[src='x'], svg[onload], [onerror], [onmouseover], iframe"


@dataclass
class HostileSurvey:
    db: Database
    survey_id: int
    token: str


@pytest.fixture
def survey(tmp_path: Any) -> Any:
    """Replaces the package's ``survey`` fixture (so ``server`` serves this one): the KL instrument with a
    local question whose text is script, for a municipality named in script, one citizen invited there."""
    instrument = yaml.safe_load(
        files("borgerblik.core").joinpath("templates/kl-2024.yaml").read_text(encoding="utf-8")
    )
    instrument["local_questions"] = {
        KOMMUNE: [{"id": "lokal_xss", "kind": "open", "label": {"da": "Lokalt"}, "text": {"da": LOCAL_TEXT}}]
    }
    db = Database(f"sqlite:///{tmp_path / 'borgerblik.sqlite'}")
    survey_id = db.create_survey(SURVEY_NAME, "kl-2024", yaml.safe_dump(instrument, allow_unicode=True))
    member_ids = db.add_members(
        survey_id,
        [
            {
                "cpr": "610385-4001",
                "kommune": KOMMUNE,
                "maalgruppe": "6.1",
                "gender": "mand",
                "birth_date": "1985-03-01",
                "age": 38,
                "age_group": "30-49",
                "ydelse_start": "2023-06-15",
                "ydelse_slut": "",
                "samtaler": "jobsamtale",
                "digital_post_fritaget": "nej",
                "telefon": "20000001",
                "email": "",
            }
        ],
    )
    db.save_sample(survey_id, dict.fromkeys(member_ids, "stratum"), draw_seed=1)
    db.create_invitations(survey_id)
    record_audit(db, "test", "survey_create", AUDIT)
    yield HostileSurvey(db, survey_id, db.invitations(survey_id)[0].token)
    db.close()


def assert_inert(page: Any, where: str, *shown: str) -> None:
    """Nothing ran, nothing was parsed as markup, and each of ``shown`` is on the page as text."""
    assert page.evaluate("window.__xss") is None, (where, page.evaluate("window.__xss"))
    assert page.locator(INJECTED).count() == 0, (where, page.content()[:2000])
    text = page.evaluate(
        "document.body.innerText + [...document.querySelectorAll('option')].map(o => o.text)"
    )
    for expected in shown:
        assert expected in text, (where, expected)


def test_payloads_never_run_in_the_citizens_pages(phone, server, survey):
    base = f"{server.url}/s/{survey.token}"
    phone.goto(base)
    assert_inert(phone, "velkomst")
    phone.goto(f"{base}/side/lokale")
    assert_inert(phone, "lokale spørgsmål", LOCAL_TEXT)
    phone.goto(f"{base}/side/aabne")
    phone.fill("#svar-forbedringer", ANSWER)
    with phone.expect_navigation():
        phone.locator("button[value=back]").click()  # saved, not sent: the page can be opened again
    phone.goto(f"{base}/side/aabne")
    stored = survey.db.answers(survey.db.invitation_by_token(survey.token).id)["forbedringer"]
    assert phone.input_value("#svar-forbedringer") == stored
    assert_inert(phone, "åbent svar vist igen")


def test_payloads_never_run_in_the_staff_pages(browser, server, survey):
    token = survey.token
    invitation_id = survey.db.invitation_by_token(token).id
    survey.db.save_answers(invitation_id, {"forbedringer": ANSWER}, mode="web", language="da")
    stored = survey.db.answers(invitation_id)["forbedringer"]  # as redacted on arrival: what analysts see
    pages = {
        "administrator": {
            "forside": ("/", SURVEY_NAME),
            "undersøgelse": (f"/undersoegelser/{survey.survey_id}", SURVEY_NAME),
            "interviewerskærm": (f"/interviewer/?survey={survey.survey_id}", KOMMUNE),
            "feltarbejde": (f"/analytiker/feltarbejde/{survey.survey_id}", SURVEY_NAME),
            "revisionslog": ("/admin/audit", AUDIT),
        },
        "analyst": {
            "kodning": (f"/kodning/{survey.survey_id}/forbedringer", stored),
        },
    }
    for role, visits in pages.items():
        context = browser.new_context(locale="da-DK")
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            browser_sign_in(page, server.url, survey.db, role)
            for where, (path, shown) in visits.items():
                response = page.goto(server.url + path)
                assert response.status == 200, (where, response.status)
                assert_inert(page, where, *([shown] if shown else []))
        finally:
            context.close()


def test_payloads_never_run_in_an_html_report(phone):
    from borgerblik.reporting.charts import bars
    from borgerblik.reporting.html import render_html
    from borgerblik.reporting.model import Chart, Figure, Report, Section, Sentence, Table, Theme

    short = "<svg onload=__xss=1>"  # chart labels are cut at 28 characters
    figure = Figure(4.1, "4,1", "mean", "breakdowns[kommune=x]")
    table = Table("Kommuner", ["Kommune", "Gennemsnit"], [[KOMMUNE, figure], [short, figure]])
    report = Report(
        language="da",
        title=SURVEY_NAME,
        subtitle=KOMMUNE,
        municipality=KOMMUNE,
        slug="xss",
        headline=[(LOCAL_TEXT, figure)],
        sections=[
            Section(
                "kommuner",
                KOMMUNE,
                [
                    Sentence((KOMMUNE, " har ", figure)),
                    table,
                    Chart("c1", KOMMUNE, KOMMUNE, bars("c1", KOMMUNE, KOMMUNE, [(short, figure)]), table),
                    Theme(KOMMUNE, figure, figure, (ANSWER,)),
                ],
            )
        ],
    )
    phone.set_content(render_html(report))
    assert_inert(phone, "HTML-rapport", KOMMUNE, LOCAL_TEXT, short)
