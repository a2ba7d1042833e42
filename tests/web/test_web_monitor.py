"""The fieldwork monitor as an analyst page: its numbers are the database's, and it shows no answers."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from borgerblik.collection import answer_questionnaire, opt_out, save_page, start
from borgerblik.storage.schema import Identity, Invitation, OptOut, ResponseSession

CELL = re.compile(r"<td>([^<]*)</td>")


def _fieldwork_under_way(survey) -> None:
    """Three invited citizens: one completes, one stops after the first page, one opts out."""
    db = survey.db
    db.set_invitation_state([inv.id for inv in db.invitations(survey.survey_id)], "invited")
    answer_questionnaire(db, survey.tokens["dagpenge"], {"status": 1, "tillid": 5, "samlet_tilfredshed": 4})
    start(db, survey.tokens["aktivitetsparate"])
    save_page(db, survey.tokens["aktivitetsparate"], "status", {"status": 2})
    opt_out(db, survey.tokens["sygedagpenge"])


def _database_counts(survey) -> list[int]:
    """The same figures counted directly: invited, Digital Post, SMS, e-mail, no channel, opened, partial,
    complete, blank, opted out."""
    with survey.db.reading() as connection:
        invited = connection.execute(
            select(func.count()).where(
                Invitation.survey_id == survey.survey_id, Invitation.state != "created"
            )
        ).scalar()
        digital = connection.execute(
            select(func.count()).where(Identity.survey_id == survey.survey_id, ~Identity.digital_post_exempt)
        ).scalar()
        sms = connection.execute(
            select(func.count()).where(Identity.survey_id == survey.survey_id, Identity.phone != "")
        ).scalar()
        email = connection.execute(
            select(func.count()).where(Identity.survey_id == survey.survey_id, Identity.email.like("%@%"))
        ).scalar()
        states = dict(
            connection.execute(
                select(ResponseSession.state, func.count())
                .join(Invitation, Invitation.id == ResponseSession.invitation_id)
                .where(Invitation.survey_id == survey.survey_id)
                .group_by(ResponseSession.state)
            ).all()
        )
        opted = connection.execute(select(func.count()).where(OptOut.survey_id == survey.survey_id)).scalar()
    return [
        invited,
        digital,
        sms,
        email,
        0,
        sum(states.values()),
        states.get("partial", 0),
        states.get("complete", 0),
        states.get("blank", 0),
        opted,
    ]


def test_monitor_numbers_equal_direct_database_counts(admin, survey):
    client = admin
    _fieldwork_under_way(survey)
    response = client.get(f"/analytiker/feltarbejde/{survey.survey_id}")
    assert response.status_code == 200
    total = CELL.findall(response.text.split("<tfoot>")[1])
    by_kommune = CELL.findall(response.text.split("<tbody>")[1].split("</tbody>")[0])
    expected = _database_counts(survey)
    assert expected == [3, 3, 3, 0, 0, 2, 1, 1, 0, 1]
    assert total == ["I alt", *map(str, expected), "66,7 %"]
    assert by_kommune == ["Høje-Taastrup", *map(str, expected), "66,7 %"]


def test_monitor_refreshes_without_javascript_and_can_be_stopped(admin, survey):
    client = admin
    url = f"/analytiker/feltarbejde/{survey.survey_id}"
    live = client.get(url)
    assert live.headers["refresh"] == "30"
    assert "<script" not in live.text and 'lang="da"' in live.text
    assert f'href="{url}?opdater=nej">Stop automatisk opdatering' in live.text
    assert "style-src 'sha256-" in live.headers["content-security-policy"]
    stopped = client.get(url, params={"opdater": "nej"})
    assert "refresh" not in stopped.headers
    assert "Automatisk opdatering er slået fra" in stopped.text


def test_monitor_shows_counts_not_answers(admin, survey):
    client = admin
    survey.db.set_invitation_state([inv.id for inv in survey.db.invitations(survey.survey_id)], "invited")
    answer_questionnaire(
        survey.db, survey.tokens["dagpenge"], {"status": 1, "forbedringer": "Mere tid til samtalen"}
    )
    page = client.get(f"/analytiker/feltarbejde/{survey.survey_id}").text
    assert "Mere tid til samtalen" not in page
    assert survey.tokens["dagpenge"] not in page and survey.case_codes["dagpenge"] not in page


def test_unknown_survey_gets_the_danish_not_found_page(admin, survey):
    client = admin
    response = client.get(f"/analytiker/feltarbejde/{survey.survey_id + 99}")
    assert response.status_code == 404
    assert "Traceback" not in response.text and 'lang="da"' in response.text
