"""The citizen's pages in their language: a Danish fallback is marked, a follow-up is cued, an ended course
reads in the past tense, and the interviewer's language links keep the interview going."""

from __future__ import annotations

import re
from html import unescape

from borgerblik.core import parse_instrument
from borgerblik.core.loader import TEMPLATE_DIR
from borgerblik.web.i18n import LANGUAGES, Translator
from borgerblik.web.rendering import environment

NONCE = re.compile(r'name="nonce" value="([0-9a-f]+)"')
MACRO = (
    '{% import "questions.html" as q with context %}{{ q.question(question, {}, lang, "present", {}, 5000) }}'
)


def render_question(question, lang: str) -> str:
    template = environment().from_string(MACRO)
    return template.render(question=question, lang=lang, t=Translator(lang), limit_text="")


def kl_without_arabic_wording(question_id: str) -> str:
    """kl-2024 with the Arabic present/past block of one question's wording deleted."""
    lines = (TEMPLATE_DIR / "kl-2024.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index(f"      - id: {question_id}\n")
    arabic = next(i for i in range(start, len(lines)) if lines[i].strip() == "ar:")
    del lines[arabic : arabic + 3]
    return "".join(lines)


def test_a_text_missing_in_arabic_is_shown_in_danish_marked_lang_da_left_to_right() -> None:
    shipped = parse_instrument((TEMPLATE_DIR / "kl-2024.yaml").read_text(encoding="utf-8"))
    assert 'lang="da"' not in render_question(shipped.question("formaal_klart"), "ar")
    partial = parse_instrument(kl_without_arabic_wording("formaal_klart"))
    html = render_question(partial.question("formaal_klart"), "ar")
    danish = "I hvilken grad oplever du, at formålet med samtalen var klart?"
    assert f'<legend><span lang="da" dir="ltr">{danish}</span>' in html
    assert 'lang="da"' not in html.split("</legend>", 1)[1]  # the scale labels are Arabic


def test_a_follow_up_opened_by_next_is_cued_and_scrolled_to(client, survey) -> None:
    token = survey.tokens["aktivitetsparate"]
    url = f"/s/{token}/side/maal"
    nonce = NONCE.search(client.get(url).text).group(1)
    form = {"nonce": nonce, "lang": "da", "direction": "next", "andre_afdelinger": "1"}
    saved = client.post(url, data=form)
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("/side/maal?lang=da&nyt=samarbejde#felt-samarbejde")
    page = client.get(saved.headers["location"].split("#")[0]).text
    cue = page.index("Dit svar åbnede et ekstra spørgsmål nedenfor.")
    assert page.index('id="felt-andre_afdelinger"') < cue < page.index('id="felt-samarbejde"')
    assert "Dit svar åbnede" not in client.get(url).text  # only right after the answer that opened it


def test_the_conversation_page_is_in_the_past_tense_once_the_course_has_ended(client, survey) -> None:
    token = survey.tokens["dagpenge"]
    url = f"/s/{token}/side/status"
    nonce = NONCE.search(client.get(url).text).group(1)
    client.post(url, data={"nonce": nonce, "lang": "da", "direction": "next", "status": "2"})
    page = unescape(client.get(f"/s/{token}/side/samtale").text)
    assert "I hvilken grad oplevede du, at formålet med samtalen var klart?" in page
    assert "I hvilken grad oplevede du, at din sagsbehandler var velforberedt til samtalen?" in page
    arabic = unescape(client.get(f"/s/{token}/side/samtale?lang=ar").text)
    assert "إلى أي مدى شعرت بأن الغرض من المحادثة كان واضحًا؟" in arabic


def test_the_interviewers_language_links_keep_mode_and_interviewer_and_never_a_form_secret() -> None:
    """The interviewer's page carries mode and interviewer in its address; a link without them is a 404."""
    hidden = {"mode": "phone", "interviewer": "AB 1", "csrf": "hemmelig"}
    base = environment().get_template("base.html")
    html = base.render(t=Translator("da"), languages=LANGUAGES, hidden=hidden)
    links = [unescape(link) for link in re.findall(r'<a href="(\?lang=[^"]*)"', html)]
    assert links == [f"?lang={code}&mode=phone&interviewer=AB%201" for code in ("da", "en", "ar")]
