"""The workbooks have the expected sheets, and their numbers are the indicators'."""

from __future__ import annotations

import polars as pl
import pytest

from laosp.projection.engine import run_projection
from laosp.projection.loading import load_scenario
from laosp.reports.coverage import CoverageBrief, coverage_brief
from laosp.reports.projection import projection_brief
from laosp.reports.render import coverage_report, projection_report
from laosp.rules.pack import load_pack
from tests.indicators.registry_builder import AT, reference_registry
from tests.indicators.test_engine import EXPECTED_NATIONAL
from tests.reports.helpers import sheets

ENGLISH_SHEETS = [
    "About",
    "Headline indicators",
    "Coverage by province",
    "Coverage by sex",
    "Coverage by age group",
    "Formal and informal work",
    "Left behind",
    "Persons left out, by place",
]


@pytest.fixture(scope="module")
def brief() -> CoverageBrief:
    return coverage_brief(reference_registry().frames(), AT, pack=load_pack())


def test_english_sheets_and_headline_numbers(brief: CoverageBrief) -> None:
    book = sheets(coverage_report(brief, "en", "xlsx"))
    assert list(book) == ENGLISH_SHEETS
    headline = book["Headline indicators"]
    assert {
        row["Indicator"]: (row["Covered"], row["Persons concerned"]) for row in headline.to_dicts()
    } == EXPECTED_NATIONAL
    assert headline["Coverage"].to_list() == pytest.approx(brief.headline["ratio"].to_list())


def test_lao_sheets_carry_the_same_numbers(brief: CoverageBrief) -> None:
    book = sheets(coverage_report(brief, "lo", "xlsx"))
    assert list(book)[:3] == ["ກ່ຽວກັບ", "ຕົວຊີ້ວັດຫຼັກ", "ການຄຸ້ມຄອງ ຕາມແຂວງ"]
    places = book["ການຄຸ້ມຄອງ ຕາມແຂວງ"]
    expected = brief.by_place
    assert places["ລະຫັດ"].to_list() == expected["province"].to_list()
    assert places["ໄດ້ຮັບການຄຸ້ມຄອງ"].to_list() == expected["numerator"].to_list()
    assert places["ຈຳນວນຄົນທີ່ກ່ຽວຂ້ອງ"].to_list() == expected["denominator"].to_list()
    assert "ສະຫວັນນະເຂດ" in places["ກຸ່ມ"].to_list()


def test_gap_sheet_counts(brief: CoverageBrief) -> None:
    gaps = sheets(coverage_report(brief, "en", "xlsx"))["Left behind"]
    assert gaps["Number"].sum() == brief.gaps["count"].sum()
    uncovered = gaps.filter(pl.col("Gap") == "No coverage at all")["Number"].sum()
    assert uncovered == 4


def test_projection_workbook_numbers_are_the_projection() -> None:
    results = [
        run_projection(load_scenario(name, load_pack()), end_year=2040) for name in ("lao_default",)
    ]
    book = sheets(projection_report(projection_brief(results), "en", "xlsx"))
    assert list(book) == ["About", "Key years", "Summary"]
    summary = results[0].summary()
    shown = book["Summary"]
    assert shown["Year"].to_list() == summary["year"].to_list()
    assert shown["Social protection spending (LAK)"].to_list() == summary["spending_lak"].to_list()
    assert shown["% of GDP"].to_list() == pytest.approx(
        (summary["spending_pct_gdp"] / 100).to_list()
    )
    assert book["Key years"]["Year"].to_list() == [2025, 2030, 2035, 2040]
