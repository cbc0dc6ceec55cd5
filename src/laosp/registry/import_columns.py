"""Whole-column parsing of imported files: text cells to typed columns, and the reason
each bad cell is refused.

Every check is a Polars expression over a column; a problem is a row of the *problems*
frame ``(table, row, record_id, field, value, reason)``. The reasons are the words of
``laosp.registry.validation`` so that a file and a JSON input are told the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from laosp.registry.countries import ISO_ALPHA2
from laosp.registry.schemas import MAX_BIGINT

Kind = Literal["id", "name", "short", "code", "bool", "date", "int", "country", "phone"]

PROBLEM_SCHEMA: dict[str, Any] = {
    "table": pl.String,
    "row": pl.Int64,
    "record_id": pl.String,
    "field": pl.String,
    "value": pl.String,
    "reason": pl.String,
}
ROW = "_row"
ROW_BASE = 2  # the header is row 1 of the file

TRUE_WORDS = ("true", "1", "yes", "y", "ແມ່ນ")
FALSE_WORDS = ("false", "0", "no", "n", "ບໍ່", "ບໍ່ແມ່ນ")
BOOL_REASON = "must be true or false (or 1/0, yes/no, ແມ່ນ/ບໍ່)"
DATE_REASON = "must be a date (YYYY-MM-DD)"
_FULL_DATE = r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00:00(?:\.0+)?)?$"
_YEAR_MONTH = r"^\d{4}-\d{2}$"
_YEAR = r"^\d{4}$"
_WHOLE = r"^-?\d+(?:\.0+)?$"
PHONE_PATTERN = r"^\+?[0-9][0-9 \-]{5,30}$"  # as ``validation._PHONE``


@dataclass(frozen=True, slots=True)
class Field:
    """One column of a file: its kind, whether it is required, its default."""

    name: str
    kind: Kind
    required: bool = False
    default: Any = None
    codes: tuple[str, ...] = ()
    low: int = 0
    high: int = MAX_BIGINT
    earliest: dt.date | None = None
    label: str = ""  # ``Sex / ເພດ``, carried by the reason a code is refused


def cell(name: str) -> pl.Expr:
    """The text of a cell, trimmed; an empty cell is null ("not given")."""
    text = pl.col(name).str.strip_chars()
    return pl.when(text != "").then(text)


def first_reason(*checks: tuple[pl.Expr, str]) -> pl.Expr:
    """The reason of the first check whose condition is true, else null."""
    return pl.coalesce(*(pl.when(bad).then(pl.lit(reason)) for bad, reason in checks))


def _date_value(text: pl.Expr) -> pl.Expr:
    full = text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    month = (text + "-01").str.to_date("%Y-%m-%d", strict=False)
    year = (text + "-01-01").str.to_date("%Y-%m-%d", strict=False)
    return (
        pl.when(text.str.contains(_FULL_DATE))
        .then(full)
        .when(text.str.contains(_YEAR_MONTH))
        .then(month)
        .when(text.str.contains(_YEAR))
        .then(year)
    )


def implied_precision(name: str) -> pl.Expr:
    """``year`` for a cell like ``1985``, ``month`` for ``1985-06``, else null."""
    text = cell(name)
    return (
        pl.when(text.str.contains(_YEAR))
        .then(pl.lit("year"))
        .when(text.str.contains(_YEAR_MONTH))
        .then(pl.lit("month"))
    )


def _int_value(text: pl.Expr) -> pl.Expr:
    whole = text.str.replace(r"\.0+$", "")
    return pl.when(text.str.contains(_WHOLE)).then(whole.cast(pl.Int64, strict=False))


def parse_field(field: Field, today: dt.date) -> tuple[pl.Expr, pl.Expr]:
    """``(typed value, reason)`` expressions for ``field``; the reason is null when the
    cell is acceptable. An empty cell takes the default."""
    text = cell(field.name)
    given = text.is_not_null()
    checks: list[tuple[pl.Expr, str]] = []
    if field.required:
        checks.append((~given, "required"))
    value: pl.Expr
    if field.kind in ("id", "name", "short"):
        limit = {"id": 64, "name": 120, "short": 32}[field.kind]
        value = text
        checks.append((text.str.len_chars() > limit, f"must be at most {limit} characters"))
        if field.kind == "id":
            checks.append((text.str.contains(r"\s"), "must not contain spaces"))
    elif field.kind == "code":
        value = text
        reason = f"must be one of {', '.join(field.codes)}"
        if field.label:
            reason += f" ({field.label})"  # as ``dictionary.codes_reason``
        checks.append((given & ~text.is_in(field.codes), reason))
    elif field.kind == "bool":
        lower = text.str.to_lowercase()
        value = (
            pl.when(lower.is_in(TRUE_WORDS))
            .then(pl.lit(True))
            .when(lower.is_in(FALSE_WORDS))
            .then(pl.lit(False))
        )
        checks.append((given & value.is_null(), BOOL_REASON))
    elif field.kind == "date":
        value = _date_value(text)
        checks.append((given & value.is_null(), DATE_REASON))
        checks.append((value > pl.lit(today), "is in the future"))
        if field.earliest is not None:
            checks.append((value < pl.lit(field.earliest), f"is before {field.earliest}"))
    elif field.kind == "int":
        value = _int_value(text)
        whole = text.str.contains(_WHOLE)
        below = "must not be negative" if field.low == 0 else f"must be at least {field.low}"
        above = f"must be at most {field.high}"
        checks += [
            (given & ~whole, "must be a whole number"),
            (whole & text.str.starts_with("-") & value.is_null(), below),
            (value < field.low, below),
            (whole & value.is_null(), above),  # beyond 64 bits
            (value > field.high, above),
        ]
    elif field.kind == "country":
        value = text.str.to_uppercase()
        reason = "must be an ISO 3166 alpha-2 country code such as LA or TH"
        checks.append((given & ~value.is_in(sorted(ISO_ALPHA2)), reason))
    else:  # phone
        value = text
        checks.append(
            (
                given & ~text.str.contains(PHONE_PATTERN),
                "must be digits, optionally with a leading + and spaces or dashes",
            )
        )
    if field.default is not None:
        value = value.fill_null(pl.lit(field.default))
    return value, first_reason(*checks)


def problems_of(
    frame: pl.DataFrame,
    table: str,
    id_column: str,
    reasons: Mapping[str, pl.Expr],
    values: Mapping[str, pl.Expr] | None = None,
) -> pl.DataFrame:
    """The problems frame of ``frame``: one row per (row, field) whose reason is not
    null. ``values`` gives the value to report for a field (default: its cell)."""
    if not reasons:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    values = values or {}
    entries = [
        pl.when(reason.is_not_null()).then(
            pl.struct(
                field=pl.lit(name),
                value=values.get(
                    name, pl.col(name) if name in frame.columns else pl.lit(None)
                ).cast(pl.String),
                reason=reason,
            )
        )
        for name, reason in reasons.items()
    ]
    found = (
        frame.select(
            pl.col(ROW).cast(pl.Int64).alias("row"),
            (pl.col(id_column) if id_column in frame.columns else pl.lit(None))
            .cast(pl.String)
            .alias("record_id"),
            pl.concat_list(entries).list.drop_nulls().alias("_problems"),
        )
        .explode("_problems")
        .drop_nulls("_problems")
        .unnest("_problems")
    )
    return found.with_columns(pl.lit(table).alias("table")).select(list(PROBLEM_SCHEMA))


def parse_table(
    raw: pl.DataFrame, table: str, id_column: str, fields: Sequence[Field], today: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed columns (``ROW`` plus every field) and the problems of the cells."""
    missing = [f.name for f in fields if f.name not in raw.columns]
    frame = raw.with_columns(pl.lit(None, dtype=pl.String).alias(name) for name in missing)
    parsed = {field.name: parse_field(field, today) for field in fields}
    problems = problems_of(
        frame, table, id_column, {name: reason for name, (_, reason) in parsed.items()}
    )
    typed = frame.select(ROW, *(value.alias(name) for name, (value, _) in parsed.items()))
    return typed, problems
