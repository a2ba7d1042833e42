"""The sending worker: claim due messages from the outbox, deliver each, mark it sent.

Why exactly once: a message is in the outbox (with its PDF letter on disk) before anything is sent, so a crash
never forgets one; it is claimed with ``SKIP LOCKED`` so two workers never hold the same message; and it is
marked sent only after its channel confirmed delivery. A message sent through a gateway (SMS, e-mail) is
marked sent the moment the gateway answered, in its own transaction, so a worker killed mid-batch leaves at
most the one message in flight on each channel connection delivered and not marked; a Digital Post letter is
durable only after the folder's ``flush``, so those are marked per batch, and the folder recognises a letter
it already holds by its file name. A killed worker's messages stay in ``sending`` until the lease lapses —
30 s, renewed by a heartbeat thread of the live worker every quarter of it, so a kill costs well under a
minute, not fifteen; they are then claimed and delivered again, with the same idempotency key (file name,
SMS ``userref`` and ``Idempotency-Key``, e-mail Message-ID), so even the one repeat is recognised as the first
delivery at the receiving end. A worker never delivers a message whose claim it no longer holds.

Right before delivering, the worker re-reads the invitation: a citizen who completed or opted out while the
message waited is never contacted (the gateway also cancels their queued messages).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from borgerblik.fieldwork.channels import Channel, Envelope, NotReachable, Recipient
from borgerblik.fieldwork.sms import QuietHours
from borgerblik.fieldwork.spool import read_letter
from borgerblik.storage import ClaimedMessage, Database
from borgerblik.storage.outbox import DEFAULT_LEASE
from borgerblik.storage.times import as_utc

RETRY_AFTER = timedelta(minutes=5)
NO_LONGER_CONTACTED = ("completed", "opted_out")


@dataclass
class SendReport:
    sent: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    retrying: int = 0
    deferred: int = 0
    cancelled: int = 0
    #: claims that lapsed (the worker stalled past the lease) and were taken over by another worker
    taken_over: int = 0

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())


def _requeue(db: Database, message: ClaimedMessage, reason: str, at: datetime) -> None:
    """Put a claimed message back for later without using its attempts (quiet hours, channel not set up)."""
    db.mark_message_failed(message.id, reason, retry_at=at, max_attempts=message.attempts + 1)


def worker_name() -> str:
    """Host, process and a random part: unique per sender run, so a restarted sender never mistakes the
    killed one's claims for its own (``id()`` of an object repeats across runs)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class _Heartbeat:
    """The worker's hold on its claims: a thread renews the lease every quarter of it while the worker works
    (also through a slow delivery or a long disk sync), and before each delivery the worker checks that the
    message is still among the claims the last renewal returned — a worker stalled beyond its lease (the
    machine paused, the database unreachable) learns which claims another worker took over and skips them.
    """

    def __init__(self, db: Database, worker: str, lease: timedelta, now: datetime | None) -> None:
        self.db, self.worker, self.now = db, worker, as_utc(now)
        self.lease = lease.total_seconds()
        self.held: set[int] = set()
        self.renewed = time.monotonic()
        self._generation = 0  # a renewal that raced a new claim must not overwrite the new batch's ids
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease {worker}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(max(self.lease / 4, 1.0)):
            try:
                self.renew()
            except Exception:  # noqa: BLE001 - the next beat tries again; holds() sees a stale renewal
                continue

    def renew(self) -> None:
        with self._lock:
            generation, started = self._generation, time.monotonic()
        held = self.db.renew_claims(self.worker, now=self.now or self.db.clock())
        with self._lock:
            if generation == self._generation:
                self.held, self.renewed = held, started

    def claimed(self, messages: list[ClaimedMessage]) -> None:
        with self._lock:
            self._generation += 1
            self.held, self.renewed = {m.id for m in messages}, time.monotonic()

    def holds(self, message_id: int) -> bool:
        with self._lock:
            stale = time.monotonic() - self.renewed >= self.lease / 2
        if stale:
            self.renew()
        with self._lock:
            return message_id in self.held


