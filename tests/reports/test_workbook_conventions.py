"""One convention in every workbook: a year is a plain integer (2025, never 2,025), a
share of GDP is a ratio (0.016) shown with Excel's percent format under a heading that
says "%", and sheets are named in words (no scheme code), valid for Excel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from laosp.presentation.i18n import Lang
from laosp.projection.engine import run_projection
from laosp.projection.loading import load_scenario
from laosp.projection.result import ProjectionResult
from laosp.projection.workbook import write_workbook
from laosp.reports.coverage import coverage_brief
from laosp.reports.projection import projection_brief
from laosp.reports.render import coverage_report, projection_report
from laosp.rules.pack import load_pack
from tests.indicators.registry_builder import AT, reference_registry
from tests.reports.helpers import header_formats, pdf_text, sheets

FORBIDDEN = set("[]:*?/\\")


@pytest.fixture(scope="module")
def result() -> ProjectionResult:
    return run_projection(load_scenario("lao_default", load_pack()), end_year=2030)


def _valid_names(names: list[str], codes: set[str]) -> None:
    assert all(0 < len(name) <= 31 and not FORBIDDEN & set(name) for name in names)
    assert not codes & {name.casefold() for name in names}


def test_projection_brief_workbook(result: ProjectionResult) -> None:
    data = projection_report(projection_brief([result]), "en", "xlsx")
    formats = header_formats(data, "Summary")
    assert formats["Year"] == "0"
    assert formats["% of GDP"] == "0.00%"
    summary = sheets(data)["Summary"]
    assert summary["% of GDP"].to_list() == pytest.approx(
        [value / 100 for value in result.summary()["spending_pct_gdp"]]
    )
    assert all(0 < value < 1 for value in summary["% of GDP"])


def test_rap_workbook(result: ProjectionResult, tmp_path: Path) -> None:
    path = tmp_path / "rap.xlsx"
    write_workbook([result], path)
    data = path.read_bytes()
    book = sheets(data)
    _valid_names(list(book), set(result.schemes))
    heading = "SP spending, % of GDP / ລາຍຈ່າຍປົກປ້ອງສັງຄົມ, % ຂອງ GDP"
    formats = header_formats(data, "Summary", header_row=3)
    assert formats["Year / ປີ"] == "0"
    assert formats[heading] == "0.00%"
    shown = sheets_with_header(path, "Summary")[heading]
    assert shown == pytest.approx([value / 100 for value in result.summary()["spending_pct_gdp"]])
    lao = tmp_path / "rap-lo.xlsx"
    write_workbook([result], lao, "lo")
    names = list(sheets(lao.read_bytes()))
    _valid_names(names, set(result.schemes))
    assert names[0] == "ສົມມຸດຕິຖານ"
    assert "ສັງລວມ" in names


def sheets_with_header(path: Path, sheet: str) -> dict[str, list[object]]:
    import polars as pl

    frame = pl.read_excel(path, sheet_name=sheet, read_options={"header_row": 2})
    return {column: frame[column].to_list() for column in frame.columns}


def test_coverage_workbook_shares_are_ratios_and_names_words() -> None:
    brief = coverage_brief(reference_registry().frames(), AT, pack=load_pack())
    data = coverage_report(brief, "en", "xlsx")
    assert header_formats(data, "Headline indicators")["Coverage"] == "0.0%"
    _valid_names(list(sheets(data)), set(brief.schemes))


#: A year from 2020 to 2049 written with a thousands separator, alone (not within a number).
GROUPED_YEAR = re.compile(r"(?<![\d.,])20[2-4][,.]\d(?![\d.,])|(?<![\d.,])2[,.]0[2-4]\d(?![\d.,])")


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_pdf_years_are_plain(result: ProjectionResult, lang: Lang) -> None:
    text = pdf_text(projection_report(projection_brief([result]), lang, "pdf"))
    assert "2030" in text
    assert GROUPED_YEAR.findall(text) == []
