"""Bulk inserts for the big writes (a national register is ~200,000 members, a sample ~87,000 invitations).

PostgreSQL gets ``COPY … FROM STDIN`` through the psycopg connection inside the caller's transaction — row-by-
row ``executemany`` there costs a minute for a register. SQLite gets one prepared ``INSERT`` run by the
driver's ``executemany``, with each value passed through the column type's own bind processor so dates and
timestamps are stored exactly as SQLAlchemy stores and compares them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from operator import itemgetter
from typing import Any

from psycopg import sql
from sqlalchemy import Boolean, Connection, Date, Dialect, Table
from sqlalchemy.types import TypeEngine

CHUNK_ROWS = 10_000


def bulk_insert(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` within the connection's transaction."""
    if not rows:
        return
    columns = tuple(rows[0])
    if len(columns) == 1:  # itemgetter of one key gives the bare value, not a 1-tuple
        bulk_insert_rows(connection, table, columns, [(row[columns[0]],) for row in rows])
        return
    values_of = itemgetter(*columns)
    bulk_insert_rows(connection, table, columns, [values_of(row) for row in rows])


def bulk_insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` given as value tuples in ``columns`` order — the fastest form for the big loads."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        _copy(connection, table, columns, rows)
    else:
        _executemany(connection, table, columns, rows)


def _copy(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in columns)
    )
    driver_connection = connection.connection.driver_connection
    with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _executemany(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    statement = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(table.name), ", ".join(quote(name) for name in columns), ", ".join("?" for _ in columns)
    )
    processed = [
        (position, processor)
        for position, name in enumerate(columns)
        if (processor := _bind_processor(table.c[name].type, dialect)) is not None
    ]
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        connection.exec_driver_sql(
            statement, [_processed(row, processed) for row in chunk] if processed else chunk
        )


def _bind_processor(column_type: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    if dialect.name == "sqlite":
        # A DATE is stored as ISO text, which the C-level date.isoformat writes several times faster; the
        # driver already stores a bool as the 0/1 SQLAlchemy reads back.
        if type(column_type) is Date:
            return date.isoformat
        if type(column_type) is Boolean:
            return None
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def _processed(values: Sequence[Any], processed: list[tuple[int, Callable[[Any], Any]]]) -> tuple[Any, ...]:
    """Values as the driver stores them (dates and timestamps as SQLAlchemy's text form, booleans as 0/1)."""
    converted = list(values)
    for position, processor in processed:
        if converted[position] is not None:
            converted[position] = processor(converted[position])
    return tuple(converted)
