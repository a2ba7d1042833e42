"""A KL 2024 survey with one invited citizen per target group, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from borgerblik.storage import Database

#: LAB code per citizen: dagpenge, aktivitetsparate, sygedagpenge, job- og uddannelsesparate, jobafklaring.
CITIZENS = {
    "dagpenge": "6.1",
    "aktivitetsparate": "6.3",
    "sygedagpenge": "6.6",
    "jobparat": "6.2",
    "jobafklaring": "6.7",
}


@pytest.fixture
def tokens(db: Database, kl_invited: Any) -> dict[str, str]:
    _, invitations = kl_invited(db, CITIZENS)
    return {name: invitation.token for name, invitation in invitations.items()}


@pytest.fixture
def pg_tokens(postgres_engine: Any, kl_invited: Any) -> tuple[Database, dict[str, str]]:
    """The same survey on PostgreSQL only, for its lock-free save path."""
    db = Database(engine=postgres_engine)
    _, invitations = kl_invited(db, CITIZENS)
    return db, {name: invitation.token for name, invitation in invitations.items()}
