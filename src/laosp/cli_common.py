"""Options and helpers every CLI command shares."""

from __future__ import annotations

import datetime as dt
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
        help="Database URL (default: $LAOSP_DATABASE_URL, else sqlite:///laosp.db).",
        show_default=False,
    ),
]


def settings_for(db: str | None) -> Settings:
    from laosp.config import load_settings

    return load_settings(database_url=db)


def engine_for(db: str | None) -> Engine:
    from laosp.db import make_engine

    settings = settings_for(db)
    return make_engine(settings.database_url, echo=settings.echo_sql)


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
    import os

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
