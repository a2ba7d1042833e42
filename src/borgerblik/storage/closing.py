"""Closing a survey's fieldwork: no more waves, and nothing still queued goes out.

The close is recorded in the survey's settings (``fieldwork_closed_at``, ``fieldwork_closed_by``) and every
message still ``queued`` in the outbox for the survey is cancelled in the same transaction, so a sender that
runs afterwards finds nothing of it. Messages already claimed by a running sender are its to finish or
cancel. Answers, sessions and invitations are left as they are: closing changes no outcome, but from then on
the survey's links take no more answers (``surveys.fieldwork_closed_at``, read by the citizen's save path).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from borgerblik.storage.database import Database
from borgerblik.storage.errors import NotFoundError, StorageError
from borgerblik.storage.schema import OutboxMessage, Survey
from borgerblik.storage.times import utcnow

CLOSED_AT = "fieldwork_closed_at"
CLOSED_BY = "fieldwork_closed_by"


@dataclass(frozen=True)
class ClosedFieldwork:
    survey_id: int
    closed_at: str
    cancelled: int
    """queued messages that will not go out"""


def close_fieldwork(db: Database, survey_id: int, actor: str) -> ClosedFieldwork:
    """Close the survey's fieldwork now; a second close is refused (the first one's time stays)."""
    now = utcnow()
    with db.writing() as connection:
        settings = connection.execute(select(Survey.settings).where(Survey.id == survey_id)).scalar()
        if settings is None:
            raise NotFoundError(f"undersøgelse {survey_id} findes ikke")
        if settings.get(CLOSED_AT):
            raise StorageError(f"feltarbejdet blev allerede lukket {settings[CLOSED_AT]} (UTC)")
        stamp = now.isoformat(timespec="seconds")
        connection.execute(
            update(Survey)
            .where(Survey.id == survey_id)
            .values(settings={**settings, CLOSED_AT: stamp, CLOSED_BY: actor[:100]}, fieldwork_closed_at=now)
        )
        cancelled = connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.survey_id == survey_id, OutboxMessage.status == "queued")
            .values(status="cancelled")
        ).rowcount
    return ClosedFieldwork(survey_id, stamp, cancelled)
