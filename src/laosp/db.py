"""Database engine and unit of work.

The unit of work lives at the edge (a CLI command, a request, a job): it opens one
session, the services use it without committing, and the edge commits once.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

#: A writer waits this long for another process's write to end before "database is
#: locked" (Python's default is 5 s; an import or a payment run can hold the lock longer).
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str) -> str:
    """Accept the URLs users type (``postgresql://``) and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


#: Modules that carry a SQLite library of their own. Loaded beside Python's in one
#: process they break WAL (committed writes lost; ``laosp.arrow_sqlite`` tells how), so
#: they run only in the worker process of ``laosp.arrow_sqlite``.
OTHER_SQLITE_LIBRARIES = frozenset({"adbc_driver_sqlite", "connectorx", "apsw", "pysqlite3"})


class SecondSqliteLibraryError(RuntimeError):
    """A module with its own SQLite library is loaded in a process that uses Python's."""


def check_one_sqlite_library() -> None:
    """Refuse to open a SQLite file while another SQLite library is loaded here."""
    loaded = OTHER_SQLITE_LIBRARIES & sys.modules.keys()
    if loaded:
        raise SecondSqliteLibraryError(
            f"{', '.join(sorted(loaded))} carries its own SQLite library; with Python's in "
            "the same process committed writes can be lost (use laosp.arrow_sqlite)"
        )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    check_one_sqlite_library()
    cursor = dbapi_connection.cursor()
    # first: the pragmas below wait for a lock instead of failing at once
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    _into_wal(cursor)
    # FULL: a commit is on disk before it is acknowledged, also through a power cut
    # (NORMAL keeps it through a crash of the process only)
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _into_wal(cursor: Any) -> None:
    """Put the file in WAL mode. A file left in a rollback journal (a bulk load runs in
    one, ``laosp.synth.load_sqlite``) needs the write lock for the switch, and SQLite
    answers "database is locked" at once rather than calling the busy handler: a
    killed load's worker may hold the lock for a moment more, so wait for it here."""
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL").fetchall()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite connections enforce foreign keys and use WAL."""
    url = normalise_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back when it raises."""
    with session_factory(engine)() as session, session.begin():
        yield session
