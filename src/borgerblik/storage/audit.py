"""The audit log: who signed in, changed a role, exported data, downloaded a report or purged a survey.

One row per event, written in its own transaction so a failed export is still recorded as attempted. The
detail is free text for a person to read; it must never hold CPR numbers, contact data or answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from borgerblik.storage.database import Database
from borgerblik.storage.schema import AuditEntry
from borgerblik.storage.times import as_utc, utcnow


@dataclass(frozen=True)
class AuditRecord:
    id: int
    actor: str
    action: str
    detail: str | None
    occurred_at: datetime


def record_audit(db: Database, actor: str, action: str, detail: str | None = None) -> None:
    """Record that ``actor`` (a staff user name, or ``cli:<os user>``) did ``action`` (e.g. ``export``)."""
    with db.writing() as connection:
        connection.execute(
            insert(AuditEntry).values(
                actor=actor[:100], action=action[:60], detail=detail, occurred_at=utcnow()
            )
        )


def audit_entries(db: Database, *, limit: int = 200, action: str | None = None) -> list[AuditRecord]:
    """The newest entries first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    with db.reading() as connection:
        rows = connection.execute(query).mappings().all()
    return [
        AuditRecord(row["id"], row["actor"], row["action"], row["detail"], as_utc(row["occurred_at"]))
        for row in rows
    ]
