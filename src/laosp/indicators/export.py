"""Indicator results and gap lists as JSON, CSV, XLSX (headings in English and Lao) and
rich tables for the terminal."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from rich.table import Table

from laosp.indicators.definitions import INEQUALITY_IDS
from laosp.indicators.definitions import LABELS as INDICATOR_LABELS
from laosp.presentation.catalogues import messages
from laosp.presentation.cells import INERT_WORKBOOK, inert_text

#: The headings of the columns (breakdown fields, gap list columns, values) are the
#: ``indicators`` catalogue's ``indicators.column.<column>``, in English and Lao.
COLUMN = "indicators.column."


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (dates as ISO text, missing values as null)."""
    return json.loads(frame.write_json())  # type: ignore[no-any-return]


def to_json(frame: pl.DataFrame) -> str:
    return json.dumps(records(frame), ensure_ascii=False, indent=2) + "\n"


def with_labels(result: pl.DataFrame) -> pl.DataFrame:
    """Indicator results with their descriptions in English and Lao."""
    labels = pl.DataFrame(
        {
            "indicator": list(INDICATOR_LABELS),
            "label": [english for english, _ in INDICATOR_LABELS.values()],
            "label_lo": [lao for _, lao in INDICATOR_LABELS.values()],
        }
    )
    return result.join(labels, on="indicator", how="left", maintain_order="left").select(
        "indicator", "label", "label_lo", pl.exclude("indicator", "label", "label_lo")
    )


def heading(column: str) -> str:
    """The English title over the Lao title (the column's name if it has none)."""
    key = COLUMN + column
    return f"{messages('en').get(key, column)}\n{messages('lo').get(key, column)}"


def write_xlsx(sheets: Mapping[str, pl.DataFrame], path: Path) -> None:
    """One sheet per frame; each heading is the English title over the Lao title; text
    as string cells, never a formula or a link."""
    import xlsxwriter

    with xlsxwriter.Workbook(str(path), INERT_WORKBOOK) as workbook:
        for name, frame in sheets.items():
            renamed = frame.rename({column: heading(column) for column in frame.columns})
            formats = {heading("ratio"): "0.0%"} if "ratio" in frame.columns else None
            renamed.write_excel(
                workbook=workbook,
                worksheet=name,
                header_format={"bold": True, "text_wrap": True, "valign": "top"},
                column_formats=formats,  # type: ignore[arg-type]
                autofit=True,
                freeze_panes=(1, 0),
            )


def _percent(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.1%}"


def _value(indicator: str, ratio: float | None) -> str:
    """A coverage or rate as a percentage; a Gini index (SDG 10.4.2) as a number 0-1."""
    if ratio is not None and indicator in INEQUALITY_IDS:
        return f"{ratio:.3f}"
    return _percent(ratio)


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def indicators_table(result: pl.DataFrame, by: Sequence[str], title: str) -> Table:
    table = Table(title=title)
    table.add_column(heading("indicator"))
    for field in by:
        table.add_column(heading(field))
    for column in ("numerator", "denominator", "ratio"):
        table.add_column(heading(column), justify="right")
    for row in result.iter_rows(named=True):
        cells = [str(row[field]) if row[field] is not None else "—" for field in by]
        table.add_row(
            row["indicator"],
            *cells,
            _count(row["numerator"]),
            _count(row["denominator"]),
            _value(row["indicator"], row["ratio"]),
        )
    return table


def counts_table(counts: pl.DataFrame, title: str) -> Table:
    table = Table(title=title)
    for column in counts.columns:
        table.add_column(heading(column), justify="right" if column == "count" else "left")
    for row in counts.iter_rows():
        table.add_row(
            *(
                "—"
                if value is None
                else f"{value:,}"
                if isinstance(value, int) and not isinstance(value, bool)
                else str(value)
                for value in row
            )
        )
    return table


def list_table(listed: pl.DataFrame, limit: int) -> Table:
    """The first ``limit`` rows of a gap list: who, where, and why."""
    shown = listed.head(limit)
    of_en, of_lo = messages("en")["indicators.of"], messages("lo")["indicators.of"]
    table = Table(
        title=f"{shown.height} {of_en} {listed.height} · {shown.height} {of_lo} {listed.height}"
    )
    for column in ("scheme", "village_name", "household_id"):
        table.add_column(heading(column))
    table.add_column(heading("name"))
    table.add_column(heading("why"))
    for row in shown.iter_rows(named=True):
        table.add_row(
            row["scheme"] or row["gap"],
            row["village_name"] or row["village_code"] or "—",
            row["household_id"],
            f"{row['given_name']} {row['family_name']}",
            f"{row['reason_en']}\n{row['reason_lo']}",
        )
    return table


def write_frame(frame: pl.DataFrame, fmt: str, path: Path | None) -> str | None:
    """CSV (formula-like text inert) or JSON text to ``path``, or returned for standard
    output."""
    text = inert_text(frame).write_csv() if fmt == "csv" else to_json(frame)
    text = text if text.endswith("\n") else text + "\n"
    if path is None:
        return text
    path.write_text(text, encoding="utf-8")
    return None
