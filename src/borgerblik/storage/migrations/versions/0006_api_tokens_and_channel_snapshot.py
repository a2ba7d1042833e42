"""staff API tokens, OIDC subjects, the channel snapshot of an invitation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Issue 15. Scripts call the API with a bearer token (``staff_tokens``: only the SHA-256 of the token, its own
role and municipality, revocable). A staff account may sign in through the municipality's OpenID Connect
provider: its issuer and subject. The invitation keeps the channels that could reach the citizen when the
invitation wave was queued (``invitations.reach``), so the fieldwork monitor still counts them after the
contact data are purged.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ROLES = "role IN ('administrator', 'analyst', 'municipal_analyst', 'interviewer')"


def upgrade() -> None:
    op.add_column("invitations", sa.Column("reach", sa.String(length=40), nullable=True))
    op.add_column("staff_accounts", sa.Column("oidc_issuer", sa.String(length=255), nullable=True))
    op.add_column("staff_accounts", sa.Column("oidc_subject", sa.String(length=255), nullable=True))
    op.create_index("ix_staff_accounts_oidc", "staff_accounts", ["oidc_issuer", "oidc_subject"], unique=True)
    op.create_table(
        "staff_tokens",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("municipality_id", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(ROLES, name=op.f("ck_staff_tokens_role")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_accounts.id"],
            name=op.f("fk_staff_tokens_account_id_staff_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_staff_tokens_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_tokens_token_hash")),
    )
    op.create_index(op.f("ix_staff_tokens_account_id"), "staff_tokens", ["account_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_tokens_account_id"), table_name="staff_tokens")
    op.drop_table("staff_tokens")
    op.drop_index("ix_staff_accounts_oidc", table_name="staff_accounts")
    with op.batch_alter_table("staff_accounts") as batch:
        batch.drop_column("oidc_subject")
        batch.drop_column("oidc_issuer")
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("reach")
