"""Export cells that would start a spreadsheet formula are written as text."""

from __future__ import annotations

import polars as pl

from laosp.presentation.cells import inert_text, shown_text


def test_cells_that_start_a_formula_get_an_apostrophe() -> None:
    frame = pl.DataFrame(
        {
            "name": ["=1+1", "+856", "-x", "@SUM(A1)", "\tcmd", "\rcmd", "Kham", "a=b", None],
            "amount": [-5, 1, 2, 3, 4, 5, 6, 7, 8],
        }
    )
    out = inert_text(frame)
    assert out["name"].to_list() == [
        "'=1+1",
        "'+856",
        "'-x",
        "'@SUM(A1)",
        "'\tcmd",
        "'\rcmd",
        "Kham",
        "a=b",
        None,
    ]
    assert out["amount"].to_list() == frame["amount"].to_list()  # numbers stay numbers


def test_reading_back_drops_only_the_apostrophe_an_export_added() -> None:
    names = ["=1+1", "+856", "-x", "@SUM(A1)", "\tcmd", "'quoted", "'=x", "Kham", None]
    frame = pl.DataFrame({"name": names, "amount": [-5, 1, 2, 3, 4, 5, 6, 7, 8]})
    assert shown_text(inert_text(frame)).equals(frame)
    assert shown_text(frame)["name"].to_list() == [
        "=1+1", "+856", "-x", "@SUM(A1)", "\tcmd", "'quoted", "=x", "Kham", None,
    ]  # fmt: skip
    assert inert_text(frame)["name"][6] == "''=x"
