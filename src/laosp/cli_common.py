"""Options and helpers every CLI command shares."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from laosp.reference.dates import parse_reference_date

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from laosp.config import Settings

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
