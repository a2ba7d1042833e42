"""The one gateway every write goes through (in the spirit of datasette's ``Database``).

Stages never open sessions or write SQL themselves: they call these methods, which keep the rules in one place
— identity data only in ``identities``, tokens unguessable, opt-outs and complete answers stop further
reminders, bad input rejected before anything is written. Readers hand back plain records or polars tables.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from borgerblik.storage import answers as answer_store
from borgerblik.storage import fieldwork, frames, outbox, population, responses
from borgerblik.storage.bulk import bulk_insert
from borgerblik.storage.driver import Link
from borgerblik.storage.engine import WRITE_OPTION, database_url, make_engine
from borgerblik.storage.errors import InvalidRowError, NotFoundError, StorageError
from borgerblik.storage.migrate import upgrade
from borgerblik.storage.outbox_gateway import OutboxGateway
from borgerblik.storage.outcomes import SUBMITTED
from borgerblik.storage.records import Contact, InvitationRecord, SessionRecord, SurveyRecord
from borgerblik.storage.schema import (
    INVITATION_STATES,
    Answer,
    ContactEvent,
    HotlineCall,
    Identity,
    ImportBatch,
    Invitation,
    Member,
    Municipality,
    OptOut,
    ResponseSession,
    SampleEntry,
    Survey,
)
from borgerblik.storage.times import as_utc, utcnow

Clock = Callable[[], datetime]

CASE_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud over the phone
TOKEN_BYTES = 32
IMPORT_CHUNK_ROWS = 5_000  # a chunk commits in tens of milliseconds on SQLite


def new_token() -> str:
    """The secret in a citizen's personal link: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_case_code() -> str:
    """A short code an interviewer can type or read aloud, e.g. ``K7QM-3XPA`` (40 random bits)."""
    raw = "".join(secrets.choice(CASE_CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def _conflict(exc: IntegrityError) -> StorageError:
    """A constraint violation as a clear error: the constraint named, never the row values (CPR)."""
    diag = getattr(exc.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or str(exc.orig).split(":")[-1].strip()
    return StorageError(f"skrivningen strider mod databasens regler ({constraint}); intet blev gemt")


class Database(OutboxGateway):
    """Open (and migrate) the database at ``url``; defaults as in :func:`~borgerblik.storage.database_url`.

    ``clock`` stamps every write (answers, sessions, opt-outs, invitations, messages): the simulated fieldwork
    passes its simulated day, so what is stored is what a real fieldwork would have recorded, first time.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        engine: Engine | None = None,
        migrate: bool = True,
        clock: Clock = utcnow,
    ) -> None:
        self.engine = engine if engine is not None else make_engine(url)
        self.clock = clock
        if migrate:
            try:
                upgrade(self.engine)
            except OperationalError as exc:
                where = self.engine.url.render_as_string(hide_password=True)
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
                raise StorageError(f"kan ikke åbne databasen {where}: {reason}") from exc

    @classmethod
    def from_env(cls) -> Database:
        """The database in ``BORGERBLIK_DATABASE_URL``, else ``borgerblik.sqlite`` in the current folder."""
        return cls(database_url())

    def with_clock(self, clock: Clock) -> Database:
        """The same database, its writes stamped by ``clock`` (closing it leaves this one open)."""
        return Database(engine=self.engine, migrate=False, clock=clock)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite), for stages that combine several writes."""
        try:
            with self.engine.connect() as connection:
                connection.execution_options(**{WRITE_OPTION: True})
                with connection.begin():
                    yield connection
        except IntegrityError as exc:
            raise _conflict(exc) from exc

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as connection, connection.begin():
            yield connection

    # Surveys ------------------------------------------------------------------------------------------------

    def create_survey(
        self,
        name: str,
        template_name: str,
        instrument_yaml: str,
        *,
        period_start: date | None = None,
        period_end: date | None = None,
        reference_date: date | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> int:
        """Register a survey round with a frozen copy of its instrument; returns its id."""
        if not name.strip():
            raise StorageError("en undersøgelse skal have et navn")
        with self.writing() as connection:
            if connection.execute(select(Survey.id).where(Survey.name == name.strip())).first():
                raise StorageError(f"der findes allerede en undersøgelse med navnet {name.strip()!r}")
            return connection.execute(
                insert(Survey)
                .values(
                    name=name.strip(),
                    template_name=template_name,
                    instrument_yaml=instrument_yaml,
                    period_start=period_start,
                    period_end=period_end,
                    reference_date=reference_date,
                    settings=dict(settings or {}),
                    created_at=self.clock(),
                )
                .returning(Survey.id)
            ).scalar_one()

    def survey(self, survey_id: int) -> SurveyRecord:
        with self.reading() as connection:
            return self._survey_where(connection, Survey.id == survey_id, f"id {survey_id}")

    def survey_by_name(self, name: str) -> SurveyRecord:
        with self.reading() as connection:
            return self._survey_where(connection, Survey.name == name, f"navnet {name!r}")

    def surveys(self) -> list[SurveyRecord]:
        with self.reading() as connection:
            return [
                SurveyRecord(*row) for row in connection.execute(self._survey_query().order_by(Survey.id))
            ]

    def update_survey_settings(self, survey_id: int, changes: Mapping[str, Any]) -> SurveyRecord:
        """Merge ``changes`` into the survey's settings (e.g. suppression threshold, grouping scheme)."""
        with self.writing() as connection:
            current = self._survey_where(connection, Survey.id == survey_id, f"id {survey_id}")
            merged = {**current.settings, **changes}
            connection.execute(update(Survey).where(Survey.id == survey_id).values(settings=merged))
            return self._survey_where(connection, Survey.id == survey_id, f"id {survey_id}")

    @staticmethod
    def _survey_query() -> Any:
        s = Survey
        return select(
            s.id,
            s.name,
            s.template_name,
            s.instrument_yaml,
            s.period_start,
            s.period_end,
            s.reference_date,
            s.settings,
        )

    def _survey_where(self, connection: Connection, condition: Any, described: str) -> SurveyRecord:
        row = connection.execute(self._survey_query().where(condition)).first()
        if row is None:
            raise NotFoundError(f"ingen undersøgelse med {described}")
        return SurveyRecord(*row)

    # Population ---------------------------------------------------------------------------------------------

    def add_members(
        self,
        survey_id: int,
        rows: Iterable[Mapping[str, Any]],
        *,
        source: str = "",
        sha256: str | None = None,
    ) -> list[str]:
        """Load register rows as members of a survey, all or nothing; returns the new ids in input order.

        Row keys: ``cpr, kommune, maalgruppe, gender, birth_date, age, age_group, ydelse_start, ydelse_slut,
        samtaler, digital_post_fritaget, telefon, email`` (the register contract plus the fields derived from
        CPR).
        """
        parsed = population.validate_rows(rows)
        with self.writing() as connection:
            self._survey_where(connection, Survey.id == survey_id, f"id {survey_id}")
            existing = set(
                connection.execute(select(Identity.cpr).where(Identity.survey_id == survey_id)).scalars()
            )
            for index, cpr in enumerate(parsed.cprs, start=1):
                if cpr in existing:
                    raise InvalidRowError(
                        index,
                        "cpr",
                        "en borger der ikke allerede er i populationen",
                        cpr,
                        "CPR-nummeret er indlæst før i denne undersøgelse.",
                    )
            batch_id = connection.execute(
                insert(ImportBatch)
                .values(
                    survey_id=survey_id,
                    source=source,
                    sha256=sha256,
                    row_count=len(parsed),
                    imported_at=self.clock(),
                    state="loading",
                )
                .returning(ImportBatch.id)
            ).scalar_one()
        # Chunked commits, so a national register never holds the write lock for long (a citizen's save
        # waits at most one chunk); the batch marker keeps it all or nothing: readers see a batch's members
        # only once it is complete, and a failure removes what was written.
        ids: list[str] = []
        try:
            for chunk in parsed.chunks(IMPORT_CHUNK_ROWS):
                with self.writing() as connection:
                    ids += population.insert_members(connection, survey_id, batch_id, chunk)
            with self.writing() as connection:
                connection.execute(
                    update(ImportBatch).where(ImportBatch.id == batch_id).values(state="complete")
                )
        except BaseException:
            self._discard_batch(batch_id)
            raise
        return ids

    def _discard_batch(self, batch_id: int) -> None:
        """Remove a batch that did not finish loading (its members' identities go by cascade)."""
        with self.writing() as connection:
            connection.execute(delete(Member).where(Member.import_batch_id == batch_id))
            connection.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))

    def purge_identities(self, survey_id: int) -> int:
        """Delete all CPR numbers and contact data of a survey in one statement; answers and strata stay."""
        with self.writing() as connection:
            return connection.execute(delete(Identity).where(Identity.survey_id == survey_id)).rowcount

    def identity_keys(self, survey_id: int) -> pl.DataFrame:
        """``member_id`` and ``cpr`` of every member: for import de-duplication and a CPR-ordered draw only.

        The one place outside the sending workers where a CPR leaves storage; never pass it to analysis.
        Members of an import still loading are left out, as in every other read: a draw must not pick them.
        """
        with self.reading() as connection:
            rows = connection.execute(
                select(Identity.member_id, Identity.cpr)
                .join(Member, Member.id == Identity.member_id)
                .outerjoin(ImportBatch, ImportBatch.id == Member.import_batch_id)
                .where(
                    Identity.survey_id == survey_id,
                    or_(ImportBatch.id.is_(None), ImportBatch.state == "complete"),
                )
            ).all()
        return pl.DataFrame(rows, schema={"member_id": pl.String, "cpr": pl.String}, orient="row")

    def municipalities(self) -> list[str]:
        with self.reading() as connection:
            return list(connection.execute(select(Municipality.name).order_by(Municipality.name)).scalars())

    # Sample and invitations ---------------------------------------------------------------------------------

    def save_sample(self, survey_id: int, strata: Mapping[str, str], draw_seed: int) -> int:
        """Record the drawn members (member id → stratum label) and the seed that reproduces the draw."""
        with self.writing() as connection:
            members = set(
                connection.execute(select(Member.id).where(Member.survey_id == survey_id)).scalars()
            )
            already = set(
                connection.execute(
                    select(SampleEntry.member_id).where(SampleEntry.survey_id == survey_id)
                ).scalars()
            )
            for index, member_id in enumerate(strata, start=1):
                if member_id not in members:
                    raise InvalidRowError(
                        index, "member_id", f"et medlem af undersøgelse {survey_id}", member_id
                    )
                if member_id in already:
                    raise InvalidRowError(
                        index, "member_id", "et medlem der ikke er udtrukket før", member_id
                    )
            now = self.clock()
            rows = [
                {
                    "member_id": m,
                    "survey_id": survey_id,
                    "stratum": s,
                    "draw_seed": draw_seed,
                    "drawn_at": now,
                }
                for m, s in strata.items()
            ]
            bulk_insert(connection, SampleEntry.__table__, rows)
            return len(rows)

    def create_invitations(self, survey_id: int) -> int:
        """Give each sampled member without one an invitation (link token, case code); returns the count."""
        with self.writing() as connection:
            waiting = list(
                connection.execute(
                    select(SampleEntry.member_id)
                    .outerjoin(Invitation, Invitation.member_id == SampleEntry.member_id)
                    .where(SampleEntry.survey_id == survey_id, Invitation.id.is_(None))
                    .order_by(SampleEntry.member_id)
                ).scalars()
            )
            return len(self._new_invitations(connection, survey_id, waiting, "created"))

    def _new_invitations(
        self, connection: Connection, survey_id: int, member_ids: Sequence[str], state: str
    ) -> list[str]:
        """The one way invitations are made: a fresh token and a case code unused in the survey each."""
        taken = select(Invitation.case_code).where(Invitation.survey_id == survey_id)
        codes = set(connection.execute(taken).scalars())
        now = self.clock()
        rows = []
        for member_id in member_ids:
            code = new_case_code()
            while code in codes:
                code = new_case_code()
            codes.add(code)
            rows.append(
                {
                    "survey_id": survey_id,
                    "member_id": member_id,
                    "token": new_token(),
                    "case_code": code,
                    "state": state,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        bulk_insert(connection, Invitation.__table__, rows)
        return [row["token"] for row in rows]

    def add_interviewee(
        self,
        survey_id: int,
        *,
        kommune: str,
        maalgruppe: str,
        gender: str,
        age: int,
        age_group: str,
        background: Mapping[str, answer_store.AnswerValue],
        interviewer_id: str,
        mode: str,
    ) -> str:
        """An interviewee met in person, all in one transaction: a member (strata fields only, no CPR or
        contact data), an invitation made like any other (state ``invited``: they are being asked now) and
        the background answers through the one save path. Returns the link token the interview goes on under.
        """
        with self.writing() as connection:
            municipality_id = connection.execute(
                select(Municipality.id).where(Municipality.name == kommune)
            ).scalar()
            if municipality_id is None:
                raise InvalidRowError(1, "kommune", "en kommune i registeret", kommune)
            member_id = population.new_member_id()
            connection.execute(
                insert(Member).values(
                    id=member_id,
                    survey_id=survey_id,
                    municipality_id=municipality_id,
                    maalgruppe=maalgruppe,
                    gender=gender,
                    age=age,
                    age_group=age_group,
                )
            )
            (token,) = self._new_invitations(connection, survey_id, [member_id], "invited")
            self._save(
                Link.of(connection), token, background, mode=mode, language="da",
                interviewer_id=interviewer_id, page=0, state="started",
            )
            return token

    def invitation_by_token(self, token: str) -> InvitationRecord | None:
        """The invitation behind a personal link, with the register context routing needs; None if unknown."""
        return self._invitation_where(Invitation.token == token)

    def invitation_by_case_code(self, survey_id: int, case_code: str) -> InvitationRecord | None:
        code = case_code.strip().upper().replace(" ", "")
        if len(code) == 8 and "-" not in code:
            code = f"{code[:4]}-{code[4:]}"
        return self._invitation_where(Invitation.survey_id == survey_id, Invitation.case_code == code)

    def invitation(self, invitation_id: int) -> InvitationRecord:
        found = self._invitation_where(Invitation.id == invitation_id)
        if found is None:
            raise NotFoundError(f"invitation {invitation_id} findes ikke")
        return found

    def invitations(self, survey_id: int) -> list[InvitationRecord]:
        return self._invitations_where(Invitation.survey_id == survey_id)

    def _invitation_where(self, *conditions: Any) -> InvitationRecord | None:
        found = self._invitations_where(*conditions)
        return found[0] if found else None

    def _invitations_where(self, *conditions: Any) -> list[InvitationRecord]:
        i, m = Invitation, Member
        query = (
            select(
                i.id,
                i.survey_id,
                i.member_id,
                i.token,
                i.case_code,
                i.state,
                m.maalgruppe,
                Municipality.name,
                m.gender,
                m.age_group,
            )
            .join(m, m.id == i.member_id)
            .join(Municipality, Municipality.id == m.municipality_id)
            .where(*conditions)
            .order_by(i.id)
        )
        with self.reading() as connection:
            return [InvitationRecord(*row) for row in connection.execute(query)]

    def set_invitation_state(self, invitation_ids: Sequence[int], state: str) -> int:
        if state not in INVITATION_STATES:
            raise StorageError(
                f"ukendt invitationstilstand {state!r}; forventede en af {', '.join(INVITATION_STATES)}"
            )
        with self.writing() as connection:
            return connection.execute(
                update(Invitation)
                .where(Invitation.id.in_(list(invitation_ids)))
                .values(state=state, updated_at=self.clock())
            ).rowcount

    def invitation_states(self, invitation_ids: Sequence[int]) -> dict[int, str]:
        """Invitation id → state, read right before a send so a citizen who finished is not contacted."""
        with self.reading() as connection:
            return fieldwork.invitation_states(connection, invitation_ids)

    def session_states(self, survey_id: int) -> dict[int, str]:
        """Invitation id → response session state, for the invitations that have a session."""
        with self.reading() as connection:
            return fieldwork.session_states(connection, survey_id)

    def opted_out(self, survey_id: int) -> set[int]:
        """The invitations whose citizen opted out."""
        with self.reading() as connection:
            return fieldwork.opted_out(connection, survey_id)

    def reminder_waves(self, survey_id: int) -> dict[int, int]:
        """Invitation id → how many reminder waves have been queued to it (cancelled ones not counted)."""
        with self.reading() as connection:
            return fieldwork.reminder_waves(connection, survey_id)

    def fieldwork_events(self, survey_id: int) -> fieldwork.FieldworkEvents:
        """What the fieldwork monitor counts: invited citizens by municipality, sessions with their outcome,
        opt-outs and when the waves went out."""
        with self.reading() as connection:
            return fieldwork.fieldwork_events(connection, survey_id)

    def message_waves(self, survey_id: int) -> pl.DataFrame:
        """The outbox per kind, wave and channel: when each was due and sent (the report's channel dates)."""
        with self.reading() as connection:
            return fieldwork.message_waves(connection, survey_id)

    def contact_flags(self, survey_id: int) -> pl.DataFrame:
        """Per member (``member_id, digital_post_fritaget, sms, email``): exempt from Digital Post, can be
        texted, has an e-mail address — flags for reachability, never the numbers or addresses themselves."""
        with self.reading() as connection:
            return fieldwork.contact_flags(connection, survey_id)

    def contacts(self, survey_id: int, invitation_ids: Sequence[int] | None = None) -> list[Contact]:
        """Addresses of invited citizens, for the sending workers only; empty once identities are purged."""
        query = (
            select(
                Invitation.id,
                Invitation.token,
                Invitation.case_code,
                Identity.cpr,
                Identity.phone,
                Identity.email,
                Identity.digital_post_exempt,
            )
            .join(Identity, Identity.member_id == Invitation.member_id)
            .where(Invitation.survey_id == survey_id)
            .order_by(Invitation.id)
        )
        if invitation_ids is not None:
            query = query.where(Invitation.id.in_(list(invitation_ids)))
        with self.reading() as connection:
            return [Contact(*row) for row in connection.execute(query)]

    # Contacts, opt-outs and the hotline ---------------------------------------------------------------------

    def log_contact_event(
        self,
        invitation_id: int,
        channel: str,
        kind: str,
        *,
        outcome: str | None = None,
        note: str | None = None,
        interviewer_id: str | None = None,
        at: datetime | None = None,
    ) -> int:
        with self.writing() as connection:
            return connection.execute(
                insert(ContactEvent)
                .values(
                    invitation_id=invitation_id,
                    channel=channel,
                    kind=kind,
                    outcome=outcome,
                    note=note,
                    interviewer_id=interviewer_id,
                    occurred_at=as_utc(at) or self.clock(),
                )
                .returning(ContactEvent.id)
            ).scalar_one()

    def log_hotline_call(
        self,
        survey_id: int,
        topic: str,
        *,
        note: str | None = None,
        invitation_id: int | None = None,
        handled_by: str | None = None,
        at: datetime | None = None,
    ) -> int:
        with self.writing() as connection:
            return connection.execute(
                insert(HotlineCall)
                .values(
                    survey_id=survey_id,
                    topic=topic,
                    note=note,
                    invitation_id=invitation_id,
                    handled_by=handled_by,
                    occurred_at=as_utc(at) or self.clock(),
                )
                .returning(HotlineCall.id)
            ).scalar_one()

    def record_opt_out(self, invitation_id: int, channel: str, *, reason: str | None = None) -> bool:
        """Record that a citizen declined: no more reminders, and the answers given so far are withdrawn —
        deleted, their number kept in the opt-out log (``answers_withdrawn``), so the citizen is no
        respondent (docs/outcomes.md). False if the citizen already opted out or submitted (a submitted
        questionnaire stands).

        The invitation and session rows are locked first, and the session's ``updated_at`` moves, so a page
        save racing the opt-out either finishes before it or finds the session moved and stores nothing.
        """
        with self.writing() as connection:
            survey_id = connection.execute(
                select(Invitation.survey_id).where(Invitation.id == invitation_id).with_for_update()
            ).scalar()
            if survey_id is None:
                raise NotFoundError(f"invitation {invitation_id} findes ikke")
            session_state = connection.execute(
                select(ResponseSession.state)
                .where(ResponseSession.invitation_id == invitation_id)
                .with_for_update()
            ).scalar()
            if (
                session_state in SUBMITTED
                or connection.execute(select(OptOut.id).where(OptOut.invitation_id == invitation_id)).first()
            ):
                return False
            now = self.clock()
            given = delete(Answer).where(Answer.invitation_id == invitation_id)
            withdrawn = connection.execute(given).rowcount
            connection.execute(
                insert(OptOut).values(
                    survey_id=survey_id,
                    invitation_id=invitation_id,
                    channel=channel,
                    reason=reason,
                    recorded_at=now,
                    answers_withdrawn=withdrawn,
                )
            )
            connection.execute(
                update(Invitation)
                .where(Invitation.id == invitation_id)
                .values(state="opted_out", updated_at=now)
            )
            connection.execute(
                update(ResponseSession)
                .where(ResponseSession.invitation_id == invitation_id)
                .values(updated_at=now)
            )
            outbox.CANCEL_QUEUED.execute(Link.of(connection), {"invitation": invitation_id})
            return True

    # Responses ----------------------------------------------------------------------------------------------

    def save_answers(
        self,
        invitation_id: int,
        answers: Mapping[str, answer_store.AnswerValue],
        *,
        mode: str = "web",
        language: str = "da",
        interviewer_id: str | None = None,
        page: int | None = None,
        state: str = "started",
    ) -> SessionRecord:
        """Save answers (code, text, list of codes, or None to clear) and advance the response session.

        The same save as a questionnaire page's (:mod:`borgerblik.storage.responses`), checked against the
        survey's instrument. ``state="complete"`` also marks the invitation completed and cancels its queued
        reminders; with no answer to any closed question the session is recorded as ``blank``. A citizen who
        opted out has withdrawn: nothing is saved for them.
        """
        with self.writing() as connection:
            link = Link.of(connection)
            token = responses.token_of(link, invitation_id)
            if token is None:
                raise NotFoundError(f"invitation {invitation_id} findes ikke")
            self._save(
                link, token, answers, mode=mode, language=language, interviewer_id=interviewer_id,
                page=page, state=state,
            )
            return answer_store.session(connection, invitation_id)  # type: ignore[return-value]

    def _save(
        self,
        link: Link,
        token: str,
        answers: Mapping[str, answer_store.AnswerValue],
        *,
        mode: str,
        language: str,
        interviewer_id: str | None,
        page: int | None,
        state: str,
    ) -> None:
        found = responses.respondent_with_answers(link, token, for_update=True)
        if found is None:
            raise NotFoundError("invitationen findes ikke")
        respondent, stored = found
        if respondent.opted_out:
            raise StorageError(
                f"borgeren med koden {respondent.case_code} har frameldt sig undersøgelsen; "
                "svar gemmes ikke (frameldingen trak de tidligere svar tilbage)"
            )
        now = self.clock()
        save = responses.page_save(
            respondent,
            answers,
            rules=responses.answer_rules(
                link, respondent.survey_id, frozen=responses.instrument_frozen(respondent)
            ),
            stored=stored.keys(),
            mode=mode,
            language=language,
            interviewer_id=interviewer_id,
            page=page,
            state=state,
            now=now,
        )
        responses.save_answers(link, save)
        if save.values["new_state"] in ("complete", "blank"):
            responses.close_completed(link, respondent.invitation_id, now)

    def answers(self, invitation_id: int) -> dict[str, answer_store.AnswerValue]:
        with self.reading() as connection:
            return answer_store.load(connection, invitation_id)

    def session(self, invitation_id: int) -> SessionRecord | None:
        with self.reading() as connection:
            return answer_store.session(connection, invitation_id)

    # Tables for the statistics stages -----------------------------------------------------------------------

    def members_frame(self, survey_id: int) -> pl.DataFrame:
        """Population, strata, sample membership and outcome per member — no CPR or contact columns."""
        with self.reading() as connection:
            return frames.members_frame(connection, survey_id)

    def responses_frame(self, survey_id: int, *, wide: bool = False) -> pl.DataFrame:
        """Answers one row each (long), or a row per invitation and a column per question (``wide=True``)."""
        with self.reading() as connection:
            long = frames.responses_frame(connection, survey_id)
        return frames.wide_responses(long) if wide else long

    def response_batches(self, survey_id: int, *, invitations: int = 5_000) -> Iterator[pl.DataFrame]:
        """``responses_frame`` in batches of whole invitations, read in one transaction (one snapshot), so an
        export holds one batch at a time: its memory stays flat in the number of respondents."""
        with self.reading() as connection:
            yield from frames.response_batches(connection, survey_id, invitations)

    def messages_frame(self, survey_id: int) -> pl.DataFrame:
        with self.reading() as connection:
            return frames.messages_frame(connection, survey_id)
