"""surveys.fieldwork_closed_at: a closed survey's links take no more answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

Issue 15. Closing the fieldwork stopped the letters but a citizen's link still saved answers, so the data
could move under a finished analysis. The close time is a column (not only the survey's settings) because the
citizen's save path reads it in the same single query as the session, for every page.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("surveys") as batch:
        batch.add_column(sa.Column("fieldwork_closed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("surveys") as batch:
        batch.drop_column("fieldwork_closed_at")
