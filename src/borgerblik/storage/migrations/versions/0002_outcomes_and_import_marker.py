"""blank sessions, withdrawn answers, import batch marker

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

A questionnaire submitted with no closed question answered is recorded as ``blank``; an opt-out counts the
answers it withdrew; an import batch is ``loading`` until its last chunk committed (issue 12).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATES = "state IN ('started', 'partial', 'complete')"
NEW_STATES = "state IN ('started', 'partial', 'blank', 'complete')"


def upgrade() -> None:
    with op.batch_alter_table("response_sessions") as batch:
        batch.drop_constraint(op.f("ck_response_sessions_state"), type_="check")
        batch.create_check_constraint(op.f("ck_response_sessions_state"), NEW_STATES)
    with op.batch_alter_table("opt_outs") as batch:
        batch.add_column(sa.Column("answers_withdrawn", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(sa.Column("state", sa.String(length=10), server_default="complete", nullable=False))
        batch.create_check_constraint(op.f("ck_import_batches_state"), "state IN ('loading', 'complete')")


def downgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_constraint(op.f("ck_import_batches_state"), type_="check")
        batch.drop_column("state")
    with op.batch_alter_table("opt_outs") as batch:
        batch.drop_column("answers_withdrawn")
    op.execute("UPDATE response_sessions SET state = 'complete' WHERE state = 'blank'")
    with op.batch_alter_table("response_sessions") as batch:
        batch.drop_constraint(op.f("ck_response_sessions_state"), type_="check")
        batch.create_check_constraint(op.f("ck_response_sessions_state"), OLD_STATES)
