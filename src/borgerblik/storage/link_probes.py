"""Unknown citizen links per address: the rows behind the web app's limit on token probing (issue 18).

A citizen's token has 256 random bits, so guessing one is hopeless; the limit is there so that nobody can
even try at scale, and so a flood of guesses shows up. Each request for a link that names no invitation
leaves one row (address, time); an address with :data:`PROBE_LIMIT` rows within :data:`PROBE_WINDOW` is
refused before any token is looked up. Kept in the database, like the staff sign-in's failures, so every
worker and every server on one PostgreSQL database counts the same rows: no process holds state. A refused
request records nothing, so one address writes at most :data:`PROBE_LIMIT` rows per window.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, insert, select

from borgerblik.storage.database import Database
from borgerblik.storage.schema import LinkProbe
from borgerblik.storage.times import utcnow

PROBE_LIMIT = 30
"""Unknown links one address may open per window: a mistyped link from a paper letter costs a few, a
household or a job centre behind one address a few more."""
PROBE_WINDOW = timedelta(minutes=15)


def recent_link_probes(db: Database, address: str) -> int:
    """Unknown links asked for from ``address`` within the window."""
    since = utcnow() - PROBE_WINDOW
    with db.reading() as connection:
        return connection.execute(
            select(func.count())
            .select_from(LinkProbe)
            .where(LinkProbe.address == address[:64], LinkProbe.occurred_at > since)
        ).scalar_one()


def record_link_probe(db: Database, address: str) -> None:
    """Count one unknown link against ``address``; rows older than two windows go in the same transaction."""
    now = utcnow()
    with db.writing() as connection:
        connection.execute(insert(LinkProbe).values(address=address[:64], occurred_at=now))
        connection.execute(delete(LinkProbe).where(LinkProbe.occurred_at < now - 2 * PROBE_WINDOW))
