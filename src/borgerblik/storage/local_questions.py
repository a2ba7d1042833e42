"""A municipality's local questions go into the survey's frozen instrument — only before fieldwork starts.

The survey keeps its instrument as YAML so that a later template edit never changes collected data; the one
change allowed is adding or replacing a municipality's local questions, and only while no invitation has
gone out and no one has answered, so every answer ever saved was given to the instrument as stored. The web
layer builds and validates the new YAML (:mod:`borgerblik.core`); this module only checks the moment and
writes it. No process keeps a parsed instrument of a survey that may still change
(:func:`borgerblik.storage.responses.parsed_instrument`), so every web worker sees the change at once.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from borgerblik.storage.database import Database
from borgerblik.storage.errors import NotFoundError, StorageError
from borgerblik.storage.schema import Invitation, ResponseSession, Survey


def instrument_editable(db: Database, survey_id: int) -> bool:
    """True while no invitation has left ``created`` and no response session exists."""
    with db.reading() as connection:
        return _editable(connection, survey_id)


def _editable(connection: object, survey_id: int) -> bool:
    sent = connection.execute(  # type: ignore[attr-defined]
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.survey_id == survey_id, Invitation.state != "created")
    ).scalar_one()
    answered = connection.execute(  # type: ignore[attr-defined]
        select(func.count())
        .select_from(ResponseSession)
        .join(Invitation, Invitation.id == ResponseSession.invitation_id)
        .where(Invitation.survey_id == survey_id)
    ).scalar_one()
    return sent == 0 and answered == 0


def store_local_questions(db: Database, survey_id: int, instrument_yaml: str) -> None:
    """Replace the survey's instrument with ``instrument_yaml`` (the old one plus local questions), refused
    once fieldwork has begun — checked in the same transaction as the write."""
    with db.writing() as connection:
        if connection.execute(select(Survey.id).where(Survey.id == survey_id)).scalar() is None:
            raise NotFoundError(f"undersøgelse {survey_id} findes ikke")
        if not _editable(connection, survey_id):
            raise StorageError(
                "feltarbejdet er begyndt (invitationer sendt eller svar gemt): spørgeskemaet kan ikke ændres"
            )
        connection.execute(
            update(Survey).where(Survey.id == survey_id).values(instrument_yaml=instrument_yaml)
        )
