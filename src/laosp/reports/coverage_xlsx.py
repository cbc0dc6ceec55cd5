"""The coverage brief as a workbook: the same figures as the PDF, every indicator."""

from __future__ import annotations

from typing import Any

import polars as pl

from laosp.indicators.definitions import LABELS as INDICATOR_LABELS
from laosp.reports.coverage import CoverageBrief, place_names
from laosp.reports.coverage_pdf import area_name
from laosp.reports.labels import Words
from laosp.reports.xlsx import Column, Sheet, Value, workbook_bytes


def _values(words: Words) -> list[Column]:
    return [
        Column(words("indicator"), width=24),
        Column(words("label"), width=60),
        Column(words("numerator"), "int"),
        Column(words("denominator"), "int"),
        Column(words("ratio_column"), "percent"),
    ]


def _value_cells(row: dict[str, Any], words: Words) -> list[Value]:
    return [
        row["indicator"],
        words.pair(*INDICATOR_LABELS[row["indicator"]]),
        row["numerator"],
        row["denominator"],
        row["ratio"],
    ]


def _grouped(name: str, frame: pl.DataFrame, key: str, label: Any, words: Words) -> Sheet:
    columns = [Column(words("code"), width=10), Column(words("group"), width=30), *_values(words)]
    rows = [[row[key], label(row[key]), *_value_cells(row, words)] for row in frame.to_dicts()]
    return Sheet(name, columns, rows)


def coverage_xlsx(brief: CoverageBrief, words: Words) -> bytes:
    field = brief.place_field
    names = place_names(field)

    def place(code: str | None) -> str:
        return "—" if code is None else words.place(names.get(code, (code, code)))

    about = Sheet(
        words("about"),
        [Column(words("item"), width=28), Column(words("value"), width=60)],
        [
            [words("coverage_title"), area_name(brief, words)],
            [words("reference_date"), words.date(brief.at)],
            [words("computed_at"), words.datetime(brief.computed_at.isoformat())],
            [words("source_registry"), brief.registry_persons],
        ],
    )
    headline = Sheet(
        words("headline"),
        _values(words),
        [_value_cells(row, words) for row in brief.headline.to_dicts()],
    )
    sexes = {"F": words("sex.F"), "M": words("sex.M")}
    formal = {True: words("formal.true"), False: words("formal.false")}
    gap_columns = [
        Column(words("gap"), width=28),
        Column(words("scheme"), width=40),
        Column(words("code"), width=10),
        Column(words(field), width=30),
        Column(words("workbook.unit"), width=14),
        Column(words("workbook.number"), "int"),
    ]
    gap_rows: list[list[Value]] = [
        [
            words(row["gap"]),
            brief.scheme_name(row["scheme"], words.lang) if row["scheme"] else "—",
            row[field],
            place(row[field]),
            words(f"workbook.unit.{row['unit']}"),
            row["count"],
        ]
        for row in brief.gaps_by_place.to_dicts()
    ]
    left_out = Sheet(
        words("workbook.sheet.left_out"),
        [
            Column(words("code"), width=10),
            Column(words(field), width=30),
            Column(words("workbook.left_out_persons"), "int", 30),
        ],
        [
            [row[field], place(row[field]), row["count"]]
            for row in brief.left_out_by_place.to_dicts()
        ]
        + [["", words("total"), brief.left_out]],
    )
    return workbook_bytes(
        [
            about,
            headline,
            _grouped(words(f"by_{field}"), brief.by_place, field, place, words),
            _grouped(words("by_sex"), brief.by_sex, "sex", sexes.get, words),
            _grouped(
                words("by_age_group"), brief.by_age_group, "age_group", words.age_group, words
            ),
            _grouped(words("by_formal"), brief.by_formal, "formal", formal.get, words),
            Sheet(words("gaps_sheet"), gap_columns, gap_rows),
            left_out,
        ]
    )
