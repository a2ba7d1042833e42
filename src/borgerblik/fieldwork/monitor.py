"""The fieldwork monitor: invited, reachable by channel, opened, partial, complete, blank, opted out — and the
curve.

Counts come from the gateway in a handful of queries, overall and per municipality, with the outcomes of
:mod:`borgerblik.storage.outcomes` (docs/outcomes.md): an opted-out citizen is counted as opted out
only, never also as partial, and a blank submission on its own column, never as complete. The response
rate is the KL report's: complete plus partial answers over invited citizens. The cumulative curve counts
a complete answer on the day it was completed and a partial one on the day it was last saved, and marks
the days reminders went out, so the reminder jumps show.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from borgerblik.fieldwork.schedule import reachable_channels
from borgerblik.storage import Database
from borgerblik.storage.outcomes import is_respondent
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
    blank: int = 0
    """submitted with no closed question answered: closed, but no answer (see docs/outcomes.md)"""

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
    events = db.fieldwork_events(survey_id)
    # Reachability comes from the snapshot taken when the invitation wave was queued, so it survives the
    # purge; only invitations from before the snapshot existed fall back to the contact data.
    unsnapshotted = any(reach is None for reach in events.reach_of.values())
    contacts = {c.invitation_id: c for c in db.contacts(survey_id)} if unsnapshotted else {}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for invitation_id, kommune in events.kommune_of.items():
        row = counts[kommune]
        row["invited"] += 1
        reach = events.reach_of.get(invitation_id)
        if reach is None:
            channels = reachable_channels(contacts.get(invitation_id))
        else:
            channels = reach.split(",") if reach else []
        for channel in channels:
            row[channel] += 1
        row["no_channel"] += not channels
        row["opted_out"] += invitation_id in events.opted_out
    responses: list[date] = []
    for session in events.sessions:
        kommune = events.kommune_of.get(session.invitation_id)
        if kommune is None:
            continue
        counts[kommune]["opened"] += 1
        if session.outcome in ("partial", "complete", "blank"):
            counts[kommune][session.outcome] += 1
        if is_respondent(session.outcome):
            responses.append(_local_day(session.at))
    rows = [_row(kommune, counts[kommune]) for kommune in sorted(counts)]
    overall = _row("I alt", sum((counts[k] for k in counts), Counter()))
    reminder_days = sorted({_local_day(t) for t in events.reminder_times})
    first = events.invitation_time
    start = _local_day(first) if first is not None else None
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
        c["blank"],
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