def send_due(
    db: Database,
    channels: Mapping[str, Channel],
    *,
    worker: str | None = None,
    batch: int = 50,
    now: datetime | None = None,
    lease: timedelta = DEFAULT_LEASE,
    limit: int | None = None,
    quiet_hours: QuietHours | None = None,
) -> SendReport:
    """Deliver every message due at ``now`` (default: the clock) until none is left or ``limit`` is hit."""
    worker = worker or worker_name()
    quiet = quiet_hours or QuietHours()
    report = SendReport()
    with _Heartbeat(db, worker, lease, now) as hold:
        _send(db, channels, worker, hold, report, batch, now, lease, limit, quiet)
    return report


def _send(
    db: Database,
    channels: Mapping[str, Channel],
    worker: str,
    hold: _Heartbeat,
    report: SendReport,
    batch: int,
    now: datetime | None,
    lease: timedelta,
    limit: int | None,
    quiet: QuietHours,
) -> None:
    handled = 0
    while limit is None or handled < limit:
        moment = as_utc(now) or db.clock()
        size = batch if limit is None else min(batch, limit - handled)
        claimed = db.claim_messages(size, worker, now=moment, lease=lease)
        if not claimed:
            break
        hold.claimed(claimed)
        handled += len(claimed)
        invitation_ids = sorted({m.invitation_id for m in claimed})
        states = db.invitation_states(invitation_ids)
        stale = [m.id for m in claimed if states.get(m.invitation_id) in NO_LONGER_CONTACTED]
        if stale:
            db.cancel_claimed_messages(stale)
            report.cancelled += len(stale)
        contacts = {}
        for survey_id in {m.survey_id for m in claimed}:
            ids = [m.invitation_id for m in claimed if m.survey_id == survey_id]
            contacts.update({c.invitation_id: c for c in db.contacts(survey_id, ids)})
        after_flush: list[tuple[ClaimedMessage, str]] = []
        for message in claimed:
            if message.id in stale:
                continue
            if not hold.holds(message.id):
                report.taken_over += 1
                continue
            channel = channels.get(message.channel)
            if channel is None:
                _requeue(
                    db, message, f"kanalen {message.channel} er ikke sat op", moment + timedelta(hours=1)
                )
                report.deferred += 1
                continue
            if message.channel == "sms" and not quiet.allows(moment):
                _requeue(db, message, "stille timer: ingen SMS om natten", quiet.next_allowed(moment))
                report.deferred += 1
                continue
            contact = contacts.get(message.invitation_id)
            payload = message.payload
            try:
                if contact is None:
                    raise NotReachable("kontaktoplysningerne er slettet")
                envelope = Envelope(
                    key=str(payload["key"]),
                    kind=message.kind,
                    recipient=Recipient(
                        contact.cpr, contact.phone, contact.email, contact.digital_post_exempt
                    ),
                    subject=str(payload.get("subject", "")),
                    body=str(payload.get("text", "")),
                    letter=read_letter(payload),
                )
                reference = channel.deliver(envelope)
            except NotReachable as exc:
                db.mark_message_failed(message.id, str(exc))
                db.log_contact_event(
                    message.invitation_id, message.channel, "undeliverable", outcome=message.kind
                )
                report.failed += 1
            except (OSError, RuntimeError, ValueError) as exc:
                status = db.mark_message_failed(message.id, str(exc), retry_at=moment + RETRY_AFTER)
                if status == "failed":
                    report.failed += 1
                else:
                    report.retrying += 1
            else:
                report.sent[message.channel] = report.sent.get(message.channel, 0) + 1
                if getattr(channel, "batched", True):
                    after_flush.append((message, reference))
                else:
                    # The gateway has it: mark it now, so a kill repeats only the message in flight.
                    db.mark_messages_sent([(message, reference)], at=moment)
        for channel in channels.values():
            channel.flush()
        # One commit per batch for the letters instead of one per letter is what lets a demo-sized
        # fieldwork of 87,000 letters send in minutes on SQLite. A kill before it re-delivers the batch's
        # letters after the lease — a no-op, since the folder already holds each file.
        db.mark_messages_sent(after_flush, at=moment)
