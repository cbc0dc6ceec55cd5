"""Database engine and unit of work.

The unit of work lives at the edge (a CLI command, a request, a job): it opens one
session, the services use it without committing, and the edge commits once.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

#: A writer waits this long for another process's write to end before "database is
#: locked" (Python's default is 5 s; an import or a payment run can hold the lock longer).
SQLITE_BUSY_TIMEOUT_MS = 30_000


#: What to write instead of a text that is no database URL.
URL_HINT = (
    "write a SQLite file (laosp.db, sqlite:///laosp.db) or "
    "postgresql+psycopg://USER@HOST:5432/DATABASE"
)
#: A scheme before a colon (``sqlite:``, ``postgres:``): a URL mistyped, not a file path.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+:")


class DatabaseUrlError(ValueError):
    """A text that names no database laosp can open (the message never shows a password)."""


def shown_url(url: str) -> str:
    """``url`` with the password of ``USER:PASSWORD@`` replaced by ``***``."""
    return re.sub(r"((?:^|://)[^:/@]*:)[^@/]*@", r"\1***@", url)


def normalise_url(url: str) -> str:
    """Accept what users type: a plain file path is a SQLite file (``laosp.db`` →
    ``sqlite:///laosp.db``), ``postgres://`` and ``postgresql://`` pick the psycopg 3
    driver. A text that is neither a URL nor a plain path (``sqlite:/x.db``,
    ``user@host/db``) raises ``DatabaseUrlError``."""
    if "://" not in url:
        if not url.strip() or _SCHEME.match(url) or "@" in url:
            raise DatabaseUrlError(f"{shown_url(url)!r} is not a database URL; {URL_HINT}")
        return f"sqlite:///{url}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def parse_url(url: str) -> URL:
    """The URL ``url`` names (``normalise_url``); ``DatabaseUrlError`` when it is none
    SQLAlchemy can open."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
        parsed.get_dialect().import_dbapi()
    except (ArgumentError, NoSuchModuleError, ValueError, ImportError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DatabaseUrlError(
            f"{shown_url(url)!r} is not a database URL ({shown_url(reason)}); {URL_HINT}"
        ) from None
    return parsed


def is_sqlite(url: str) -> bool:
    return parse_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database or SQLite in memory."""
    parsed = parse_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):  # a URI filename (?uri=true)
        return None
    return Path(database)


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
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        file = sqlite_file(url)
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, echo=echo)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back when it raises."""
    with session_factory(engine)() as session, session.begin():
        yield session
