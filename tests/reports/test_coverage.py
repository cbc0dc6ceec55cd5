"""The brief's figures are the indicator engine's, on the hand-built registry of the
indicator tests (its values are worked out in ``tests/indicators/test_engine.py``)."""

from __future__ import annotations

import polars as pl
import pytest

from laosp.indicators.engine import compute_indicators
from laosp.indicators.gaps import evaluate_eligibility, gap_list
from laosp.reports.coverage import CoverageBrief, coverage_brief, gap_total
from laosp.rules.pack import load_pack
from tests.indicators.registry_builder import AT, reference_registry
from tests.indicators.test_engine import EXPECTED_NATIONAL

VALUE_COLUMNS = ["numerator", "denominator", "ratio"]


@pytest.fixture(scope="module")
def national() -> CoverageBrief:
    return coverage_brief(reference_registry().frames(), AT, pack=load_pack())


def engine(by: tuple[str, ...]) -> pl.DataFrame:
    pack = load_pack()
    return compute_indicators(reference_registry().frames(), AT, by, pack=pack)


def test_headline_is_the_worked_out_national_values(national: CoverageBrief) -> None:
    assert {
        row["indicator"]: (row["numerator"], row["denominator"])
        for row in national.headline.to_dicts()
    } == EXPECTED_NATIONAL
    assert national.headline["indicator"].to_list() == list(EXPECTED_NATIONAL)


@pytest.mark.parametrize(
    ("attribute", "field"),
    [
        ("by_place", "province"),
        ("by_sex", "sex"),
        ("by_age_group", "age_group"),
        ("by_formal", "formal"),
    ],
)
def test_every_table_equals_the_engine_breakdown(
    national: CoverageBrief, attribute: str, field: str
) -> None:
    table: pl.DataFrame = getattr(national, attribute)
    shown = table["indicator"].unique().to_list()
    expected = engine((field,)).filter(pl.col("indicator").is_in(shown))
    columns = ["indicator", field, *VALUE_COLUMNS]
    assert (
        table.select(columns)
        .sort("indicator", field)
        .equals(expected.select(columns).sort("indicator", field))
    )


def test_province_brief_is_the_engine_by_district_in_the_province() -> None:
    brief = coverage_brief(reference_registry().frames(), AT, "17", pack=load_pack())
    by_district = engine(("district",)).filter(pl.col("district").str.starts_with("17"))
    columns = ["indicator", "district", *VALUE_COLUMNS]
    assert (
        brief.by_place.select(columns)
        .sort("indicator", "district")
        .equals(by_district.select(columns).sort("indicator", "district"))
    )
    by_province = engine(("province",)).filter(pl.col("province") == "17")
    assert (
        brief.headline.select("indicator", *VALUE_COLUMNS)
        .sort("indicator")
        .equals(by_province.select("indicator", *VALUE_COLUMNS).sort("indicator"))
    )


def test_gap_counts_are_the_gap_list(national: CoverageBrief) -> None:
    pack = load_pack()
    frames = reference_registry().frames()
    listed = gap_list(frames, AT, evaluate_eligibility(pack, frames, AT), pack=pack)
    assert gap_total(national, "uncovered") == 4  # P6, P12, P14, P15
    assert gap_total(national, "uncovered") == listed.filter(pl.col("gap") == "uncovered").height
    rows = listed.filter(pl.col("gap") == "eligible_not_enrolled")
    assert national.gaps.filter(pl.col("gap") == "eligible_not_enrolled")["count"].sum() == (
        rows.height
    )
    # each person once; a household in the CCT list (a household scheme) stands for
    # every member born by the reference date
    persons = set(rows.filter(pl.col("scheme") != "cct")["person_id"])
    households = set(rows.filter(pl.col("scheme") == "cct")["household_id"])
    persons |= {
        p["person_id"]
        for p in frames.persons.to_dicts()
        if p["household_id"] in households and p["birth_date"] <= AT
    }
    assert gap_total(national) == len(persons) < rows.height
    assert gap_total(national) == national.left_out_by_place["count"].sum()


def test_an_empty_province_reports_zero_over_zero() -> None:
    brief = coverage_brief(reference_registry().frames(), AT, "05", pack=load_pack())
    assert brief.headline.height == len(EXPECTED_NATIONAL)
    assert brief.headline["denominator"].sum() == 0
    assert brief.headline["ratio"].null_count() == len(EXPECTED_NATIONAL)
    assert brief.by_place.is_empty()
    assert gap_total(brief) == 0
