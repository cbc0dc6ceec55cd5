"""The columns of an enrolment list (CSV or XLSX), their Lao and English header aliases,
reading a file into typed columns, and the Lao words of every reason.

Cells are parsed by the registry importer's column checks (``laosp.registry.import_columns``)
so that a date or a code is refused with the same words in both imports.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from laosp.enrolment.transitions import ENROLMENT
from laosp.registry.import_columns import PROBLEM_SCHEMA, ROW, Field, cell, parse_field
from laosp.registry.import_file import control_character_problems, read_table, require_columns
from laosp.registry.import_limits import ImportLimits, UnreadableFile

TABLE = "enrolments"
COLUMNS = (
    Field("person_id", "id"),
    Field("national_id", "short"),
    Field("household_id", "id"),
    Field("scheme", "short", required=True),
    Field("status", "code", required=True, codes=ENROLMENT.statuses),
    Field("start_date", "date", required=True),
    Field("end_date", "date"),
    Field("member_number", "name"),
)
#: Header (lower case, spaces and dashes as ``_``) → column. The canonical names are
#: accepted as they are; these are the other spellings agencies use.
ALIASES: dict[str, str] = {
    # English
    "person": "person_id",
    "personid": "person_id",
    "registry_id": "person_id",
    "nid": "national_id",
    "national_id_number": "national_id",
    "id_card": "national_id",
    "household": "household_id",
    "programme": "scheme",
    "program": "scheme",
    "scheme_code": "scheme",
    "enrolment_status": "status",
    "start": "start_date",
    "enrolled_on": "start_date",
    "end": "end_date",
    "exited_on": "end_date",
    "member_no": "member_number",
    "membership_number": "member_number",
    "reference": "member_number",
    "agency_reference": "member_number",
    # Lao
    "ລະຫັດບຸກຄົນ": "person_id",
    "ເລກບັດປະຈຳຕົວ": "national_id",
    "ເລກປະຈຳຕົວ": "national_id",
    "ລະຫັດຄົວເຮືອນ": "household_id",
    "ໂຄງການ": "scheme",
    "ລະຫັດໂຄງການ": "scheme",
    "ສະຖານະ": "status",
    "ວັນທີເລີ່ມ": "start_date",
    "ວັນເລີ່ມ": "start_date",
    "ວັນທີສິ້ນສຸດ": "end_date",
    "ວັນສິ້ນສຸດ": "end_date",
    "ເລກສະມາຊິກ": "member_number",
    "ເລກທີສະມາຊິກ": "member_number",
}
_NAMES = {field.name for field in COLUMNS}


def _header_key(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def canonical_headers(columns: list[str]) -> tuple[dict[str, str], list[str]]:
    """``(renames, ignored)``: the file's headers mapped to column names, and the headers
    that are no column of an enrolment list. Two headers naming the same column make
    the file unreadable."""
    renames: dict[str, str] = {}
    ignored: list[str] = []
    for header in columns:
        if header == ROW:
            continue
        key = _header_key(header)
        name = key if key in _NAMES else ALIASES.get(key, ALIASES.get(header.strip()))
        if name is None:
            ignored.append(header)
            continue
        clash = next((h for h, n in renames.items() if n == name), None)
        if clash is not None:
            raise UnreadableFile(
                f"columns {clash!r} and {header!r} both give {name} "
                f"(ຖັນ {clash!r} ແລະ {header!r} ຊ້ຳກັນ)"
            )
        renames[header] = name
    return renames, ignored


def read_enrolments(
    path: Path, today: dt.date, limits: ImportLimits
) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """``(typed, problems, ignored headers)`` of the list in ``path``. An XLSX workbook
    is read from the sheet ``enrolments``, else its first sheet. Scheme and status codes
    are read case-insensitively. The cells are parsed as the registry's ``parse_table``
    does (``parse_field``), with the reasons in Lao too; a cell with a control character
    refuses its row."""
    raw = read_table(path, TABLE, limits)
    renames, ignored = canonical_headers(raw.columns)
    raw = raw.select(ROW, *(pl.col(h).alias(n) for h, n in renames.items()))
    require_columns(path, raw.columns, [field.name for field in COLUMNS if field.required])
    raw = raw.with_columns(
        cell(name).str.to_lowercase().alias(name)
        for name in ("scheme", "status")
        if name in raw.columns
    )
    missing = [f.name for f in COLUMNS if f.name not in raw.columns]
    raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(name) for name in missing)
    controls = control_character_problems(raw, TABLE, "person_id")
    parsed = {field.name: parse_field(field, today) for field in COLUMNS}
    typed = raw.select(ROW, *(value.alias(name) for name, (value, _) in parsed.items()))
    found = problems(raw, "person_id", {name: reason for name, (_, reason) in parsed.items()})
    found = pl.concat([controls, found.with_columns(reason=with_lao(pl.col("reason")))])
    return typed, found.sort("row", maintain_order=True), ignored


def problems(
    frame: pl.DataFrame,
    id_column: str,
    reasons: dict[str, pl.Expr],
    values: dict[str, pl.Expr] | None = None,
) -> pl.DataFrame:
    """The problems of ``frame`` (one row per row and field whose reason is not null),
    as ``import_columns.problems_of`` gives them: row by row, in the order of
    ``reasons``. Each reason is computed once, then one filter per field keeps the
    problems (several times faster on 100,000 rows than a list of structs per row)."""
    if not reasons:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    values = values or {}
    names = list(reasons)
    computed = frame.select(
        pl.col(ROW).cast(pl.Int64).alias("row"),
        pl.col(id_column).cast(pl.String).alias("record_id"),
        *(reasons[name].cast(pl.String).alias(f"_reason{i}") for i, name in enumerate(names)),
        *(
            values.get(name, pl.col(name) if name in frame.columns else pl.lit(None))
            .cast(pl.String)
            .alias(f"_value{i}")
            for i, name in enumerate(names)
        ),
    )
    parts = [
        computed.filter(pl.col(f"_reason{i}").is_not_null()).select(
            "row",
            "record_id",
            pl.lit(name).alias("field"),
            pl.col(f"_value{i}").alias("value"),
            pl.col(f"_reason{i}").alias("reason"),
        )
        for i, name in enumerate(names)
    ]
    found = pl.concat(parts).sort("row", maintain_order=True)
    return found.select(pl.lit(TABLE).alias("table"), pl.all()).select(list(PROBLEM_SCHEMA))


#: The Lao of each reason (by its English start), appended as ``reason (ລາວ)``.
LAO_REASONS: tuple[tuple[str, str], ...] = (
    ("required", "ຕ້ອງໃສ່"),
    ("must be a date", "ຕ້ອງເປັນວັນທີ ປີ-ເດືອນ-ວັນ"),
    ("is in the future", "ເປັນວັນທີໃນອະນາຄົດ"),
    ("must be at most", "ຍາວເກີນໄປ"),
    ("must not contain spaces", "ຫ້າມມີຍະຫວ່າງ"),
    ("must be one of", "ບໍ່ແມ່ນລະຫັດທີ່ຖືກຕ້ອງ"),
    ("must not be before start_date", "ວັນທີສິ້ນສຸດກ່ອນວັນທີເລີ່ມ"),
)


def with_lao(reason: pl.Expr) -> pl.Expr:
    """``reason`` followed by its Lao in brackets, for the reasons of the cell checks."""
    translated = pl.coalesce(
        *(pl.when(reason.str.starts_with(en)).then(pl.lit(lo)) for en, lo in LAO_REASONS)
    )
    return (
        pl.when(translated.is_not_null())
        .then(pl.format("{} ({})", reason, translated))
        .otherwise(reason)
    )
