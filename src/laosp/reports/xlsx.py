"""Workbooks of plain tables: one heading row, then values as numbers (not text), so
that the ministry's analysts can compute with them; Excel shows the separators of the
reader's locale. Text is a string cell, never a formula or a link (``INERT_WORKBOOK``).
A year is a plain integer (``year``: 2025, never 2,025); a share such as "% of GDP" is
a ratio shown with the percent format (``percent``, ``percent2``), in every workbook."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from laosp.presentation.cells import INERT_WORKBOOK

Kind = Literal["text", "int", "year", "percent", "percent2", "decimal", "billions"]
FORMATS: dict[Kind, str] = {
    "text": "General",
    "int": "#,##0",
    "year": "0",
    "percent": "0.0%",
    "percent2": "0.00%",
    "decimal": "#,##0.00",
    "billions": "#,##0.0",
}
Value = str | int | float | bool | None


@dataclass(frozen=True)
class Column:
    heading: str
    kind: Kind = "text"
    width: float = 14


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Value]]


def sheet_name(text: str) -> str:
    """A valid sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join("-" if char in "[]:*?/\\" else char for char in text)
    return cleaned[:31]


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True, **INERT_WORKBOOK}) as workbook:
        heading = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        formats = {
            kind: workbook.add_format({"num_format": code}) for kind, code in FORMATS.items()
        }
        for sheet in sheets:
            worksheet = workbook.add_worksheet(sheet_name(sheet.name))
            for index, column in enumerate(sheet.columns):
                worksheet.write_string(0, index, column.heading, heading)
                worksheet.set_column(index, index, column.width, formats[column.kind])
            for number, row in enumerate(sheet.rows, start=1):
                for index, value in enumerate(row):
                    if value is None:
                        continue
                    worksheet.write(number, index, value, formats[sheet.columns[index].kind])
            worksheet.freeze_panes(1, 0)
    return buffer.getvalue()
