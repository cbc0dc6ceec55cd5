"""An XLSX workbook laid out like the ILO RAP: assumptions, one sheet per scheme, summary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from laosp.presentation.cells import INERT_WORKBOOK
from laosp.projection.labels import label
from laosp.projection.result import ProjectionResult

_INTEGER_SUFFIXES = ("_lak", "population", "eligible", "beneficiaries", "contributors", "members")


def flatten(node: Any, prefix: str = "") -> Iterator[tuple[str, str, str]]:
    """(dotted key, value, source) for each assumption; a block's source covers its keys."""
    if isinstance(node, dict):
        source = str(node.get("source", ""))
        for key, value in node.items():
            if key == "source":
                continue
            path = f"{prefix}.{key}".lstrip(".")
            if isinstance(value, dict) and not all(isinstance(k, int) for k in value):
                for dotted, shown, inner in flatten(value, path):
                    yield dotted, shown, inner or source
            else:
                yield path, _show(value), source
    else:
        yield prefix, _show(node), ""


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_show(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(_show(v) for v in value)
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10000:
        return f"{value:,}"
    return str(value)


def assumption_rows(result: ProjectionResult) -> list[tuple[str, str, str]]:
    """(assumption, value, source) of a projection's scenario; a value taken from the
    policy pack names its parameter, an override says which pack value it replaces, a
    figure from the registry says so (``Scenario.provenance``)."""
    scenario = result.scenario
    raw = scenario.model_dump(mode="json", exclude_none=True, exclude={"provenance"})
    facts = {f.key: f for f in scenario.provenance.facts} if scenario.provenance else {}
    rows = []
    for key, value, source in flatten(raw):
        fact = facts.pop(key, None)
        rows.append((key, value, fact.describe() if fact else source))
    rows += [(f.key, f.value, f.describe()) for f in facts.values()]
    if scenario.provenance is not None:
        rows.append(
            ("policy pack", scenario.provenance.pack, f"sha256 {scenario.provenance.digest}")
        )
    return rows


class _Book:
    def __init__(self, path: Path) -> None:
        self.book = xlsxwriter.Workbook(str(path), INERT_WORKBOOK)
        self.title = self.book.add_format({"bold": True, "font_size": 13})
        self.head = self.book.add_format({"bold": True, "text_wrap": True, "bg_color": "#DDEBF7"})
        self.kip = self.book.add_format({"num_format": "#,##0"})
        self.pct = self.book.add_format({"num_format": "0.000"})
        self.rate = self.book.add_format({"num_format": "0.0%"})
        self.text = self.book.add_format({"text_wrap": True, "valign": "top"})

    def frame_sheet(self, name: str, title: str, frame: pl.DataFrame) -> None:
        sheet = self.book.add_worksheet(name[:31])
        sheet.write(0, 0, title, self.title)
        for col, column in enumerate(frame.columns):
            sheet.write(2, col, label(column), self.head)
            fmt = self._format(column)
            sheet.set_column(col, col, 22 if col else 10, fmt)
            for row, value in enumerate(frame[column].to_list()):
                sheet.write(3 + row, col, value, fmt)
        sheet.set_row(2, 45)
        sheet.freeze_panes(3, 1)

    def _format(self, column: str) -> Any:
        if column == "take_up":
            return self.rate
        if "pct" in column:
            return self.pct
        if column.endswith(("_usd", *_INTEGER_SUFFIXES)):
            return self.kip
        return None

    def assumptions(self, name: str, result: ProjectionResult) -> None:
        sheet = self.book.add_worksheet(name[:31])
        info = result.scenario.scenario
        sheet.write(0, 0, f"Assumptions / ສົມມຸດຕິຖານ — {info.name}", self.title)
        for col, heading in enumerate(("assumption", "value", "source")):
            sheet.write(2, col, label(heading), self.head)
        sheet.set_column(0, 0, 55)
        sheet.set_column(1, 1, 40, self.text)
        sheet.set_column(2, 2, 80, self.text)
        for row, (key, value, source) in enumerate(assumption_rows(result)):
            sheet.write(3 + row, 0, key)
            sheet.write(3 + row, 1, value)
            sheet.write(3 + row, 2, source)


def write_workbook(results: Sequence[ProjectionResult], path: Path) -> None:
    book = _Book(path)
    several = len(results) > 1
    for n, result in enumerate(results, start=1):
        prefix = f"{n} " if several else ""
        book.assumptions(f"{prefix}Assumptions", result)
        schemes = result.schemes_frame()
        for code, scheme in result.schemes.items():
            title = f"{scheme.name} / {scheme.name_lo}".rstrip(" /")
            frame = schemes.filter(pl.col("scheme") == code).drop("scheme")
            book.frame_sheet(f"{prefix}{code}", title, frame)
        if result.fund is not None:
            book.frame_sheet(f"{prefix}NHI fund", "NHI fund / ກອງທຶນປະກັນສຸຂະພາບ", result.fund_frame())
        book.frame_sheet(f"{prefix}Summary", "Summary / ສັງລວມ", result.summary())
    if several:
        comparison = pl.DataFrame({"year": results[0].years}).with_columns(
            pl.Series(f"{r.scenario.scenario.name}_spending_lak", r.spending) for r in results
        )
        book.frame_sheet("Comparison", "Comparison / ການປຽບທຽບ", comparison)
    book.book.close()
