"""Households and persons as the import files carry them (``registry.md``, "Files"):
the same column names, dates ``YYYY-MM-DD``, booleans ``true``/``false``, text that
would start a spreadsheet formula after an apostrophe (which the import drops)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from laosp.presentation.cells import inert_text
from laosp.registry.import_columns import Field
from laosp.registry.import_fields import HOUSEHOLD_COLUMNS, PERSON_COLUMNS
from laosp.registry.import_store import HOUSEHOLDS, PERSONS, canonical_json, schema_of


def _frame(session: Session, table: Table, fields: tuple[Field, ...]) -> pl.DataFrame:
    columns = [table.c[field.name] for field in fields]
    query = select(*columns, table.c.extra).order_by(columns[0])
    rows = [(*row[:-1], canonical_json(row[-1])) for row in session.execute(query)]
    return pl.DataFrame(rows, schema=schema_of(fields), orient="row")


def export_tables(session: Session) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(households, persons)`` typed frames, ordered by id; ``extra`` as JSON text."""
    return _frame(session, HOUSEHOLDS, HOUSEHOLD_COLUMNS), _frame(session, PERSONS, PERSON_COLUMNS)


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as file text: dates ISO, booleans ``true``/``false``."""
    return frame.with_columns(
        pl.when(pl.col(pl.Boolean)).then(pl.lit("true")).otherwise(pl.lit("false")).name.keep(),
    ).with_columns(pl.all().cast(pl.String))


def write_files(session: Session, households: Path, persons: Path) -> None:
    """Export to two CSV files that ``laosp registry import`` reads back unchanged."""
    hh, pp = export_tables(session)
    as_text(inert_text(hh)).write_csv(households)
    as_text(inert_text(pp)).write_csv(persons)
