"""Hand-made XLSX workbooks for the import tests: written with ``zipfile`` part by part,
so that a test can build a workbook no spreadsheet program would (a decompression bomb,
a sheet naming a far cell, sizes that lie) while staying light in memory and time."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_ENTRY = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
    '.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def _workbook(sheet: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats'
        f'.org/officeDocument/2006/relationships"><sheets><sheet name="{sheet}" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'
    )


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def row_xml(number: int, cells: Sequence[str]) -> str:
    """One ``<row>`` of inline strings, with cell references."""
    return (
        f'<row r="{number}">'
        + "".join(
            f'<c r="{column_letters(i)}{number}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'
            for i, text in enumerate(cells, start=1)
        )
        + "</row>"
    )


def write_workbook(
    path: Path, sheet: str, sheet_xml: Iterable[str], shared_strings: Sequence[str] = ()
) -> Path:
    """An XLSX at ``path`` whose one sheet, named ``sheet``, is ``sheet_xml`` (the pieces of
    the ``<sheetData>`` element's content), compressed as it is written; cells of type
    ``s`` refer to ``shared_strings`` by index."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _workbook(sheet))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        if shared_strings:
            items = "".join(f"<si><t>{escape(text)}</t></si>" for text in shared_strings)
            archive.writestr(
                "xl/sharedStrings.xml",
                '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                f'openxmlformats.org/spreadsheetml/2006/main">{items}</sst>',
            )
        with archive.open(SHEET_ENTRY, "w") as entry:
            entry.write(SHEET_HEAD.encode())
            for piece in sheet_xml:
                entry.write(piece.encode())
            entry.write(SHEET_TAIL.encode())
    return path


def table_workbook(path: Path, sheet: str, rows: Sequence[Sequence[str]]) -> Path:
    """An XLSX of ``rows`` (the first is the header)."""
    return write_workbook(path, sheet, (row_xml(n, r) for n, r in enumerate(rows, start=1)))


def understate_sheet_size(path: Path, declared: int) -> None:
    """Make the central directory declare ``declared`` bytes for the sheet, while its
    deflate stream still unpacks to the real size (a zip whose sizes lie)."""
    with zipfile.ZipFile(path) as archive:
        names = [info.filename for info in archive.infolist()]
    data = bytearray(path.read_bytes())
    entry = SHEET_ENTRY.encode()
    at = data.find(b"PK\x01\x02")  # the first central directory header
    for _ in names:
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46 : at + 46 + name_length] == entry:
            struct.pack_into("<I", data, at + 24, declared)  # uncompressed size
        at += 46 + name_length + extra_length + comment_length
    path.write_bytes(bytes(data))
