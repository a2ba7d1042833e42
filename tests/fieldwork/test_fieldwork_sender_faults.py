"""The sender's fault handling, piece by piece: gateway messages marked sent one by one, claims lost to
another worker never delivered, the Digital Post folder shared by two senders, and sinks that count every
attempt.

The whole of it under SIGKILLs is ``tests/reliability/test_sender_faults.py`` and
``python -m reliability.sender_kills``.
"""

from __future__ import annotations

import csv
import json
import os
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from smtplib import SMTP

from fieldwork_rows import citizen
from sqlalchemy import select

from borgerblik.fieldwork import (
    DigitalPostFolder,
    Envelope,
    FieldworkPlan,
    Recipient,
    SmsGateway,
    SmsSink,
    queue_invitations,
    send_due,
)
from borgerblik.fieldwork.smtp_sink import SmtpSink
from borgerblik.storage import Database
from borgerblik.storage.schema import OutboxMessage

MONDAY_NOON = datetime(2024, 3, 11, 11, 0, tzinfo=UTC)
PDF = b"%PDF-1.3\n% a letter\n%%EOF\n"


def statuses(db: Database) -> dict[int, str]:
    with db.reading() as connection:
        return dict(connection.execute(select(OutboxMessage.id, OutboxMessage.status)).all())  # type: ignore[arg-type]


class Recording:
    """A gateway channel that notes, at each delivery, which messages the outbox already has as sent."""

    name = "sms"
    batched = False

    def __init__(self, db: Database, steal_after_first: bool = False) -> None:
        self.db, self.steal = db, steal_after_first
        self.keys: list[str] = []
        self.sent_before: list[int] = []
        self.stolen: list[int] = []

    def deliver(self, envelope: Envelope) -> str:
        self.sent_before.append(list(statuses(self.db).values()).count("sent"))
        self.keys.append(envelope.key)
        if self.steal and len(self.keys) == 1:  # the sender stalls past its lease; another worker takes over
            later = MONDAY_NOON + timedelta(minutes=5)
            self.stolen = [m.id for m in self.db.claim_messages(10, "other", now=later, lease=timedelta(0))]
        return f"id-{len(self.keys)}"

    def flush(self) -> None: ...

    def close(self) -> None: ...


def sms_survey(db: Database, make_survey, tmp_path: Path, n: int) -> int:
    survey_id, _ = make_survey([citizen(i, exempt=True, phone=f"2{i:07d}") for i in range(1, n + 1)])
    queue_invitations(
        db, survey_id, tmp_path / "spool", at=MONDAY_NOON, plan=FieldworkPlan(invitation_channels=("sms",))
    )
    return survey_id


def test_each_gateway_message_is_marked_sent_before_the_next_is_delivered(
    db: Database, make_survey, tmp_path: Path
) -> None:
    sms_survey(db, make_survey, tmp_path, 4)
    channel = Recording(db)
    report = send_due(db, {"sms": channel}, now=MONDAY_NOON, batch=10)
    assert report.sent == {"sms": 4}
    assert channel.sent_before == [0, 1, 2, 3]  # a kill at any delivery repeats that one message only
    assert list(statuses(db).values()) == ["sent"] * 4


def test_claims_another_worker_took_over_are_not_delivered(db: Database, make_survey, tmp_path: Path) -> None:
    sms_survey(db, make_survey, tmp_path, 4)
    channel = Recording(db, steal_after_first=True)
    report = send_due(db, {"sms": channel}, now=MONDAY_NOON, batch=10, lease=timedelta(0))
    # The thief took all four, the one in flight too; that one was delivered and is marked sent, the other
    # three the stalled sender learns of at its next renewal and leaves to the thief.
    assert len(channel.keys) == 1 and len(channel.stolen) == 4
    assert (report.sent, report.taken_over) == ({"sms": 1}, 3)
    assert Counter(statuses(db).values()) == {"sent": 1, "sending": 3}


def letter(key: str, number: int) -> Envelope:
    cpr = f"{61 + number % 28:02d}0190-{1000 + number:04d}"
    return Envelope(key=key, kind="invitation", recipient=Recipient(cpr, None, None, False), letter=PDF)


