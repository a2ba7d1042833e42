"""The invitation sender under SIGKILL (issue 18, item 2): each message exactly once, counted raw at the sink.

Queues a survey's invitation by Digital Post, SMS and e-mail to a few thousand synthetic citizens, starts the
local SMS gateway and SMTP server in this process with their de-duplication off (each counts every delivery
attempt per key) and runs the real ``borgerblik fieldwork send`` in a process group of its own. Once a run is
delivering, its whole group is SIGKILLed after a random delay and a new sender started, until ``--kills``
kills have hit a sender holding claims (mid-batch) and the outbox is empty; on PostgreSQL two senders run at
once (``--senders``). Digital Post deliveries are counted from the folder's journal, one line per letter
placed in it.

At the end it prints the messages, the kills, per channel the deliveries, the duplicates (raw, at the sink)
and the missing, and how long after each kill the dead sender's claims were taken over by another sender.
Exit code 1 when a message is missing or not marked sent, when a channel has more duplicates than kills (at
most one repeat per channel connection in flight at a kill), or when claims took a minute or more to return.

    .venv/bin/python -m reliability.sender_kills [--database sqlite|postgresql] [--kills 12] [--citizens 1500]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PG_ADMIN_URL = os.environ.get("BORGERBLIK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
AT = datetime(2024, 3, 11, 11, 0, tzinfo=UTC)  # a Monday, 12:00 in Copenhagen: SMS are not held for the night
CHANNELS = ("digital_post", "sms", "email")
MESSAGE_ID_DOMAIN = "@borgerblik.local"
RELEASE_GOAL_SECONDS = 60.0
SETTINGS = {
    "fieldwork": {
        "sender": "KL og jobcentret",
        "base_url": "https://borgerblik.example.dk",
        "hotline_phone": "70 20 30 40",
        "hotline_hours": "hverdage kl. 9-15",
    }
}


def _row(n: int) -> dict[str, object]:
    """A synthetic citizen reachable on all three channels (the benchmark's CPR spread, so all differ)."""
    return {
        "cpr": f"{61 + n % 28:02d}{1 + (n // 28) % 12:02d}{n // 336 % 100:02d}-{n % 10_000:04d}",
        "kommune": ("Høje-Taastrup", "Rødovre", "Aarhus")[n % 3],
        "maalgruppe": f"6.{1 + n % 9}",
        "gender": "mand" if n % 2 else "kvinde",
        "birth_date": f"19{70 + n % 30}-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "age": 40,
        "age_group": "30-49",
        "ydelse_start": "2023-06-15",
        "ydelse_slut": "",
        "samtaler": "jobsamtale",
        "digital_post_fritaget": "nej",
        "telefon": f"2{n:07d}",
        "email": f"borger{n}@example.dk",
    }


def prepare(url: str, spool: Path, citizens: int) -> dict[str, set[str]]:
    """Queue the invitation on every channel to ``citizens`` citizens; the idempotency keys per channel."""
    from borgerblik.fieldwork import FieldworkPlan, queue_invitations
    from borgerblik.storage import Database
    from borgerblik.surveys import create_survey_from_template

    with Database(url) as db:
        survey_id = create_survey_from_template(db, "Afsender-nedbrud", "kl-2024", settings=SETTINGS)
        members = db.add_members(survey_id, [_row(n) for n in range(citizens)])
        db.save_sample(survey_id, dict.fromkeys(members, "s"), draw_seed=18)
        db.create_invitations(survey_id)
        queue_invitations(db, survey_id, spool, at=AT, plan=FieldworkPlan(invitation_channels=CHANNELS))
        frame = db.messages_frame(survey_id)
    expected: dict[str, set[str]] = {channel: set() for channel in CHANNELS}
    from borgerblik.fieldwork.schedule import message_key

    for invitation_id, channel in frame.select("invitation_id", "channel").rows():
        expected[channel].add(message_key(survey_id, invitation_id, "i0", channel))
    return expected


@dataclass
class Kill:
    """One SIGKILL: when, the dead sender's worker name, the messages it held, and when they came back."""

    at: float
    worker: str | None
    held: set[int]
    released_after: float | None = None


@dataclass
class Figures:
    database: str
    senders: int
    lease: float
    messages: dict[str, int]
    kills: list[Kill]
    deliveries: dict[str, int]
    duplicates: dict[str, int]
    #: the most deliveries of one key (2 = one repeat, what one kill with that message in flight causes)
    most_per_key: dict[str, int]
    missing: dict[str, int]
    not_sent: int
    manifest_entries: int
    seconds: float
    failures: list[str] = field(default_factory=list)

    @property
    def mid_batch(self) -> int:
        """Kills that found the sender holding claims (the others hit it between batches or at its end)."""
        return sum(bool(k.held) for k in self.kills)

    @property
    def releases(self) -> list[float]:
        return [k.released_after for k in self.kills if k.held and k.released_after is not None]

    @property
    def max_release(self) -> float:
        return max(self.releases, default=0.0)

    @property
    def ok(self) -> bool:
        return not self.problems()

    def problems(self) -> list[str]:
        found = list(self.failures)
        bound = len(self.kills)
        for channel in CHANNELS:
            if self.missing[channel]:
                found.append(f"{channel}: {self.missing[channel]} missing")
            if self.duplicates[channel] > bound:
                found.append(f"{channel}: {self.duplicates[channel]} duplicates > {bound} (one per kill)")
        if self.not_sent:
            found.append(f"{self.not_sent} messages not marked sent")
        if self.manifest_entries != self.messages["digital_post"]:
            found.append(f"manifest has {self.manifest_entries} of {self.messages['digital_post']} letters")
        if any(k.held and k.released_after is None for k in self.kills):
            found.append("a killed sender's claims were never taken over")
        if self.max_release >= RELEASE_GOAL_SECONDS:
            found.append(f"claims came back after {self.max_release:.0f} s (goal < 60 s)")
        return found

    def lines(self) -> list[str]:
        total = sum(self.messages.values())
        rows = [
            f"sender kills, {self.database}, {self.senders} sender(s) at once, lease {_n(self.lease, 0)} s: "
            f"{_n(total)} messages, {len(self.kills)} kills ({self.mid_batch} mid-batch), "
            f"{_n(self.seconds, 0)} s",
            f"  {'channel':<14}{'messages':>10}{'deliveries':>12}{'duplicates':>12}{'missing':>9}"
            f"{'most per key':>14}",
        ]
        for channel in CHANNELS:
            rows.append(
                f"  {channel:<14}{_n(self.messages[channel]):>10}{_n(self.deliveries[channel]):>12}"
                f"{_n(self.duplicates[channel]):>12}{_n(self.missing[channel]):>9}"
                f"{_n(self.most_per_key[channel]):>14}"
            )
        releases = self.releases
        median = _n(statistics.median(releases), 1) if releases else "–"
        rows.append(
            f"  claims of a killed sender taken over after: max {_n(self.max_release, 1)} s, "
            f"median {median} s ({len(releases)} kills held claims); goal < 60 s"
        )
        rows.append(
            f"  outbox not sent: {_n(self.not_sent)}; "
            f"Digital Post manifest: {_n(self.manifest_entries)} letters"
        )
        verdict = "met" if self.ok else "NOT met: " + "; ".join(self.problems())
        rows.append(f"  duplicates ≤ kills per channel, none missing: {verdict}")
        return rows


def _n(value: float, decimals: int = 0) -> str:
    """Danish number format: 4.500 and 46,2."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "§").replace(".", ",").replace("§", ".")


class _Outbox:
    """The harness's read-only look at the outbox (status per message, the claims of a worker)."""

    def __init__(self, url: str) -> None:
        from borgerblik.storage import Database

        self.db = Database(url)

    def sending(self) -> dict[int, str]:
        from sqlalchemy import select

        from borgerblik.storage.schema import OutboxMessage

        with self.db.reading() as connection:
            rows = connection.execute(
                select(OutboxMessage.id, OutboxMessage.worker).where(OutboxMessage.status == "sending")
            ).all()
        return {message_id: worker or "" for message_id, worker in rows}

    def statuses(self) -> Counter[str]:
        from sqlalchemy import func, select

        from borgerblik.storage.schema import OutboxMessage

        with self.db.reading() as connection:
            rows = connection.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        return Counter({status: count for status, count in rows})

    def close(self) -> None:
        self.db.close()


@dataclass
class _Sender:
    process: subprocess.Popen[bytes]
    kill: bool
    delay: float
    baseline: int
    delivering_since: float | None = None


def run(
    url: str,
    workdir: Path,
    *,
    database: str,
    citizens: int = 1_500,
    kills: int = 12,
    senders: int = 1,
    lease: float = 30.0,
    max_delay: float = 2.0,
    latency: float = 0.005,
    seed: int = 18,
    timeout: float = 900.0,
    say: Callable[[str], None] = print,
) -> Figures:
    """Queue, then send under ``kills`` SIGKILLs with ``senders`` senders at once; count at the sinks.

    The SMS gateway answers after ``latency`` seconds, a real gateway's round trip in small, so a batch takes
    long enough to be killed in the middle."""
    from borgerblik.fieldwork import SmsSink
    from borgerblik.fieldwork.smtp_sink import SmtpSink

    rng = random.Random(seed)
    workdir.mkdir(parents=True, exist_ok=True)
    expected = prepare(url, workdir / "spool", citizens)
    say(f"queued {sum(map(len, expected.values()))} messages to {citizens} citizens")
    folder = workdir / "digital_post"
    outbox = _Outbox(url)
    done: list[Kill] = []
    failures: list[str] = []
    started = time.monotonic()
    gateway = SmsSink(deduplicate=False, on_delivery=lambda _request: time.sleep(latency))
    with gateway as sms, SmtpSink(workdir / "email", deduplicate=False) as smtp:

        def delivered() -> int:
            return sms.requests + smtp.received

        def command() -> list[str]:
            moment = (AT + timedelta(seconds=time.monotonic() - started)).astimezone(
                ZoneInfo("Europe/Copenhagen")
            )
            return [
                str(Path(sys.executable).with_name("borgerblik")),
                "fieldwork",
                "send",
                "--database",
                url,
                "--digital-post",
                str(folder),
                "--sms-url",
                sms.url,
                "--smtp-host",
                "127.0.0.1",
                "--smtp-port",
                str(smtp.port),
                "--smtp-plain",
                "--lease",
                str(lease),
                "--at",
                moment.strftime("%Y-%m-%dT%H:%M:%S"),
            ]

        def start(kill: bool) -> _Sender:
            log = open(workdir / f"sender-{uuid.uuid4().hex[:8]}.log", "wb")  # noqa: SIM115 - child's output
            process = subprocess.Popen(
                command(), start_new_session=True, stdout=log, stderr=subprocess.STDOUT
            )
            log.close()
            return _Sender(process, kill, rng.uniform(0.05, max_delay), delivered())

        running: list[_Sender] = []
        planned = 0
        last_start = 0.0
        while time.monotonic() - started < timeout:
            now = time.monotonic()
            sending = outbox.sending()
            for kill in done:
                if kill.released_after is None and not any(sending.get(i) == kill.worker for i in kill.held):
                    kill.released_after = now - kill.at
            for sender in list(running):
                if sender.process.poll() is not None:
                    running.remove(sender)
                    planned -= sender.kill
                    if sender.process.returncode != 0:
                        failures.append(f"a sender exited with {sender.process.returncode}")
                    continue
                if not sender.kill:
                    continue
                if sender.delivering_since is None and delivered() > sender.baseline:
                    sender.delivering_since = now
                if sender.delivering_since is not None and now - sender.delivering_since >= sender.delay:
                    pid = sender.process.pid
                    if not any(f":{pid}:" in worker for worker in sending.values()):
                        continue  # between two batches: kill it in the next one
                    os.killpg(pid, signal.SIGKILL)
                    sender.process.wait()
                    at = time.monotonic()
                    held = {i: w for i, w in outbox.sending().items() if f":{pid}:" in w}
                    workers = set(held.values())
                    done.append(Kill(at, workers.pop() if workers else None, set(held)))
                    say(f"kill {len(done)}: sender {pid} held {len(held)} claims")
                    running.remove(sender)
                    planned -= 1
            statuses = outbox.statuses()
            unfinished = statuses["queued"] + statuses["sending"]
            pending = any(k.released_after is None and k.held for k in done)
            if not running and not unfinished and not pending:
                break
            while len(running) < senders and unfinished and now - last_start >= 1.0:
                kill = planned + sum(bool(k.held) for k in done) < kills
                running.append(start(kill))
                planned += kill
                last_start = now
            time.sleep(0.05 if any(sender.kill for sender in running) else 0.2)
        else:
            failures.append(f"not done within {timeout:.0f} s")
        for sender in running:
            os.killpg(sender.process.pid, signal.SIGKILL)
            sender.process.wait()
        manifest = folder / "manifest.csv"
        if _manifest_entries(manifest) != len(expected["digital_post"]):
            # The last sender was killed after its last delivery, before writing the manifest: the next
            # run of the sender writes it (with nothing left to send).
            last = start(False)
            if last.process.wait(timeout=300) != 0:
                failures.append(f"the final sender exited with {last.process.returncode}")
        sms_counts = Counter(sms.attempts)
        smtp_counts = Counter({k.removesuffix(MESSAGE_ID_DOMAIN): v for k, v in smtp.attempts.items()})
    post_counts = _journal_counts(folder)
    placed = {key for key in post_counts if (folder / f"{key}.pdf").exists()}
    raw = {"digital_post": post_counts, "sms": sms_counts, "email": smtp_counts}
    statuses = outbox.statuses()
    outbox.close()
    return Figures(
        database=database,
        senders=senders,
        lease=lease,
        messages={c: len(expected[c]) for c in CHANNELS},
        kills=done,
        deliveries={c: sum(raw[c][k] for k in expected[c]) for c in CHANNELS},
        most_per_key={c: max((raw[c][k] for k in expected[c]), default=0) for c in CHANNELS},
        duplicates={c: sum(raw[c][k] - 1 for k in expected[c] if raw[c][k] > 1) for c in CHANNELS},
        missing={
            "digital_post": len(expected["digital_post"] - placed),
            "sms": len(expected["sms"] - set(sms_counts)),
            "email": len(expected["email"] - set(smtp_counts)),
        },
        not_sent=sum(statuses.values()) - statuses["sent"],
        manifest_entries=_manifest_entries(folder / "manifest.csv"),
        seconds=time.monotonic() - started,
        failures=failures,
    )


def _journal_counts(folder: Path) -> Counter[str]:
    """Letters placed in the Digital Post folder per key: the journal's lines (one per placed file)."""
    counts: Counter[str] = Counter()
    journal = folder / "letters.jsonl"
    if journal.exists():
        for line in journal.read_bytes().splitlines():
            try:
                counts[json.loads(line)["key"]] += 1
            except (ValueError, KeyError, TypeError):
                continue
    return counts


def _manifest_entries(manifest: Path) -> int:
    if not manifest.exists():
        return 0
    return max(0, len(manifest.read_text(encoding="utf-8").splitlines()) - 1)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one run, dropped afterwards."""
    from sqlalchemy import create_engine

    name = f"borgerblik_sender_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--citizens", type=int, default=1_500, help="three messages each")
    parser.add_argument("--senders", type=int, help="senders at once (default: 2 on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--lease", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=18)
    options = parser.parse_args()
    senders = options.senders or (2 if options.database == "postgresql" else 1)
    quiet = bool(os.environ.get("RELIABILITY_QUIET"))  # make reliability prints only the figures
    with tempfile.TemporaryDirectory(prefix="sender-kills-") as folder:
        workdir = Path(folder)
        source = (
            postgres_database()
            if options.database == "postgresql"
            else _sqlite(workdir / "borgerblik.sqlite")
        )
        with source as url:
            figures = run(
                url,
                workdir,
                database=options.database,
                citizens=options.citizens,
                kills=options.kills,
                senders=senders,
                lease=options.lease,
                seed=options.seed,
                say=(lambda _line: None) if quiet else print,
            )
    for line in figures.lines():
        print(line)
    sys.exit(0 if figures.ok else 1)


@contextmanager
def _sqlite(path: Path) -> Iterator[str]:
    yield f"sqlite:///{path}"


if __name__ == "__main__":
    main()
