"""The telephone side of fieldwork: the hotline log and the lists interviewers call from.

A caller is identified by the case code printed in the letter (never by CPR). An opt-out by phone is recorded
exactly as one through the letter's link, so it stops the reminders too. Rødovre phoned non-respondents to
offer a phone interview; :func:`phone_follow_up` is that list. Citizens no channel can reach are listed for
the hotline by :func:`unreachable_list`, so someone can decide what to do about them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from borgerblik.core.errors import BorgerblikError
from borgerblik.core.phone import danish_number
from borgerblik.fieldwork.schedule import reachable_channels
from borgerblik.storage import Database
from borgerblik.storage.outcomes import SUBMITTED

TOPICS: dict[str, str] = {
    "question": "Spørgsmål",
    "opt_out": "Ønsker ikke at deltage",
    "interview": "Interview gennemført",
}


class HotlineError(BorgerblikError, ValueError):
    """A call that cannot be logged as given (unknown topic or case code)."""


def record_call(
    db: Database,
    survey_id: int,
    topic: str,
    *,
    case_code: str | None = None,
    note: str | None = None,
    handled_by: str | None = None,
    at: datetime | None = None,
) -> int:
    """Log one call; an opt-out also records the opt-out (channel ``hotline``). Returns the log entry's id."""
    if topic not in TOPICS:
        raise HotlineError(f"ukendt emne {topic!r}; forventede et af: {', '.join(TOPICS)}")
    invitation_id = None
    if case_code:
        invitation = db.invitation_by_case_code(survey_id, case_code)
        if invitation is None:
            raise HotlineError(
                f"ingen borger med koden {case_code!r} i undersøgelsen; tjek koden i brevet (fx K7QM-3XPA)"
            )
        invitation_id = invitation.id
    elif topic in ("opt_out", "interview"):
        raise HotlineError(f"emnet {topic!r} kræver borgerens kode fra brevet")
    if topic == "opt_out" and invitation_id is not None:
        db.record_opt_out(invitation_id, "hotline", reason=note)
    return db.log_hotline_call(
        survey_id, topic, note=note, invitation_id=invitation_id, handled_by=handled_by, at=at
    )


@dataclass(frozen=True)
class CallListEntry:
    """One line of an interviewer's list: the case code to open the questionnaire with, and how to call."""

    case_code: str
    kommune: str
    maalgruppe: str
    phone: str | None
    status: str


def phone_follow_up(db: Database, survey_id: int) -> list[CallListEntry]:
    """Non-respondents with a valid phone number, not opted out: whom to offer a phone interview."""
    sessions = db.session_states(survey_id)
    contacts = {c.invitation_id: c for c in db.contacts(survey_id)}
    entries = []
    for invitation in db.invitations(survey_id):
        contact = contacts.get(invitation.id)
        phone = danish_number(contact.phone) if contact else None
        state = sessions.get(invitation.id, "new")
        if invitation.state in ("completed", "opted_out", "created") or state in SUBMITTED or phone is None:
            continue
        entries.append(
            CallListEntry(invitation.case_code, invitation.kommune, invitation.maalgruppe, phone, state)
        )
    return entries


def unreachable_list(db: Database, survey_id: int) -> list[CallListEntry]:
    """Sampled citizens no channel reaches (exempt from Digital Post, no phone, no e-mail)."""
    contacts = {c.invitation_id: c for c in db.contacts(survey_id)}
    return [
        CallListEntry(i.case_code, i.kommune, i.maalgruppe, None, i.state)
        for i in db.invitations(survey_id)
        if not reachable_channels(contacts.get(i.id))
    ]
