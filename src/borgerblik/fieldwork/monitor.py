"""The fieldwork monitor: invited, reachable by channel, opened, partial, complete, opted out — and the curve.

Counts come straight from the database in a handful of grouped queries, overall and per municipality. The
response rate is the KL report's: complete plus partial answers over invited citizens. The cumulative curve
counts a complete answer on the day it was completed and a partial one on the day it was last saved, and marks
the days reminders went out, so the reminder jumps show.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from borgerblik.fieldwork.schedule import reachable_channels
from borgerblik.storage import Database
from borgerblik.storage.schema import Invitation, Member, Municipality, OptOut, OutboxMessage, ResponseSession
from borgerblik.storage.times import as_utc

DANISH_TIME = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True)
class StatusRow:
    kommune: str
    invited: int
    digital_post: int
    sms: int
    email: int
    no_channel: int
    opened: int
    partial: int
    complete: int
    opted_out: int

    @property
    def responded(self) -> int:
        return self.partial + self.complete

    @property
    def response_rate(self) -> float:
        return self.responded / self.invited if self.invited else 0.0


@dataclass(frozen=True)
class CurvePoint:
    day: date
    responded: int
    rate: float
    reminder: bool


@dataclass
class FieldworkStatus:
    survey: str
    overall: StatusRow
    municipalities: list[StatusRow] = field(default_factory=list)
    curve: list[CurvePoint] = field(default_factory=list)
    reminder_days: list[date] = field(default_factory=list)


def _local_day(moment: datetime) -> date:
    return as_utc(moment).astimezone(DANISH_TIME).date()  # type: ignore[union-attr]


def fieldwork_status(db: Database, survey_id: int, *, until: date | None = None) -> FieldworkStatus:
    """The monitor's numbers for one survey; ``until`` ends the curve (default: the last event)."""
    survey = db.survey(survey_id)
    with db.reading() as connection:
        kommune_of = dict(
            connection.execute(
                select(Invitation.id, Municipality.name)
                .join(Member, Member.id == Invitation.member_id)
                .join(Municipality, Municipality.id == Member.municipality_id)
                .where(Invitation.survey_id == survey_id, Invitation.state != "created")
            ).all()
        )
        sessions = connection.execute(
            select(
                ResponseSession.invitation_id,
                ResponseSession.state,
                ResponseSession.updated_at,
                ResponseSession.completed_at,
            )
            .join(Invitation, Invitation.id == ResponseSession.invitation_id)
            .where(Invitation.survey_id == survey_id)
        ).all()
        opted = set(
            connection.execute(select(OptOut.invitation_id).where(OptOut.survey_id == survey_id)).scalars()
        )
        reminder_times = connection.execute(
            select(func.min(OutboxMessage.due_at))
            .where(OutboxMessage.survey_id == survey_id, OutboxMessage.kind == "reminder")
            .group_by(OutboxMessage.created_at)
        ).scalars()
        invitation_times = connection.execute(
            select(func.min(OutboxMessage.due_at)).where(
                OutboxMessage.survey_id == survey_id, OutboxMessage.kind == "invitation"
            )
        ).scalar()
    contacts = {c.invitation_id: c for c in db.contacts(survey_id)}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for invitation_id, kommune in kommune_of.items():
        row = counts[kommune]
        row["invited"] += 1
        channels = reachable_channels(contacts.get(invitation_id))
        for channel in channels:
            row[channel] += 1
        row["no_channel"] += not channels
        row["opted_out"] += invitation_id in opted
    responses: list[date] = []
    for invitation_id, state, updated_at, completed_at in sessions:
        kommune = kommune_of.get(invitation_id)
        if kommune is None:
            continue
        counts[kommune]["opened"] += 1
        if state in ("partial", "complete"):
            counts[kommune][state] += 1
            responses.append(_local_day(completed_at if state == "complete" else updated_at))
    rows = [_row(kommune, counts[kommune]) for kommune in sorted(counts)]
    overall = _row("I alt", sum((counts[k] for k in counts), Counter()))
    reminder_days = sorted({_local_day(t) for t in reminder_times if t is not None})
    start = _local_day(invitation_times) if invitation_times is not None else None
    curve = _curve(start, responses, overall.invited, reminder_days, until)
    return FieldworkStatus(survey.name, overall, rows, curve, reminder_days)


def _row(kommune: str, c: Counter[str]) -> StatusRow:
    return StatusRow(
        kommune,
        c["invited"],
        c["digital_post"],
        c["sms"],
        c["email"],
        c["no_channel"],
        c["opened"],
        c["partial"],
        c["complete"],
        c["opted_out"],
    )


def _curve(
    start: date | None, responses: list[date], invited: int, reminders: list[date], until: date | None
) -> list[CurvePoint]:
    if start is None:
        return []
    per_day = Counter(responses)
    last = max([start, *responses, *reminders, *([until] if until else [])])
    if until is not None:
        last = until
    points, total, day = [], sum(n for d, n in per_day.items() if d < start), start
    while day <= last:
        total += per_day.get(day, 0)
        points.append(CurvePoint(day, total, total / invited if invited else 0.0, day in reminders))
        day += timedelta(days=1)
    return points
