"""The monitor: its numbers equal counts taken straight from the database, and the curve jumps at reminders.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fieldwork_rows import citizen
from sqlalchemy import text

from borgerblik.fieldwork import fieldwork_status, monitor_html, queue_invitations, queue_reminder
from borgerblik.storage import Database

MONDAY_NOON = datetime(2024, 3, 11, 11, 0, tzinfo=UTC)


def direct_counts(db: Database, survey_id: int, kommune: str) -> dict[str, int]:
    """The same figures in plain SQL, independent of the monitor's code."""
    where = (
        "FROM invitations i JOIN members m ON m.id = i.member_id "
        "JOIN municipalities k ON k.id = m.municipality_id "
        "WHERE i.survey_id = :s AND k.name = :k AND i.state <> 'created'"
    )
    queries = {
        "invited": f"SELECT count(*) {where}",
        "opened": f"SELECT count(*) {where} AND i.id IN (SELECT invitation_id FROM response_sessions)",
        "partial": f"SELECT count(*) {where} AND i.id IN "
        "(SELECT invitation_id FROM response_sessions WHERE state = 'partial')",
        "complete": f"SELECT count(*) {where} AND i.id IN "
        "(SELECT invitation_id FROM response_sessions WHERE state = 'complete')",
        "opted_out": f"SELECT count(*) {where} AND i.id IN (SELECT invitation_id FROM opt_outs)",
        "sms": f"SELECT count(*) {where} AND i.member_id IN "
        "(SELECT member_id FROM identities WHERE phone <> '')",
        "digital_post": f"SELECT count(*) {where} AND i.member_id IN "
        "(SELECT member_id FROM identities WHERE NOT digital_post_exempt)",
    }
    with db.reading() as connection:
        return {
            name: connection.execute(text(sql), {"s": survey_id, "k": kommune}).scalar()
            for name, sql in queries.items()
        }


def test_monitor_numbers_equal_direct_database_counts_overall_and_per_municipality(
    db: Database, make_survey, tmp_path: Path
) -> None:
    rows = [
        citizen(
            n,
            kommune="Rødovre" if n % 3 == 0 else "Høje-Taastrup",
            exempt=n % 5 == 0,
            phone=f"2{n:07d}" if n % 4 else "",
        )
        for n in range(1, 31)
    ]
    survey_id, ids = make_survey(rows)
    queue_invitations(db, survey_id, tmp_path / "spool", at=MONDAY_NOON)
    for invitation_id in ids[:6]:
        db.save_answers(invitation_id, {"tillid": 4}, state="complete")
    for invitation_id in ids[6:9]:
        db.save_answers(invitation_id, {"tillid": 3}, state="partial")
    for invitation_id in ids[9:11]:
        db.save_answers(invitation_id, {}, state="started")
    for invitation_id in ids[11:14]:
        db.record_opt_out(invitation_id, "web")
    status = fieldwork_status(db, survey_id)
    assert [row.kommune for row in status.municipalities] == ["Høje-Taastrup", "Rødovre"]
    for row in status.municipalities:
        expected = direct_counts(db, survey_id, row.kommune)
        assert {name: getattr(row, name) for name in expected} == expected
    overall = status.overall
    assert (overall.invited, overall.complete, overall.partial, overall.opened, overall.opted_out) == (
        30,
        6,
        3,
        11,
        3,
    )
    assert overall.no_channel == 1  # n = 20 is exempt and has no phone: in the sample, on the hotline list
    assert overall.response_rate == 9 / 30  # KL's base: the whole sample, complete + partial
    assert sum(r.invited for r in status.municipalities) == overall.invited


def test_curve_is_cumulative_by_day_with_reminder_days_marked(
    db: Database, make_survey, tmp_path: Path
) -> None:
    survey_id, ids = make_survey([citizen(n, phone=f"2{n:07d}") for n in range(1, 11)])
    queue_invitations(db, survey_id, tmp_path / "spool", at=MONDAY_NOON)
    queue_reminder(db, survey_id, tmp_path / "spool", 1, at=MONDAY_NOON + timedelta(days=7))
    queue_reminder(db, survey_id, tmp_path / "spool", 2, at=MONDAY_NOON + timedelta(days=14))
    completed = [
        datetime(2024, 3, 12, 9),
        datetime(2024, 3, 18, 13),
        datetime(2024, 3, 25, 15),
        datetime(2024, 3, 25, 22, 30),
    ]  # UTC; the last is 23:30 Danish time, still the 25th
    for invitation_id, moment in zip(ids, completed, strict=False):
        db.save_answers(invitation_id, {"tillid": 5}, state="complete")
        with db.writing() as connection:
            connection.execute(
                text("UPDATE response_sessions SET completed_at = :t WHERE invitation_id = :i"),
                {"t": moment.replace(tzinfo=UTC), "i": invitation_id},
            )
    status = fieldwork_status(db, survey_id, until=date(2024, 3, 31))
    assert status.reminder_days == [date(2024, 3, 18), date(2024, 3, 25)]
    assert status.curve[0].day == date(2024, 3, 11) and status.curve[-1].day == date(2024, 3, 31)
    assert len(status.curve) == 21
    assert [p.day for p in status.curve if p.reminder] == [date(2024, 3, 18), date(2024, 3, 25)]
    assert [p.responded for p in status.curve] == [0] + [1] * 6 + [2] * 7 + [4] * 7
    assert status.curve[-1].rate == 0.4


def test_monitor_page_shows_danish_numbers_and_the_reminders(
    db: Database, make_survey, tmp_path: Path
) -> None:
    survey_id, ids = make_survey([citizen(n, phone=f"2{n:07d}") for n in range(1, 4)])
    queue_invitations(db, survey_id, tmp_path / "spool", at=MONDAY_NOON)
    queue_reminder(db, survey_id, tmp_path / "spool", 1, at=MONDAY_NOON + timedelta(days=7))
    db.save_answers(ids[0], {"tillid": 5}, state="complete")
    html = monitor_html(
        fieldwork_status(db, survey_id, until=date(2024, 3, 20)), now=datetime(2024, 3, 20, 9, 0, tzinfo=UTC)
    )
    assert '<meta http-equiv="refresh" content="30">' in html
    assert "Opdateret 20. marts 2024 kl. 10:00" in html
    assert (
        "<td>I alt</td><td>3</td><td>3</td><td>3</td><td>0</td><td>0</td><td>1</td><td>0</td><td>1</td>"
        in html
    )
    assert "<td>33,3 %</td>" in html
    assert "Stiplede linjer: påmindelser (18. marts)" in html
    assert html.count('class="reminder"') == 1
