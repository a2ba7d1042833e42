"""Killing the sender mid-batch (SIGKILL between delivering and marking sent) and restarting it: each message
reaches the citizen exactly once, and only the SMS in flight at the kill reaches the gateway twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fieldwork_rows import SETTINGS, citizen
from sqlalchemy import select

from borgerblik.fieldwork import FieldworkPlan, SmsSink, queue_invitations
from borgerblik.storage import Database
from borgerblik.storage.schema import OutboxMessage
from borgerblik.surveys import create_survey_from_template

AT = datetime(2024, 3, 11, 11, 0, tzinfo=UTC)
SENDER = """
import sys
from datetime import datetime, timedelta
from borgerblik.fieldwork import DigitalPostFolder, SmsGateway, send_due
from borgerblik.storage import Database

url, folder, sms_url, lease, now = sys.argv[1:]
db = Database(url)
channels = {"digital_post": DigitalPostFolder(folder), "sms": SmsGateway(sms_url, "t", "Jobcentret")}
moment, lease_time = datetime.fromisoformat(now), timedelta(seconds=float(lease))
report = send_due(db, channels, batch=5, now=moment, lease=lease_time)
for channel in channels.values():
    channel.close()
print(report.total_sent)
"""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crash.sqlite'}"
    return request.getfixturevalue("postgres_url")


def test_sender_killed_mid_batch_and_restarted_delivers_each_message_exactly_once(
    database_url: str, tmp_path: Path
) -> None:
    db = Database(database_url)
    survey_id = create_survey_from_template(db, "Nedbrud", "kl-2024", settings=SETTINGS)
    members = db.add_members(survey_id, [citizen(n, phone=f"2{n:07d}") for n in range(1, 21)])
    db.save_sample(survey_id, {m: "s" for m in members}, draw_seed=1)
    db.create_invitations(survey_id)
    plan = FieldworkPlan(invitation_channels=("digital_post", "sms"))
    assert queue_invitations(db, survey_id, tmp_path / "spool", at=AT, plan=plan).queued == {
        "digital_post": 20,
        "sms": 20,
    }
    script = tmp_path / "sender.py"
    script.write_text(SENDER, encoding="utf-8")
    folder = tmp_path / "digital_post"
    victim: list[subprocess.Popen[str]] = []

    def kill_on_the_seventh(delivery: dict[str, object]) -> None:
        if delivery["id"] == 7 and victim:
            os.kill(victim[0].pid, signal.SIGKILL)  # delivered, not yet marked sent

    with SmsSink(on_delivery=kill_on_the_seventh, deduplicate=False) as sink:
        arguments = [str(script), database_url, str(folder), sink.url]
        victim.append(subprocess.Popen([sys.executable, *arguments, "30", AT.isoformat()], text=True))
        assert victim[0].wait(timeout=120) == -signal.SIGKILL
        with db.reading() as connection:
            interrupted = Counter(connection.execute(select(OutboxMessage.status)).scalars())
        assert interrupted["sending"] >= 1 and interrupted["sent"] < 40
        after_lease = (AT + timedelta(seconds=31)).isoformat()  # the dead worker's 30-s lease ran out
        restart = subprocess.run(
            [sys.executable, *arguments, "30", after_lease],
            text=True,
            capture_output=True,
            timeout=120,
            check=True,
        )
        assert int(restart.stdout) == 40 - interrupted["sent"]
    # Counted at the gateway without its de-duplication: each SMS is marked sent as soon as the gateway
    # answered, so only the seventh, delivered and killed before its answer, went twice — with the same
    # userref and Idempotency-Key, which a real gateway de-duplicates by.
    userrefs = Counter(d["userref"] for d in sink.deliveries)
    assert sink.requests == 21 and len(userrefs) == 20
    assert sorted(userrefs.values()) == [1] * 19 + [2]
    assert sink.attempts == userrefs
    assert len(list(folder.glob("*.pdf"))) == 20
    journal = [line for line in (folder / "letters.jsonl").read_bytes().splitlines() if line]
    assert len(journal) == 20  # each letter placed once: the restart found the killed batch's files there
    assert (folder / "manifest.csv").read_text(encoding="utf-8").count("\n") == 21  # header + 20 letters
    with db.reading() as connection:
        statuses = Counter(connection.execute(select(OutboxMessage.status)).scalars())
        attempts = Counter(connection.execute(select(OutboxMessage.attempts)).scalars())
    assert statuses == {"sent": 40}
    assert attempts[2] == 40 - attempts[1] >= 1  # re-claimed after the lease: second attempt
    db.close()
