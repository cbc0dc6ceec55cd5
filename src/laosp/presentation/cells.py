"""Text cells of an export that a spreadsheet must show, never run.

A CSV cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel and LibreOffice as a formula (OWASP, "CSV Injection"); a registered name such
as ``=HYPERLINK("http://…"&C2,"Click")`` would run on the officer's machine. Such a cell
is written with a leading apostrophe, which the spreadsheet shows as text; ``shown_text``
drops that apostrophe again when laosp reads such a file back.

An XLSX cell is a formula only when the writer makes it one: every workbook is opened
with ``INERT_WORKBOOK``, so that xlsxwriter stores text as a string cell (shown as
typed, no apostrophe) and never turns ``=…`` into a formula or ``http…`` into a link."""

from __future__ import annotations

from typing import Final

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: xlsxwriter ``Workbook`` options of every workbook laosp writes.
INERT_WORKBOOK: Final[dict[str, bool]] = {"strings_to_formulas": False, "strings_to_urls": False}


_STARTS = "[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_STARTS) + "]"


def _text_columns(frame: pl.DataFrame) -> list[str]:
    return [name for name, dtype in frame.schema.items() if dtype == pl.String]


def inert_text(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell that would start a formula prefixed by ``'`` (and
    one already so prefixed, so that ``shown_text`` gives every text back as it was)."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains("^'*" + _STARTS))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in _text_columns(frame)
    )


def shown_text(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each text cell as a spreadsheet shows it: the one ``'`` that
    ``inert_text`` adds dropped (``'=x`` → ``=x``, ``''=x`` → ``'=x``)."""
    return frame.with_columns(
        pl.col(name).str.replace("^'('*" + _STARTS + ")", "$1") for name in _text_columns(frame)
    )
