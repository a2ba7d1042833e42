"""paper mode: answers keyed in from paper questionnaires carry their own mode code

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Issue 17. A paper questionnaire typed in by staff (``borgerblik responses import``) is neither a web answer
nor an interview, so mode comparisons (analysis.modes) and the export's mode variable must tell it apart:
``paper`` joins web, phone and in_person in the mode check of the answers and of the response sessions.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_MODES = "mode IN ('web', 'phone', 'in_person')"
NEW_MODES = "mode IN ('web', 'phone', 'in_person', 'paper')"
TABLES = ("responses", "response_sessions")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_mode"), type_="check")
            batch.create_check_constraint(op.f(f"ck_{table}_mode"), NEW_MODES)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"UPDATE {table} SET mode = 'web' WHERE mode = 'paper'")
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_mode"), type_="check")
            batch.create_check_constraint(op.f(f"ck_{table}_mode"), OLD_MODES)
