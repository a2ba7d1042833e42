"""The database schema as SQLAlchemy 2 typed ORM classes — the single source the migrations are checked
against.

Identity and contact data (CPR, phone, e-mail) live only in :class:`Identity`, keyed by the member, so that
one ``DELETE`` purges them after fieldwork while every answer, weight and stratum stays analysable. Members
carry a random pseudonymous id that is never derived from the CPR number.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

INVITATION_STATES = ("created", "invited", "reminded", "opted_out", "completed", "undeliverable")
MESSAGE_STATUSES = ("queued", "sending", "sent", "failed", "cancelled")
MESSAGE_KINDS = ("invitation", "reminder")
SESSION_STATES = ("started", "partial", "blank", "complete")
"""In the order a session moves (never backwards); :mod:`borgerblik.storage.outcomes` says what each means."""
IMPORT_STATES = ("loading", "complete")
MODES = ("web", "phone", "in_person", "paper")
"""How an answer was given: on the web, by phone or face to face with an interviewer, or on paper (keyed in
by staff)."""
GENDERS = ("mand", "kvinde")

# A bigint that SQLite still treats as its rowid alias, so ids autoincrement on both back ends.
Id = BigInteger().with_variant(Integer(), "sqlite")
Timestamp = DateTime(timezone=True)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, datetime: Timestamp}


class Survey(Base):
    """One survey round: its instrument frozen as YAML so later template edits never change collected data."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    template_name: Mapped[str] = mapped_column(String(100))
    instrument_yaml: Mapped[str] = mapped_column(Text)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    reference_date: Mapped[date | None] = mapped_column(Date)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    # Set by storage.closing: the citizen's save path reads it with the session, so a closed survey's links
    # take no more answers (the settings keep who closed it, for the staff pages).
    fieldwork_closed_at: Mapped[datetime | None]


class Municipality(Base):
    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    code: Mapped[int | None] = mapped_column(SmallInteger, unique=True)


class ImportBatch(Base):
    """Which register file a member came from (name, sha256, rows), so every member traces to its extract."""

    __tablename__ = "import_batches"
    __table_args__ = (CheckConstraint(_one_of("state", IMPORT_STATES), name="state"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str | None] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime]
    # The batch marker of a chunked import: its members count only once the last chunk committed.
    state: Mapped[str] = mapped_column(String(10), default="complete", server_default="complete")


class Member(Base):
    """A population member of one survey: strata fields only, no identity."""

    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint(_one_of("gender", GENDERS), name="gender"),
        Index("ix_members_survey_municipality", "survey_id", "municipality_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))
    maalgruppe: Mapped[str] = mapped_column(String(8))
    gender: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date | None] = mapped_column(Date)
    age: Mapped[int | None] = mapped_column(SmallInteger)
    age_group: Mapped[str | None] = mapped_column(String(16))
    ydelse_start: Mapped[date | None] = mapped_column(Date)
    ydelse_slut: Mapped[date | None] = mapped_column(Date)
    samtaler: Mapped[str | None] = mapped_column(String(500))


class Identity(Base):
    """CPR and contact data, purgeable with one statement per survey."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("survey_id", "cpr"),)

    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    # The member's survey, repeated so one DELETE purges a survey; no foreign key of its own (the member's
    # already cascades), since each key costs a trigger per row when a national register is copied in.
    survey_id: Mapped[int] = mapped_column(Id)
    cpr: Mapped[str] = mapped_column(String(11))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    digital_post_exempt: Mapped[bool] = mapped_column(default=False)


class SampleEntry(Base):
    __tablename__ = "samples"
    __table_args__ = (Index("ix_samples_survey_stratum", "survey_id", "stratum"),)

    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    stratum: Mapped[str] = mapped_column(String(200))
    draw_seed: Mapped[int] = mapped_column(BigInteger)
    drawn_at: Mapped[datetime]


class Invitation(Base):
    """A sampled member's access: an unguessable link token and a short case code for interviewers."""

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(_one_of("state", INVITATION_STATES), name="state"),
        UniqueConstraint("survey_id", "case_code"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    case_code: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="created")
    # The channels that could reach the citizen when the invitation wave was queued ("digital_post,sms"; ""
    # for none), so the monitor's reachability survives the purge of the contact data; None before that.
    reach: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message waiting to be sent; workers claim rows with SKIP LOCKED so no letter goes out twice."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_one_of("status", MESSAGE_STATUSES), name="status"),
        CheckConstraint(_one_of("kind", MESSAGE_KINDS), name="kind"),
        Index("ix_outbox_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class ContactEvent(Base):
    """Anything that happened on a contact attempt: delivery receipts, bounces, phone attempts."""

    __tablename__ = "contact_events"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(40))
    interviewer_id: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime]


