"""Run the Alembic migrations shipped inside the package — users never need an alembic.ini.

Migrations are the only way the schema is created, on SQLite and PostgreSQL alike, so a database made by the
demo and one upgraded from last year's release have the same tables.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from borgerblik.storage.engine import WRITE_OPTION, make_engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations, optionally bound to an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


# Alembic keeps its migration context in module globals, so two threads must not migrate at the same time.
_ALEMBIC_LOCK = threading.Lock()
# Any fixed number: PostgreSQL sessions that migrate take this advisory lock and so run one after another.
_PG_MIGRATION_LOCK = 0x0B0B_2024


@contextmanager
def _connection(engine_or_url: Engine | str | None) -> Iterator[Connection]:
    """A write transaction that only one migrating thread, process or server at a time can hold."""
    owned = not isinstance(engine_or_url, Engine)
    engine = make_engine(engine_or_url) if owned else engine_or_url
    try:
        with _ALEMBIC_LOCK, engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: True})  # BEGIN IMMEDIATE on SQLite
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
                yield connection
    finally:
        if owned:
            engine.dispose()


def upgrade(engine_or_url: Engine | str | None = None, revision: str = "head") -> None:
    """Bring the database up to ``revision`` (default: the newest); a no-op when it is already there."""
    with _connection(engine_or_url) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine_or_url: Engine | str | None = None, revision: str = "base") -> None:
    """Step the database back to ``revision`` (default: empty)."""
    with _connection(engine_or_url) as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(engine_or_url: Engine | str | None = None) -> str | None:
    """The revision the database is at, or None for a database never migrated."""
    with _connection(engine_or_url) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision shipped with this version of Borgerblik."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head
