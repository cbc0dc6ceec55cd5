"""Reading the reports back: PDF text (pypdf) and workbook sheets (Polars)."""

from __future__ import annotations

import io
import tempfile
import unicodedata
from pathlib import Path

import polars as pl
from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def control_characters(data: bytes) -> set[str]:
    """Characters of category Cc other than newline in the PDF's raw extracted text:
    a glyph the PDF cannot map back to its character."""
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    return {char for char in text if unicodedata.category(char) == "Cc" and char != "\n"}


def squeezed(text: str) -> str:
    """``text`` without whitespace, NFKC-normalised: a PDF positions each shaped glyph (a
    Lao vowel or tone mark too), and the extractor may read a gap there; the PDF writes
    the Lao vowel AM as its two parts, and a zero width space between two Lao syllables
    where a line may break (see ``laosp.reports.document``)."""
    return unicodedata.normalize("NFKC", "".join(text.replace("\u200b", "").split()))


def sheets(data: bytes) -> dict[str, pl.DataFrame]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        path.write_bytes(data)
        return pl.read_excel(path, sheet_id=0)


BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%"}


def header_formats(data: bytes, sheet: str, header_row: int = 1) -> dict[str, str]:
    """The number format of the cells under each heading of ``sheet`` (the heading row
    ``header_row``, 1-based), read from the workbook's XML: ``{heading: format code}``
    of the first value row below it."""
    import re
    import zipfile
    from xml.etree import ElementTree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
        targets = {item.get("Id"): item.get("Target") for item in rels}
        found = [s for s in workbook.iterfind("m:sheets/m:sheet", ns) if s.get("name") == sheet]
        assert found, f"no sheet {sheet!r}"
        path = "xl/" + str(targets[found[0].get(rel)]).removeprefix("/xl/")
        root = ElementTree.fromstring(book.read(path))
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
        strings_xml = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
    strings = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")) for si in strings_xml]
    custom = {
        int(str(f.get("numFmtId"))): str(f.get("formatCode"))
        for f in styles.iterfind("m:numFmts/m:numFmt", ns)
    }
    xfs = [int(str(xf.get("numFmtId"))) for xf in styles.iterfind("m:cellXfs/m:xf", ns)]
    rows = {int(str(r.get("r"))): r for r in root.iterfind("m:sheetData/m:row", ns)}

    def column(ref: str) -> str:
        return re.sub(r"\d", "", ref)

    headings = {
        column(str(c.get("r"))): strings[int(c.findtext("m:v", "", ns))]
        for c in rows[header_row].iterfind("m:c", ns)
    }
    formats = {}
    for cell in rows[header_row + 1].iterfind("m:c", ns):
        if column(str(cell.get("r"))) in headings:
            number = xfs[int(cell.get("s", "0"))]
            formats[headings[column(str(cell.get("r")))]] = custom.get(
                number, BUILTIN_FORMATS.get(number, str(number))
            )
    return formats
