"""Bulk writes of a synthetic population, in one transaction, never through the ORM:
SQLite batched INSERTs (``load_sqlite``) or PostgreSQL ``COPY`` (``load_postgres``).

``TableSink`` runs the load in a thread of its own: the generator hands it each table as
soon as it is built and goes on building the next while the previous one is written
and indexed (two cores). A failure on either side rolls the transaction back.

What the two loaders share (tables, chunks, deletes, id offsets) is in ``synth.bulk``.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from types import TracebackType
from typing import Protocol

import polars as pl
from sqlalchemy import Engine, text

from laosp.synth.bulk import PREFIX, Advance
from laosp.synth.load_postgres import PostgresLoader
from laosp.synth.load_sqlite import SqliteLoader


def sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise ValueError("the synthetic population needs a SQLite file, not :memory:")
    return database


def postgres_conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class Loader(Protocol):
    def begin(self, replace: bool) -> None: ...
    def load(self, table: str, frame: pl.DataFrame) -> None: ...
    def finish(self) -> None: ...
    def abort(self) -> None: ...


def loader_for(engine: Engine, advance: Advance) -> Loader:
    if engine.dialect.name == "sqlite":
        return SqliteLoader(sqlite_path(engine), advance)
    return PostgresLoader(postgres_conninfo(engine), advance)


_DONE = None


class TableSink:
    """``put(table, frame)`` in parent-first order (``TABLES``); the load runs in a
    worker thread. Leaving the ``with`` block waits for it and commits; an exception in
    the block, or in the worker, rolls back and is raised."""

    def __init__(self, engine: Engine, *, replace: bool, advance: Advance) -> None:
        engine.dispose()  # the load needs the database to itself
        self.loader = loader_for(engine, advance)
        self.replace = replace
        self.queue: queue.Queue[tuple[str, pl.DataFrame] | None] = queue.Queue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="synth-writer", daemon=True)

    def __enter__(self) -> TableSink:
        self.thread.start()
        return self

    def put(self, table: str, frame: pl.DataFrame) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((table, frame))

    def _work(self) -> None:
        done = False
        try:
            self.loader.begin(self.replace)
            while (item := self.queue.get()) is not _DONE:
                self.loader.load(*item)
            done = True
            if self.aborting:
                self.loader.abort()
            else:
                self.loader.finish()
        except BaseException as error:  # handed to the main thread
            self.error = error
            self.loader.abort()
            while not done:  # let the producer finish putting
                done = self.queue.get() is _DONE

    #: set by the main thread before it signals the end: roll back instead of committing
    aborting = False

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.aborting = kind is not None
        self.queue.put(_DONE)
        self.thread.join()
        if self.error is not None and kind is None:
            raise self.error


def write_tables(
    engine: Engine, frames: dict[str, pl.DataFrame], *, replace: bool, advance: Advance
) -> None:
    """Write ``frames`` (table name → frame with that table's columns, parents first) in
    one transaction, after deleting the existing synthetic population when ``replace``."""
    with TableSink(engine, replace=replace, advance=advance) as sink:
        for table, frame in frames.items():
            sink.put(table, frame)


def count_synthetic(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                text(f"SELECT count(*) FROM households WHERE household_id LIKE '{PREFIX}%'")
            ).scalar_one()
        )


def write_parquet(directory: Path, frames: dict[str, pl.DataFrame]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.write_parquet(directory / f"{name}.parquet")
