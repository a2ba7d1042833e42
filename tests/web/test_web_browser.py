"""The questionnaire in headless Chromium on a phone-sized screen, with axe-core on every page type."""

from __future__ import annotations

import pytest
from web_staff_support import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: What each citizen clicks when a question is on their page (codes; text for open questions).
PLAN: dict[str, object] = {
    "status": 1,
    "arbejdsgiver": 2,
    "tillid": 5,
    "udgangspunkt": 4,
    "inddragelse": 9,
    "klart_maal": 3,
    "aktiviteter_mening": 2,
    "andre_afdelinger": 1,
    "samarbejde": 4,
    "formaal_klart": 5,
    "velforberedt": 4,
    "formidling_regler": 3,
    "plan_maal": 4,
    "plan_aftaler": 9,
    "plan_naeste_skridt": 5,
    "jobmuligheder": 2,
    "taettere_job": 3,
    "tilbagevenden_job": 4,
    "styrket_tro": 1,
    "samlet_tilfredshed": 4,
    "hvorfor_tilfreds": "Min sagsbehandler lyttede <og> tog mig alvorligt.",
    "forbedringer": "Færre skift af sagsbehandler",
}


PRESENT_TILLID = "I hvilken grad oplever du at blive mødt med tillid i jobcenteret?"
PAST_TILLID = "I hvilken grad oplevede du at blive mødt med tillid i jobcenteret?"
#: Questions routing must show and hide per target group (the sygedagpenge citizen answers "no employer").
ROUTING = {
    "dagpenge": (
        ("jobmuligheder", "taettere_job"),
        ("arbejdsgiver", "andre_afdelinger", "samarbejde", "styrket_tro"),
    ),
    "aktivitetsparate": (("andre_afdelinger", "samarbejde", "styrket_tro"), ("arbejdsgiver", "taettere_job")),
    "sygedagpenge": (
        ("arbejdsgiver", "jobmuligheder", "styrket_tro"),
        ("andre_afdelinger", "samarbejde", "taettere_job", "tilbagevenden_job"),
    ),
}


def answer_current_page(page, clicked: dict[str, object]) -> None:
    """Answer every question of the plan shown on this page, recording what was clicked."""
    names = page.eval_on_selector_all("form [name]", "els => [...new Set(els.map(e => e.name))]")
    for name in names:
        if name not in PLAN or name in clicked:
            continue
        value = PLAN[name]
        if isinstance(value, str):
            page.fill(f"#svar-{name}", value)
        else:
            page.check(f"#svar-{name}-{value}")
        clicked[name] = value


def submit(page, direction: str = "next") -> None:
    """Press Next/Back and wait for the next page to load (a save answers with a redirect)."""
    with page.expect_navigation():
        page.locator(f"button[value={direction}]").click()


