"""Options and helpers every CLI command shares."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from laosp.reference.dates import parse_reference_date

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine

    from laosp.config import Settings
    from laosp.registry.import_report import ImportReport

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


#: refused rows printed on the terminal; the rest are in the --report file
SHOWN_PROBLEMS = 50


def show_import_outcome(
    outcome: ImportReport, report: Path | None, *, all_or_nothing: bool
) -> None:
    """Write the report file if asked, print the summary and the first refused rows
    (row, field, value, reason); exit 1 when rows were refused under all-or-nothing."""
    if report is not None:
        outcome.write(report)
    typer.echo("\n".join(outcome.summary()))
    refused = outcome.problems.filter(outcome.problems["kind"] != "note")
    for row in refused.head(SHOWN_PROBLEMS).iter_rows(named=True):
        value = "" if row["value"] is None else f" (value: {row['value']!r})"
        typer.echo(f"  {row['table']} row {row['row']}: {row['field']}: {row['reason']}{value}")
    if refused.height > SHOWN_PROBLEMS:
        typer.echo(f"  ... {refused.height - SHOWN_PROBLEMS} more; see --report FILE")
    if outcome.refused:
        raise typer.Exit(1 if all_or_nothing else 0)
