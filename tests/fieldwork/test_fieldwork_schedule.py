"""The schedule and the sender on a real database: who is contacted, on which channel, and never after the
end.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fieldwork_rows import citizen
from sqlalchemy import func, select

from borgerblik.fieldwork import (
    DigitalPostFolder,
    SmsGateway,
    SmsSink,
    phone_follow_up,
    queue_invitations,
    queue_reminder,
    record_call,
    send_due,
    unreachable_list,
)
from borgerblik.storage import Database
from borgerblik.storage.schema import HotlineCall, OutboxMessage

MONDAY_NOON = datetime(2024, 3, 11, 11, 0, tzinfo=UTC)  # 12:00 in Copenhagen


def sent(db: Database, survey_id: int) -> list[tuple[int, str, str]]:
    """(invitation, channel, kind) of every message marked sent, in order."""
    with db.reading() as connection:
        rows = connection.execute(
            select(OutboxMessage.invitation_id, OutboxMessage.channel, OutboxMessage.kind)
            .where(OutboxMessage.survey_id == survey_id, OutboxMessage.status == "sent")
            .order_by(OutboxMessage.invitation_id, OutboxMessage.kind, OutboxMessage.channel)
        ).all()
    return [tuple(row) for row in rows]


def deliver(db: Database, folder: Path, sink: SmsSink, at: datetime):
    channels = {"digital_post": DigitalPostFolder(folder), "sms": SmsGateway(sink.url, "t", "Jobcentret")}
    report = send_due(db, channels, now=at)
    for channel in channels.values():
        channel.close()
    return report


def test_invitation_by_digital_post_exempt_get_sms_only_and_no_channel_goes_to_the_hotline_list(
    db: Database, make_survey, tmp_path: Path
) -> None:
    survey_id, (both, post_only, sms_only, nothing) = make_survey(
        [
            citizen(1, phone="20123456"),
            citizen(2),
            citizen(3, exempt=True, phone="+45 30 12 34 56"),
            citizen(4, exempt=True),
        ]
    )
    summary = queue_invitations(db, survey_id, tmp_path / "spool", at=MONDAY_NOON)
    assert summary.queued == {"digital_post": 2, "sms": 1}
    assert summary.no_channel == [nothing]
    with SmsSink() as sink:
        report = deliver(db, tmp_path / "dp", sink, MONDAY_NOON)
    assert report.sent == {"digital_post": 2, "sms": 1}
    assert sent(db, survey_id) == sorted(
        [
            (both, "digital_post", "invitation"),
            (post_only, "digital_post", "invitation"),
            (sms_only, "sms", "invitation"),
        ]
    )
    assert [d["msisdn"] for d in sink.deliveries] == [[4530123456]]
    manifest = json.loads((tmp_path / "dp" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted((m["cpr"], m["kind"]) for m in manifest) == [
        ("620190-1001", "invitation"),
        ("630190-1002", "invitation"),
    ]
    assert "640190-1003" not in (tmp_path / "dp" / "manifest.csv").read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "dp").glob("*.pdf")) == sorted(
        [f"bb{survey_id}-{both}-i0-digital_post.pdf", f"bb{survey_id}-{post_only}-i0-digital_post.pdf"]
    )
    hotline = unreachable_list(db, survey_id)
    assert [(e.kommune, e.status) for e in hotline] == [("Høje-Taastrup", "undeliverable")]
    assert hotline[0].case_code == db.invitation(nothing).case_code
    assert queue_invitations(db, survey_id, tmp_path / "spool", at=MONDAY_NOON).queued == {}  # never twice


def test_reminders_skip_completed_and_opted_out_and_partial_get_continue_where_left(
    db: Database, make_survey, tmp_path: Path
) -> None:
    survey_id, (done, declined, partial, silent, by_phone) = make_survey(
        [citizen(n, phone=f"2{n:07d}") for n in range(1, 6)]
    )
    queue_invitations(db, survey_id, tmp_path / "spool", at=MONDAY_NOON)
    with SmsSink() as sink:
        deliver(db, tmp_path / "dp", sink, MONDAY_NOON)
        db.save_answers(done, {"tillid": 5}, state="complete")
        db.record_opt_out(declined, "web")
        db.save_answers(partial, {"tillid": 4}, state="partial")
        record_call(db, survey_id, "opt_out", case_code=db.invitation(by_phone).case_code, note="vil ikke")
        week = MONDAY_NOON + timedelta(days=7)
        first = queue_reminder(db, survey_id, tmp_path / "spool", 1, at=week)
        assert (first.citizens, first.continue_where_left, first.queued) == (
            2,
            1,
            {"digital_post": 2, "sms": 2},
        )
        assert queue_reminder(db, survey_id, tmp_path / "spool", 1, at=week).citizens == 0  # idempotent
        deliver(db, tmp_path / "dp", sink, week)
        db.save_answers(partial, {"tillid": 4}, state="complete")
        second = queue_reminder(db, survey_id, tmp_path / "spool", 2, at=week + timedelta(days=7))
        assert (second.citizens, second.continue_where_left) == (1, 0)
        deliver(db, tmp_path / "dp", sink, week + timedelta(days=7))
        texts = {d["userref"]: d["message"] for d in sink.deliveries}
    reminders = [m for m in sent(db, survey_id) if m[2] == "reminder"]
    assert reminders == sorted(
        [(partial, "digital_post", "reminder"), (partial, "sms", "reminder")]
        + [(silent, "digital_post", "reminder"), (silent, "sms", "reminder")] * 2
    )
    assert texts[f"bb{survey_id}-{partial}-r1-sms"].startswith("KL og jobcentret: Du er godt i gang")
    assert texts[f"bb{survey_id}-{silent}-r2-sms"].startswith("KL og jobcentret: Husk at fortælle")
    with db.reading() as connection:
        assert connection.execute(select(func.count()).select_from(HotlineCall)).scalar() == 1
    assert [e.case_code for e in phone_follow_up(db, survey_id)] == [db.invitation(silent).case_code]


def test_nobody_is_contacted_after_completing_while_the_reminder_waits(
    db: Database, make_survey, tmp_path: Path
) -> None:
    survey_id, (quick, slow) = make_survey([citizen(1, phone="20000001"), citizen(2, phone="20000002")])
    queue_invitations(db, survey_id, tmp_path / "spool", at=MONDAY_NOON)
    queue_reminder(db, survey_id, tmp_path / "spool", 1, at=MONDAY_NOON + timedelta(days=7))
    db.save_answers(quick, {"tillid": 5}, state="complete")  # answers before anything was sent
    with SmsSink() as sink:
        report = deliver(db, tmp_path / "dp", sink, MONDAY_NOON + timedelta(days=8))
    assert sent(db, survey_id) == [
        (slow, "digital_post", "invitation"),
        (slow, "digital_post", "reminder"),
        (slow, "sms", "reminder"),
    ]  # ordered by kind within one invitation
    assert report.total_sent == 3 and len(sink.deliveries) == 1


def test_sms_waits_for_morning_but_letters_go_at_night(db: Database, make_survey, tmp_path: Path) -> None:
    survey_id, (only,) = make_survey([citizen(1, phone="20000001")])
    queue_invitations(db, survey_id, tmp_path / "spool", at=MONDAY_NOON)
    night = datetime(2024, 3, 18, 22, 0, tzinfo=UTC)  # 23:00 in Copenhagen
    queue_reminder(db, survey_id, tmp_path / "spool", 1, at=night)
    with SmsSink() as sink:
        report = deliver(db, tmp_path / "dp", sink, night + timedelta(minutes=30))
        assert report.sent == {"digital_post": 2} and sink.deliveries == []
        with db.reading() as connection:
            due = connection.execute(
                select(OutboxMessage.due_at).where(OutboxMessage.channel == "sms")
            ).scalar_one()
        assert due.replace(tzinfo=UTC) == datetime(2024, 3, 19, 7, 0, tzinfo=UTC)  # 08:00 Danish time
        stray = send_due(
            db, {"sms": SmsGateway(sink.url, "t", "KL")}, now=datetime(2024, 3, 19, 7, 0, tzinfo=UTC)
        )
        assert stray.sent == {"sms": 1} and len(sink.deliveries) == 1
