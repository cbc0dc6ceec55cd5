"""Options and helpers every CLI command shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

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
