"""Bulk loading queries (the synthetic catalog): driver-speed inserts and sequences."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.catalog.search.index_repository import _dialect


async def bulk_insert(
    session: AsyncSession,
    table: Any,
    rows: Sequence[dict[str, Any]],
    *,
    encoded: frozenset[str] = frozenset(),
) -> None:
    """Insert many rows at driver speed (`encoded` columns already hold their stored form)."""
    if not rows:
        return
    columns = list(rows[0])
    connection = await session.connection()
    processors = [
        None if c in encoded else table.c[c].type.bind_processor(connection.dialect)
        for c in columns
    ]
    pick = itemgetter(*columns)
    records: list[tuple[Any, ...]] = [pick(row) for row in rows]
    if len(columns) == 1:
        records = [(value,) for value in records]
    converting = [(i, p) for i, p in enumerate(processors) if p is not None]
    if converting:
        converted: list[tuple[Any, ...]] = []
        for record in records:
            values = list(record)
            for i, p in converting:
                values[i] = p(values[i])
            converted.append(tuple(values))
        records = converted
    await bulk_insert_records(session, table, columns, records)


async def bulk_insert_records(
    session: AsyncSession, table: Any, columns: Sequence[str], records: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ready-made tuples: COPY on PostgreSQL, one executemany on SQLite."""
    if not records:
        return
    connection = await session.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.copy_records_to_table(table.name, records=records, columns=list(columns))
        return
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    await connection.exec_driver_sql(sql, list(records))


async def bulk_add_counts(
    session: AsyncSession,
    table: Any,
    keys: Sequence[str],
    column: str,
    records: Sequence[tuple[Any, ...]],
) -> None:
    """Add to count rows in bulk ((*keys, n) records with unique keys, in key order):
    on PostgreSQL through COPY into a staging table, on SQLite one executemany."""
    if not records:
        return
    connection = await session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    target = quote(table.name)
    names = ", ".join(quote(c) for c in (*keys, column))
    conflict = ", ".join(quote(k) for k in keys)
    count = quote(column)
    update = f"DO UPDATE SET {count} = {target}.{count} + excluded.{count}"
    if dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        staging = quote(f"staging_{table.name}")
        await driver.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {target}) ON COMMIT DELETE ROWS"
        )
        await driver.copy_records_to_table(
            f"staging_{table.name}", records=records, columns=[*keys, column]
        )
        await driver.execute(
            f"INSERT INTO {target} ({names}) SELECT {names} FROM {staging} "
            f"ON CONFLICT ({conflict}) {update}"
        )
        await driver.execute(f"DELETE FROM {staging}")
        return
    placeholders = ", ".join("?" for _ in (*keys, column))
    await connection.exec_driver_sql(
        f"INSERT INTO {target} ({names}) VALUES ({placeholders}) ON CONFLICT ({conflict}) {update}",
        list(records),
    )


async def prepare_bulk_load(session: AsyncSession) -> None:
    """Give SQLite's page cache room for index-heavy bulk inserts (this connection only)."""
    if _dialect(session) == "sqlite":
        connection = await session.connection()
        await connection.exec_driver_sql("PRAGMA cache_size=-262144")
        # Fewer, larger WAL checkpoints while loading (the write-ahead log still guards it).
        await connection.exec_driver_sql("PRAGMA wal_autocheckpoint=65536")


async def reserve_seqs(session: AsyncSession, model: Any, count: int) -> list[int]:
    """Integer keys for `count` new rows of `model` (the sequence on PostgreSQL; SQLite's
    writer holds the database lock, so the next values after the maximum are free)."""
    if count <= 0:
        return []
    table = model.__table__
    if _dialect(session) == "postgresql":
        result = await session.execute(
            select(func.nextval(func.pg_get_serial_sequence(table.name, "seq"))).select_from(
                func.generate_series(1, count)
            )
        )
        return [int(v) for v in result.scalars()]
    top = await session.scalar(select(func.max(table.c.seq)))
    start = int(top or 0) + 1
    return list(range(start, start + count))


async def analyze(session: AsyncSession) -> None:
    """Refresh the planner's statistics after a bulk load."""
    connection = await session.connection()
    await connection.exec_driver_sql("ANALYZE")
