"""Interviewer entry (phone hotline and face to face, as VIVE did): find a sampled citizen by case code, or
start an anonymous in-person interview for someone met at the job centre.

An anonymous interviewee gets a member row (strata fields only: municipality, target group, gender, age) and
an invitation made the one way invitations are made (:meth:`Database.add_interviewee`), so the questionnaire,
routing and storage are exactly the same; the instrument's background fields (unemployment period,
ethnicity, …) are stored as answers through the one save path.
"""

from __future__ import annotations

from collections.abc import Mapping

from borgerblik.collection.service import survey_instrument
from borgerblik.core.errors import BorgerblikError
from borgerblik.core.model import BackgroundField
from borgerblik.storage import GENDERS, Database

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
    instrument = survey_instrument(db, survey_id)
    fields = {field.id: field for field in instrument.background}
    unknown = sorted(set(background) - set(fields))
    if unknown:
        raise InterviewError(unknown[0], f"baggrundsfeltet {unknown[0]!r} findes ikke i instrumentet")
    answers = _background_answers(fields, {**_member_background(fields, gender, age), **background})
    if kommune not in db.municipalities():
        raise InterviewError("kommune", f"ukendt kommune {kommune!r}")
    return db.add_interviewee(
        survey_id,
        kommune=kommune,
        maalgruppe=maalgruppe,
        gender=gender,
        age=age,
        age_group=age_group(age),
        background=answers,  # type: ignore[arg-type]
        interviewer_id=interviewer_id.strip(),
        mode=mode,
    )


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