class ResponseSession(Base):
    """One per invitation: how far the citizen got, so partial answers count and a return visit resumes."""

    __tablename__ = "response_sessions"
    __table_args__ = (
        CheckConstraint(_one_of("state", SESSION_STATES), name="state"),
        CheckConstraint(_one_of("mode", MODES), name="mode"),
    )

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(10))
    mode: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(8))
    current_page: Mapped[int] = mapped_column(Integer, default=0)
    interviewer_id: Mapped[str | None] = mapped_column(String(50))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class Answer(Base):
    """One answer: a code (scale 1–5, 9 = ved ikke, yes/no, choice) or a text; a multiple choice gives one row
    per code.
    """

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint(_one_of("mode", MODES), name="mode"),
        Index("ix_responses_invitation_question", "invitation_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    value_code: Mapped[int | None] = mapped_column(SmallInteger)
    text: Mapped[str | None] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(8))
    interviewer_id: Mapped[str | None] = mapped_column(String(50))
    answered_at: Mapped[datetime]


class OptOut(Base):
    __tablename__ = "opt_outs"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    # Opting out withdraws the answers given so far: how many answer rows were deleted.
    answers_withdrawn: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class HotlineCall(Base):
    """The hotline's log; the caller need not be identified, so the invitation is optional."""

    __tablename__ = "hotline_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"))
    topic: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    handled_by: Mapped[str | None] = mapped_column(String(50))
    occurred_at: Mapped[datetime]


ROLES = ("administrator", "analyst", "municipal_analyst", "interviewer")
"""Staff roles: everything; all municipalities' aggregated results; one municipality's; interviewer entry and
the hotline's call log only."""


class StaffAccount(Base):
    """Who may sign in to the staff pages; ``session_epoch`` grows on logout, reset and disable, so every
    cookie signed before it stops working at once although the server keeps no sessions."""

    __tablename__ = "staff_accounts"
    __table_args__ = (
        CheckConstraint(_one_of("role", ROLES), name="role"),
        Index("ix_staff_accounts_oidc", "oidc_issuer", "oidc_subject", unique=True),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # None for an account that signs in only through the municipality's identity provider.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    # The account at the municipality's OpenID Connect provider (issuer and ``sub``), if it signs in there.
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class StaffToken(Base):
    """An API token for scripts (``Authorization: Bearer``): only its SHA-256 is stored; it acts with its own
    role and municipality, never more than its account's, and only while the account is active and the token
    is neither revoked nor expired."""

    __tablename__ = "staff_tokens"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(20))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class LoginFailure(Base):
    """One failed sign-in from an address: the per-address rate limit counts these, in every worker."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_address_time", "address", "occurred_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime]


class LinkProbe(Base):
    """A citizen link asked for that names no invitation: the web app's per-address limit counts these."""

    __tablename__ = "link_probes"
    __table_args__ = (
        Index("ix_link_probes_address_time", "address", "occurred_at"),
        Index("ix_link_probes_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime]


class AuditEntry(Base):
    """Who did what and when: sign-ins, role changes, exports, report downloads, purges."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(index=True)


JOB_STATES = ("queued", "running", "done", "failed")


class Job(Base):
    """Long staff work queued for the worker process: its parameters (and an uploaded file), progress and
    outcome, so any web worker can show it and none has to run it."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(_one_of("state", JOB_STATES), name="state"),
        Index("ix_jobs_state_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    upload: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    requested_by: Mapped[str] = mapped_column(String(64))
    worker: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


CODE_SOURCES = ("manual", "import", "suggested")


class OpenAnswerOriginal(Base):
    """An open answer as the citizen wrote it, before redaction: protected contact data, readable by no
    analyst, and purged with the member's :class:`Identity` (the foreign key cascades)."""

    __tablename__ = "open_answer_originals"
    __table_args__ = (UniqueConstraint("invitation_id", "question_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("identities.member_id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime]


class CodebookCode(Base):
    """One code of a survey question's codebook; ``parent_code`` makes the second level."""

    __tablename__ = "codebook_codes"
    __table_args__ = (UniqueConstraint("survey_id", "question_id", "code"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[str | None] = mapped_column(Text)
    examples: Mapped[str | None] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)


class AnswerCode(Base):
    """A code given to one open answer by one coder (answer rows are replaced on each save, so the answer is
    named by invitation and question)."""

    __tablename__ = "answer_codes"
    __table_args__ = (
        CheckConstraint(_one_of("source", CODE_SOURCES), name="source"),
        UniqueConstraint("invitation_id", "question_id", "code_id", "coder"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    code_id: Mapped[int] = mapped_column(ForeignKey("codebook_codes.id", ondelete="CASCADE"), index=True)
    coder: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(10))
    coded_at: Mapped[datetime]
