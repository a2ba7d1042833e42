"""Interviewer entry (phone hotline and face to face, as VIVE did): find a sampled citizen by case code, or
start an anonymous in-person interview for someone met at the job centre.

An anonymous interviewee gets a member row (strata fields only: municipality, target group, gender, age) and
an invitation like a sampled citizen, so the questionnaire, routing and storage are exactly the same; the
instrument's background fields (unemployment period, ethnicity, …) are stored as answers.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, insert, select

from borgerblik.collection.service import survey_instrument
from borgerblik.core.errors import BorgerblikError
from borgerblik.core.model import BackgroundField
from borgerblik.storage import Database, new_case_code, new_token
from borgerblik.storage import answers as stored_answers
from borgerblik.storage.population import new_member_id
from borgerblik.storage.schema import GENDERS, Invitation, Member, Municipality
from borgerblik.storage.times import utcnow

#: Background fields that are the interviewee's member data, filled in from the screen's own fields.
MEMBER_FIELDS = ("koen", "alder")
LAB_CODES = ("6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9")
INTERVIEW_MODES = ("phone", "in_person")


class InterviewError(BorgerblikError, ValueError):
    """A background field the interviewer must correct; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def find_by_case_code(db: Database, survey_id: int, case_code: str) -> str | None:
    """The link token of the sampled citizen with this case code (case and dash forgiven)."""
    invitation = db.invitation_by_case_code(survey_id, case_code)
    return None if invitation is None else invitation.token


def age_group(age: int) -> str:
    return "16-29" if age < 30 else ("30-49" if age < 50 else "50-66")


def start_anonymous_interview(
    db: Database,
    survey_id: int,
    *,
    kommune: str,
    maalgruppe: str,
    gender: str,
    age: int,
    background: Mapping[str, object],
    interviewer_id: str,
    mode: str = "in_person",
) -> str:
    """Create the interviewee (no CPR, no contact data) and return the token the interview continues under."""
    if mode not in INTERVIEW_MODES:
        raise InterviewError("mode", f"svarform skal være en af {', '.join(INTERVIEW_MODES)}, ikke {mode!r}")
    if maalgruppe not in LAB_CODES:
        raise InterviewError("maalgruppe", f"målgruppe skal være en LAB-kode 6.1–6.9, ikke {maalgruppe!r}")
    if gender not in GENDERS:
        raise InterviewError("koen", f"køn skal være 'mand' eller 'kvinde', ikke {gender!r}")
    if not 16 <= age <= 66:
        raise InterviewError("alder", f"alder skal være 16–66 år, ikke {age}")
    if not interviewer_id.strip():
        raise InterviewError("interviewer", "interviewerens id mangler")
    with db.writing() as connection:
        instrument = survey_instrument(connection, survey_id)
        fields = {field.id: field for field in instrument.background}
        unknown = sorted(set(background) - set(fields))
        if unknown:
            raise InterviewError(unknown[0], f"baggrundsfeltet {unknown[0]!r} findes ikke i instrumentet")
        answers = _background_answers(fields, {**_member_background(fields, gender, age), **background})
        municipality_id = connection.execute(
            select(Municipality.id).where(Municipality.name == kommune)
        ).scalar()
        if municipality_id is None:
            raise InterviewError("kommune", f"ukendt kommune {kommune!r}")
        now = utcnow()
        member_id = new_member_id()
        connection.execute(
            insert(Member).values(
                id=member_id,
                survey_id=survey_id,
                municipality_id=municipality_id,
                maalgruppe=maalgruppe,
                gender=gender,
                age=age,
                age_group=age_group(age),
            )
        )
        token = new_token()
        invitation_id = connection.execute(
            insert(Invitation)
            .values(
                survey_id=survey_id,
                member_id=member_id,
                token=token,
                case_code=_free_case_code(connection, survey_id),
                state="invited",
                created_at=now,
                updated_at=now,
            )
            .returning(Invitation.id)
        ).scalar_one()
        stored_answers.save(
            connection,
            invitation_id,
            answers,
            mode=mode,
            language="da",
            interviewer_id=interviewer_id.strip(),
            page=0,
            state="started",
            now=now,
        )
        return token


def _background_answers(
    fields: Mapping[str, BackgroundField], background: Mapping[str, object]
) -> dict[str, object]:
    """Background values checked like answers: a choice among its codes, a number in range."""
    answers: dict[str, object] = {}
    for field_id, value in background.items():
        field = fields[field_id]
        if value in (None, "", []):
            continue
        if field.kind.value in ("number", "duration"):
            number = int(value) if isinstance(value, int) or str(value).strip().isdigit() else None
            low, high = field.minimum, field.maximum
            if number is None or (low is not None and number < low) or (high is not None and number > high):
                raise InterviewError(
                    field_id, f"{field.text()}: forventede et tal mellem {low} og {high}, fik {value!r}"
                )
            answers[field_id] = number
            continue
        codes = {option.code for option in field.options} or {1, 2}
        code = int(value) if str(value).strip().isdigit() else None
        if code not in codes:
            raise InterviewError(field_id, f"{field.text()}: {value!r} er ikke en af svarmulighederne")
        answers[field_id] = code
    return answers


def _member_background(fields: Mapping[str, BackgroundField], gender: str, age: int) -> dict[str, object]:
    """Gender and age as the instrument's own background answers (VIVE records both), typed once."""
    values: dict[str, object] = {}
    if "alder" in fields:
        values["alder"] = age
    if "koen" in fields:
        codes = [o.code for o in fields["koen"].options if o.text.get("da").strip().lower() == gender]
        if codes:
            values["koen"] = codes[0]
    return values


def _free_case_code(connection: Connection, survey_id: int) -> str:
    """A case code not yet used in the survey (40 random bits, so a retry is rare)."""
    while True:
        code = new_case_code()
        taken = connection.execute(
            select(Invitation.id).where(Invitation.survey_id == survey_id, Invitation.case_code == code)
        ).first()
        if taken is None:
            return code
