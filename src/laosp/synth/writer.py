"""Bulk writes of a synthetic population: PostgreSQL ``COPY`` (CSV from Polars) or
SQLite ``executemany``, each in one transaction, secondary indexes (and, on PostgreSQL,
foreign keys) dropped during the load and rebuilt after it. Never through the ORM.

A synthetic population is recognised by its identifiers (``SYN-`` households, persons
and payment cycles); ``delete_population`` removes one in bulk, children first.
"""

from __future__ import annotations

import contextlib
import io
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import adbc_driver_sqlite.dbapi as adbc_sqlite
import polars as pl
import psycopg
from sqlalchemy import Engine

PREFIX = "SYN-"
TABLES = (
    "households", "persons", "enrolments", "payment_cycles", "contributions", "benefit_payments",
)  # fmt: skip
CHUNK = 200_000
#: For the load only. WAL stays (a journal-mode swap needs the file to ourselves and
#: buys little). Foreign keys and CHECK constraints are not re-evaluated row by row: the
#: generator guarantees them (tests/synth), and PostgreSQL's COPY checks every one.
SQLITE_PRAGMAS = (
    "foreign_keys=OFF",
    "ignore_check_constraints=ON",
    "synchronous=OFF",
    "cache_size=-524288",
    "temp_store=MEMORY",
    "threads=2",
)

Advance = Callable[[str, int], None]

_OURS = f"(person_id LIKE '{PREFIX}%' OR household_id LIKE '{PREFIX}%')"
DELETES = (
    f"DELETE FROM benefit_payments WHERE enrolment_id IN (SELECT id FROM enrolments WHERE {_OURS})",
    f"DELETE FROM contributions WHERE enrolment_id IN (SELECT id FROM enrolments WHERE {_OURS})",
    f"DELETE FROM enrolments WHERE {_OURS}",
    f"DELETE FROM payment_cycles WHERE code LIKE '{PREFIX}%'",
    f"DELETE FROM persons WHERE {_OURS}",
    f"DELETE FROM households WHERE household_id LIKE '{PREFIX}%'",
)


def _chunks(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    for start in range(0, frame.height, CHUNK):
        yield frame.slice(start, CHUNK)


def _offset(frames: dict[str, pl.DataFrame], enrolment: int, cycle: int) -> dict[str, pl.DataFrame]:
    """Shift the generator's local ids past the ids already in the database."""
    out = dict(frames)
    out["enrolments"] = frames["enrolments"].with_columns(pl.col("id") + enrolment)
    out["payment_cycles"] = frames["payment_cycles"].with_columns(pl.col("id") + cycle)
    out["contributions"] = frames["contributions"].with_columns(pl.col("enrolment_id") + enrolment)
    out["benefit_payments"] = frames["benefit_payments"].with_columns(
        pl.col("enrolment_id") + enrolment, pl.col("cycle_id") + cycle
    )
    return out


def sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise ValueError("the synthetic population needs a SQLite file, not :memory:")
    return database


def postgres_conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def write_tables(
    engine: Engine, frames: dict[str, pl.DataFrame], *, replace: bool, advance: Advance
) -> None:
    """Write ``frames`` (table name → frame with that table's columns) in one transaction,
    after deleting the existing synthetic population when ``replace``."""
    engine.dispose()  # the load needs the database to itself (journal mode)
    if engine.dialect.name == "sqlite":
        _write_sqlite(sqlite_path(engine), frames, replace, advance)
    else:
        _write_postgres(postgres_conninfo(engine), frames, replace, advance)


def _write_sqlite(
    path: str, frames: dict[str, pl.DataFrame], replace: bool, advance: Advance
) -> None:
    """Batched prepared INSERTs in one transaction through the ADBC SQLite driver (a
    C-level ``executemany`` fed Arrow batches straight from Polars: no Python tuples)."""
    with contextlib.closing(sqlite3.connect(path)) as reader:
        indexes = reader.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join(repr(t) for t in TABLES)})"
        ).fetchall()
        ids = [
            int(reader.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0])
            for table in ("enrolments", "payment_cycles")
        ]
    connection = adbc_sqlite.connect(path, autocommit=True)
    cursor = connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.execute("BEGIN")
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        if replace:
            for statement in DELETES:
                cursor.execute(statement)
        for table, frame in _offset(frames, ids[0], ids[1]).items():
            plain = frame.with_columns(
                pl.col(pl.Date).cast(pl.String), pl.col(pl.Boolean).cast(pl.Int8)
            )
            for chunk in _chunks(plain):
                cursor.adbc_ingest(table, chunk, mode="append")
                advance(table, chunk.height)
        for _name, sql in indexes:
            cursor.execute(sql)
            advance("indexes", 1)
        cursor.execute("COMMIT")
        cursor.execute("PRAGMA ignore_check_constraints=OFF")
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
    except BaseException:
        with contextlib.suppress(Exception):
            cursor.execute("ROLLBACK")
        raise
    finally:
        cursor.close()
        connection.close()


def _write_postgres(
    conninfo: str, frames: dict[str, pl.DataFrame], replace: bool, advance: Advance
) -> None:
    tables = ", ".join(f"'{t}'" for t in TABLES)
    with psycopg.connect(conninfo) as connection, connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(
            "SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE c.contype = 'f' "
            f"AND c.conrelid::regclass::text IN ({tables})"
        )
        foreign_keys: list[tuple[Any, ...]] = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() "
            f"AND i.tablename IN ({tables}) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conname = i.indexname)"
        )
        indexes: list[tuple[Any, ...]] = cursor.fetchall()
        for name, table, _definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        if replace:  # after the drops: no per-row foreign key triggers, no index upkeep
            for statement in DELETES:
                cursor.execute(statement)
        ids = []
        for table in ("enrolments", "payment_cycles"):
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            row = cursor.fetchone()
            ids.append(int(row[0]) if row else 0)
        for table, frame in _offset(frames, ids[0], ids[1]).items():
            statement = f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN (FORMAT csv)"
            with cursor.copy(statement) as copy:
                for chunk in _chunks(frame):
                    buffer = io.BytesIO()
                    chunk.write_csv(buffer, include_header=False)
                    copy.write(buffer.getvalue())
                    advance(table, chunk.height)
        for _name, definition in indexes:
            cursor.execute(definition)
            advance("indexes", 1)
        for name, table, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            advance("indexes", 1)
        for table in ("enrolments", "payment_cycles", "contributions", "benefit_payments"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"ANALYZE {', '.join(TABLES)}")


def count_synthetic(engine: Engine) -> int:
    with engine.connect() as connection:
        from sqlalchemy import text

        return int(
            connection.execute(
                text(f"SELECT count(*) FROM households WHERE household_id LIKE '{PREFIX}%'")
            ).scalar_one()
        )


def write_parquet(directory: Path, frames: dict[str, pl.DataFrame]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.write_parquet(directory / f"{name}.parquet")
