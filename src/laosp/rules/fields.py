"""The registry fields rules may read, their types, codes and defaults — derived from
the data dictionary (``laosp.reference.dictionary``) — and the normalisation of input
frames to exactly those columns.

A required field (sex, birth_date, relationship, district_code) has no default: a frame
without its column, or with an empty cell in it, is refused with an ``InputError`` naming
the field and the first unit, never filled with a guess."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from laosp.reference import dictionary as dd
from laosp.reference.ages import ages_by_day, completed_months, completed_years
from laosp.registry.rowkeys import HOUSEHOLD_ROW
from laosp.rules.errors import InputError

PERSON: str = dd.PERSON
HOUSEHOLD: str = dd.HOUSEHOLD
_KINDS = {"str": "str", "code": "str", "int": "int", "money": "int", "bool": "bool"}


@dataclass(frozen=True)
class Field:
    """One input field. ``kind`` is one of bool, int, str, date; ``codes`` lists the legal
    values of a coded string; ``default`` fills missing columns and empty cells of an
    optional field; a ``required`` field has none (see the module's docstring)."""

    name: str
    kind: str
    default: object
    codes: tuple[str, ...] | None = None
    derived: bool = False
    required: bool = False
    label: str = ""


def _rules_field(f: dd.Field) -> Field:
    return Field(
        f.name,
        _KINDS.get(f.type, "date"),
        None if f.required else dd.rules_default(f),
        dd.rules_codes(f) or None,
        derived=f.derived,
        required=f.required,
        label=f.labels,
    )


def _catalogue(entity: dd.Entity) -> dict[str, Field]:
    return {f.name: _rules_field(f) for f in dd.fields(entity) if f.rules}


PERSON_FIELDS: dict[str, Field] = _catalogue(dd.PERSON)
HOUSEHOLD_FIELDS: dict[str, Field] = _catalogue(dd.HOUSEHOLD)

#: Fields a scenario file may set that rules do not read (kept for realism).
PERSON_EXTRA_FIELDS = tuple(f.name for f in dd.PERSON_FIELDS if not f.rules and not f.key)
HOUSEHOLD_EXTRA_FIELDS = tuple(f.name for f in dd.HOUSEHOLD_FIELDS if not f.rules and not f.key)

_DTYPES: dict[str, pl.DataType] = {
    "bool": pl.Boolean(),
    "int": pl.Int64(),
    "str": pl.String(),
    "date": pl.Date(),
}


def fields_of(entity: str) -> dict[str, Field]:
    return PERSON_FIELDS if entity == PERSON else HOUSEHOLD_FIELDS


def _column(schema: pl.Schema, field: Field, entity: str) -> pl.Expr:
    dtype = _DTYPES[field.kind]
    if field.name not in schema:
        if field.required:
            raise InputError(
                f"{entity} field {field.name!r} ({field.label}) is required: the {entity} "
                f"frame has no {field.name!r} column (a missing value is never guessed)"
            )
        return pl.lit(field.default, dtype=dtype).alias(field.name)
    column = pl.col(field.name)
    if field.kind == "date":
        return column.cast(pl.Date).alias(field.name)
    if field.codes is not None and schema[field.name] == pl.Enum(field.codes):
        # as the registry snapshot types it: tests on it compare small integers
        if field.required:
            return column.alias(field.name)
        return column.fill_null(pl.lit(field.default)).alias(field.name)
    if field.required:
        return column.cast(dtype).alias(field.name)
    if field.kind == "bool":
        column = column.cast(pl.Boolean)
    elif field.kind == "int":
        column = column.cast(pl.Int64)
    else:
        column = column.cast(pl.String)
    return column.fill_null(pl.lit(field.default, dtype=dtype)).alias(field.name)


def person_inputs(
    persons: pl.LazyFrame | pl.DataFrame, wanted: Iterable[str], at: dt.date
) -> pl.LazyFrame:
    """``person_id``, ``household_id`` and the ``wanted`` fields (derived ages included),
    typed, with the dictionary's defaults for missing columns and empty cells of optional
    fields; a required field's column must be there (``InputError``), its empty cells
    are refused by ``check_required`` once the frame is collected."""
    frame = persons.lazy()
    schema = frame.collect_schema()
    wanted = set(wanted)
    stored = [PERSON_FIELDS[n] for n in sorted(wanted) if not PERSON_FIELDS[n].derived]
    if wanted & {"age", "age_months"} and "birth_date" not in wanted:
        stored.append(PERSON_FIELDS["birth_date"])
    columns = [pl.col("person_id").cast(pl.String), pl.col("household_id").cast(pl.String)]
    if HOUSEHOLD_ROW in schema:  # the snapshot's row key, checked by the engine before use
        columns.append(pl.col(HOUSEHOLD_ROW))
    frame = frame.select(*columns, *(_column(schema, f, PERSON) for f in stored))
    extra = _ages(persons, at, wanted)
    return frame.with_columns(extra) if extra else frame


def _ages(persons: pl.LazyFrame | pl.DataFrame, at: dt.date, wanted: set[str]) -> list[Any]:
    """``age`` / ``age_months`` as wanted: gathered from the per-day table of
    ``reference.ages`` for a large frame in memory, else as expressions."""
    names = [name for name in ("age", "age_months") if name in wanted]
    if (
        isinstance(persons, pl.DataFrame)
        and persons.height >= 10_000
        and "birth_date" in persons.columns
    ):
        table = ages_by_day(persons["birth_date"], at)
        return [table[name].cast(pl.Int64) for name in names]
    exprs = {
        "age": completed_years("birth_date", at),
        "age_months": completed_months("birth_date", at),
    }
    return [exprs[name].cast(pl.Int64).alias(name) for name in names]


def household_inputs(
    households: pl.LazyFrame | pl.DataFrame, wanted: Iterable[str]
) -> pl.LazyFrame:
    """``household_id`` and the ``wanted`` household fields; ``province_code`` is derived
    from ``district_code``."""
    frame = households.lazy()
    schema = frame.collect_schema()
    wanted = set(wanted)
    stored = [HOUSEHOLD_FIELDS[n] for n in sorted(wanted) if not HOUSEHOLD_FIELDS[n].derived]
    if "province_code" in wanted and "district_code" not in wanted:
        stored.append(HOUSEHOLD_FIELDS["district_code"])
    frame = frame.select(
        pl.col("household_id").cast(pl.String), *(_column(schema, f, HOUSEHOLD) for f in stored)
    )
    if "province_code" in wanted:
        frame = frame.with_columns(pl.col("district_code").str.slice(0, 2).alias("province_code"))
    return frame


def check_required(frame: pl.DataFrame, entity: str) -> None:
    """Refuse ``frame`` (collected inputs of ``entity``) if a required field is empty
    anywhere: an ``InputError`` naming the field, how many units and the first one."""
    catalogue = fields_of(entity)
    key = "person_id" if entity == PERSON else "household_id"
    for name in frame.columns:
        field = catalogue.get(name)
        if field is None or not field.required or frame[name].null_count() == 0:
            continue
        empty = frame.filter(pl.col(name).is_null())
        raise InputError(
            f"{entity} field {name!r} ({field.label}) is required and is empty for "
            f"{empty.height} {entity}(s), the first {empty[key][0]!r} "
            "(a missing value is never guessed)"
        )


def household_defaults(wanted: Iterable[str]) -> pl.LazyFrame:
    """One household row of the ``wanted`` fields for a person whose household is not in
    the frame: the defaults of optional fields, null for required ones (not guessed)."""
    required = {
        name: pl.Series([None], dtype=_DTYPES[HOUSEHOLD_FIELDS[name].kind])
        for name in ("district_code", *wanted)
        if HOUSEHOLD_FIELDS[name].required and not HOUSEHOLD_FIELDS[name].derived
    }
    row = pl.DataFrame({"household_id": pl.Series([None], dtype=pl.String), **required})
    return household_inputs(row, wanted)
