"""An XLSX workbook laid out like the ILO RAP: assumptions, one sheet per scheme, summary.

Conventions shared with every workbook laosp writes: a share ("% of GDP", take-up) is
stored as a ratio (0.016) and shown with Excel's percent format (1.60%), the heading
saying "%"; a year is a plain integer (2025, never 2,025); sheets are named in words
in the chosen language (the scheme's name, never its code), at most 31 characters.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from laosp.presentation.cells import INERT_WORKBOOK
from laosp.presentation.i18n import Formatter, Lang
from laosp.projection.labels import both, label
from laosp.projection.result import ProjectionResult

#: Characters a sheet name may not hold, and its longest length (Excel's limits).
SHEET_FORBIDDEN = "[]:*?/\\"
SHEET_LENGTH = 31

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
        self.pct = self.book.add_format({"num_format": "0.00%"})
        self.rate = self.book.add_format({"num_format": "0.0%"})
        self.year = self.book.add_format({"num_format": "0"})
        self.text = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.names: set[str] = set()

    def add_sheet(self, name: str) -> Any:
        return self.book.add_worksheet(self.sheet_name(name))

    def sheet_name(self, text: str) -> str:
        """``text`` as a valid sheet name not yet used (case aside, as Excel compares)."""
        cleaned = "".join("-" if char in SHEET_FORBIDDEN else char for char in text).strip()
        name = cleaned[:SHEET_LENGTH]
        number = 2
        while name.casefold() in self.names:
            suffix = f" ({number})"
            name = cleaned[: SHEET_LENGTH - len(suffix)] + suffix
            number += 1
        self.names.add(name.casefold())
        return name

    def frame_sheet(
        self,
        name: str,
        title: str,
        frame: pl.DataFrame,
        headings: dict[str, str] | None = None,
    ) -> None:
        sheet = self.add_sheet(name)
        sheet.write(0, 0, title, self.title)
        for col, column in enumerate(frame.columns):
            sheet.write(2, col, (headings or {}).get(column) or label(column), self.head)
            fmt = self._format(column)
            sheet.set_column(col, col, 22 if col else 10, fmt)
            values = frame[column].to_list()
            if "pct" in column:  # percent points in the projection, a ratio here
                values = [None if value is None else value / 100 for value in values]
            for row, value in enumerate(values):
                sheet.write(3 + row, col, value, fmt)
        sheet.set_row(2, 45)
        sheet.freeze_panes(3, 1)

    def _format(self, column: str) -> Any:
        if column == "year":
            return self.year
        if column == "take_up":
            return self.rate
        if "pct" in column:
            return self.pct
        if column.endswith(("_usd", *_INTEGER_SUFFIXES)):
            return self.kip
        return None

    def assumptions(self, name: str, result: ProjectionResult) -> None:
        sheet = self.add_sheet(name)
        info = result.scenario.scenario
        title = f"{label('assumption')} — {info.title or info.name} ({info.name})"
        sheet.write(0, 0, title, self.title)
        for col, heading in enumerate(("assumption", "value", "source")):
            sheet.write(2, col, label(heading), self.head)
        sheet.set_column(0, 0, 55)
        sheet.set_column(1, 1, 40, self.text)
        sheet.set_column(2, 2, 80, self.text)
        for row, (key, value, source) in enumerate(assumption_rows(result)):
            sheet.write(3 + row, 0, key)
            sheet.write(3 + row, 1, value)
            sheet.write(3 + row, 2, source)


def write_workbook(results: Sequence[ProjectionResult], path: Path, lang: Lang = "en") -> None:
    """The workbook of one or more projections; sheet names in ``lang``, headings in
    English over Lao."""
    words = Formatter(lang)
    book = _Book(path)
    several = len(results) > 1
    for n, result in enumerate(results, start=1):
        prefix = f"{n} " if several else ""
        book.assumptions(f"{prefix}{words('workbook.sheet.assumptions')}", result)
        schemes = result.schemes_frame()
        for code, scheme in result.schemes.items():
            title = f"{scheme.name} / {scheme.name_lo}".rstrip(" /")
            frame = schemes.filter(pl.col("scheme") == code).drop("scheme")
            name = words.pair(scheme.name, scheme.name_lo) or code
            book.frame_sheet(f"{prefix}{name}", title, frame)
        if result.fund is not None:
            title = both("workbook.sheet.nhi_fund")
            book.frame_sheet(
                f"{prefix}{words('workbook.sheet.nhi_fund')}", title, result.fund_frame()
            )
        book.frame_sheet(
            f"{prefix}{words('workbook.sheet.summary')}",
            both("workbook.sheet.summary"),
            result.summary(),
        )
    if several:
        comparison = pl.DataFrame({"year": results[0].years}).with_columns(
            pl.Series(f"{r.scenario.scenario.name}_spending_lak", r.spending) for r in results
        )
        headings = {
            f"{r.scenario.scenario.name}_spending_lak": (
                f"{r.scenario.scenario.name}: {label('spending_lak')}"
            )
            for r in results
        }
        title = both("workbook.sheet.comparison")
        book.frame_sheet(words("workbook.sheet.comparison"), title, comparison, headings)
    book.book.close()
