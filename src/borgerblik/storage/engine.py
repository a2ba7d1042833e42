"""Engines for the two supported back ends, configured so the application behaves the same on both.

SQLite gets WAL (readers never block the one writer), foreign keys (off by default in SQLite) and a busy
timeout; write transactions start with ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing
halfway with "database is locked". PostgreSQL is used through psycopg 3.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from borgerblik.storage.errors import StorageError

DEFAULT_URL = "sqlite:///borgerblik.sqlite"
URL_VARIABLE = "BORGERBLIK_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_CACHE_KIB = 65_536  # a national register's indexes fit, so bulk loads do not thrash the page cache
WRITE_OPTION = "borgerblik_write"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
EXAMPLE_URLS = "forventede fx sqlite:///borgerblik.sqlite eller postgresql://bruger@vært:5432/database"


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else ``BORGERBLIK_DATABASE_URL``, else ``./borgerblik.sqlite``.

    A bare ``postgresql://`` URL is pointed at psycopg 3, the only PostgreSQL driver installed.
    """
    chosen = url or os.environ.get(URL_VARIABLE) or DEFAULT_URL
    for prefix in ("postgresql://", "postgres://"):
        if chosen.startswith(prefix):
            return "postgresql+psycopg://" + chosen[len(prefix) :]
    return chosen


def make_engine(
    url: str | None = None, *, sqlite_busy_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any
) -> Engine:
    """Create an engine for ``url`` (see :func:`database_url`) with the back-end settings described above.

    ``sqlite_busy_ms`` is how long a SQLite writer waits for the lock (0: fail at once, for a caller that has
    somewhere better to wait — the web app's event loop hands such a write to a thread).

    A URL that cannot work — unparsable, another database system, a SQLite file in a missing folder — is a
    :class:`StorageError` naming what was expected, not a driver traceback.
    """
    text = database_url(url)
    try:
        resolved = make_url(text)
    except ArgumentError as exc:
        scheme = text.split("://", 1)[0] if "://" in text else text[:20]
        raise StorageError(f"ugyldig database-URL (begynder med {scheme!r}); {EXAMPLE_URLS}") from exc
    backend = resolved.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise StorageError(f"databasesystemet {backend!r} understøttes ikke; {EXAMPLE_URLS}")
    if backend == "postgresql":
        # Pre-ping (a round trip per checkout) unless the caller opts out: the questionnaire's save path does,
        # a dropped connection there fails one request and SQLAlchemy then replaces the pool.
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(resolved, **kwargs)
    if resolved.database not in (None, "", ":memory:"):
        folder = Path(resolved.database).resolve().parent
        if not folder.is_dir():
            hint = "opret den eller vælg en anden sti"
            raise StorageError(f"mappen {folder} til SQLite-filen findes ikke; {hint}")
    engine = create_engine(resolved, connect_args={"timeout": sqlite_busy_ms / 1000}, **kwargs)
    _configure_sqlite(engine, sqlite_busy_ms)
    return engine


def _configure_sqlite(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the sqlite3 module, decide when and how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def lock_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "database is locked" (SQLITE_BUSY), raw or wrapped by SQLAlchemy: a write
    that found the lock taken and, with ``sqlite_busy_ms=0``, wrote nothing."""
    cause = getattr(exc, "orig", None) or exc
    if not isinstance(cause, sqlite3.OperationalError):
        return False
    code = getattr(cause, "sqlite_errorcode", None)
    return (code & 0xFF) == sqlite3.SQLITE_BUSY if code is not None else "database is locked" in str(cause)
