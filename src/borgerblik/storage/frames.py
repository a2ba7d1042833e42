"""Readers that hand the statistics stages polars tables, never with CPR numbers or contact data.

The schemas are fixed here, not inferred: an empty survey gives an empty table with the right columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl
from sqlalchemy import Connection, Select, or_, select

from borgerblik.storage.outcomes import outcome_expression
from borgerblik.storage.schema import (
    Answer,
    ImportBatch,
    Invitation,
    Member,
    Municipality,
    OptOut,
    OutboxMessage,
    ResponseSession,
    SampleEntry,
)

MEMBER_SCHEMA: dict[str, Any] = {
    "member_id": pl.String,
    "kommune": pl.String,
    "maalgruppe": pl.String,
    "gender": pl.String,
    "birth_date": pl.Date,
    "age": pl.Int16,
    "age_group": pl.String,
    "ydelse_start": pl.Date,
    "ydelse_slut": pl.Date,
    "samtaler": pl.String,
    "import_batch_id": pl.Int64,
    "sampled": pl.Boolean,
    "stratum": pl.String,
    "invitation_id": pl.Int64,
    "invitation_state": pl.String,
    "response_state": pl.String,
    "opted_out": pl.Boolean,
    "answers_withdrawn": pl.Int32,
}

RESPONSE_SCHEMA: dict[str, Any] = {
    "invitation_id": pl.Int64,
    "member_id": pl.String,
    "question_id": pl.String,
    "value_code": pl.Int16,
    "text": pl.String,
    "mode": pl.String,
    "language": pl.String,
    "interviewer_id": pl.String,
    "answered_at": pl.Datetime("us"),
    "response_state": pl.String,
}

MESSAGE_SCHEMA: dict[str, Any] = {
    "message_id": pl.Int64,
    "invitation_id": pl.Int64,
    "channel": pl.String,
    "kind": pl.String,
    "status": pl.String,
    "attempts": pl.Int32,
    "due_at": pl.Datetime("us"),
    "sent_at": pl.Datetime("us"),
}


def _frame(connection: Connection, query: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """Rows into a frame of ``schema``; timestamps end up as naive UTC whichever back end delivered them.

    SQLite hands back naive UTC already; PostgreSQL hands back aware datetimes in the session's zone, which
    polars converts to UTC when the column is declared as UTC — far cheaper than converting row by row.
    """
    rows = connection.execute(query).all()
    aware = connection.dialect.name == "postgresql"
    declared = {
        name: pl.Datetime("us", "UTC") if aware and dtype == pl.Datetime("us") else dtype
        for name, dtype in schema.items()
    }
    frame = pl.DataFrame(rows, schema=declared, orient="row")
    if zoned := [name for name, dtype in declared.items() if dtype != schema[name]]:
        frame = frame.with_columns(pl.col(zoned).dt.replace_time_zone(None))
    return frame


def members_frame(connection: Connection, survey_id: int) -> pl.DataFrame:
    """The population with its strata, whether each member was sampled, and how far they got.

    ``outcome`` is each member's outcome as :mod:`borgerblik.storage.outcomes` defines it. One table serves
    weighting (population per stratum vs complete answers) and the non-response analysis
    (sample vs respondents by gender, age and target group).
    """
    m = Member
    query = (
        select(
            m.id,
            Municipality.name,
            m.maalgruppe,
            m.gender,
            m.birth_date,
            m.age,
            m.age_group,
            m.ydelse_start,
            m.ydelse_slut,
            m.samtaler,
            m.import_batch_id,
            SampleEntry.member_id.is_not(None),
            SampleEntry.stratum,
            Invitation.id,
            Invitation.state,
            ResponseSession.state,
            OptOut.id.is_not(None),
            OptOut.answers_withdrawn,
        )
        .join(Municipality, Municipality.id == m.municipality_id)
        .outerjoin(SampleEntry, SampleEntry.member_id == m.id)
        .outerjoin(Invitation, Invitation.member_id == m.id)
        .outerjoin(ResponseSession, ResponseSession.invitation_id == Invitation.id)
        .outerjoin(OptOut, OptOut.invitation_id == Invitation.id)
        .outerjoin(ImportBatch, ImportBatch.id == m.import_batch_id)
        .where(m.survey_id == survey_id, or_(ImportBatch.id.is_(None), ImportBatch.state == "complete"))
        .order_by(m.id)
    )
    return _frame(connection, query, MEMBER_SCHEMA).with_columns(outcome_expression())


def responses_frame(connection: Connection, survey_id: int) -> pl.DataFrame:
    """Every stored answer, one row per answer (long form), with the session state of its invitation."""
    query = _answers_of(survey_id).order_by(Answer.invitation_id, Answer.id)
    return _frame(connection, query, RESPONSE_SCHEMA)


def _answers_of(survey_id: int) -> Any:
    """The columns of ``RESPONSE_SCHEMA`` for the survey's answers (with the session state), unordered."""
    return (
        select(
            Answer.invitation_id,
            Invitation.member_id,
            Answer.question_id,
            Answer.value_code,
            Answer.text,
            Answer.mode,
            Answer.language,
            Answer.interviewer_id,
            Answer.answered_at,
            ResponseSession.state,
        )
        .join(Invitation, Invitation.id == Answer.invitation_id)
        .outerjoin(ResponseSession, ResponseSession.invitation_id == Answer.invitation_id)
        .where(Invitation.survey_id == survey_id)
    )