def test_a_letter_already_in_the_folder_is_not_placed_again_and_gets_its_journal_line(tmp_path: Path) -> None:
    folder = DigitalPostFolder(tmp_path)
    folder.deliver(letter("bb1-1-i0-digital_post", 1))
    (tmp_path / "bb1-2-i0-digital_post.pdf").write_bytes(PDF)  # placed by a sender killed before journaling
    folder.deliver(letter("bb1-2-i0-digital_post", 2))
    folder.deliver(letter("bb1-1-i0-digital_post", 1))  # delivered again after the kill
    folder.deliver(letter("bb1-2-i0-digital_post", 2))
    folder.close()
    journal = [json.loads(line)["key"] for line in folder.journal.read_bytes().splitlines()]
    assert journal == ["bb1-1-i0-digital_post", "bb1-2-i0-digital_post"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".manifest.lock",
        "bb1-1-i0-digital_post.pdf",
        "bb1-2-i0-digital_post.pdf",
        "letters.jsonl",
        "manifest.csv",
        "manifest.json",
    ]


def test_closing_removes_temporary_files_a_killed_sender_left_and_keeps_a_live_ones(tmp_path: Path) -> None:
    left = tmp_path / ".bb1-1-i0-digital_post.pdf.4242.0123456789ab.tmp"
    live = tmp_path / ".bb1-2-i0-digital_post.pdf.4243.0123456789ab.tmp"
    left.write_bytes(PDF[:9])
    live.write_bytes(PDF[:9])
    an_hour_ago = time.time() - 3600
    os.utime(left, (an_hour_ago, an_hour_ago))
    DigitalPostFolder(tmp_path).close()
    assert sorted(p.name for p in tmp_path.glob(".*.tmp")) == [live.name]


def test_two_senders_sharing_one_folder_write_their_manifests_without_crashing(tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def sender(offset: int) -> None:
        try:
            for run in range(15):
                folder = DigitalPostFolder(tmp_path)
                for n in range(4):
                    number = offset + run * 4 + n
                    folder.deliver(letter(f"bb1-{number}-i0-digital_post", number))
                folder.close()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(offset,)) for offset in (1000, 2000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    DigitalPostFolder(tmp_path).write_manifest()
    with open(tmp_path / "manifest.csv", encoding="utf-8", newline="") as handle:
        keys = [row["key"] for row in csv.DictReader(handle)]
    assert len(keys) == len(set(keys)) == 120
    assert len(json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))) == 120
    assert [p.name for p in tmp_path.glob(".*.tmp")] == []


def test_the_sms_sink_without_deduplication_delivers_every_request_and_counts_the_key(tmp_path: Path) -> None:
    envelope = Envelope(
        key="bb1-7-i0-sms", kind="invitation", recipient=Recipient("x", "20123456", None, True), body="Hej"
    )
    with SmsSink(deduplicate=False) as raw, SmsSink() as deduplicating:
        for sink in (raw, deduplicating):
            gateway = SmsGateway(sink.url, "t", "Jobcentret")
            references = [gateway.deliver(envelope), gateway.deliver(envelope)]
            gateway.close()
            assert sink.attempts == {"bb1-7-i0-sms": 2}
        assert references == ["1", "1"]  # the second request of the deduplicating sink got the first id
        assert [d["userref"] for d in raw.deliveries] == ["bb1-7-i0-sms", "bb1-7-i0-sms"]
        assert len(deduplicating.deliveries) == 1
        # The Idempotency-Key header is the key a gateway de-duplicates by, before the body's userref.
        status, body = deduplicating.receive(
            {"message": "Hej", "recipients": [{"msisdn": 4520123456}], "userref": "other"}, "bb1-7-i0-sms"
        )
        assert (status, body, len(deduplicating.deliveries)) == (200, {"ids": [1]}, 1)


def test_the_smtp_sink_without_deduplication_keeps_every_delivery(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.dk", "b@example.dk", "Hej"
    message["Message-ID"] = "<bb1-3-i0-email@borgerblik.local>"
    message.set_content("Hej")
    with SmtpSink(tmp_path / "raw", deduplicate=False) as sink, SMTP("127.0.0.1", sink.port) as smtp:
        smtp.send_message(message)
        smtp.send_message(message)
    assert sink.attempts == {"bb1-3-i0-email@borgerblik.local": 2}
    assert [p.name for p in sink.messages()] == [
        "bb1-3-i0-email@borgerblik.local.2.eml",
        "bb1-3-i0-email@borgerblik.local.eml",
    ]
