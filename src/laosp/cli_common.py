"""Options and helpers every CLI command shares."""

from __future__ import annotations

import datetime as dt
import os
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from laosp.reference.dates import parse_reference_date

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from laosp.access.roles import Principal
    from laosp.config import Settings

#: The environment variable a scheduled job sets to a service token (``laosp users
#: token``); it takes precedence over the file ``laosp login`` writes.
TOKEN_VARIABLE = "LAOSP_TOKEN"

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database: a SQLAlchemy URL (sqlite:///laosp.db, "
        "postgresql+psycopg://USER@HOST:5432/DATABASE) or a plain file path, which is a "
        "SQLite file (default: $LAOSP_DATABASE_URL, else sqlite:///laosp.db).",
        show_default=False,
    ),
]


def settings_for(db: str | None) -> Settings:
    from laosp.config import load_settings

    return load_settings(database_url=db)


@dataclass(frozen=True)
class NewDatabase:
    """A SQLite file a command is about to create, the engine that opens it, and the
    outermost folder created for it (None when its folder existed)."""

    file: Path
    engine: Engine
    folder: Path | None


#: The SQLite files the running command created (``engine_for``); set by the edge
#: (``laosp.cli``), which removes them when the command fails.
NEW_DATABASES: ContextVar[list[NewDatabase] | None] = ContextVar("new_databases", default=None)


def engine_for(db: str | None) -> Engine:
    """The engine of the database ``--db`` names (else the settings'). Exits 1 with one
    line when the text is no database URL or a PostgreSQL server cannot be reached
    (naming host:port, never the password). A SQLite file that does not exist yet is
    noted in ``NEW_DATABASES``: a failed command leaves no empty database behind."""
    from laosp.db import DatabaseUrlError, make_engine, sqlite_file

    settings = settings_for(db)
    try:
        file = sqlite_file(settings.database_url)
        if file is None or file.exists():
            return _reachable(make_engine(settings.database_url, echo=settings.echo_sql))
        absent = [folder for folder in file.absolute().parents if not folder.exists()]
        engine = make_engine(settings.database_url, echo=settings.echo_sql)
    except DatabaseUrlError as error:
        raise fail(f"error / ຂໍ້ຜິດພາດ: --db: {error} / ທີ່ຢູ່ຖານຂໍ້ມູນບໍ່ຖືກຕ້ອງ") from None
    noted = NEW_DATABASES.get()
    if noted is not None:
        noted.append(NewDatabase(file, engine, absent[-1] if absent else None))
    return engine


def _reachable(engine: Engine) -> Engine:
    """``engine`` once a connection to its server opened (SQLite: at once)."""
    from sqlalchemy.exc import SQLAlchemyError

    if engine.dialect.name == "sqlite":
        return engine
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as error:
        engine.dispose()
        raise fail(unreachable(engine, error)) from None
    return engine


def unreachable(engine: Engine, error: BaseException) -> str:
    """One line: the server ``engine`` could not connect to, and why (no password)."""
    from laosp.db import shown_url

    url = engine.url
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    reason = str(getattr(error, "orig", None) or error).splitlines()[0]
    reason = reason.removeprefix("connection failed: ")
    reason = reason.split(" failed: ", 1)[-1].replace("FATAL:  ", "").strip()
    return (
        f"error / ຂໍ້ຜິດພາດ: cannot connect to PostgreSQL at {where} (database "
        f"{url.database!r}, user {url.username!r}): {shown_url(reason)} / "
        "ເຊື່ອມຕໍ່ຖານຂໍ້ມູນບໍ່ໄດ້"
    )


def remove_new_databases(noted: list[NewDatabase]) -> None:
    """Remove the SQLite files of ``noted`` (with their journals) and the folders made
    for them, once their engines are closed: what a failed command created."""
    for new in noted:
        new.engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{new.file}{suffix}").unlink(missing_ok=True)
        if new.folder is not None:
            folder = new.file.absolute().parent
            while folder.is_relative_to(new.folder):
                try:
                    folder.rmdir()
                except OSError:
                    break
                folder = folder.parent


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` on standard error and return the exit to raise."""
    typer.echo(message, err=True)
    return typer.Exit(code)


def reference_date(text: str | None, option: str = "--date") -> dt.date:
    """The reference date an option gives (today when left out); a usage error (exit 2)
    naming the option, the value and the accepted range otherwise."""
    if text is None:
        return dt.date.today()
    try:
        return parse_reference_date(text)
    except ValueError as error:
        raise fail(f"{option}: {text!r} {error}", 2) from None


def session_token(settings: Settings) -> str | None:
    """The CLI's session token: ``$LAOSP_TOKEN``, else the file of ``laosp login``."""
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if token:
        return token
    try:
        return settings.session_file.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def signed_in(settings: Settings, session: Session) -> Principal:
    """The user the CLI acts as (their live session); exit 1 with a clear message when
    nobody is signed in, the session ended, or the password must be changed first."""
    from laosp.access import sessions

    token = session_token(settings)
    found = sessions.principal_of(session, token) if token is not None else None
    if found is None:
        raise fail(
            "sign in first: `laosp login` (or set LAOSP_TOKEN to a service token) / "
            "ກະລຸນາເຂົ້າລະບົບກ່ອນ: laosp login"
        )
    principal, must_change = found
    if must_change:
        raise fail("change your password first: `laosp password` / ກະລຸນາປ່ຽນລະຫັດຜ່ານກ່ອນ")
    return principal
