"""link probes: unknown citizen links asked for, per address, for the web app's rate limit

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Issue 18. Every request for a citizen link (``/s/<token>``) that names no invitation leaves a row here (the
address, a /64 for IPv6, and the time); an address with too many within the window is refused before any
token is looked up. Counted in the database, so every worker and every server on one PostgreSQL database
enforces the same limit; no process keeps state.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "link_probes",
        sa.Column("id", ID, nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_probes")),
    )
    op.create_index("ix_link_probes_address_time", "link_probes", ["address", "occurred_at"])
    op.create_index("ix_link_probes_occurred_at", "link_probes", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_link_probes_occurred_at", table_name="link_probes")
    op.drop_index("ix_link_probes_address_time", table_name="link_probes")
    op.drop_table("link_probes")
