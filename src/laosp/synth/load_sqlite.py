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

#: For the load only. The journal mode is switched from WAL to a rollback journal for the
#: load and back after it (``_journal_mode``): in a rollback journal only pages that held
#: data before the load are journalled, new pages are written once, where through the WAL
#: every page is written twice (the WAL, then the checkpoint: 17-20 s of the commit at
#: scale 1.0). The transaction stays atomic either way. The page cache is kept small (64 MB) on purpose: it
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
        self.journal = "wal"
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
            self.journal = _journal_mode(reader, "DELETE")
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
        self.close()
        with contextlib.closing(sqlite3.connect(self.path, isolation_level=None)) as after:
            _journal_mode(after, self.journal)
            # statistics for the planner from a sample of each index (a few seconds, not
            # a full scan of 21 M rows)
            with phase("analyze"):
                after.execute("PRAGMA analysis_limit=1000")
                after.execute("ANALYZE")

    def abort(self) -> None:
        if self.cursor is not None:
            with contextlib.suppress(Exception):
                self.cursor.execute("ROLLBACK")
        self.close()
        with (
            contextlib.suppress(Exception),
            contextlib.closing(sqlite3.connect(self.path, isolation_level=None)) as after,
        ):
            _journal_mode(after, self.journal)

    def close(self) -> None:
        if self.cursor is not None:
            self.cursor.close()
            self.connection.close()
            self.cursor = self.connection = None


def _journal_mode(connection: sqlite3.Connection, mode: str) -> str:
    """Switch the journal mode, returning the one before. Out of WAL only when no other
    connection has the file open; otherwise the mode stays (and the load goes through
    the WAL, which is slower but as safe)."""
    before = str(connection.execute("PRAGMA journal_mode").fetchone()[0])
    if before.lower() != mode.lower():
        with contextlib.suppress(sqlite3.OperationalError):
            connection.execute(f"PRAGMA journal_mode={mode}").fetchall()
    return before
