"""The few reads and writes of the questionnaire that the storage gateway does not offer, in Core statements.

Everything here runs on a connection the caller opened, so a page save is one transaction: the session row
is locked, checked against the page nonce, and the answers replaced before anything is acknowledged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from borgerblik.storage.schema import Invitation, Member, Municipality, OptOut, ResponseSession, Survey
from borgerblik.storage.times import as_utc

CLOSED_INVITATION_STATES = frozenset({"opted_out", "completed"})


@dataclass(frozen=True)
class Respondent:
    """A citizen behind a link, with only the register fields routing needs — never CPR or contact data."""

    invitation_id: int
    survey_id: int
    token: str
    case_code: str
    invitation_state: str
    maalgruppe: str
    kommune: str
    gender: str
    age_group: str | None
    session_state: str | None
    current_page: int
    mode: str | None
    language: str | None
    interviewer_id: str | None
    updated_at: datetime | None
    opted_out: bool

    @property
    def context(self) -> dict[str, object]:
        return {
            "maalgruppe": self.maalgruppe,
            "kommune": self.kommune,
            "koen": self.gender,
            "aldersgruppe": self.age_group,
        }


_RESPONDENT = (
    select(
        Invitation.id,
        Invitation.survey_id,
        Invitation.token,
        Invitation.case_code,
        Invitation.state,
        Member.maalgruppe,
        Municipality.name,
        Member.gender,
        Member.age_group,
        ResponseSession.state,
        ResponseSession.current_page,
        ResponseSession.mode,
        ResponseSession.language,
        ResponseSession.interviewer_id,
        ResponseSession.updated_at,
        OptOut.id,
    )
    .join(Member, Member.id == Invitation.member_id)
    .join(Municipality, Municipality.id == Member.municipality_id)
    .outerjoin(ResponseSession, ResponseSession.invitation_id == Invitation.id)
    .outerjoin(OptOut, OptOut.invitation_id == Invitation.id)
)


def _respondent(row: Any) -> Respondent | None:
    if row is None:
        return None
    values = list(row)
    return Respondent(
        *values[:10],
        current_page=values[10] or 0,
        mode=values[11],
        language=values[12],
        interviewer_id=values[13],
        updated_at=as_utc(values[14]),
        opted_out=values[15] is not None,
    )


def respondent_by_token(connection: Connection, token: str, *, for_update: bool = False) -> Respondent | None:
    statement = _RESPONDENT.where(Invitation.token == token)
    if for_update and connection.dialect.name == "postgresql":
        statement = statement.with_for_update(of=Invitation)
    return _respondent(connection.execute(statement).first())


def respondent_by_case_code(
    connection: Connection, case_code: str, survey_id: int | None = None
) -> Respondent | None:
    statement = _RESPONDENT.where(Invitation.case_code == case_code.strip().upper())
    if survey_id is not None:
        statement = statement.where(Invitation.survey_id == survey_id)
    rows = connection.execute(statement.limit(2)).all()
    return _respondent(rows[0]) if len(rows) == 1 else None


def instrument_yaml(connection: Connection, survey_id: int) -> tuple[str, str]:
    """The survey's frozen instrument (YAML) and its template name."""
    row = connection.execute(
        select(Survey.instrument_yaml, Survey.template_name).where(Survey.id == survey_id)
    ).one()
    return row[0], row[1]


def record_opt_out(connection: Connection, respondent: Respondent, channel: str, now: datetime) -> bool:
    """Store the opt-out once; True when it is new. Nothing is asked of the citizen, so no reason is kept."""
    if respondent.opted_out:
        return False
    connection.execute(
        insert(OptOut).values(
            survey_id=respondent.survey_id,
            invitation_id=respondent.invitation_id,
            channel=channel,
            reason=None,
            recorded_at=now,
        )
    )
    set_invitation_state(connection, respondent.invitation_id, "opted_out", now)
    return True


def set_invitation_state(connection: Connection, invitation_id: int, state: str, now: datetime) -> None:
    connection.execute(
        update(Invitation).where(Invitation.id == invitation_id).values(state=state, updated_at=now)
    )


def mark_session_state(connection: Connection, invitation_id: int, values: Mapping[str, Any]) -> None:
    connection.execute(
        update(ResponseSession).where(ResponseSession.invitation_id == invitation_id).values(**values)
    )
