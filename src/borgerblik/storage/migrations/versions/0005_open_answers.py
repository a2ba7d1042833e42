"""open answers: protected originals, codebooks, codes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Issue 14. Every open answer is redacted on arrival; the original text goes to ``open_answer_originals``, keyed
to the member's row in ``identities`` so that purging the contact data (one DELETE) purges the originals by
cascade. Codebooks are per survey and question, two levels (a code may name a parent code); codes are per
answer (invitation and question, since answer rows are replaced on each save) and per coder, so two coders
can code the same sample.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SOURCES = "source IN ('manual', 'import', 'suggested')"


def upgrade() -> None:
    op.create_table(
        "open_answer_originals",
        sa.Column("id", ID, nullable=False),
        sa.Column("member_id", sa.String(length=32), nullable=False),
        sa.Column("invitation_id", ID, nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["identities.member_id"],
            name=op.f("fk_open_answer_originals_member_id_identities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_open_answer_originals_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_answer_originals")),
        sa.UniqueConstraint(
            "invitation_id", "question_id", name=op.f("uq_open_answer_originals_invitation_id_question_id")
        ),
    )
    op.create_index(
        op.f("ix_open_answer_originals_member_id"), "open_answer_originals", ["member_id"], unique=False
    )
    op.create_table(
        "codebook_codes",
        sa.Column("id", ID, nullable=False),
        sa.Column("survey_id", ID, nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("keywords", sa.Text(), nullable=True),
        sa.Column("examples", sa.Text(), nullable=True),
        sa.Column("parent_code", sa.String(length=60), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_codebook_codes_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codebook_codes")),
        sa.UniqueConstraint(
            "survey_id", "question_id", "code", name=op.f("uq_codebook_codes_survey_id_question_id_code")
        ),
    )
    op.create_table(
        "answer_codes",
        sa.Column("id", ID, nullable=False),
        sa.Column("invitation_id", ID, nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("code_id", ID, nullable=False),
        sa.Column("coder", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("coded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(SOURCES, name=op.f("ck_answer_codes_source")),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_answer_codes_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["codebook_codes.id"],
            name=op.f("fk_answer_codes_code_id_codebook_codes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_codes")),
        sa.UniqueConstraint(
            "invitation_id",
            "question_id",
            "code_id",
            "coder",
            name=op.f("uq_answer_codes_invitation_id_question_id_code_id_coder"),
        ),
    )
    op.create_index(op.f("ix_answer_codes_code_id"), "answer_codes", ["code_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_answer_codes_code_id"), table_name="answer_codes")
    op.drop_table("answer_codes")
    op.drop_table("codebook_codes")
    op.drop_index(op.f("ix_open_answer_originals_member_id"), table_name="open_answer_originals")
    op.drop_table("open_answer_originals")
