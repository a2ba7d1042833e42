"""Engines for the two supported back ends, configured so the application behaves the same on both.

SQLite gets WAL (readers never block the one writer), foreign keys (off by default in SQLite) and a busy
timeout; write transactions start with ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing
halfway with "database is locked". PostgreSQL is used through psycopg 3.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_URL = "sqlite:///borgerblik.sqlite"
URL_VARIABLE = "BORGERBLIK_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_CACHE_KIB = 65_536  # a national register's indexes fit, so bulk loads do not thrash the page cache
WRITE_OPTION = "borgerblik_write"


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else ``BORGERBLIK_DATABASE_URL``, else a SQLite file in the current
    directory.

    A bare ``postgresql://`` URL is pointed at psycopg 3, the only PostgreSQL driver installed.
    """
    chosen = url or os.environ.get(URL_VARIABLE) or DEFAULT_URL
    for prefix in ("postgresql://", "postgres://"):
        if chosen.startswith(prefix):
            return "postgresql+psycopg://" + chosen[len(prefix) :]
    return chosen


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (see :func:`database_url`) with the back-end settings described above."""
    resolved = make_url(database_url(url))
    if resolved.get_backend_name() != "sqlite":
        return create_engine(resolved, pool_pre_ping=True, **kwargs)
    engine = create_engine(resolved, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the sqlite3 module, decide when and how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