def response_batches(connection: Connection, survey_id: int, invitations: int) -> Iterator[pl.DataFrame]:
    """The answers of ``responses_frame`` in batches of at most ``invitations`` invitations, in their order.

    Each batch holds every answer of its invitations (a respondent is never split), read by keyset on the
    invitation id, so a reader (the exports) holds one batch at a time, whatever the number of respondents.
    """
    last = 0
    while True:
        ids = (
            connection.execute(
                select(Invitation.id)
                .where(Invitation.survey_id == survey_id, Invitation.id > last)
                .order_by(Invitation.id)
                .limit(invitations)
            )
            .scalars()
            .all()
        )
        if not ids:
            return
        query = (
            _answers_of(survey_id)
            .where(Answer.invitation_id > last, Answer.invitation_id <= ids[-1])
            .order_by(Answer.invitation_id, Answer.id)
        )
        last = ids[-1]
        batch = _frame(connection, query, RESPONSE_SCHEMA)
        if batch.height:
            yield batch


def wide_responses(long: pl.DataFrame) -> pl.DataFrame:
    """One row per invitation, one column per question: codes where a question has codes, else texts.

    A question answered with several codes (multiple choice) becomes a list column.
    """
    keys = long.select("invitation_id", "member_id", "response_state").unique().sort("invitation_id")
    coded = long.filter(pl.col("value_code").is_not_null())
    texts = long.filter(pl.col("value_code").is_null())
    multi = set(
        coded.group_by("invitation_id", "question_id")
        .len()
        .filter(pl.col("len") > 1)["question_id"]
        .to_list()
    )
    coded_ids = set(coded["question_id"].to_list())
    wide = keys
    for question_id in long["question_id"].unique(maintain_order=True).to_list():
        source, column = (coded, "value_code") if question_id in coded_ids else (texts, "text")
        answers = source.filter(pl.col("question_id") == question_id)
        values = (
            answers.group_by("invitation_id", maintain_order=True).agg(pl.col(column).alias(question_id))
            if question_id in multi
            else answers.select("invitation_id", pl.col(column).alias(question_id))
        )
        wide = wide.join(values, on="invitation_id", how="left")
    return wide


def messages_frame(connection: Connection, survey_id: int) -> pl.DataFrame:
    """The outbox of a survey — when each invitation and reminder went out, for the response-rate curve."""
    o = OutboxMessage
    query = (
        select(o.id, o.invitation_id, o.channel, o.kind, o.status, o.attempts, o.due_at, o.sent_at)
        .where(o.survey_id == survey_id)
        .order_by(o.id)
    )
    return _frame(connection, query, MESSAGE_SCHEMA)
