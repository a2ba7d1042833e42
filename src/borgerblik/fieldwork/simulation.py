"""A simulated three-week fieldwork that really sends: letters into a Digital Post folder, SMS to a local
sink, and citizens who answer, half-answer or decline day by day — so the monitor's curve shows the reminder
jumps.

Everything but the citizens is the real machinery (schedule, outbox, sender, channels, monitor). The citizens'
behaviour is tuned to KL 2024's outcome (36.5 % complete, 2.3 % partial, 4.8 % opted out) and to its curve:
half of those who act do so in the week after the invitation, the rest after the reminders, most of them on
the day the letter or SMS arrives. The gateway stamps answers with the clock; the simulation moves those
stamps to the simulated day, which is what a real three-week fieldwork would have recorded.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, update

from borgerblik.fieldwork.channels import DigitalPostFolder
from borgerblik.fieldwork.monitor import FieldworkStatus, fieldwork_status
from borgerblik.fieldwork.schedule import FieldworkPlan, queue_invitations, queue_reminder, reachable_channels
from borgerblik.fieldwork.sender import send_due
from borgerblik.fieldwork.sms import SmsGateway
from borgerblik.fieldwork.sms_sink import SmsSink
from borgerblik.storage import Database, InvitationRecord
from borgerblik.storage.schema import Answer, OptOut, ResponseSession

KL_OUTCOMES: Mapping[str, float] = {"complete": 0.365, "partial": 0.023, "opt_out": 0.048}
WAVE_SHARES = (0.5, 0.3, 0.2)
SAME_DAY = 0.45  # of those acting in a wave, the share acting on each remaining day (geometric)
# KL 2024's overall satisfaction counts, codes 5 (Meget tilfreds) … 1 (Meget utilfreds).
SATISFACTION_COUNTS = {5: 9_769, 4: 10_247, 3: 5_388, 2: 2_375, 1: 2_795}

AnswerMaker = Callable[[InvitationRecord, random.Random], dict[str, object]]


@dataclass(frozen=True)
class SimulationResult:
    status: FieldworkStatus
    digital_post_folder: Path
    sms_log: Path
    sent: Mapping[str, int]
    outcomes: Mapping[str, int]


def kl_satisfaction(_: InvitationRecord, rng: random.Random) -> dict[str, object]:
    """An answer to the overall question drawn from KL 2024's distribution."""
    codes = list(SATISFACTION_COUNTS)
    return {"samlet_tilfredshed": rng.choices(codes, weights=list(SATISFACTION_COUNTS.values()))[0]}


def _plan_behaviour(
    invitations: list[InvitationRecord], reachable: set[int], plan: FieldworkPlan, rng: random.Random
) -> dict[int, list[tuple[int, str]]]:
    """Day → [(invitation, outcome)] for every citizen who will act."""
    gap = plan.reminder_gap.days
    waves = WAVE_SHARES[: plan.reminders + 1]
    by_day: dict[int, list[tuple[int, str]]] = {}
    for invitation in invitations:
        if invitation.id not in reachable:
            continue
        draw, outcome = rng.random(), None
        for name, share in KL_OUTCOMES.items():
            if draw < share:
                outcome = name
                break
            draw -= share
        if outcome is None:
            continue
        wave = rng.choices(range(len(waves)), weights=waves)[0]
        offset = 0
        while offset < gap - 1 and rng.random() > SAME_DAY:
            offset += 1
        by_day.setdefault(wave * gap + offset, []).append((invitation.id, outcome))
    return by_day


def _restamp(db: Database, moments: dict[int, datetime], opted: dict[int, datetime]) -> None:
    """Move the gateway's clock stamps of today's actions to the simulated moments."""
    with db.writing() as connection:
        if moments:
            rows = [{"i": i, "t": t} for i, t in moments.items()]
            connection.execute(
                update(ResponseSession)
                .where(ResponseSession.invitation_id == bindparam("i"))
                .values(started_at=bindparam("t"), updated_at=bindparam("t")),
                rows,
            )
            connection.execute(
                update(ResponseSession)
                .where(ResponseSession.invitation_id == bindparam("i"), ResponseSession.state == "complete")
                .values(completed_at=bindparam("t")),
                rows,
            )
            connection.execute(
                update(Answer)
                .where(Answer.invitation_id == bindparam("i"))
                .values(answered_at=bindparam("t")),
                rows,
            )
        if opted:
            connection.execute(
                update(OptOut)
                .where(OptOut.invitation_id == bindparam("i"))
                .values(recorded_at=bindparam("t")),
                [{"i": i, "t": t} for i, t in opted.items()],
            )


def run_simulated_fieldwork(
    db: Database,
    survey_id: int,
    workdir: Path,
    *,
    start: datetime,
    plan: FieldworkPlan | None = None,
    days: int = 21,
    seed: int = 2024,
    answers: AnswerMaker = kl_satisfaction,
) -> SimulationResult:
    """Invite at ``start``, remind a week and two weeks later, send daily, let citizens act; then report."""
    plan = plan or FieldworkPlan()
    rng = random.Random(seed)
    workdir = Path(workdir)
    invitations = db.invitations(survey_id)
    contacts = {c.invitation_id: c for c in db.contacts(survey_id)}
    reachable = {i.id for i in invitations if reachable_channels(contacts.get(i.id))}
    record = {i.id: i for i in invitations}
    behaviour = _plan_behaviour(invitations, reachable, plan, rng)
    wave_days = {n * plan.reminder_gap.days: n for n in range(plan.reminders + 1)}
    sent: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    folder, sms_log = workdir / "digital_post", workdir / "sms.jsonl"
    with SmsSink(log=sms_log) as sink:
        channels = {"digital_post": DigitalPostFolder(folder), "sms": SmsGateway(sink.url, "", "Jobcentret")}
        for day in range(days):
            morning = start + timedelta(days=day)
            if day in wave_days:
                number = wave_days[day]
                if number == 0:
                    queue_invitations(db, survey_id, workdir / "udbakke", at=morning, plan=plan)
                else:
                    queue_reminder(db, survey_id, workdir / "udbakke", number, at=morning, plan=plan)
            sent.update(send_due(db, channels, now=morning + timedelta(minutes=5)).sent)
            moments: dict[int, datetime] = {}
            opted: dict[int, datetime] = {}
            for invitation_id, outcome in behaviour.get(day, []):
                moment = morning + timedelta(minutes=rng.randrange(15, 11 * 60))
                if outcome == "opt_out":
                    db.record_opt_out(invitation_id, "hotline" if rng.random() < 0.1 else "web")
                    opted[invitation_id] = moment
                else:
                    given = answers(record[invitation_id], rng)
                    if outcome == "partial":
                        given = dict(list(given.items())[: max(1, len(given) // 2)])
                    db.save_answers(invitation_id, given, state=outcome)
                    moments[invitation_id] = moment
                outcomes[outcome] += 1
            _restamp(db, moments, opted)
        for channel in channels.values():
            channel.close()
    last_day = (start + timedelta(days=days - 1)).date()
    return SimulationResult(fieldwork_status(db, survey_id, until=last_day), folder, sms_log, dict(sent),
                            dict(outcomes))
