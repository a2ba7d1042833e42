"""Core statements compiled once per dialect and run straight on the driver's cursor.

A page save is a handful of small statements; on SQLite SQLAlchemy's per-execution work (execution context,
parameter processing, result set-up) costs several times what the database does, even with the compiled
statement cached. So the save path keeps its statements as SQLAlchemy Core — one definition, both dialects,
the schema's types — compiles each once per dialect to the driver's SQL, and runs it on the DBAPI cursor of
the caller's SQLAlchemy connection, inside the same transaction. The column types' own bind and result
processors are applied, so a timestamp is stored and read exactly as SQLAlchemy would.

On PostgreSQL, statements are sent in psycopg's pipeline mode, several per network round trip; each still
runs as a statement of its own, with its own snapshot under READ COMMITTED.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    positional: bool
    binds: tuple[Processor | None, ...]
    results: tuple[tuple[int, Processor], ...]  # the columns that need converting
    literals: dict[str, Any]  # values written into the statement, e.g. status == "queued"

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        if self.literals:
            values = {**self.literals, **values}
        converted = [
            values[name] if process is None else process(values[name])
            for name, process in zip(self.names, self.binds, strict=True)
        ]
        return converted if self.positional else dict(zip(self.names, converted, strict=True))

    def rows(self, cursor: Any) -> list[Any]:
        fetched = cursor.fetchall()
        if not self.results:
            return fetched
        processed = []
        for row in fetched:
            values = list(row)
            for index, process in self.results:
                values[index] = process(values[index])
            processed.append(values)
        return processed


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
        processors = (column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
        results = tuple((index, process) for index, process in enumerate(processors) if process is not None)
        literals = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
        return _Compiled(compiled.string, names, positional, binds, results, literals)

    def execute(self, link: Link, values: Mapping[str, Any]) -> Any:
        """Run once; returns the driver cursor (fetch with :meth:`rows`)."""
        compiled = self.compiled(link.dialect)
        cursor = link.driver.cursor()
        cursor.execute(compiled.sql, compiled.parameters(values))
        return cursor

    def execute_many(self, link: Link, rows: Iterable[Mapping[str, Any]]) -> None:
        compiled = self.compiled(link.dialect)
        link.driver.cursor().executemany(compiled.sql, [compiled.parameters(row) for row in rows])

    def rows(self, link: Link, cursor: Any) -> list[Any]:
        return self.compiled(link.dialect).rows(cursor)

    def all(self, link: Link, values: Mapping[str, Any]) -> list[Any]:
        return self.rows(link, self.execute(link, values))


@dataclass(frozen=True)
class Link:
    """A DBAPI connection inside a transaction, with what is needed to compile for it.

    ``whole_pipeline``: the transaction runs in psycopg's pipeline mode from its first statement to its
    COMMIT, so :func:`pipelined` blocks add no round trips of their own.
    """

    engine: Engine
    driver: Any
    whole_pipeline: bool = False

    @property
    def dialect(self) -> Dialect:
        return self.engine.dialect

    @property
    def postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @classmethod
    def of(cls, connection: Connection) -> Link:
        """The driver connection behind a SQLAlchemy connection, in its transaction."""
        return cls(connection.engine, connection.connection.driver_connection)


@contextmanager
def pipelined(link: Link) -> Iterator[None]:
    """Send the statements of the block in one round trip on PostgreSQL; a no-op on SQLite."""
    if not link.postgresql or link.whole_pipeline:
        yield
        return
    with link.driver.pipeline():
        yield


@contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[Link]:
    """One transaction on a pooled driver connection, without SQLAlchemy's per-connection bookkeeping.

    SQLite: ``BEGIN IMMEDIATE`` for a write, so a writer queues for the lock up front instead of failing
    halfway (as :meth:`borgerblik.storage.Database.writing` does). PostgreSQL: a write runs in pipeline mode
    from BEGIN to COMMIT, so statements are sent together and COMMIT travels with the last writes; a read is
    :func:`single_statements`.
    """
    if engine.dialect.name == "postgresql" and not write:
        with single_statements(engine) as link:
            yield link
        return
    pooled = engine.raw_connection()
    try:
        driver = pooled.driver_connection
        if engine.dialect.name == "postgresql":
            with driver.pipeline():
                yield from _run(Link(engine, driver, whole_pipeline=True), driver)
        else:
            driver.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield from _run(Link(engine, driver), driver)
    finally:
        pooled.close()


@contextmanager
def single_statements(engine: Engine) -> Iterator[Link]:
    """PostgreSQL: every statement its own transaction (autocommit), with no BEGIN or COMMIT round trips.

    For reads — under READ COMMITTED each statement of a transaction has its own snapshot anyway — and for
    a write that is one statement, such as the compare-and-set page save.
    """
    pooled = engine.raw_connection()
    try:
        driver = pooled.driver_connection
        driver.autocommit = True
        try:
            yield Link(engine, driver)
        finally:
            if not driver.broken:
                driver.autocommit = False
    finally:
        pooled.close()


def _run(link: Link, driver: Any) -> Iterator[Link]:
    try:
        yield link
    except BaseException:
        driver.rollback()
        raise
    driver.commit()
