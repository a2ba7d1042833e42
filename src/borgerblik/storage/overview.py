"""Counts for the staff's survey page: how far a survey has come (population, sample, invitations, answers).

Counts only — no identity, contact data or answers — read with one aggregate query per table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from borgerblik.storage.database import Database
from borgerblik.storage.schema import Invitation, Member, ResponseSession, SampleEntry


@dataclass(frozen=True)
class SurveyProgress:
    population: int
    sampled: int
    invitations: int
    complete: int


def survey_progress(db: Database, survey_id: int) -> SurveyProgress:
    def count(table: type, *conditions: object) -> int:
        return connection.execute(select(func.count()).select_from(table).where(*conditions)).scalar_one()

    with db.reading() as connection:
        complete = connection.execute(
            select(func.count())
            .select_from(ResponseSession)
            .join(Invitation, Invitation.id == ResponseSession.invitation_id)
            .where(Invitation.survey_id == survey_id, ResponseSession.state == "complete")
        ).scalar_one()
        return SurveyProgress(
            count(Member, Member.survey_id == survey_id),
            count(SampleEntry, SampleEntry.survey_id == survey_id),
            count(Invitation, Invitation.survey_id == survey_id),
            complete,
        )
