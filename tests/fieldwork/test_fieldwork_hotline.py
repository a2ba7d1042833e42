"""The hotline log: questions need no code, opt-outs and interviews do, and an opt-out stops the reminders."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fieldwork_rows import citizen
from sqlalchemy import select

from borgerblik.fieldwork import HotlineError, queue_invitations, queue_reminder, record_call
from borgerblik.storage import Database
from borgerblik.storage.schema import HotlineCall


def test_calls_are_logged_with_topic_and_optional_citizen(db: Database, make_survey, tmp_path: Path) -> None:
    survey_id, (first, second) = make_survey([citizen(1), citizen(2)])
    queue_invitations(db, survey_id, tmp_path, at=datetime(2024, 3, 11, 9, tzinfo=UTC))
    code = db.invitation(first).case_code
    record_call(db, survey_id, "question", note="Hvor lang tid tager det?", handled_by="AB")
    record_call(db, survey_id, "interview", case_code=code.replace("-", "").lower(), handled_by="AB")
    record_call(db, survey_id, "opt_out", case_code=db.invitation(second).case_code, note="syg")
    with db.reading() as connection:
        log = connection.execute(
            select(HotlineCall.topic, HotlineCall.invitation_id, HotlineCall.note, HotlineCall.handled_by)
            .order_by(HotlineCall.id)
        ).all()
    assert [tuple(row) for row in log] == [
        ("question", None, "Hvor lang tid tager det?", "AB"),
        ("interview", first, None, "AB"),
        ("opt_out", second, "syg", None),
    ]
    assert db.invitation(second).state == "opted_out"
    reminder = queue_reminder(db, survey_id, tmp_path, 1, at=datetime(2024, 3, 18, 9, tzinfo=UTC))
    assert reminder.citizens == 1  # only the first; the second declined by phone


def test_unknown_topic_or_code_is_refused_and_nothing_is_logged(db: Database, make_survey) -> None:
    survey_id, _ = make_survey([citizen(1)])
    with pytest.raises(HotlineError, match="ukendt emne 'klage'"):
        record_call(db, survey_id, "klage")
    with pytest.raises(HotlineError, match="ingen borger med koden 'ABCD-EFGH'"):
        record_call(db, survey_id, "opt_out", case_code="ABCD-EFGH")
    with pytest.raises(HotlineError, match="kræver borgerens kode"):
        record_call(db, survey_id, "interview")
    with db.reading() as connection:
        assert connection.execute(select(HotlineCall.id)).all() == []