def follow(page, role: str, name: str) -> None:
    """Click a link or button by its accessible name and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def complete_questionnaire(page, url: str) -> dict[str, object]:
    page.goto(url)
    follow(page, "link", "Start undersøgelsen")
    clicked: dict[str, object] = {}
    for _ in range(20):
        answer_current_page(page, clicked)
        submit(page)
        if "/tak" in page.url:
            return clicked
    raise AssertionError(f"questionnaire did not end; stuck at {page.url}")


@pytest.mark.parametrize("group", ["dagpenge", "aktivitetsparate", "sygedagpenge"])
def test_citizen_completes_on_a_phone_and_stored_answers_equal_the_clicks(phone, server, survey, group):
    clicked = complete_questionnaire(phone, f"{server.url}/s/{survey.tokens[group]}")
    assert phone.get_by_role("heading", level=1).inner_text() == "Tak for dine svar"
    stored = survey.db.answers(survey.db.invitation_by_token(survey.tokens[group]).id)
    assert stored == clicked
    shown, hidden = ROUTING[group]
    assert sorted(name for name in shown if name in stored) == sorted(shown)
    assert [name for name in hidden if name in stored] == []
    phone.goto(f"{server.url}/s/{survey.tokens[group]}")
    assert phone.get_by_role("heading", level=1).inner_text() == "Du har allerede svaret"


def test_follow_up_appears_after_its_trigger_and_past_tense_after_ended_course(phone, server, survey):
    base = f"{server.url}/s/{survey.tokens['aktivitetsparate']}"
    phone.goto(f"{base}/side/status")
    phone.check("#svar-status-2")
    submit(phone)
    past = phone.locator("#felt-tillid legend").inner_text()
    phone.goto(f"{server.url}/s/{survey.tokens['dagpenge']}/side/moedet")
    present = phone.locator("#felt-tillid legend").inner_text()
    assert (present, past) == (PRESENT_TILLID, PAST_TILLID)
    phone.goto(f"{base}/side/maal")
    assert phone.locator("#felt-samarbejde").count() == 0
    phone.check("#svar-andre_afdelinger-1")
    submit(phone)
    assert phone.url.endswith("/side/maal?lang=da&nyt=samarbejde#felt-samarbejde")
    assert phone.locator("#felt-samarbejde").count() == 1
    assert phone.locator(".follow-up").inner_text() == "Dit svar åbnede et ekstra spørgsmål nedenfor."


def test_stopping_half_way_and_reopening_the_link_resumes(browser, server, survey):
    url = f"{server.url}/s/{survey.tokens['dagpenge']}"
    first = browser.new_context(viewport={"width": 390, "height": 844})
    page = first.new_page()
    page.goto(url)
    follow(page, "link", "Start undersøgelsen")
    page.check("#svar-status-1")
    submit(page)
    page.check("#svar-tillid-4")
    submit(page)
    first.close()
    second = browser.new_context(viewport={"width": 390, "height": 844})
    page = second.new_page()
    page.goto(url)
    follow(page, "link", "Fortsæt hvor du slap")
    assert page.url.endswith("/side/maal?lang=da")
    assert page.locator(".progress p").inner_text() == "Side 3 af 7"
    submit(page, "back")
    assert page.is_checked("#svar-tillid-4")
    second.close()


def test_opt_out_from_the_link(phone, server, survey):
    phone.goto(f"{server.url}/s/{survey.tokens['sygedagpenge']}")
    follow(phone, "link", "Jeg ønsker ikke at deltage")
    follow(phone, "button", "Jeg ønsker ikke at deltage")
    assert phone.get_by_role("heading", level=1).inner_text() == "Tak, vi har registreret dit fravalg"
    assert survey.db.invitation_by_token(survey.tokens["sygedagpenge"]).state == "opted_out"


def test_interviewer_finds_a_citizen_by_case_code_and_the_mode_is_recorded(phone, server, survey):
    browser_sign_in(phone, server.url, survey.db, "interviewer")
    assert phone.url == f"{server.url}/interviewer/"
    phone.fill("#find-interviewer", "VIVE-07")
    phone.check("#find-mode-phone")
    phone.fill("#case-code", survey.case_codes["dagpenge"].replace("-", "").lower())
    follow(phone, "button", "Find borger")
    phone.check("#svar-status-1")
    submit(phone)
    invitation = survey.db.invitation_by_token(survey.tokens["dagpenge"])
    session = survey.db.session(invitation.id)
    assert (session.mode, session.interviewer_id) == ("phone", "VIVE-07")
    assert survey.db.answers(invitation.id) == {"status": 1}


def test_keyboard_only_answering(phone, server, survey):
    phone.goto(f"{server.url}/s/{survey.tokens['dagpenge']}/side/samlet")
    phone.keyboard.press("Tab")  # skip link
    assert phone.evaluate("document.activeElement.className") == "skip-link"
    phone.focus("#svar-samlet_tilfredshed-5")
    phone.keyboard.press("ArrowDown")  # radio group: arrow keys move and select
    assert phone.is_checked("#svar-samlet_tilfredshed-4")
    phone.focus("button[value=next]")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/side/aabne?lang=da")
    stored = survey.db.answers(survey.db.invitation_by_token(survey.tokens["dagpenge"]).id)
    assert stored == {"samlet_tilfredshed": 4}


def test_axe_finds_no_wcag_21_aa_violations_on_any_page_type(phone, server, survey, wcag_violations):
    token = survey.tokens["aktivitetsparate"]
    base = f"{server.url}/s/{token}"
    visited: dict[str, list[str]] = {}

    def check(name: str, url: str | None = None) -> None:
        if url is not None:
            phone.goto(url)
        visited[name] = wcag_violations(phone)

    check("velkomst", base)
    for key in ("status", "moedet", "maal", "samtale", "progression", "samlet", "aabne"):
        check(f"side {key}", f"{base}/side/{key}")
    check("arabisk side", f"{base}/side/samlet?lang=ar")
    check("engelsk side", f"{base}/side/samtale?lang=en")
    phone.goto(f"{base}/side/moedet")
    phone.evaluate("document.querySelector('#svar-tillid-5').value = '8'")
    phone.check("#svar-tillid-5")
    submit(phone)
    check("fejlside (ugyldig kode)")
    check("fravalg", f"{base}/fravalg")
    check("ukendt link", f"{server.url}/s/ukendt-link-0000000000000")
    check("404", f"{server.url}/findes/ikke")
    browser_sign_in(phone, server.url, survey.db, "administrator")
    check("personalets forside (tom)")
    check("interviewer", f"{server.url}/interviewer/")
    other = survey.tokens["dagpenge"]
    phone.goto(f"{server.url}/s/{other}/side/aabne")
    submit(phone)
    check("tak")
    check("allerede besvaret", f"{server.url}/s/{other}")
    phone.goto(f"{server.url}/s/{survey.tokens['sygedagpenge']}/fravalg")
    follow(phone, "button", "Jeg ønsker ikke at deltage")
    check("fravalg registreret")
    survey.db.set_invitation_state([inv.id for inv in survey.db.invitations(survey.survey_id)], "invited")
    check("feltarbejde (analytiker)", f"{server.url}/analytiker/feltarbejde/{survey.survey_id}")
    check("personalets forside", f"{server.url}/")
    check("revisionslog", f"{server.url}/admin/audit")
    phone.get_by_role("button", name="Log ud").click()
    check("log ind")
    assert {name: found for name, found in visited.items() if found} == {}
    assert len(visited) == 23
