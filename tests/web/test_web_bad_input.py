"""Bad input on the citizen's link: a friendly page, a clear message, and nothing else changed."""

from __future__ import annotations

import re
from importlib.resources import files

from sqlalchemy import event
from starlette.testclient import TestClient

from borgerblik.collection import OPEN_ANSWER_LIMIT

NONCE = re.compile(r'name="nonce" value="([0-9a-f]+)"')


def nonce_of(client: TestClient, url: str) -> str:
    return NONCE.search(client.get(url).text).group(1)


def post_page(client: TestClient, token: str, page: str, **fields: object) -> object:
    url = f"/s/{token}/side/{page}"
    data = {"nonce": nonce_of(client, url), "lang": "da", "direction": "next", **fields}
    return client.post(url, data=data)


def test_unknown_and_malformed_tokens_get_a_friendly_page_after_the_same_database_work(client, survey):
    token = survey.tokens["dagpenge"]
    client.get(f"/s/{token}")  # first visit records "started"; later visits only read
    client.get(f"/s/{token}")  # a started session lets the process keep the parsed instrument from now on
    # What SQLite itself runs (the save path bypasses SQLAlchemy's execution events): a fresh pool, each new
    # connection traced.
    statements: list[str] = []
    survey.db.engine.dispose()
    event.listen(
        survey.db.engine, "connect", lambda dbapi, _record: dbapi.set_trace_callback(statements.append)
    )
    by_path = {}
    for path in (f"/s/{token}", "/s/" + "A" * 43, "/s/<script>"):
        statements.clear()
        by_path[path] = (client.get(path), [statement[:22] for statement in statements])
    known, unknown, malformed = by_path.values()
    assert known[0].status_code == 200 and unknown[0].status_code == malformed[0].status_code == 404
    assert "Linket virker ikke" in unknown[0].text and "Linket virker ikke" in malformed[0].text
    assert "Traceback" not in malformed[0].text and "<script>" not in malformed[0].text
    # The same statements for a real, a guessed and a malformed token until the page is sent (the probe limit,
    # the lookup), so timing does not tell them apart; an unknown link is counted after the page went out.
    lookup = ["BEGIN", "SELECT count(*) AS cou", "COMMIT", "BEGIN", "SELECT invitations.id,", "COMMIT"]
    counted = ["BEGIN IMMEDIATE", "INSERT INTO link_probe", "DELETE FROM link_probe", "COMMIT"]
    assert known[1] == lookup
    assert unknown[1] == malformed[1] == lookup + counted


def test_tampered_answer_code_is_refused_and_nothing_is_saved(client, survey):
    token = survey.tokens["dagpenge"]
    post_page(client, token, "status", status="1")
    response = post_page(client, token, "moedet", tillid="7", udgangspunkt="4")
    assert response.status_code == 422
    assert "er ikke en af svarmulighederne" in response.text
    assert survey.db.answers(survey.db.invitation_by_token(token).id) == {"status": 1}


def test_unknown_field_is_refused(client, survey):
    token = survey.tokens["dagpenge"]
    response = post_page(client, token, "status", status="1", samarbejde="5")
    assert response.status_code == 422
    assert "ikke hører til spørgeskemaet (samarbejde)" in response.text
    assert survey.db.answers(survey.db.invitation_by_token(token).id) == {}


def test_open_answer_over_5000_characters_is_refused_and_shown_again_with_the_limit(client, survey):
    token = survey.tokens["dagpenge"]
    text = "æ" * (OPEN_ANSWER_LIMIT + 1)
    response = post_page(client, token, "aabne", hvorfor_tilfreds=text)
    assert response.status_code == 422
    assert "er 5001 tegn. Der er plads til højst 5000 tegn" in response.text
    assert "Højst 5.000 tegn." in response.text
    assert text in response.text  # nothing the citizen typed is lost
    assert survey.db.answers(survey.db.invitation_by_token(token).id) == {}


def test_open_answer_of_exactly_5000_characters_with_crlf_line_breaks_is_saved(client, survey):
    token = survey.tokens["dagpenge"]
    text = "a\r\n" * 2500  # 2,500 × (a + one line break) = 5,000 characters as typed
    assert post_page(client, token, "aabne", hvorfor_tilfreds=text).status_code == 303
    assert survey.db.answers(survey.db.invitation_by_token(token).id) == {"hvorfor_tilfreds": "a\n" * 2500}


def test_html_in_open_answers_is_stored_as_typed_and_escaped_on_output(client, survey):
    token = survey.tokens["dagpenge"]
    typed = '<script>alert("hej")</script> & <b>fed</b>'
    assert post_page(client, token, "aabne", hvorfor_tilfreds=typed, direction="back").status_code == 303
    assert survey.db.answers(survey.db.invitation_by_token(token).id)["hvorfor_tilfreds"] == typed
    page = client.get(f"/s/{token}/side/aabne").text
    assert "&lt;script&gt;alert(&#34;hej&#34;)&lt;/script&gt; &amp; &lt;b&gt;fed&lt;/b&gt;" in page
    assert "<script>" not in page


def test_double_submit_is_recognised_and_changes_nothing(client, survey):
    token = survey.tokens["dagpenge"]
    url = f"/s/{token}/side/status"
    nonce = nonce_of(client, url)
    first = client.post(url, data={"nonce": nonce, "status": "1", "direction": "next"})
    second = client.post(url, data={"nonce": nonce, "status": "2", "direction": "next"})
    assert first.status_code == 303 and first.headers["location"].endswith("/side/moedet?lang=da")
    assert second.status_code == 409
    assert "Siden var allerede gemt" in second.text
    assert survey.db.answers(survey.db.invitation_by_token(token).id) == {"status": 1}


