"""Closing a survey's fieldwork closes its links: a citizen who opens the link or sends a page afterwards is
told the survey has ended (in their language), nothing is saved, and what was answered before stays."""

from __future__ import annotations

from borgerblik.storage.closing import close_fieldwork


def test_a_closed_survey_takes_no_more_answers(client, survey):
    token = next(iter(survey.tokens.values()))
    client.get(f"/s/{token}")
    nonce_page = client.get(f"/s/{token}/side/moedet")
    nonce = nonce_page.text.split('name="nonce" value="', 1)[1].split('"', 1)[0]
    saved = client.post(f"/s/{token}/side/moedet", data={"tillid": "4", "nonce": nonce, "lang": "da"})
    assert saved.status_code == 303
    invitation_id = survey.db.invitation_by_token(token).id
    assert survey.db.answers(invitation_id) == {"tillid": 4}

    close_fieldwork(survey.db, survey.survey_id, "admin")

    welcome = client.get(f"/s/{token}")
    assert welcome.status_code == 200 and "Undersøgelsen er slut" in welcome.text
    late = client.post(f"/s/{token}/side/moedet", data={"tillid": "1", "nonce": nonce, "lang": "da"})
    assert late.status_code == 200 and "Undersøgelsen er slut" in late.text
    assert survey.db.answers(invitation_id) == {"tillid": 4}, "the answer before the close stays, unchanged"
    english = client.get(f"/s/{token}?lang=en")
    assert "The survey has ended" in english.text
