"""Plain, immutable views of stored rows, handed to the stages so none of them holds a live ORM object."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class SurveyRecord:
    id: int
    name: str
    template_name: str
    instrument_yaml: str
    period_start: date | None
    period_end: date | None
    reference_date: date | None
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InvitationRecord:
    """An invitation with the register context routing needs (``maalgruppe``, ``kommune``), never CPR."""

    id: int
    survey_id: int
    member_id: str
    token: str
    case_code: str
    state: str
    maalgruppe: str
    kommune: str
    gender: str
    age_group: str | None


@dataclass(frozen=True)
class SessionRecord:
    invitation_id: int
    state: str
    mode: str
    language: str
    current_page: int
    interviewer_id: str | None
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class ClaimedMessage:
    """A message a worker now owns: send it, then report ``mark_message_sent`` or ``mark_message_failed``."""

    id: int
    survey_id: int
    invitation_id: int
    channel: str
    kind: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Contact:
    """Where to reach one invited citizen — for the sending workers only, never for analysis."""

    invitation_id: int
    token: str
    case_code: str
    cpr: str
    phone: str | None
    email: str | None
    digital_post_exempt: bool
