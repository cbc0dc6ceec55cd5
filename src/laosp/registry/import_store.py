"""The database side of an import: what is registered already, and bulk writes
(Core ``executemany`` in the caller's transaction, no ORM objects per row)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from laosp.models import Household, Person
from laosp.registry.import_columns import Field
from laosp.registry.names import name_key, name_latin, roman_fold

HOUSEHOLDS: Table = Household.__table__  # type: ignore[assignment]
PERSONS: Table = Person.__table__  # type: ignore[assignment]
CHUNK = 5_000
POLARS_TYPES: dict[str, Any] = {
    "id": pl.String,
    "name": pl.String,
    "short": pl.String,
    "code": pl.String,
    "country": pl.String,
    "phone": pl.String,
    "bool": pl.Boolean,
    "date": pl.Date,
    "int": pl.Int64,
}


def canonical_json(value: Any) -> str | None:
    """``extra`` as comparable text: keys sorted; an empty object is no extra."""
    if value is None or value == {}:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def schema_of(fields: Sequence[Field]) -> dict[str, Any]:
    return {field.name: POLARS_TYPES[field.kind] for field in fields} | {"extra": pl.String}


def _chunks(values: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def read_rows(
    session: Session,
    table: Table,
    fields: Sequence[Field],
    key: str,
    values: Iterable[str],
) -> pl.DataFrame:
    """Rows of ``table`` whose ``key`` is one of ``values``, as a frame of ``fields``
    plus ``extra`` (canonical JSON text)."""
    wanted = sorted({value for value in values if value is not None})
    names = [field.name for field in fields]
    columns = [table.c[name] for name in names] + [table.c.extra]
    rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(wanted):
        for row in session.execute(select(*columns).where(table.c[key].in_(chunk))):
            rows.append((*row[:-1], canonical_json(row[-1])))
    return pl.DataFrame(rows, schema=schema_of(fields), orient="row")


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    records = frame.to_dicts()
    for record in records:
        text = record.get("extra")
        record["extra"] = json.loads(text) if text else None
    return records


def with_name_keys(persons: pl.DataFrame) -> pl.DataFrame:
    """``name_key``, ``name_fold`` and ``name_latin`` computed once per distinct pair of
    names."""
    names = persons.select("given_name", "family_name").unique()
    pairs = names.rows()
    keys = names.with_columns(
        name_key=pl.Series([name_key(given, family) for given, family in pairs], dtype=pl.String),
        name_fold=pl.Series(
            [roman_fold(f"{given} {family}") for given, family in pairs], dtype=pl.String
        ),
        name_latin=pl.Series(
            [name_latin(given, family) for given, family in pairs], dtype=pl.String
        ),
    )
    return persons.join(keys, on=["given_name", "family_name"], how="left")


def insert_rows(session: Session, table: Table, frame: pl.DataFrame) -> None:
    if frame.height:
        session.execute(insert(table), _records(frame))


def update_rows(session: Session, table: Table, key: str, frame: pl.DataFrame) -> None:
    if not frame.height:
        return
    names = [name for name in frame.columns if name != key]
    statement = (
        update(table)
        .where(table.c[key] == bindparam("_key"))
        .values({name: bindparam(f"_new_{name}") for name in names})
    )
    records = [
        {"_key": record[key], **{f"_new_{name}": record[name] for name in names}}
        for record in _records(frame)
    ]
    session.execute(statement, records)
