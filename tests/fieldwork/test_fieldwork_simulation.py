"""A simulated three-week fieldwork with two reminders, sent for real: the monitor equals the database, the
curve jumps at each reminder, and nobody hears from us after completing or opting out.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from fieldwork_rows import citizen
from sqlalchemy import text
from test_fieldwork_monitor import direct_counts

from borgerblik.core import load_template
from borgerblik.fieldwork import run_simulated_fieldwork
from borgerblik.storage import Database
from borgerblik.synth.behaviour import simulated_citizens

START = datetime(2024, 3, 11, 9, 0, tzinfo=UTC)  # Monday 10:00 in Copenhagen


@pytest.mark.slow
def test_three_weeks_two_reminders_monitor_equals_database_and_curve_jumps(
    db: Database, make_survey, tmp_path: Path
) -> None:
    rows = [
        citizen(n, kommune="Rødovre" if n % 2 else "Høje-Taastrup", exempt=n % 40 == 0,
                phone="" if n % 17 == 0 or n % 80 == 0 else f"2{n:07d}",
                email=f"borger{n}@example.dk" if n % 160 == 0 else "")
        for n in range(1, 401)
    ]
    survey_id, _ = make_survey(rows)
    citizens = simulated_citizens(db, survey_id, load_template("kl-2024"), seed=7)
    result = run_simulated_fieldwork(db, survey_id, tmp_path, start=START, actions=citizens.actions, seed=7)
    status = result.status
    # every action of synth's behaviour model happened (all fall within the three weeks)
    modelled = citizens.fieldwork.persons.filter(pl.col("outcome") != "no_response")["outcome"].value_counts()
    assert result.outcomes == dict(modelled.iter_rows())
    for row in status.municipalities:
        expected = direct_counts(db, survey_id, row.kommune)
        assert {name: getattr(row, name) for name in expected} == expected
    assert status.overall.invited == 400
    # n = 80, 240, 400: exempt from Digital Post, no phone, no e-mail (160 and 320 have e-mail)
    assert status.overall.no_channel == 3
    assert (status.overall.complete, status.overall.partial, status.overall.opted_out) == (
        result.outcomes["complete"], result.outcomes.get("partial", 0), result.outcomes["opted_out"])
    assert status.reminder_days == [date(2024, 3, 18), date(2024, 3, 25)]
    curve = {p.day: p.responded for p in status.curve}
    assert len(curve) == 21 and status.curve[-1].day == date(2024, 3, 31)
    new = {day: curve[day] - curve.get(date.fromordinal(day.toordinal() - 1), 0) for day in curve}
    for reminder in status.reminder_days:  # the reminder day brings more answers than the day before it
        assert new[reminder] > new[date.fromordinal(reminder.toordinal() - 1)]
    assert status.curve[-1].responded == status.overall.complete + status.overall.partial
    # Letters and SMS really went out, once per key.
    sms = [json.loads(line) for line in result.sms_log.read_text(encoding="utf-8").splitlines()]
    assert len(sms) == result.sent["sms"] == len({m["userref"] for m in sms})
    assert len(list(result.digital_post_folder.glob("*.pdf"))) == result.sent["digital_post"]
    mails = sorted(p.name for p in result.email_folder.glob("*.eml"))
    assert len(mails) == result.sent["email"] >= 2
    assert len({name.split("-")[1] for name in mails}) == 2  # the two citizens only e-mail reaches
    # Nobody is contacted after completing or opting out.
    with db.reading() as connection:
        late = connection.execute(
            text(
                "SELECT count(*) FROM outbox o "
                "LEFT JOIN response_sessions r ON r.invitation_id = o.invitation_id "
                "LEFT JOIN opt_outs x ON x.invitation_id = o.invitation_id WHERE o.status = 'sent' AND "
                "(o.due_at > r.completed_at OR o.due_at > x.recorded_at)"
            )
        ).scalar()
    assert late == 0
