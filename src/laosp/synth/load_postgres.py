"""PostgreSQL bulk load: ``COPY ... FROM STDIN (FORMAT csv)`` fed CSV that Polars writes,
in one transaction on one connection.

At the start the secondary indexes and the foreign keys of the loaded tables are
dropped (primary keys stay: the rows arrive in key order, and foreign keys need them).
Right after a table's rows are in, its indexes are built (one sort each) and its
foreign keys added back: ``ADD CONSTRAINT ... FOREIGN KEY`` validates every row in one
join, never ``NOT VALID``, and the unique indexes check uniqueness. Parents are loaded
before children, so each constraint can be checked as soon as its table is complete. A
failure anywhere rolls the whole transaction back: nothing is left half loaded and no
constraint is lost. The CSV of the next chunk is encoded in a helper thread while the
current one is sent.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import polars as pl
import psycopg

from laosp.synth.bulk import CHUNK, DELETES, TABLES, Advance, offset_ids, phase

SETTINGS = (
    "SET LOCAL synchronous_commit = off",
    # index builds sort in memory; the foreign-key checks hash the parent keys
    "SET LOCAL maintenance_work_mem = '1GB'",
    "SET LOCAL work_mem = '512MB'",
)


def _csv(chunk: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    chunk.write_csv(buffer, include_header=False)
    return buffer.getvalue()


class PostgresLoader:
    """One transaction on ``conninfo``; ``load`` one table at a time."""

    def __init__(self, conninfo: str, advance: Advance) -> None:
        self.conninfo = conninfo
        self.advance = advance
        self.indexes: dict[str, list[str]] = {}
        self.foreign_keys: dict[str, list[tuple[str, str]]] = {}
        self.ids = (0, 0)
        self.connection: psycopg.Connection[Any] | None = None
        self.encoder = ThreadPoolExecutor(1, thread_name_prefix="synth-csv")

    @property
    def cursor(self) -> psycopg.Cursor[Any]:
        assert self.connection is not None
        return self.connection.cursor()

    def _scalar(self, sql: str) -> int:
        row = self.cursor.execute(sql).fetchone()
        return int(row[0]) if row else 0

    def begin(self, replace: bool) -> None:
        self.connection = psycopg.connect(self.conninfo)
        cursor = self.cursor
        for statement in SETTINGS:
            cursor.execute(statement)
        tables = ", ".join(f"'{t}'" for t in TABLES)
        cursor.execute(
            "SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE c.contype = 'f' "
            f"AND c.conrelid::regclass::text IN ({tables})"
        )
        for name, table, definition in cursor.fetchall():
            self.foreign_keys.setdefault(table, []).append((name, definition))
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT i.indexname, i.tablename, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() "
            f"AND i.tablename IN ({tables}) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conname = i.indexname)"
        )
        for name, table, definition in cursor.fetchall():
            self.indexes.setdefault(table, []).append(definition)
            cursor.execute(f'DROP INDEX "{name}"')
        if replace:  # after the drops: no per-row foreign key triggers, no index upkeep
            for statement in DELETES:
                cursor.execute(statement)
        self.ids = (
            self._scalar("SELECT coalesce(max(id), 0) FROM enrolments"),
            self._scalar("SELECT coalesce(max(id), 0) FROM payment_cycles"),
        )

    def _encoded(self, frame: pl.DataFrame) -> Iterator[tuple[int, bytes]]:
        """CSV chunks, the next one encoded while the caller sends the current one."""
        pending: Future[bytes] | None = None
        rows = 0
        for start in range(0, frame.height, CHUNK):
            chunk = frame.slice(start, CHUNK)
            future = self.encoder.submit(_csv, chunk)
            if pending is not None:
                yield rows, pending.result()
            pending, rows = future, chunk.height
        if pending is not None:
            yield rows, pending.result()

    def load(self, table: str, frame: pl.DataFrame) -> None:
        frame = offset_ids(table, frame, *self.ids)
        cursor = self.cursor
        statement = f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN (FORMAT csv)"
        with phase(f"{table} rows"), cursor.copy(statement) as copy:
            for rows, data in self._encoded(frame):
                copy.write(data)
                self.advance(table, rows)
        with phase(f"{table} indexes, keys"):
            self._constraints(table)

    def _constraints(self, table: str) -> None:
        cursor = self.cursor
        for definition in self.indexes.pop(table, []):
            cursor.execute(definition)
            self.advance("indexes", 1)
        for name, definition in self.foreign_keys.pop(table, []):
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            self.advance("indexes", 1)

    def finish(self) -> None:
        assert self.connection is not None
        for table in TABLES:  # tables this load had no rows for
            self._constraints(table)
        cursor = self.cursor
        for table in ("enrolments", "payment_cycles", "contributions", "benefit_payments"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        with phase("commit"):
            self.connection.commit()
        self.connection.autocommit = True
        with phase("analyze"):
            self.connection.execute(f"ANALYZE {', '.join(TABLES)}")
        self.close()

    def abort(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.rollback()
        self.close()

    def close(self) -> None:
        self.encoder.shutdown(wait=True)
        if self.connection is not None:
            self.connection.close()
            self.connection = None
