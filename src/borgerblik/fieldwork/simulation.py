"""A simulated three-week fieldwork that really sends: letters into a Digital Post folder, SMS to a local
sink, and citizens who answer, half-answer or decline day by day — so the monitor's curve shows the reminder
jumps. E-mail (for citizens neither Digital Post nor SMS reaches) goes to a local SMTP server that keeps one
``.eml`` per message.

Everything but the citizens is the real machinery: schedule, outbox, sender, channels and monitor, and the
citizens answer through :mod:`borgerblik.collection` — the functions the web pages call — page by page with
routing. What each citizen does, and on which day, is a list of :class:`CitizenAction`, given by the caller:
the demo and `borgerblik fieldwork simulate` take it from synth's one behaviour model of simulated citizens
(:mod:`borgerblik.synth.behaviour`, calibrated to KL 2024), so this stage holds no seed figures. The
gateway stamps every write with the clock it is given; the simulation gives it the simulated moment, so what
is stored is what a real three-week fieldwork would have recorded.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from borgerblik.collection import answer_questionnaire, opt_out
from borgerblik.danish import integer, share
from borgerblik.fieldwork.channels import Channel, DigitalPostFolder
from borgerblik.fieldwork.email_channel import SmtpChannel
from borgerblik.fieldwork.monitor import FieldworkStatus, fieldwork_status
from borgerblik.fieldwork.schedule import FieldworkPlan, queue_invitations, queue_reminder
from borgerblik.fieldwork.sender import send_due
from borgerblik.fieldwork.sms import SmsGateway
from borgerblik.fieldwork.sms_sink import SmsSink
from borgerblik.fieldwork.smtp_sink import SmtpSink
from borgerblik.storage import Database

HOTLINE_INTERVIEWER = "hotline"
SIMULATION_SENDER = "undersoegelse@jobcenter.example.dk"
REMINDER_MARK = "  ← påmindelse"

Outcome = Literal["complete", "partial", "opted_out"]


@dataclass(frozen=True)
class CitizenAction:
    """What one invited citizen does during the fieldwork, on which day (0 = the invitation's)."""

    invitation_id: int
    day: int
    outcome: Outcome
    answers: Mapping[str, object] = field(default_factory=dict)
    #: for a partial answer: the number of pages saved before the citizen leaves
    pages: int | None = None
    language: str = "da"
    mode: str = "web"


@dataclass(frozen=True)
class SimulationResult:
    status: FieldworkStatus
    digital_post_folder: Path
    sms_log: Path
    email_folder: Path
    sent: Mapping[str, int]
    outcomes: Mapping[str, int]

    def lines(self, reference: str = "") -> list[str]:
        """The run in Danish, for the command line and the demo: what was sent and where, the outcome
        (``reference`` follows the response rate, e.g. the seed's figure) and the curve with its reminders."""
        sent = ", ".join(f"{channel}: {integer(n)}" for channel, n in sorted(self.sent.items())) or "ingen"
        overall = self.status.overall
        return [
            f"Sendt — {sent}; Digital Post-batch i {self.digital_post_folder}, SMS i {self.sms_log}, "
            f"e-mail i {self.email_folder}",
            f"Gennemført {integer(overall.complete)}, delvist {integer(overall.partial)}, frameldt "
            f"{integer(overall.opted_out)} af {integer(overall.invited)}: svarprocent "
            f"{share(overall.response_rate)}{reference}",
            *(
                f"  {point.day.isoformat()}  {share(point.rate):>7}{REMINDER_MARK if point.reminder else ''}"
                for point in self.status.curve
            ),
        ]


class SimulatedClock:
    """The simulated moment, read by the gateway for every stamp it writes (see ``Database(clock=...)``)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def run_simulated_fieldwork(
    db: Database,
    survey_id: int,
    workdir: Path,
    *,
    start: datetime,
    actions: Iterable[CitizenAction],
    plan: FieldworkPlan | None = None,
    days: int = 21,
    seed: int = 2024,
    on_day: Callable[[int, Mapping[str, int]], None] | None = None,
) -> SimulationResult:
    """Invite at ``start``, remind a week and two weeks later, send daily, let citizens act; then report.

    ``actions`` say what each citizen does (see :func:`borgerblik.synth.behaviour.simulated_citizens`);
    actions on a day after ``days`` never happen.
    ``on_day(days_done, outcomes_so_far)`` is called after each simulated day (a progress bar's hook: the
    national fieldwork takes minutes).
    """
    plan = plan or FieldworkPlan()
    rng = random.Random(seed)
    workdir = Path(workdir)
    clock = SimulatedClock(start)
    simulated = db.with_clock(clock)
    invitations = db.invitations(survey_id)
    token = {i.id: i.token for i in invitations}
    by_day: dict[int, list[CitizenAction]] = {}
    for action in actions:
        by_day.setdefault(action.day, []).append(action)
    wave_days = {n * plan.reminder_gap.days: n for n in range(plan.reminders + 1)}
    sent: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    folder, sms_log = workdir / "digital_post", workdir / "sms.jsonl"
    with SmsSink(log=sms_log) as sink, SmtpSink(workdir / "email") as mail:
        channels: dict[str, Channel] = {
            "digital_post": DigitalPostFolder(folder),
            "sms": SmsGateway(sink.url, "", "Jobcentret"),
            "email": SmtpChannel("127.0.0.1", mail.port, SIMULATION_SENDER, starttls=False),
        }
        for day in range(days):
            morning = clock.moment = start + timedelta(days=day)
            if day in wave_days:
                number = wave_days[day]
                if number == 0:
                    queue_invitations(simulated, survey_id, workdir / "udbakke", at=morning, plan=plan)
                else:
                    queue_reminder(simulated, survey_id, workdir / "udbakke", number, at=morning, plan=plan)
            clock.moment = morning + timedelta(minutes=5)
            sent.update(send_due(simulated, channels, now=clock.moment).sent)
            for action in by_day.get(day, []):
                clock.moment = morning + timedelta(minutes=rng.randrange(15, 11 * 60))
                if action.outcome == "opted_out":
                    channel = "hotline" if rng.random() < 0.1 else "web"
                    opt_out(simulated, token[action.invitation_id], channel=channel)
                else:
                    answer_questionnaire(
                        simulated,
                        token[action.invitation_id],
                        action.answers,
                        stop_after_pages=action.pages if action.outcome == "partial" else None,
                        lang=action.language,
                        mode=action.mode,
                        interviewer_id=HOTLINE_INTERVIEWER if action.mode == "phone" else None,
                    )
                outcomes[action.outcome] += 1
            if on_day is not None:
                on_day(day + 1, outcomes)
        for channel in channels.values():
            channel.close()
    last_day = (start + timedelta(days=days - 1)).date()
    status = fieldwork_status(db, survey_id, until=last_day)
    return SimulationResult(status, folder, sms_log, mail.folder, dict(sent), dict(outcomes))
