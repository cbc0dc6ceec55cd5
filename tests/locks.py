"""Making races meet: hold a lock the racing writers need, and see when they wait on it."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from laosp.db import make_engine

LOCK_WAITERS = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


def lock_waiters(engine: Engine) -> int:
    """How many sessions of this database wait on a lock now (PostgreSQL)."""
    with engine.connect() as watcher:
        return int(watcher.execute(LOCK_WAITERS).scalar_one())


def wait_for_lock_waiters(engine: Engine, count: int, timeout: float = 60.0) -> None:
    """Until ``count`` sessions of this database wait on a lock (PostgreSQL)."""
    deadline = time.monotonic() + timeout
    with engine.connect() as watcher:
        while watcher.execute(LOCK_WAITERS).scalar_one() < count:
            assert time.monotonic() < deadline, f"{count} sessions never waited on a lock"
            time.sleep(0.05)
            watcher.rollback()


@contextmanager
def household_writes_held(
    db_url: str, all_waiting: Callable[[Engine], bool], *, sqlite_seconds: float, timeout: float
) -> Iterator[None]:
    """Hold what writes of households need while the block starts the writers, then let
    them all go: on PostgreSQL the households table in SHARE mode until
    ``all_waiting(engine)`` (at most ``timeout`` s); on SQLite the database's write lock
    for ``sqlite_seconds`` (no way to see who waits there)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        writer = sqlite3.connect(str(url.database), isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        try:
            yield
            time.sleep(sqlite_seconds)
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        return
    engine = make_engine(db_url)
    holder = engine.connect()
    holder.execute(text("LOCK TABLE households IN SHARE MODE"))
    try:
        yield
        deadline = time.monotonic() + timeout
        while not all_waiting(engine):
            assert time.monotonic() < deadline, "the writers did not meet at the lock"
            time.sleep(0.2)
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()