def test_completed_link_shows_already_answered_and_cannot_overwrite(client, survey):
    token = survey.tokens["dagpenge"]
    post_page(client, token, "samlet", samlet_tilfredshed="4")  # a closed answer: complete, not blank
    url = f"/s/{token}/side/aabne"
    nonce = nonce_of(client, url)
    assert (
        client.post(url, data={"nonce": nonce, "forbedringer": "Kortere ventetid"})
        .headers["location"]
        .endswith("/tak?lang=da")
    )
    assert "Tak for dine svar" in client.get(f"/s/{token}/tak").text
    assert "Du har allerede svaret" in client.get(f"/s/{token}").text
    again = client.post(url, data={"nonce": nonce, "forbedringer": "Noget andet"})
    assert "Du har allerede svaret" in again.text
    stored = survey.db.answers(survey.db.invitation_by_token(token).id)
    assert stored == {"samlet_tilfredshed": 4, "forbedringer": "Kortere ventetid"}
    assert survey.db.session(survey.db.invitation_by_token(token).id).state == "complete"


def test_opt_out_records_without_asking_anything(client, survey):
    token = survey.tokens["aktivitetsparate"]
    page = client.get(f"/s/{token}/fravalg")
    assert "Jeg ønsker ikke at deltage" in page.text
    assert "<textarea" not in page.text and 'type="text"' not in page.text
    done = client.post(f"/s/{token}/fravalg", data={"lang": "da"})
    assert "vi har registreret dit fravalg" in done.text
    assert survey.db.invitation_by_token(token).state == "opted_out"
    assert "vi har registreret dit fravalg" in client.get(f"/s/{token}").text


def test_unknown_page_and_server_errors_are_danish_pages_without_a_stack_trace(client, survey, monkeypatch):
    missing = client.get("/findes/ikke")
    assert missing.status_code == 404 and "Siden findes ikke" in missing.text
    import borgerblik.web.app as web_app

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database væk")

    monkeypatch.setattr(web_app, "open_session", broken)
    failed = client.get(f"/s/{survey.tokens['dagpenge']}")
    assert failed.status_code == 500
    assert (
        "Der skete en fejl" in failed.text
        and "RuntimeError" not in failed.text
        and "database væk" not in failed.text
    )


def test_language_switch_gives_english_and_arabic_right_to_left(client, survey):
    token = survey.tokens["dagpenge"]
    english = client.get(f"/s/{token}/side/samlet?lang=en").text
    arabic = client.get(f"/s/{token}/side/samlet?lang=ar").text
    assert '<html lang="en" dir="ltr">' in english and "Very satisfied" in english
    assert '<html lang="ar" dir="rtl">' in arabic and "راضٍ جدًا" in arabic


def test_anonymous_in_person_interview_with_vive_background_fields(admin, survey):
    client = admin
    yaml_text = files("borgerblik.core").joinpath("templates/vive-kbh-2020.yaml").read_text(encoding="utf-8")
    vive = survey.db.create_survey("VIVE 2020", "vive-kbh-2020", yaml_text)
    screen = client.get(f"/interviewer/?survey={vive}").text
    assert "Anden etnisk baggrund end dansk" in screen and 'name="bg_koen"' not in screen
    form = {
        "csrf": admin.csrf,
        "survey": str(vive),
        "interviewer": "VIVE-03",
        "kommune": "Høje-Taastrup",
        "maalgruppe": "6.3",
        "koen": "kvinde",
        "alder": "44",
        "bg_gruppe": "1",
        "bg_ledighedsperiode": "30",
        "bg_anden_etnisk_baggrund": "1",
    }
    started = client.post("/interviewer/anonym", data=form)
    assert started.status_code == 303 and "mode=in_person&interviewer=VIVE-03" in started.headers["location"]
    token = started.headers["location"].split("/s/")[1].split("/")[0]
    invitation = survey.db.invitation_by_token(token)
    assert (invitation.maalgruppe, invitation.gender, invitation.age_group) == ("6.3", "kvinde", "30-49")
    assert survey.db.answers(invitation.id) == {
        "alder": 44,
        "koen": 1,
        "gruppe": 1,
        "ledighedsperiode": 30,
        "anden_etnisk_baggrund": 1,
    }
    assert survey.db.session(invitation.id).mode == "in_person"
    refused = client.post("/interviewer/anonym", data={**form, "bg_gruppe": "12"})
    assert refused.status_code == 422 and "er ikke en af svarmulighederne" in refused.text


def test_oversized_or_unreadable_bodies_get_a_clear_page_and_change_nothing(client, survey):
    token = survey.tokens["dagpenge"]
    url = f"/s/{token}/side/aabne"
    huge = client.post(
        url,
        content=b"hvorfor_tilfreds=" + b"a" * 300_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413 and "Svaret er for stort" in huge.text
    garbled = client.post(
        url,
        content=b"hvorfor_tilfreds=\xff\xfe",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert garbled.status_code == 400 and "Siden kunne ikke læses" in garbled.text
    json = client.post(url, content=b"{}", headers={"content-type": "application/json"})
    assert json.status_code == 400
    assert survey.db.answers(survey.db.invitation_by_token(token).id) == {}


def test_welcome_shows_the_surveys_own_anonymity_promise(client, survey):
    page = client.get(f"/s/{survey.tokens['dagpenge']}").text
    assert "Din sagsbehandler ser aldrig dine svar" in page
    assert "Jeg ønsker ikke at deltage" in page
