"""After fieldwork: delete a survey's CPR numbers, contact data and original open-answer texts, keep the rest.

What goes: every :class:`Identity` row (CPR, phone, e-mail), the open answers as the citizens wrote them
before redaction, and the free-text notes of the hotline log and of contact attempts (a caller's number is
often typed there). What stays: members with their strata, the sample, invitations, sessions, the (redacted)
answers and the outbox's counts — everything the weighting, the analysis, the monitor and the reports read.
The survey's settings record when it ran, and the audit log who ran it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update

from borgerblik.storage.audit import record_audit
from borgerblik.storage.database import Database
from borgerblik.storage.schema import ContactEvent, HotlineCall, Identity, Invitation, OpenAnswerOriginal
from borgerblik.storage.times import utcnow

PURGED_SETTING = "personal_data_purged_at"


@dataclass(frozen=True)
class PurgeResult:
    identities: int
    original_texts: int
    notes: int

    def line(self) -> str:
        return (
            f"slettet: {self.identities} CPR-numre med kontaktdata, {self.original_texts} oprindelige "
            f"fritekstsvar, {self.notes} noter fra hotline og kontaktforsøg"
        )


def purge_survey(db: Database, survey_id: int, actor: str) -> PurgeResult:
    """Purge the survey's personal data in one transaction; running it again deletes nothing more."""
    db.survey(survey_id)  # NotFoundError for an unknown survey, before anything is deleted
    invitations = select(Invitation.id).where(Invitation.survey_id == survey_id).scalar_subquery()
    with db.writing() as connection:
        texts = connection.execute(
            delete(OpenAnswerOriginal).where(OpenAnswerOriginal.invitation_id.in_(invitations))
        ).rowcount
        identities = connection.execute(delete(Identity).where(Identity.survey_id == survey_id)).rowcount
        notes = connection.execute(
            update(HotlineCall)
            .where(HotlineCall.survey_id == survey_id, HotlineCall.note.is_not(None))
            .values(note=None)
        ).rowcount
        notes += connection.execute(
            update(ContactEvent)
            .where(ContactEvent.invitation_id.in_(invitations), ContactEvent.note.is_not(None))
            .values(note=None)
        ).rowcount
    result = PurgeResult(identities, texts, notes)
    db.update_survey_settings(survey_id, {PURGED_SETTING: utcnow().isoformat(timespec="seconds")})
    record_audit(db, actor, "purge", f"undersøgelse {survey_id}: {result.line()}")
    return result
