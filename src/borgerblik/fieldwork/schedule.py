"""Who gets which message when: the invitation, the reminders, and the lists for the phones.

KL 2024: invitation by Digital Post, then two reminders a week apart by Digital Post and SMS — only to
citizens who have neither completed nor opted out. Those who started get "continue where you left off"
instead. A citizen exempt from Digital Post gets SMS only; one with no channel at all is listed for the
hotline. Each wave is queued in chunks, each chunk in one transaction together with the invitations' new
state, so re-running a wave after a crash queues nobody twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from borgerblik.core.phone import can_text
from borgerblik.fieldwork.letters import MessageKind, SurveyContact, render_message
from borgerblik.fieldwork.pdf_letters import LetterPress
from borgerblik.fieldwork.sms import QuietHours, sms_segments
from borgerblik.fieldwork.spool import SpoolFile
from borgerblik.storage import Contact, Database, InvitationRecord
from borgerblik.storage.outcomes import SUBMITTED
from borgerblik.storage.times import as_utc

CHUNK = 5_000
FALLBACK_ORDER = ("digital_post", "sms", "email")


@dataclass(frozen=True)
class FieldworkPlan:
    """The KL 2024 plan by default: invitation by Digital Post, two reminders a week apart by Digital Post +
    SMS.
    """

    invitation_channels: tuple[str, ...] = ("digital_post",)
    reminder_channels: tuple[str, ...] = ("digital_post", "sms")
    reminders: int = 2
    reminder_gap: timedelta = timedelta(days=7)
    quiet_hours: QuietHours = field(default_factory=QuietHours)



@dataclass
class WaveSummary:
    wave: str
    queued: dict[str, int] = field(default_factory=dict)
    citizens: int = 0
    continue_where_left: int = 0
    no_channel: list[int] = field(default_factory=list)
    sms_segments: int = 0


def reachable_channels(contact: Contact | None) -> list[str]:
    """The channels that can reach a citizen, in the order Digital Post, SMS, e-mail."""
    if contact is None:
        return []
    found = []
    if not contact.digital_post_exempt:
        found.append("digital_post")
    if can_text(contact.phone):
        found.append("sms")
    if contact.email and "@" in contact.email:
        found.append("email")
    return found


def channels_for(contact: Contact | None, wanted: Sequence[str]) -> list[str]:
    """The wanted channels that reach the citizen; if none does, the first other that does (exempt → SMS)."""
    reachable = reachable_channels(contact)
    chosen = [c for c in wanted if c in reachable]
    if not chosen:
        chosen = [c for c in FALLBACK_ORDER if c in reachable][:1]
    return chosen


def message_key(survey_id: int, invitation_id: int, wave: str, channel: str) -> str:
    """The idempotency key every channel honours: one per citizen, wave and channel."""
    return f"bb{survey_id}-{invitation_id}-{wave}-{channel}"


def _chunks(items: Sequence[InvitationRecord]) -> Iterator[Sequence[InvitationRecord]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _outcomes(db: Database, survey_id: int) -> tuple[dict[int, str], set[int], dict[int, int]]:
    """Session state per invitation, the opted-out, and how many reminder waves each has been queued."""
    return db.session_states(survey_id), db.opted_out(survey_id), db.reminder_waves(survey_id)


def queue_invitations(
    db: Database,
    survey_id: int,
    spool: Path,
    *,
    at: datetime | None = None,
    plan: FieldworkPlan | None = None,
) -> WaveSummary:
    """Queue the invitation to every invitation still ``created`` (so a re-run adds only newcomers)."""
    plan = plan or FieldworkPlan()
    invitations = [i for i in db.invitations(survey_id) if i.state == "created"]
    return _queue_wave(
        db,
        survey_id,
        spool,
        invitations,
        "invitation",
        "i0",
        plan.invitation_channels,
        as_utc(at) or db.clock(),
        plan,
        {},
    )


def queue_reminder(
    db: Database,
    survey_id: int,
    spool: Path,
    number: int,
    *,
    at: datetime | None = None,
    plan: FieldworkPlan | None = None,
) -> WaveSummary:
    """Queue reminder ``number`` (1, 2, …) to the not-completed and not-opted-out who have had fewer
    reminders.
    """
    plan = plan or FieldworkPlan()
    sessions, opted, reminded = _outcomes(db, survey_id)
    invitations = [
        i
        for i in db.invitations(survey_id)
        if i.state in ("invited", "reminded")
        and i.id not in opted
        and sessions.get(i.id) not in SUBMITTED
        and reminded.get(i.id, 0) < number
    ]
    return _queue_wave(
        db,
        survey_id,
        spool,
        invitations,
        "reminder",
        f"r{number}",
        plan.reminder_channels,
        as_utc(at) or db.clock(),
        plan,
        sessions,
    )


def _queue_wave(
    db: Database,
    survey_id: int,
    spool: Path,
    invitations: Sequence[InvitationRecord],
    kind: str,
    wave: str,
    wanted: Sequence[str],
    at: datetime,
    plan: FieldworkPlan,
    sessions: dict[int, str],
) -> WaveSummary:
    survey = db.survey(survey_id)
    contact_info = SurveyContact.from_settings(survey.settings)
    press = LetterPress(contact_info, at.astimezone(ZoneInfo(plan.quiet_hours.zone)).date())
    spool = Path(spool)
    spool.mkdir(parents=True, exist_ok=True)
    contacts = {c.invitation_id: c for c in db.contacts(survey_id)}
    summary = WaveSummary(wave=wave)
    sms_due = plan.quiet_hours.next_allowed(at)
    for chunk in _chunks(invitations):
        messages = []
        with SpoolFile(spool) as letters:
            for invitation in chunk:
                contact = contacts.get(invitation.id)
                channels = channels_for(contact, wanted)
                if not channels:
                    summary.no_channel.append(invitation.id)
                    continue
                template: MessageKind = (
                    "reminder_partial"
                    if kind == "reminder" and sessions.get(invitation.id) in ("started", "partial")
                    else "invitation"
                    if kind == "invitation"
                    else "reminder"
                )
                summary.citizens += 1
                summary.continue_where_left += template == "reminder_partial"
                text = render_message(
                    template, contact_info, invitation.kommune, invitation.token, invitation.case_code
                )
                for channel in channels:
                    key = message_key(survey_id, invitation.id, wave, channel)
                    payload: dict[str, object] = {"key": key, "template": template, "subject": text.subject}
                    due = at
                    if channel == "digital_post":
                        pdf = press.letter(
                            template, invitation.kommune, invitation.token, invitation.case_code
                        )
                        payload.update(letters.add(pdf))
                    elif channel == "sms":
                        payload["text"] = text.sms
                        payload["segments"] = sms_segments(text.sms).segments
                        summary.sms_segments += int(payload["segments"])  # type: ignore[call-overload]
                        due = sms_due
                    else:
                        payload["text"] = text.body
                    messages.append(
                        {
                            "invitation_id": invitation.id,
                            "channel": channel,
                            "kind": kind,
                            "payload": payload,
                            "due_at": due,
                        }
                    )
                    summary.queued[channel] = summary.queued.get(channel, 0) + 1
        unreachable = set(summary.no_channel)
        db.queue_wave(
            survey_id,
            messages,
            reached=[i.id for i in chunk if i.id not in unreachable],
            unreachable=[i.id for i in chunk if i.id in unreachable],
            kind=kind,
        )
    return summary
