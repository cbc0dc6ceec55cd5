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
    the Lao vowel AM as its two parts (see ``laosp.reports.document``)."""
    return unicodedata.normalize("NFKC", "".join(text.split()))


def sheets(data: bytes) -> dict[str, pl.DataFrame]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        path.write_bytes(data)
        return pl.read_excel(path, sheet_id=0)
