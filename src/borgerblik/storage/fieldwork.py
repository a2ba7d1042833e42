"""The fieldwork stage's reads and batch writes, so the schedule, the sender, the hotline lists and the
monitor never write SQL of their own.

The monitor's counts are grouped here per invitation; what counts as complete, partial, blank or opted out is
decided by :mod:`borgerblik.storage.outcomes`, the one definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
from sqlalchemy import Connection, func, select, update

from borgerblik.core.phone import can_text
from borgerblik.storage.outcomes import outcome_of
from borgerblik.storage.schema import (
    Identity,
    Invitation,
    Member,
    Municipality,
    OptOut,
    OutboxMessage,
    ResponseSession,
)
from borgerblik.storage.times import as_utc

ADVANCING = ("created", "invited", "reminded")


def invitation_states(connection: Connection, invitation_ids: Sequence[int]) -> dict[int, str]:
    rows = connection.execute(
        select(Invitation.id, Invitation.state).where(Invitation.id.in_(list(invitation_ids)))
    ).all()
    return {invitation_id: state for invitation_id, state in rows}


def session_states(connection: Connection, survey_id: int) -> dict[int, str]:
    rows = connection.execute(
        select(ResponseSession.invitation_id, ResponseSession.state)
        .join(Invitation, Invitation.id == ResponseSession.invitation_id)
        .where(Invitation.survey_id == survey_id)
    ).all()
    return {invitation_id: state for invitation_id, state in rows}


def opted_out(connection: Connection, survey_id: int) -> set[int]:
    return set(
        connection.execute(select(OptOut.invitation_id).where(OptOut.survey_id == survey_id)).scalars()
    )


def reminder_waves(connection: Connection, survey_id: int) -> dict[int, int]:
    """A wave's messages to one citizen are queued in one statement and share ``created_at``, so distinct
    creation times count waves (the SMS of a wave may be due later than its letter: quiet hours)."""
    rows = connection.execute(
        select(OutboxMessage.invitation_id, func.count(func.distinct(OutboxMessage.created_at)))
        .where(
            OutboxMessage.survey_id == survey_id,
            OutboxMessage.kind == "reminder",
            OutboxMessage.status != "cancelled",
        )
        .group_by(OutboxMessage.invitation_id)
    ).all()
    return {invitation_id: waves for invitation_id, waves in rows}


def advance_invitations(
    connection: Connection, reached: Sequence[int], unreachable: Sequence[int], kind: str, now: datetime
) -> None:
    """After a wave's chunk is queued: the reached move on (never out of a final state), and for the
    invitation wave the unreachable are ``undeliverable``."""
    if reached:
        connection.execute(
            update(Invitation)
            .where(Invitation.id.in_(list(reached)), Invitation.state.in_(ADVANCING))
            .values(state="invited" if kind == "invitation" else "reminded", updated_at=now)
        )
    if kind == "invitation" and unreachable:
        connection.execute(
            update(Invitation)
            .where(Invitation.id.in_(list(unreachable)), Invitation.state.in_(ADVANCING))
            .values(state="undeliverable", updated_at=now)
        )
    snapshot_reach(connection, [*reached, *unreachable])


def snapshot_reach(connection: Connection, invitation_ids: Sequence[int]) -> None:
    """Keep, on each invitation not yet snapshotted, the channels that can reach the citizen now — the rule of
    :func:`contact_flags` — so the monitor counts them after the contact data are purged. One UPDATE per
    combination of channels, not per citizen."""
    if not invitation_ids:
        return
    rows = connection.execute(
        select(Invitation.id, Identity.digital_post_exempt, Identity.phone, Identity.email)
        .join(Identity, Identity.member_id == Invitation.member_id)
        .where(Invitation.id.in_(list(invitation_ids)), Invitation.reach.is_(None))
    ).all()
    by_reach: dict[str, list[int]] = {}
    for invitation_id, exempt, phone, email in rows:
        channels = [
            name
            for name, reaches in (
                ("digital_post", not exempt),
                ("sms", can_text(phone)),
                ("email", bool(email and "@" in email)),
            )
            if reaches
        ]
        by_reach.setdefault(",".join(channels), []).append(invitation_id)
    for reach, ids in by_reach.items():
        connection.execute(update(Invitation).where(Invitation.id.in_(ids)).values(reach=reach))


@dataclass(frozen=True)
class SessionEvent:
    """One response session as the monitor counts it: its outcome and the moment that outcome was reached."""

    invitation_id: int
    outcome: str
    at: datetime


@dataclass(frozen=True)
class FieldworkEvents:
    kommune_of: dict[int, str]
    """invited citizens (invitation state past ``created``) → municipality"""
    sessions: list[SessionEvent]
    opted_out: set[int]
    reminder_times: list[datetime]
    invitation_time: datetime | None
    reach_of: dict[int, str | None] = field(default_factory=dict)
    """invited citizens → the channels that could reach them when invited (None: not snapshotted)"""


def fieldwork_events(connection: Connection, survey_id: int) -> FieldworkEvents:
    kommune_of, reach_of = {}, {}
    for invitation_id, kommune, reach in connection.execute(
        select(Invitation.id, Municipality.name, Invitation.reach)
        .join(Member, Member.id == Invitation.member_id)
        .join(Municipality, Municipality.id == Member.municipality_id)
        .where(Invitation.survey_id == survey_id, Invitation.state != "created")
    ):
        kommune_of[invitation_id] = kommune
        reach_of[invitation_id] = reach
    opted = opted_out(connection, survey_id)
    sessions = []
    for invitation_id, state, updated_at, completed_at in connection.execute(
        select(
            ResponseSession.invitation_id,
            ResponseSession.state,
            ResponseSession.updated_at,
            ResponseSession.completed_at,
        )
        .join(Invitation, Invitation.id == ResponseSession.invitation_id)
        .where(Invitation.survey_id == survey_id)
    ):
        outcome = outcome_of(state, invitation_id in opted)
        moment = completed_at if completed_at is not None and outcome in ("complete", "blank") else updated_at
        sessions.append(SessionEvent(invitation_id, outcome, as_utc(moment)))  # type: ignore[arg-type]
    reminder_times = [
        as_utc(moment)
        for moment in connection.execute(
            select(func.min(OutboxMessage.due_at))
            .where(OutboxMessage.survey_id == survey_id, OutboxMessage.kind == "reminder")
            .group_by(OutboxMessage.created_at)
        ).scalars()
        if moment is not None
    ]
    invitation_time = connection.execute(
        select(func.min(OutboxMessage.due_at)).where(
            OutboxMessage.survey_id == survey_id, OutboxMessage.kind == "invitation"
        )
    ).scalar()
    return FieldworkEvents(
        kommune_of,
        sessions,
        opted,
        reminder_times,
        as_utc(invitation_time),
        reach_of,  # type: ignore[arg-type]
    )


def message_waves(connection: Connection, survey_id: int) -> pl.DataFrame:
    """Per kind, queueing time (one wave) and channel: messages, first due, first and last sent — when the
    invitation and each reminder went out by each channel, for the report's method section."""
    rows = connection.execute(
        select(
            OutboxMessage.kind,
            OutboxMessage.created_at,
            OutboxMessage.channel,
            func.count(),
            func.min(OutboxMessage.due_at),
            func.min(OutboxMessage.sent_at),
            func.max(OutboxMessage.sent_at),
        )
        .where(OutboxMessage.survey_id == survey_id, OutboxMessage.status != "cancelled")
        .group_by(OutboxMessage.kind, OutboxMessage.created_at, OutboxMessage.channel)
    ).all()
    return pl.DataFrame(
        [(k, as_utc(c), ch, n, as_utc(d), as_utc(f), as_utc(la)) for k, c, ch, n, d, f, la in rows],
        schema={
            "kind": pl.String,
            "queued_at": pl.Datetime("us", "UTC"),
            "channel": pl.String,
            "messages": pl.Int64,
            "due_at": pl.Datetime("us", "UTC"),
            "first_sent": pl.Datetime("us", "UTC"),
            "last_sent": pl.Datetime("us", "UTC"),
        },
        orient="row",
    )


def contact_flags(connection: Connection, survey_id: int) -> pl.DataFrame:
    rows = connection.execute(
        select(Identity.member_id, Identity.digital_post_exempt, Identity.phone, Identity.email).where(
            Identity.survey_id == survey_id
        )
    ).all()
    return pl.DataFrame(
        [
            (member, bool(exempt), can_text(phone), bool(email and "@" in email))
            for member, exempt, phone, email in rows
        ],
        schema={
            "member_id": pl.String,
            "digital_post_fritaget": pl.Boolean,
            "sms": pl.Boolean,
            "email": pl.Boolean,
        },
        orient="row",
    )
