"""In Chromium: an analyst codes answers by keyboard with JavaScript switched off — the focus starts on "Gem
og næste", Shift+Tab reaches the codes, Space toggles one, Enter saves and opens the next answer — and
axe-core finds no WCAG 2.1 A/AA violation on any coding page. (The number keys are the checkboxes'
``accesskey``; a synthetic key press in headless Chromium does not reach accesskeys, so they are checked
in the HTML by test_coding.py.)"""

from __future__ import annotations

import pytest
from test_coding import QUESTION, make_coding_survey
from web_staff_support import browser_sign_in

from borgerblik.storage.open_answers import coded_answers

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_analyst_codes_by_keyboard_without_javascript(browser, server, survey):
    survey_id, _ = make_coding_survey(survey.db)
    context = browser.new_context(java_script_enabled=False, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        name = browser_sign_in(page, server.url, survey.db, "analyst", username="mette")
        page.goto(f"{server.url}/kodning")
        page.locator(f'a[href="/kodning/{survey_id}/{QUESTION}"]').click()
        page.get_by_role("link", name="Kod næste ukodede svar").click()
        first = page.url
        # autofocus applies once the page has loaded: on a busy machine the first look can come before it
        page.wait_for_function("document.activeElement?.textContent === 'Gem og næste'")
        assert page.evaluate("document.activeElement.textContent") == "Gem og næste"
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Space")
        assert page.is_checked("#kode-3")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: url != first)
        assert "/svar/" in page.url
        coded = coded_answers(survey.db, survey_id, QUESTION)
        assert coded.select("code", "coder").rows() == [("lyttet", name)]
    finally:
        context.close()


def test_the_coding_pages_pass_axe(phone, server, survey, wcag_violations):
    survey_id, places = make_coding_survey(survey.db)
    browser_sign_in(phone, server.url, survey.db, "analyst")
    base = f"{server.url}/kodning/{survey_id}/{QUESTION}"
    visited = {}
    for label, url in (
        ("oversigt", f"{server.url}/kodning"),
        ("svar", base),
        ("ét svar", f"{base}/svar/{places['Rødovre'][0]}"),
        ("kodebog", f"{base}/kodebog"),
        ("enighed", f"{base}/enighed"),
    ):
        phone.goto(url)
        visited[label] = wcag_violations(phone)
    assert {label: found for label, found in visited.items() if found} == {}
