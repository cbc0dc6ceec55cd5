"""SQLite bulk load: batched prepared INSERTs through the ADBC SQLite driver (a C-level
``executemany`` fed Arrow batches straight from Polars: no Python tuples), in one
transaction. The driver runs in a worker process (``laosp.arrow_sqlite``): its SQLite
library may not share this process with Python's.

The secondary indexes of the loaded tables are dropped at the start and each table's are
rebuilt right after its rows are in (one sorted pass each, while the generator builds
the next tables in the other thread). Rows arrive in primary-key order, so the primary
key b-trees (the rowid, or the autoindex of the text keys of persons and households)
grow by appending. Triggers on the loaded tables (the upkeep of the FTS5 search table
``persons_search``) are dropped the same way: the search table is rebuilt in one pass
right after the persons are in, and the triggers made again. CHECK constraints (the
codes) and foreign keys are checked in one pass per table right after its rows; the
unique indexes rebuilt after each table check uniqueness (one head per household, one
enrolment per scheme, person and date, ...). Any violation rolls the whole load back.
"""

from __future__ import annotations

import contextlib
import sqlite3

import polars as pl
import sqlalchemy

from laosp.arrow_sqlite import ArrowSqlite
from laosp.synth.bulk import CHUNK, DELETES, TABLES, Advance, offset_ids, phase

