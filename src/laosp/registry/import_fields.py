"""The columns of the import files (``shared/spec/registry.md``, "Files"), one for each
stored field of the data dictionary (``laosp.reference.dictionary``), in its order;
reading a file is ``import_file.read_table``."""

from __future__ import annotations

import polars as pl

from laosp.reference import dictionary as dd
from laosp.registry.import_columns import ROW, Field, Kind
from laosp.registry.schemas import MAX_BIGINT

#: The import kind of each dictionary text shape (district and village codes are
#: checked against the reference by ``import_rules``).
_TEXT_KINDS: dict[dd.Text, Kind] = {
    "id": "id",
    "name": "name",
    "short": "short",
    "district": "short",
    "village": "short",
    "country": "country",
    "phone": "phone",
}
#: Fields whose empty cell the importer fills itself: ``birth_date_precision`` as the
#: date cell implies (``1985`` → year), else the dictionary's default
#: (``import_rules.with_precision``).
INFERRED = frozenset({"birth_date_precision"})


def column(f: dd.Field) -> Field:
    """The import column of dictionary field ``f``."""
    if f.type == "code":
        kind: Kind = "code"
    elif f.type in ("int", "money"):
        kind = "int"
    elif f.type == "str":
        kind = _TEXT_KINDS[f.text or "short"]
    else:
        kind = "bool" if f.type == "bool" else "date"
    return Field(
        f.name,
        kind,
        required=f.required,
        default=None if f.name in INFERRED else f.default,
        codes=f.codes,
        low=f.low if f.low is not None else 0,
        high=f.high if f.high is not None else MAX_BIGINT,
        earliest=f.earliest,
        label=f.labels,
    )


HOUSEHOLD_COLUMNS = tuple(column(f) for f in dd.HOUSEHOLD_FIELDS if f.stored)
PERSON_COLUMNS = tuple(column(f) for f in dd.PERSON_FIELDS if f.stored)
#: a column of JSON objects merged into ``extra`` with the columns the registry lacks
EXTRA = "extra"


def extra_columns(frame: pl.DataFrame, fields: tuple[Field, ...]) -> list[str]:
    """The columns of ``frame`` the registry has no field for (kept under ``extra``)."""
    known = {field.name for field in fields} | {EXTRA, ROW}
    return [name for name in frame.columns if name not in known]
