"""Writing many rows with one prepared statement that the driver itself executes per row.

SQLAlchemy's multi-row INSERT … ON CONFLICT builds and converts every row's parameters in
Python, which cost more than the database's own work on a rebuild's millions of rows. These
statements are the same on SQLite and PostgreSQL but for the placeholders; each value still
goes through its column type's own conversion for the driver (dates on SQLite, say).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.ext.asyncio import AsyncSession

Row = Sequence[Any]


async def insert_rows(
    session: AsyncSession, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    """Insert `rows`, each the values of `columns` in that order."""
    if rows:
        await _execute(session, table, columns, rows, "")


async def add_amounts(
    session: AsyncSession, table: Table, key: Sequence[str], amount: str, rows: Sequence[Row]
) -> None:
    """Insert `rows` (the `key` columns' values, then the amount), or add each amount to the
    row already there."""
    if not rows:
        return
    connection = await session.connection()
    quote = connection.dialect.identifier_preparer.quote
    target = f"{connection.dialect.identifier_preparer.format_table(table)}.{quote(amount)}"
    conflict = (
        f" ON CONFLICT ({', '.join(map(quote, key))}) "
        f"DO UPDATE SET {quote(amount)} = {target} + excluded.{quote(amount)}"
    )
    await _execute(session, table, [*key, amount], rows, conflict)


async def existing(
    session: AsyncSession, table: Table, fixed: tuple[str, object], column: str, values: Row
) -> set[Any]:
    """Which of `values` the rows of `table` whose `fixed` column has its value hold in
    `column`, asked a chunk of values at a time (a prepared statement per chunk size)."""
    connection = await session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    name, value = fixed
    found: set[Any] = set()
    for start in range(0, len(values), _LOOKUP_CHUNK):
        chunk = values[start : start + _LOOKUP_CHUNK]
        marks = _placeholders(dialect, len(chunk) + 1).split(", ")
        statement = (
            f"SELECT {quote(column)} FROM {dialect.identifier_preparer.format_table(table)} "
            f"WHERE {quote(name)} = {marks[0]} AND {quote(column)} IN ({', '.join(marks[1:])})"
        )
        result = await connection.exec_driver_sql(statement, (value, *chunk))
        found.update(row[0] for row in result)
    return found


#: Values per lookup, well under every backend's limit of parameters in one statement.
_LOOKUP_CHUNK = 500


async def _execute(
    session: AsyncSession, table: Table, columns: Sequence[str], rows: Sequence[Row], tail: str
) -> None:
    connection = await session.connection()
    dialect = connection.dialect
    preparer = dialect.identifier_preparer
    statement = (
        f"INSERT INTO {preparer.format_table(table)} "
        f"({', '.join(preparer.quote(name) for name in columns)}) "
        f"VALUES ({_placeholders(dialect, len(columns))}){tail}"
    )
    await connection.exec_driver_sql(statement, _for_driver(dialect, table, columns, rows))


def _placeholders(dialect: Dialect, count: int) -> str:
    if dialect.paramstyle == "qmark":
        return ", ".join("?" * count)
    if dialect.paramstyle == "numeric_dollar":
        return ", ".join(f"${i}" for i in range(1, count + 1))
    raise NotImplementedError(f"no bulk writes for the {dialect.paramstyle} parameter style")


def _for_driver(
    dialect: Dialect, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> list[tuple[Any, ...]]:
    """The rows as the driver takes them. Converted a column at a time, each distinct value
    once: a rebuild's rows repeat few dates, units and periods."""
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in columns]
    if all(processor is None for processor in processors):
        return [tuple(row) for row in rows]
    converted: list[Sequence[Any]] = []
    for processor, values in zip(processors, zip(*rows, strict=True), strict=True):
        if processor is None:
            converted.append(values)
            continue
        seen = {value: processor(value) for value in set(values)}
        converted.append([seen[value] for value in values])
    return list(zip(*converted, strict=True))
