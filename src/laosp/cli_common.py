"""Options and helpers every CLI command shares."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import Engine

from laosp.config import Settings, load_settings
from laosp.db import make_engine

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: $LAOSP_DATABASE_URL, else sqlite:///laosp.db).",
        show_default=False,
    ),
]


def settings_for(db: str | None) -> Settings:
    return load_settings(database_url=db)


def engine_for(db: str | None) -> Engine:
    settings = settings_for(db)
    return make_engine(settings.database_url, echo=settings.echo_sql)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` on standard error and return the exit to raise."""
    typer.echo(message, err=True)
    return typer.Exit(code)
