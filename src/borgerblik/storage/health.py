"""Whether the database takes writes, asked once before the web server opens its doors (issue 18).

A SQLite file that lost its write permission (or was copied read-only, or is immutable) still opens and
still reads: the migration at head writes nothing, and every page would show — until the first save, which
then failed as a 500 for every citizen. ``serve`` now asks first: one row written and rolled back, so a
database that cannot be written is a clear message and exit code 2 instead of a server that cannot save.
"""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError

from borgerblik.storage.database import Database
from borgerblik.storage.errors import StorageError
from borgerblik.storage.schema import LinkProbe
from borgerblik.storage.times import utcnow


class _Undo(Exception):
    """Raised inside the probe's transaction so that it rolls back."""


def check_writable(db: Database) -> None:
    """Raise :class:`StorageError` when ``db`` refuses a write; write nothing either way."""
    try:
        with db.writing() as connection:
            connection.execute(insert(LinkProbe).values(address="skrivekontrol", occurred_at=utcnow()))
            raise _Undo
    except _Undo:
        return
    except DBAPIError as exc:
        where = db.engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).splitlines()[0][:200] if exc.orig is not None else type(exc).__name__
        raise StorageError(
            f"databasen {where} kan læses, men ikke skrives ({reason}); "
            "tip: giv serverens bruger skriveadgang til filen og dens mappe, eller vælg en anden --database"
        ) from None
