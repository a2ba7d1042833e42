"""Alembic environment: run on the connection handed over by :mod:`borgerblik.storage.migrate`, or on a URL.

SQLite alters tables through batch mode (copy and move), since it lacks most ALTER TABLE forms.
"""

from __future__ import annotations

from alembic import context

from borgerblik.storage.engine import make_engine
from borgerblik.storage.schema import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # noqa: ANN001 - Alembic hands a Connection
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as fresh:
        _run(fresh)
    engine.dispose()
