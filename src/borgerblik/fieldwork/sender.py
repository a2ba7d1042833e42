"""The sending worker: claim due messages from the outbox, deliver each, mark it sent.

Why exactly once: a message is in the outbox (with its PDF letter on disk) before anything is sent, so a crash
never forgets one; it is claimed with ``SKIP LOCKED`` so two workers never hold the same message; and it is
marked sent only after its channel confirmed delivery. A worker killed between delivering and marking leaves
the message in ``sending``; after the lease it is claimed again and delivered again — at least once. Every
channel honours the message's idempotency key (file name, SMS ``userref``, e-mail Message-ID), so the second
delivery is recognised as the first one: exactly once where it counts, at the citizen's end.

Right before delivering, the worker re-reads the invitation: a citizen who completed or opted out while the
message waited is never contacted (the gateway also cancels their queued messages).
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from borgerblik.fieldwork.channels import Channel, Envelope, NotReachable, Recipient
from borgerblik.fieldwork.sms import QuietHours
from borgerblik.fieldwork.spool import read_letter
from borgerblik.storage import ClaimedMessage, Database
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

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())


def _requeue(db: Database, message: ClaimedMessage, reason: str, at: datetime) -> None:
    """Put a claimed message back for later without using its attempts (quiet hours, channel not set up)."""
    db.mark_message_failed(message.id, reason, retry_at=at, max_attempts=message.attempts + 1)


def send_due(
    db: Database,
    channels: Mapping[str, Channel],
    *,
    worker: str | None = None,
    batch: int = 50,
    now: datetime | None = None,
    lease: timedelta = timedelta(minutes=15),
    limit: int | None = None,
    quiet_hours: QuietHours | None = None,
) -> SendReport:
    """Deliver every message due at ``now`` (default: the clock) until none is left or ``limit`` is hit."""
    worker = worker or f"{socket.gethostname()}:{id(channels)}"
    quiet = quiet_hours or QuietHours()
    report = SendReport()
    handled = 0
    while limit is None or handled < limit:
        moment = as_utc(now) or db.clock()
        size = batch if limit is None else min(batch, limit - handled)
        claimed = db.claim_messages(size, worker, now=moment, lease=lease)
        if not claimed:
            break
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
        delivered: list[tuple[ClaimedMessage, str]] = []
        for message in claimed:
            if message.id in stale:
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
                delivered.append((message, reference))
                report.sent[message.channel] = report.sent.get(message.channel, 0) + 1
        for channel in channels.values():
            channel.flush()
        # One commit per batch instead of two per message is what lets a demo-sized fieldwork of 87,000
        # letters send in minutes on SQLite. A crash before it re-delivers the batch after the lease —
        # harmless, since every channel recognises a repeated key.
        db.mark_messages_sent(delivered, at=moment)
    return report
