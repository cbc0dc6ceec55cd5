"""A columnar snapshot of the registry: whole tables read into Polars frames at once.

Reads go through ADBC (SQLite and PostgreSQL drivers; PostgreSQL's uses binary COPY),
never row by row through the ORM. Column types follow the SQLAlchemy models, so booleans
come back as Boolean and dates as Date on both backends. Sensitive and free-text person
columns (names, national id, phone) are left out unless asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Engine, Integer, Table

import laosp.models  # noqa: F401 - registers every table on the metadata
from laosp.models.base import metadata

EXCLUDED = {
    "persons": {
        "given_name",
        "family_name",
        "name_key",
        "name_fold",
        "national_id",
        "phone",
        "extra",
        "updated_at",
    },
    "households": {"extra", "updated_at"},
}
TABLES = ("persons", "households", "enrolments", "contributions", "benefit_payments")


@dataclass
class Snapshot:
    persons: pl.DataFrame
    households: pl.DataFrame
    enrolments: pl.DataFrame | None = None
    contributions: pl.DataFrame | None = None
    benefit_payments: pl.DataFrame | None = None


def _dtype(column: Any) -> pl.DataType:
    kind = column.type
    if isinstance(kind, Boolean):
        return pl.Boolean()
    if isinstance(kind, DateTime):
        return pl.Datetime("us")
    if isinstance(kind, Date):
        return pl.Date()
    if isinstance(kind, BigInteger | Integer):
        return pl.Int64()
    return pl.String()


def _columns(table: Table, include: set[str]) -> list[Any]:
    return [
        c
        for c in table.columns
        if not isinstance(c.type, JSON)
        and (c.name not in EXCLUDED.get(table.name, set()) or c.name in include)
    ]


def _quote(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _query(table: Table, columns: list[Any], sqlite: bool, where: str) -> str:
    parts = []
    for c in columns:
        name = f'"{c.name}"'
        # ADBC SQLite infers a column's type from its first rows: keep nullable text and
        # dates textual ('' for NULL) so an all-NULL first batch cannot fix a wrong type
        if (sqlite and c.nullable and isinstance(c.type, Date | DateTime)) or (
            sqlite and c.nullable and _dtype(c) == pl.String()
        ):
            parts.append(f"COALESCE(CAST({name} AS TEXT), '') AS {name}")
        elif sqlite and isinstance(c.type, Boolean | BigInteger | Integer):
            parts.append(f"CAST({name} AS INTEGER) AS {name}")
        else:
            parts.append(name)
    return f'SELECT {", ".join(parts)} FROM "{table.name}"{where}'


def _fix(frame: pl.DataFrame, columns: list[Any]) -> pl.DataFrame:
    exprs = []
    for c in columns:
        col = pl.col(c.name)
        dtype = _dtype(c)
        source = frame.schema[c.name]
        if source == pl.String() and dtype != pl.String():
            col = pl.when(col != "").then(col)
            if dtype == pl.Date():
                col = col.str.slice(0, 10).str.to_date("%Y-%m-%d")
            elif isinstance(dtype, pl.Datetime):
                col = col.str.to_datetime(time_unit="us", strict=False)
            else:
                col = col.cast(dtype)
        elif source == pl.String() and c.nullable:
            col = pl.when(col != "").then(col)
        exprs.append(col.cast(dtype).alias(c.name))
    return frame.select(exprs)


def _read(engine: Engine, sql: str) -> pl.DataFrame:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        import adbc_driver_sqlite.dbapi as sqlite_dbapi

        connection = sqlite_dbapi.connect(url.database or ":memory:")
    else:
        import adbc_driver_postgresql.dbapi as pg_dbapi  # type: ignore[import-untyped]

        uri = url.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = pg_dbapi.connect(uri)
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        frame = pl.DataFrame(cursor.fetch_arrow())
        cursor.close()
    finally:
        connection.close()
    return frame


def load_snapshot(
    engine: Engine,
    tables: Sequence[str] = ("persons", "households"),
    *,
    household_ids: Sequence[str] | None = None,
    person_ids: Sequence[str] | None = None,
    include: Sequence[str] = (),
) -> Snapshot:
    """Read ``tables`` into frames. ``household_ids``/``person_ids`` restrict persons and
    households to those households (for one explanation); ``include`` adds excluded
    person columns by name."""
    sqlite = engine.url.get_backend_name() == "sqlite"
    where = ""
    if person_ids is not None:
        where = (
            " WHERE household_id IN (SELECT household_id FROM persons WHERE person_id IN "
            f"({_quote(person_ids)}))"
        )
    elif household_ids is not None:
        where = f" WHERE household_id IN ({_quote(household_ids)})"
    frames: dict[str, pl.DataFrame] = {}
    for name in ("persons", "households", *tables):
        if name in frames:
            continue
        if name not in TABLES:
            raise ValueError(f"unknown table {name!r}; one of {TABLES}")
        table = metadata.tables[name]
        columns = _columns(table, set(include))
        clause = where if name in ("persons", "households") else ""
        raw = _read(engine, _query(table, columns, sqlite, clause))
        frames[name] = _fix(raw, columns)
    frames["households"] = frames["households"].with_columns(
        pl.col("district_code").str.slice(0, 2).alias("province_code")
    )
    return Snapshot(
        **{k: v for k, v in frames.items() if k in tables or k in ("persons", "households")}
    )
