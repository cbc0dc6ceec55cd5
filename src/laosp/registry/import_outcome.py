"""An import's outcome on the terminal, for both import commands (registry, enrolment)."""

from __future__ import annotations

from pathlib import Path

import typer

from laosp.registry.import_report import ImportReport

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
