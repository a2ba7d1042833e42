"""The open answers' storage: the protected originals written on arrival, the codebooks, and the codes.

Originals are written on the save path (inside the caller's transaction, by :func:`keep_originals`) and
read by nothing an analyst can reach; they hang off :class:`~borgerblik.storage.schema.Identity`, so
:meth:`~borgerblik.storage.Database.purge_identities` removes them by cascade. Codebooks and codes are the
analysts' work and go through a :class:`~borgerblik.storage.Database`, which the CLI and the staff pages call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import polars as pl
from sqlalchemy import String, Text, bindparam, delete, insert, select, update

from borgerblik.storage.driver import Link, Prepared
from borgerblik.storage.errors import StorageError
from borgerblik.storage.schema import (
    CODE_SOURCES,
    Answer,
    AnswerCode,
    CodebookCode,
    Identity,
    Invitation,
    Member,
    Municipality,
    OpenAnswerOriginal,
    Timestamp,
)

if TYPE_CHECKING:  # the gateway imports the save path, which imports this module
    from borgerblik.storage.database import Database

_DELETE_ORIGINAL = Prepared(
    delete(OpenAnswerOriginal).where(
        OpenAnswerOriginal.invitation_id == bindparam("invitation"),
        OpenAnswerOriginal.question_id == bindparam("question"),
    )
)
# Only a member whose contact data is still there has an original kept: after the purge there is no row in
# identities to join, so a late answer keeps no original either.
_INSERT_ORIGINAL = Prepared(
    insert(OpenAnswerOriginal).from_select(
        ["member_id", "invitation_id", "question_id", "text", "saved_at"],
        select(
            Identity.member_id,
            Invitation.id,
            bindparam("question", type_=String),
            bindparam("text", type_=Text),
            bindparam("now", type_=Timestamp),
        )
        .join(Identity, Identity.member_id == Invitation.member_id)
        .where(Invitation.id == bindparam("invitation")),
    )
)


def redact_on_arrival(answers: Mapping[str, object]) -> tuple[dict[str, object], dict[str, str]]:
    """The answers with every text redacted, and the originals of the texts redaction changed."""
    # Imported here: the text stage reads the municipality list from the registers, which import storage.
    from borgerblik.text.redaction import redact

    redacted: dict[str, object] = {}
    originals: dict[str, str] = {}
    for question_id, value in answers.items():
        if isinstance(value, str) and value:
            result = redact(value)
            if result.changed:
                originals[question_id] = value
                value = result.text
        redacted[question_id] = value
    return redacted, originals


def keep_originals(
    link: Link, invitation_id: int, replaced: Iterable[str], originals: Mapping[str, str], now: datetime
) -> None:
    """Inside the save's transaction: drop the originals of the open answers this save replaces (a text
    answered anew or cleared) and keep the new ones."""
    replaced = list(replaced)
    if replaced:
        _DELETE_ORIGINAL.execute_many(link, [{"invitation": invitation_id, "question": q} for q in replaced])
    if originals:
        _INSERT_ORIGINAL.execute_many(
            link,
            [
                {"invitation": invitation_id, "question": q, "text": text, "now": now}
                for q, text in originals.items()
            ],
        )


@dataclass(frozen=True)
class Code:
    """One code of a codebook; ``parent`` names the first-level code this one sits under."""

    code: str
    label: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    parent: str | None = None


def save_codebook(database: Database, survey_id: int, question_id: str, codes: Iterable[Code]) -> int:
    """Replace the codebook of one question (its codes' assignments go with removed codes)."""
    codes = list(codes)
    known = {code.code for code in codes}
    for code in codes:
        if code.parent is not None and code.parent not in known:
            raise StorageError(f"kode {code.code!r}: overkoden {code.parent!r} findes ikke i kodebogen")
        if code.parent is not None and next(c for c in codes if c.code == code.parent).parent is not None:
            raise StorageError(
                f"kode {code.code!r}: kodebogen har to niveauer; {code.parent!r} er selv en underkode"
            )
    with database.writing() as connection:
        existing = {
            row.code: row.id
            for row in connection.execute(
                select(CodebookCode.code, CodebookCode.id).where(
                    CodebookCode.survey_id == survey_id, CodebookCode.question_id == question_id
                )
            )
        }
        gone = [existing[name] for name in existing if name not in known]
        if gone:
            connection.execute(delete(CodebookCode).where(CodebookCode.id.in_(gone)))
        for position, code in enumerate(codes):
            values = {
                "label": code.label,
                "description": code.description or None,
                "keywords": "; ".join(code.keywords) or None,
                "examples": "\n".join(code.examples) or None,
                "parent_code": code.parent,
                "position": position,
            }
            if code.code in existing:
                connection.execute(
                    update(CodebookCode).where(CodebookCode.id == existing[code.code]).values(values)
                )
            else:
                connection.execute(
                    insert(CodebookCode).values(
                        survey_id=survey_id, question_id=question_id, code=code.code, **values
                    )
                )
    return len(codes)


def codebook(database: Database, survey_id: int, question_id: str) -> list[Code]:
    with database.reading() as connection:
        rows = connection.execute(
            select(CodebookCode.__table__)
            .where(CodebookCode.survey_id == survey_id, CodebookCode.question_id == question_id)
            .order_by(CodebookCode.position)
        ).all()
        return [
            Code(
                row.code,
                row.label,
                row.description or "",
                tuple(k.strip() for k in (row.keywords or "").split(";") if k.strip()),
                tuple(line for line in (row.examples or "").split("\n") if line),
                row.parent_code,
            )
            for row in rows
        ]


def set_codes(
    database: Database,
    survey_id: int,
    question_id: str,
    assignments: Iterable[tuple[int, str]],
    *,
    coder: str,
    source: str = "manual",
    replace: bool = True,
    answers: Iterable[int] = (),
) -> int:
    """Record (invitation id, code) pairs for one coder; with ``replace`` the coder's earlier codes of those
    answers go first, so a file import or a page save states the whole coding of each answer. ``answers``
    names more answers whose coding is stated (a page save that unticks every code clears the answer)."""
    if source not in CODE_SOURCES:
        raise StorageError(f"ukendt kilde {source!r}; forventede en af {', '.join(CODE_SOURCES)}")
    assignments = list(assignments)
    now = datetime.now(UTC)
    with database.writing() as connection:
        ids = dict(
            connection.execute(
                select(CodebookCode.code, CodebookCode.id).where(
                    CodebookCode.survey_id == survey_id, CodebookCode.question_id == question_id
                )
            ).all()
        )
        unknown = sorted({code for _, code in assignments if code not in ids})
        if unknown:
            raise StorageError(f"koder uden for kodebogen for {question_id}: {', '.join(unknown)}")
        invitations = sorted({invitation for invitation, _ in assignments} | set(answers))
        if replace and invitations:
            connection.execute(
                delete(AnswerCode).where(
                    AnswerCode.invitation_id.in_(invitations),
                    AnswerCode.question_id == question_id,
                    AnswerCode.coder == coder,
                )
            )
        rows = [
            {
                "invitation_id": invitation,
                "question_id": question_id,
                "code_id": ids[code],
                "coder": coder,
                "source": source,
                "coded_at": now,
            }
            for invitation, code in dict.fromkeys(assignments)
        ]
        if rows:
            connection.execute(insert(AnswerCode), rows)
    return len(rows)


def coded_answers(database: Database, survey_id: int, question_id: str) -> pl.DataFrame:
    """``invitation_id``, ``code``, ``coder``, ``source``: every code given to the question's answers."""
    with database.reading() as connection:
        rows = connection.execute(
            select(AnswerCode.invitation_id, CodebookCode.code, AnswerCode.coder, AnswerCode.source)
            .join(CodebookCode, CodebookCode.id == AnswerCode.code_id)
            .where(CodebookCode.survey_id == survey_id, CodebookCode.question_id == question_id)
            .order_by(AnswerCode.invitation_id, CodebookCode.position)
        ).all()
    schema = {"invitation_id": pl.Int64, "code": pl.String, "coder": pl.String, "source": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


@dataclass(frozen=True)
class OpenAnswer:
    """One stored (redacted) open answer, with the municipality a municipal analyst is limited to."""

    invitation_id: int
    kommune: str
    text: str


def open_answers(
    database: Database, survey_id: int, question_id: str, *, kommune: str | None = None
) -> list[OpenAnswer]:
    """The question's written answers as stored in ``responses`` (redacted on arrival, never the protected
    originals), by invitation; ``kommune`` keeps one municipality's."""
    query = (
        select(Answer.invitation_id, Municipality.name, Answer.text)
        .join(Invitation, Invitation.id == Answer.invitation_id)
        .join(Member, Member.id == Invitation.member_id)
        .join(Municipality, Municipality.id == Member.municipality_id)
        .where(
            Invitation.survey_id == survey_id,
            Answer.question_id == question_id,
            Answer.text.is_not(None),
            Answer.text != "",
        )
        .order_by(Answer.invitation_id)
    )
    if kommune is not None:
        query = query.where(Municipality.name == kommune)
    with database.reading() as connection:
        return [OpenAnswer(int(row[0]), row[1], row[2]) for row in connection.execute(query)]


def original_count(database: Database, survey_id: int) -> int:
    """How many protected originals a survey still has (for the purge report; never their text)."""
    with database.reading() as connection:
        return len(
            connection.execute(
                select(OpenAnswerOriginal.id)
                .join(Identity, Identity.member_id == OpenAnswerOriginal.member_id)
                .where(Identity.survey_id == survey_id)
            ).all()
        )


__all__ = [
    "Code",
    "codebook",
    "coded_answers",
    "OpenAnswer",
    "keep_originals",
    "open_answers",
    "original_count",
    "redact_on_arrival",
    "save_codebook",
    "set_codes",
]
