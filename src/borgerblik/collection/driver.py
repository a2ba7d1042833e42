"""Core statements compiled once per dialect and run straight on the driver's cursor.

A page save is a handful of small statements; on SQLite SQLAlchemy's per-execution work (execution context,
parameter processing, result set-up) costs several times what the database does, even with the compiled
statement cached. So the save path keeps its statements as SQLAlchemy Core — one definition, both dialects,
the schema's types — compiles each once per dialect to the driver's SQL, and runs it on the DBAPI cursor of
the caller's SQLAlchemy connection, inside the same transaction. The column types' own bind and result
processors are applied, so a timestamp is stored and read exactly as SQLAlchemy would.

On PostgreSQL, :func:`pipelined` sends several statements in one network round trip (psycopg's pipeline
mode); each still runs as a statement of its own, with its own snapshot under READ COMMITTED.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    positional: bool
    binds: tuple[Processor | None, ...]
    results: tuple[Processor | None, ...]

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        converted = [
            value if process is None else process(value)
            for value, process in zip((values[name] for name in self.names), self.binds, strict=True)
        ]
        return converted if self.positional else dict(zip(self.names, converted, strict=True))

    def rows(self, cursor: Any) -> list[tuple[Any, ...]]:
        fetched = cursor.fetchall()
        if not any(self.results):
            return [tuple(row) for row in fetched]
        return [
            tuple(
                value if process is None else process(value)
                for value, process in zip(row, self.results, strict=True)
            )
            for row in fetched
        ]


class Prepared:
    """One Core statement with named bind parameters, compiled on first use per dialect."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = self._compile(dialect)
        return found

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        positional = bool(compiled.positional)
        names = tuple(compiled.positiontup or ()) if positional else tuple(compiled.binds)
        binds = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        )
        columns = getattr(self.statement, "selected_columns", ())
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
        return _Compiled(compiled.string, names, positional, binds, results)

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        """Run once; returns the driver cursor (fetch with :meth:`rows`)."""
        compiled = self.compiled(connection.dialect)
        cursor = driver_cursor(connection)
        cursor.execute(compiled.sql, compiled.parameters(values))
        return cursor

    def execute_many(self, connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        compiled = self.compiled(connection.dialect)
        driver_cursor(connection).executemany(compiled.sql, [compiled.parameters(row) for row in rows])

    def rows(self, connection: Connection, cursor: Any) -> list[tuple[Any, ...]]:
        return self.compiled(connection.dialect).rows(cursor)

    def all(self, connection: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return self.rows(connection, self.execute(connection, values))


def driver_cursor(connection: Connection) -> Any:
    """A fresh cursor of the DBAPI connection behind ``connection`` (same transaction)."""
    return connection.connection.driver_connection.cursor()  # type: ignore[union-attr]


@contextmanager
def pipelined(connection: Connection) -> Iterator[None]:
    """Send the statements of the block in one round trip on PostgreSQL; a no-op on SQLite."""
    if connection.dialect.name != "postgresql":
        with nullcontext():
            yield
        return
    with connection.connection.driver_connection.pipeline():  # type: ignore[union-attr]
        yield
