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
from laosp.registry.import_columns import ROW, Field, cell, parse_table
from laosp.registry.import_fields import UnreadableFile, read_table

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


def read_enrolments(path: Path, today: dt.date) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """``(typed, problems, ignored headers)`` of the list in ``path``. An XLSX workbook
    is read from the sheet ``enrolments``, else its first sheet. Scheme and status codes
    are read case-insensitively."""
    raw = read_table(path, TABLE)
    renames, ignored = canonical_headers(raw.columns)
    raw = raw.select(ROW, *(pl.col(h).alias(n) for h, n in renames.items()))
    raw = raw.with_columns(
        cell(name).str.to_lowercase().alias(name)
        for name in ("scheme", "status")
        if name in raw.columns
    )
    typed, problems = parse_table(raw, TABLE, "person_id", COLUMNS, today)
    return typed, problems, ignored


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
