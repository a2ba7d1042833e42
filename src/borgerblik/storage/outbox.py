"""The message outbox: queue invitations and reminders, and let several sending workers claim them safely.

A claim is one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``: on PostgreSQL concurrent
workers skip each other's rows instead of waiting or double-sending; on SQLite the write transaction starts
with ``BEGIN IMMEDIATE``, so claims simply take turns. A worker that dies leaves rows in ``sending``; after
the lease they are claimable again, and ``attempts`` shows how often that happened.

The lease is short (30 s) and a live worker renews it (:func:`renew`, ``claimed_at`` is the last renewal)
while it works, so a killed worker's claims come back within a minute instead of sitting out a long lease,
on SQLite and PostgreSQL alike — no process ids or host liveness checks, which do not work across hosts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, or_, select, update

from borgerblik.storage.driver import Prepared
from borgerblik.storage.errors import InvalidRowError, NotFoundError
from borgerblik.storage.records import ClaimedMessage
from borgerblik.storage.schema import MESSAGE_KINDS, ContactEvent, Invitation, OutboxMessage
from borgerblik.storage.times import as_utc

DEFAULT_LEASE = timedelta(seconds=30)
DEFAULT_MAX_ATTEMPTS = 3


def queue(
    connection: Connection, survey_id: int, messages: Iterable[Mapping[str, Any]], now: datetime
) -> int:
    """Queue messages ``{invitation_id, channel, kind, payload?, due_at?}``; returns how many were queued."""
    rows = []
    for index, message in enumerate(messages, start=1):
        if message.get("kind") not in MESSAGE_KINDS:
            raise InvalidRowError(index, "kind", " eller ".join(MESSAGE_KINDS), message.get("kind"))
        if not message.get("channel"):
            raise InvalidRowError(
                index, "channel", "en kanal (digital_post, sms, email)", message.get("channel")
            )
        if not isinstance(message.get("invitation_id"), int):
            raise InvalidRowError(index, "invitation_id", "et invitations-id", message.get("invitation_id"))
        rows.append(
            {
                "survey_id": survey_id,
                "invitation_id": message["invitation_id"],
                "channel": message["channel"],
                "kind": message["kind"],
                "payload": dict(message.get("payload") or {}),
                "status": "queued",
                "attempts": 0,
                "due_at": as_utc(message.get("due_at")) or now,
                "created_at": now,
            }
        )
    if not rows:
        return 0
    wanted = {row["invitation_id"] for row in rows}
    found = set(
        connection.execute(
            select(Invitation.id).where(Invitation.survey_id == survey_id, Invitation.id.in_(wanted))
        ).scalars()
    )
    if missing := sorted(wanted - found):
        raise NotFoundError(f"invitation(er) {missing[:5]} findes ikke i undersøgelse {survey_id}")
    connection.execute(insert(OutboxMessage), rows)
    return len(rows)


def claim(
    connection: Connection, limit: int, worker: str, now: datetime, lease: timedelta = DEFAULT_LEASE
) -> list[ClaimedMessage]:
    """Claim up to ``limit`` due messages for ``worker`` inside the caller's transaction, oldest due first."""
    m = OutboxMessage
    due = or_(
        and_(m.status == "queued", m.due_at <= now),
        and_(m.status == "sending", m.claimed_at < now - lease),
    )
    candidates = (
        select(m.id).where(due).order_by(m.due_at, m.id).limit(limit).with_for_update(skip_locked=True)
    )
    claimed = connection.execute(
        update(m)
        .where(m.id.in_(candidates.scalar_subquery()))
        .values(status="sending", worker=worker, claimed_at=now, attempts=m.attempts + 1)
        .returning(m.id, m.survey_id, m.invitation_id, m.channel, m.kind, m.payload, m.attempts)
    ).all()
    return sorted((ClaimedMessage(*row) for row in claimed), key=lambda message: message.id)


def renew(connection: Connection, worker: str, now: datetime) -> set[int]:
    """Renew the lease of every message ``worker`` still holds; returns their ids. A claim that lapsed and
    was taken over by another worker is not among them, so the worker knows not to deliver it."""
    m = OutboxMessage
    return set(
        connection.execute(
            update(m).where(m.worker == worker, m.status == "sending").values(claimed_at=now).returning(m.id)
        ).scalars()
    )


def mark_sent(connection: Connection, message_id: int, now: datetime) -> None:
    _finish(connection, message_id, status="sent", sent_at=now, last_error=None)


def mark_failed(
    connection: Connection, message_id: int, error: str, retry_at: datetime | None, max_attempts: int
) -> str:
    """Queue the message again at ``retry_at`` unless its attempts are used up; returns the new status."""
    attempts = connection.execute(
        select(OutboxMessage.attempts).where(OutboxMessage.id == message_id)
    ).scalar()
    if attempts is None:
        raise NotFoundError(f"besked {message_id} findes ikke")
    if retry_at is not None and attempts < max_attempts:
        _finish(connection, message_id, status="queued", due_at=retry_at, last_error=error)
        return "queued"
    _finish(connection, message_id, status="failed", last_error=error)
    return "failed"


CANCEL_QUEUED = Prepared(
    update(OutboxMessage)
    .where(OutboxMessage.invitation_id == bindparam("invitation"), OutboxMessage.status == "queued")
    .values(status="cancelled")
)
"""The one outbox cancel: queued messages of an invitation (after opt-out or a submitted questionnaire) are
never sent. Run by :func:`borgerblik.storage.responses.close_completed` and the gateway's opt-out."""


def cancel_claimed(connection: Connection, message_ids: Sequence[int]) -> int:
    """Cancel claimed messages the sender found stale (the citizen completed or opted out meanwhile)."""
    return connection.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(message_ids)), OutboxMessage.status == "sending")
        .values(status="cancelled", worker=None)
    ).rowcount


def mark_batch_sent(
    connection: Connection, delivered: Sequence[tuple[ClaimedMessage, str]], now: datetime, moment: datetime
) -> int:
    """Mark a batch of delivered messages sent and log each as a contact event, in the caller's transaction.

    Only messages still ``sending`` are marked, as :func:`mark_sent` requires one by one; returns how many.
    """
    marked = connection.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([m.id for m, _ in delivered]), OutboxMessage.status == "sending")
        .values(status="sent", sent_at=now, worker=None, last_error=None)
    ).rowcount
    connection.execute(
        insert(ContactEvent),
        [
            {
                "invitation_id": message.invitation_id,
                "channel": message.channel,
                "kind": "sent",
                "outcome": message.kind,
                "note": reference,
                "occurred_at": moment,
            }
            for message, reference in delivered
        ],
    )
    return marked


def _finish(connection: Connection, message_id: int, **values: Any) -> None:
    result = connection.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "sending")
        .values(worker=None, **values)
    )
    if result.rowcount != 1:
        raise NotFoundError(f"besked {message_id} findes ikke eller er ikke hentet til afsendelse")
