"""SQLite bulk load: batched prepared INSERTs through the ADBC SQLite driver (a C-level
``executemany`` fed Arrow batches straight from Polars: no Python tuples), in one
transaction.

The secondary indexes of the loaded tables are dropped at the start and each table's are
rebuilt right after its rows are in (one sorted pass each, while the generator builds
the next tables in the other thread). Rows arrive in primary-key order, so the primary
key b-trees (the rowid, or the autoindex of the text keys of persons and households)
grow by appending. Foreign keys and CHECK constraints are not re-evaluated row by row:
the generator guarantees them (tests/synth), and the unique indexes rebuilt at the end
of each table do check uniqueness (one head per household, one enrolment per scheme,
person and date, ...).
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

import adbc_driver_sqlite.dbapi as adbc_sqlite
import polars as pl

from laosp.synth.writer import CHUNK, DELETES, TABLES, Advance, offset_ids, phase

#: For the load only. WAL stays (a journal-mode swap needs the file to ourselves, and
#: the transaction must stay atomic). The page cache is kept small (64 MB) on purpose: it
#: also sizes the runs of the ``CREATE INDEX`` sorter, and several small runs are sorted
#: on both cores (``threads=2``) where one large run is sorted on one (measured at scale
#: 0.3: index builds 23 s with 64 MB, 27 s with 1 GB). Runs stay in memory (temp_store).
PRAGMAS = (
    "foreign_keys=OFF",
    "ignore_check_constraints=ON",
    "synchronous=OFF",
    "cache_size=-65536",
    "temp_store=MEMORY",
    "threads=2",
)


class SqliteLoader:
    """One transaction on the SQLite file at ``path``; ``load`` one table at a time."""

    def __init__(self, path: str, advance: Advance) -> None:
        self.path = path
        self.advance = advance
        self.indexes: dict[str, list[str]] = {}
        self.ids = (0, 0)
        self.connection: Any = None
        self.cursor: Any = None

    def begin(self, replace: bool) -> None:
        with contextlib.closing(sqlite3.connect(self.path)) as reader:
            rows = reader.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' "
                f"AND sql IS NOT NULL AND tbl_name IN ({', '.join(repr(t) for t in TABLES)})"
            ).fetchall()
            enrolment, cycle = (
                int(reader.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0])
                for table in ("enrolments", "payment_cycles")
            )
        self.ids = (enrolment, cycle)
        self.connection = adbc_sqlite.connect(self.path, autocommit=True)
        self.cursor = self.connection.cursor()
        for pragma in PRAGMAS:
            self.cursor.execute(f"PRAGMA {pragma}")
        self.cursor.execute("BEGIN")
        for name, table, sql in rows:
            self.indexes.setdefault(table, []).append(sql)
            self.cursor.execute(f'DROP INDEX "{name}"')
        if replace:
            for statement in DELETES:
                self.cursor.execute(statement)

    def load(self, table: str, frame: pl.DataFrame) -> None:
        frame = offset_ids(table, frame, *self.ids)
        with phase(f"{table} rows"):
            for start in range(0, frame.height, CHUNK):
                chunk = frame.slice(start, CHUNK).with_columns(
                    pl.col(pl.Date).cast(pl.String), pl.col(pl.Boolean).cast(pl.Int8)
                )
                self.cursor.adbc_ingest(table, chunk, mode="append")
                self.advance(table, chunk.height)
        with phase(f"{table} indexes"):
            for sql in self.indexes.pop(table, []):
                self.cursor.execute(sql)
                self.advance("indexes", 1)

    def finish(self) -> None:
        for table in list(self.indexes):  # tables this load had no rows for
            for sql in self.indexes.pop(table):
                self.cursor.execute(sql)
        with phase("commit"):
            self.cursor.execute("COMMIT")
        self.cursor.execute("PRAGMA ignore_check_constraints=OFF")
        # statistics for the planner from a sample of each index (a few seconds, not
        # a full scan of 21 M rows)
        with phase("analyze"):
            self.cursor.execute("PRAGMA analysis_limit=1000")
            self.cursor.execute("ANALYZE")
        self.close()

    def abort(self) -> None:
        if self.cursor is not None:
            with contextlib.suppress(Exception):
                self.cursor.execute("ROLLBACK")
        self.close()

    def close(self) -> None:
        if self.cursor is not None:
            self.cursor.close()
            self.connection.close()
            self.cursor = self.connection = None
