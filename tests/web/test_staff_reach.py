"""The fieldwork monitor's reachability columns after the contact data are purged: kept from the snapshot
the invitation wave took, so SMS and Digital Post no longer fall to 0 (issue 15)."""

from __future__ import annotations

from sqlalchemy import text

from borgerblik.fieldwork import fieldwork_status
from borgerblik.storage.purge import purge_survey


def test_reachability_survives_the_purge(survey, answered, admin):
    before = fieldwork_status(survey.db, answered)
    assert before.overall.invited == 400
    assert (before.overall.digital_post, before.overall.sms, before.overall.email) == (400, 400, 0)
    with survey.db.engine.connect() as connection:
        reach = connection.execute(
            text("SELECT reach, count(*) FROM invitations WHERE survey_id = :s GROUP BY reach"),
            {"s": answered},
        ).all()
    assert reach == [("digital_post,sms", 400)]
    page_before = admin.get(f"/analytiker/feltarbejde/{answered}?opdater=nej").text

    purge_survey(survey.db, answered, "test")
    assert survey.db.contacts(answered) == []
    after = fieldwork_status(survey.db, answered)
    assert after.overall == before.overall
    assert after.municipalities == before.municipalities
    assert admin.get(f"/analytiker/feltarbejde/{answered}?opdater=nej").text == page_before


def test_no_channel_is_snapshotted_too(survey, tmp_path):
    """A citizen exempt from Digital Post with neither phone nor e-mail is counted as unreachable, and stays
    so after the purge."""
    from borgerblik.fieldwork.schedule import queue_invitations

    db = survey.db
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE identities SET digital_post_exempt = :t, phone = NULL, email = NULL "
                "WHERE survey_id = :s"
            ),
            {"t": True, "s": survey.survey_id},
        )
    queue_invitations(db, survey.survey_id, tmp_path / "udbakke")
    before = fieldwork_status(db, survey.survey_id)
    assert (before.overall.invited, before.overall.no_channel, before.overall.digital_post) == (3, 3, 0)
    purge_survey(db, survey.survey_id, "test")
    assert fieldwork_status(db, survey.survey_id).overall == before.overall
