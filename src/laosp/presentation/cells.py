"""Text cells of an export that a spreadsheet must show, never run.

A CSV cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel and LibreOffice as a formula (OWASP, "CSV Injection"); a registered name such
as ``=HYPERLINK("http://…"&C2,"Click")`` would run on the officer's machine. Such a cell
is written with a leading apostrophe, which the spreadsheet shows as text."""

from __future__ import annotations

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_text(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell that would start a formula prefixed by ``'``."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    starts = "^[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_STARTS) + "]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(starts))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )
