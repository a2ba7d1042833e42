"""The outbox half of the :class:`~borgerblik.storage.database.Database` gateway: queue, claim, renew and
mark messages, each one transaction through the gateway's ``writing()`` funnel (SQL in :mod:`outbox`).

A mixin so the gateway stays one object for its callers while its module stays small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from borgerblik.storage import fieldwork, outbox
from borgerblik.storage.records import ClaimedMessage
from borgerblik.storage.times import as_utc


class OutboxGateway:
    """Needs the gateway's ``writing()`` and ``clock``."""

    clock: Callable[[], datetime]
    writing: Callable[[], AbstractContextManager[Connection]]

    def queue_messages(self, survey_id: int, messages: Iterable[Mapping[str, Any]]) -> int:
        """Queue ``{invitation_id, channel, kind: invitation|reminder, payload?, due_at?}`` messages."""
        with self.writing() as connection:
            return outbox.queue(connection, survey_id, messages, self.clock())

    def claim_messages(
        self, limit: int, worker: str, *, now: datetime | None = None, lease: timedelta = outbox.DEFAULT_LEASE
    ) -> list[ClaimedMessage]:
        """Hand up to ``limit`` due messages to ``worker``; concurrent workers never get the same message."""
        with self.writing() as connection:
            return outbox.claim(connection, limit, worker, as_utc(now) or self.clock(), lease)

    def renew_claims(self, worker: str, *, now: datetime | None = None) -> set[int]:
        """Renew ``worker``'s lease on the messages it holds (its heartbeat); returns the ids still held."""
        with self.writing() as connection:
            return outbox.renew(connection, worker, as_utc(now) or self.clock())

    def mark_message_sent(self, message_id: int) -> None:
        with self.writing() as connection:
            outbox.mark_sent(connection, message_id, self.clock())

    def mark_message_failed(
        self,
        message_id: int,
        error: str,
        *,
        retry_at: datetime | None = None,
        max_attempts: int = outbox.DEFAULT_MAX_ATTEMPTS,
    ) -> str:
        """Report a failed send: queued again at ``retry_at`` if attempts remain; returns the new status."""
        with self.writing() as connection:
            return outbox.mark_failed(connection, message_id, error, as_utc(retry_at), max_attempts)

    def queue_wave(
        self,
        survey_id: int,
        messages: Iterable[Mapping[str, Any]],
        *,
        reached: Sequence[int],
        unreachable: Sequence[int],
        kind: str,
    ) -> int:
        """Queue one chunk of a wave and move its invitations on, in one transaction, so re-running a wave
        after a crash queues nobody twice: the reached become ``invited`` (or ``reminded``); for an
        invitation wave, those no channel reaches become ``undeliverable``. Returns how many were queued."""
        with self.writing() as connection:
            now = self.clock()
            queued = outbox.queue(connection, survey_id, messages, now)
            fieldwork.advance_invitations(connection, reached, unreachable, kind, now)
            return queued

    def cancel_claimed_messages(self, message_ids: Sequence[int]) -> int:
        """Cancel claimed messages that must not go out after all (the citizen completed or opted out)."""
        if not message_ids:
            return 0
        with self.writing() as connection:
            return outbox.cancel_claimed(connection, message_ids)

    def mark_messages_sent(self, delivered: Sequence[tuple[ClaimedMessage, str]], *, at: datetime) -> int:
        """Mark a batch of delivered messages (each with its channel's reference) sent and log each as a
        contact event at ``at``, in one transaction: one commit per batch, not two per message."""
        if not delivered:
            return 0
        with self.writing() as connection:
            return outbox.mark_batch_sent(connection, delivered, self.clock(), as_utc(at))  # type: ignore[arg-type]