#: For the load only. The journal mode is switched from WAL to a rollback journal for
#: the load and back after it (``_journal_mode``): in a rollback journal only pages that
#: held data before the load are journalled and new pages are written once, where through
#: the WAL every page is written twice (the WAL, then the checkpoint: 17-20 s of the
#: commit at scale 1.0). The transaction stays atomic either way. The page cache is kept
#: small (64 MB) on purpose: it also sizes the runs of the ``CREATE INDEX`` sorter, and
#: several small runs are sorted on both cores (``threads=2``) where one large run is
#: sorted on one (measured at scale 0.3: index builds 23 s with 64 MB, 27 s with 1 GB).
#: Runs stay in memory (temp_store). CHECK constraints and foreign keys are checked once
#: per table, right after its rows, rather than row by row (``_validate``: at scale 0.3
#: evaluating the CHECKs on every insert made the persons' inserts 5× slower, 6.5 s →
#: 31 s, where one pass over the table takes 2 s).
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
        self.triggers: dict[str, list[str]] = {}
        self.searches: dict[str, list[str]] = {}
        self.ids = (0, 0)
        self.journal = "wal"
        self.checks: dict[str, list[str]] = {}
        self.worker: ArrowSqlite | None = None

    def begin(self, replace: bool) -> None:
        with contextlib.closing(sqlite3.connect(self.path)) as reader:
            rows = reader.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' "
                f"AND sql IS NOT NULL AND tbl_name IN ({', '.join(repr(t) for t in TABLES)})"
            ).fetchall()
            tables = ", ".join(repr(t) for t in TABLES)
            triggers = reader.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
                f"AND tbl_name IN ({tables})"
            ).fetchall()
            for table in TABLES:  # external-content FTS5 tables over a loaded table
                self.searches[table] = [
                    str(name)
                    for (name,) in reader.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%' AND sql LIKE ?",
                        (f"%content='{table}'%",),
                    )
                ]
            enrolment, cycle = (
                int(reader.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0])
                for table in ("enrolments", "payment_cycles")
            )
            self.journal = _journal_mode(reader, "DELETE")
        schema = sqlalchemy.create_engine(f"sqlite:///{self.path}")
        inspector = sqlalchemy.inspect(schema)
        self.checks = {
            table: [str(c["sqltext"]) for c in inspector.get_check_constraints(table)]
            for table in TABLES
        }
        schema.dispose()
        self.ids = (enrolment, cycle)
        self.worker = ArrowSqlite(self.path)
        for pragma in PRAGMAS:
            self._worker().execute(f"PRAGMA {pragma}")
        self._worker().execute("BEGIN")
        self._worker().execute("CREATE TEMP TABLE synth_violation (violation TEXT NOT NULL)")
        for name, table, sql in rows:
            self.indexes.setdefault(table, []).append(sql)
            self._worker().execute(f'DROP INDEX "{name}"')
        for name, table, sql in triggers:
            self.triggers.setdefault(table, []).append(sql)
            self._worker().execute(f'DROP TRIGGER "{name}"')
        if replace:
            for statement in DELETES:
                self._worker().execute(statement)

    def _worker(self) -> ArrowSqlite:
        if self.worker is None:
            raise RuntimeError("the load has not begun")
        return self.worker

    def load(self, table: str, frame: pl.DataFrame) -> None:
        frame = offset_ids(table, frame, *self.ids)
        with phase(f"{table} rows"):
            for start in range(0, frame.height, CHUNK):
                chunk = frame.slice(start, CHUNK).with_columns(
                    pl.col(pl.Date).cast(pl.String), pl.col(pl.Boolean).cast(pl.Int8)
                )
                self._worker().ingest(table, chunk)
                self.advance(table, chunk.height)
        with phase(f"{table} indexes"):
            for sql in self.indexes.pop(table, []):
                self._worker().execute(sql)
                self.advance("indexes", 1)
            self._searches(table)
        with phase(f"{table} checks, keys"):
            self._validate(table)

    def finish(self) -> None:
        for table in list(self.indexes):  # tables this load had no rows for
            for sql in self.indexes.pop(table):
                self._worker().execute(sql)
        for table in list(self.triggers):
            self._searches(table)
        self._worker().execute("DROP TABLE temp.synth_violation")
        with phase("commit"):
            self._worker().execute("COMMIT")
        self.close()
        with contextlib.closing(sqlite3.connect(self.path, isolation_level=None)) as after:
            _journal_mode(after, self.journal)
            # statistics for the planner from a sample of each index (a few seconds, not
            # a full scan of 21 M rows)
            with phase("analyze"):
                after.execute("PRAGMA analysis_limit=1000")
                after.execute("ANALYZE")

    def _searches(self, table: str) -> None:
        """Rebuild the FTS5 tables over ``table`` and make its triggers again."""
        for name in self.searches.pop(table, []):
            self._worker().execute(f'INSERT INTO "{name}"("{name}") VALUES (\'rebuild\')')
        for sql in self.triggers.pop(table, []):
            self._worker().execute(sql)

    def _validate(self, table: str) -> None:
        """Fail (and so roll back) when a loaded row breaks a CHECK constraint or has a
        foreign key without a parent: one pass over ``table`` for each. The first
        offending row goes into a NOT NULL column, which raises (the worker runs
        statements, it returns rows only through ``read``)."""
        tests = {"foreign key": f"SELECT NULL FROM pragma_foreign_key_check('{table}')"}
        if self.checks.get(table):
            where = " OR ".join(f"NOT ({check})" for check in self.checks[table])
            tests["CHECK constraint"] = f"SELECT NULL FROM {table} WHERE {where}"
        for what, query in tests.items():
            try:
                self._worker().execute(f"INSERT INTO temp.synth_violation {query} LIMIT 1")
            except Exception as error:
                raise ValueError(f"{table}: a loaded row breaks a {what}") from error

    def abort(self) -> None:
        if self.worker is not None:
            with contextlib.suppress(Exception):
                self.worker.execute("ROLLBACK")
        self.close()
        with (
            contextlib.suppress(Exception),
            contextlib.closing(sqlite3.connect(self.path, isolation_level=None)) as after,
        ):
            _journal_mode(after, self.journal)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None


def _journal_mode(connection: sqlite3.Connection, mode: str) -> str:
    """Switch the journal mode, returning the one before. Out of WAL only when no other
    connection has the file open; otherwise the mode stays (and the load goes through
    the WAL, which is slower but as safe)."""
    before = str(connection.execute("PRAGMA journal_mode").fetchone()[0])
    if before.lower() != mode.lower():
        with contextlib.suppress(sqlite3.OperationalError):
            connection.execute(f"PRAGMA journal_mode={mode}").fetchall()
    return before
