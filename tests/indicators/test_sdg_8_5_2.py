"""SDG 8.5.2: the unemployment rate (ILO: unemployed / labour force, persons 15+), by
sex, age group and disability, on a hand-built registry worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from laosp.indicators.engine import compute_indicators
from laosp.rules.pack import load_pack
from tests.indicators.registry_builder import AT, RegistryBuilder

PACK = load_pack()
RATES = (
    "sdg852.unemployment_rate",
    "sdg852.unemployment_rate_15_24",
    "sdg852.unemployment_rate_25_plus",
)


def born(age: int) -> dt.date:
    """Born on 1 January: ``age`` completed years at AT (2025-06-30)."""
    return dt.date(AT.year - age, 1, 1)


def labour_registry() -> RegistryBuilder:
    r = RegistryBuilder()
    r.household("H1", "0101")
    r.household("H2", "1306")
    people = [
        # id, household, sex, age, status, disability
        ("M20", "H1", "M", 20, "employed", "none"),
        ("M22", "H1", "M", 22, "unemployed", "none"),
        ("F19", "H1", "F", 19, "unemployed", "none"),
        ("F23", "H1", "F", 23, "inactive", "none"),
        ("M30", "H2", "M", 30, "unemployed", "severe"),
        ("F40", "H2", "F", 40, "employed", "moderate"),
        ("M50", "H2", "M", 50, "employed", "none"),
        ("F70", "H2", "F", 70, "unemployed", "none"),
        ("F45", "H2", "F", 45, "unemployed", "severe"),
        # under 15: outside the labour force whatever the record says
        ("M14", "H2", "M", 14, "unemployed", "none"),
    ]
    for person_id, household, sex, age, status, disability in people:
        r.person(
            person_id,
            household,
            sex,
            born(age),
            employment_status=status,
            disability=disability,
            sector="services" if status == "employed" else None,
        )
    return r


def rates(by: tuple[str, ...] = ()) -> dict[tuple[object, ...], tuple[int, int]]:
    result = compute_indicators(labour_registry().frames(), AT, by, pack=PACK)
    return {
        (row["indicator"], *(row[key] for key in by)): (row["numerator"], row["denominator"])
        for row in result.filter(pl.col("indicator").is_in(RATES)).iter_rows(named=True)
    }


def test_national_rates_by_age_group() -> None:
    # labour force 15+: M20 M22 F19 M30 F40 M50 F70 F45 (F23 inactive, M14 under 15)
    # unemployed: M22 F19 M30 F70 F45; 15-24: M20 M22 F19; 25+: M30 F40 M50 F70 F45
    assert rates() == {
        ("sdg852.unemployment_rate",): (5, 8),
        ("sdg852.unemployment_rate_15_24",): (2, 3),
        ("sdg852.unemployment_rate_25_plus",): (3, 5),
    }


def test_rates_by_sex() -> None:
    # men: M20 M22 M30 M50 (M22 M30 unemployed); women: F19 F40 F70 F45 (F19 F70 F45)
    found = rates(("sex",))
    assert found[("sdg852.unemployment_rate", "M")] == (2, 4)
    assert found[("sdg852.unemployment_rate", "F")] == (3, 4)
    # 15-24: men M20 M22; women F19
    assert found[("sdg852.unemployment_rate_15_24", "M")] == (1, 2)
    assert found[("sdg852.unemployment_rate_15_24", "F")] == (1, 1)
    assert found[("sdg852.unemployment_rate_25_plus", "M")] == (1, 2)
    assert found[("sdg852.unemployment_rate_25_plus", "F")] == (2, 3)


def test_rates_by_disability() -> None:
    # none: M20 M22 F19 M50 F70 (M22 F19 F70); moderate: F40; severe: M30 F45 (both)
    found = rates(("disability",))
    assert found[("sdg852.unemployment_rate", "none")] == (3, 5)
    assert found[("sdg852.unemployment_rate", "moderate")] == (0, 1)
    assert found[("sdg852.unemployment_rate", "severe")] == (2, 2)
    assert found[("sdg852.unemployment_rate_25_plus", "severe")] == (2, 2)


def test_rate_ratio_and_empty_labour_force() -> None:
    result = compute_indicators(labour_registry().frames(), AT, pack=PACK)
    ratio = dict(zip(result["indicator"], result["ratio"], strict=True))
    assert ratio["sdg852.unemployment_rate"] == 5 / 8
    r = RegistryBuilder()
    r.household("H", "0101")
    r.person("I", "H", "F", born(30))  # inactive
    empty = compute_indicators(r.frames(), AT, pack=PACK)
    assert empty.filter(pl.col("indicator").is_in(RATES))["ratio"].null_count() == 3


@given(
    st.lists(
        st.tuples(
            st.integers(0, 90),
            st.sampled_from(["employed", "unemployed", "inactive"]),
            st.sampled_from(["none", "moderate", "severe"]),
            st.sampled_from(["M", "F"]),
        ),
        min_size=1,
        max_size=15,
    )
)
@settings(max_examples=40, deadline=None)
def test_rates_in_0_1_and_cells_add_up(people: list[tuple[int, str, str, str]]) -> None:
    r = RegistryBuilder()
    r.household("H", "0101")
    for number, (age, status, disability, sex) in enumerate(people):
        r.person(f"P{number}", "H", sex, born(age), employment_status=status, disability=disability)
    frames = r.frames()
    national = compute_indicators(frames, AT, pack=PACK).filter(pl.col("indicator").is_in(RATES))
    for value in national["ratio"].drop_nulls():
        assert 0 <= value <= 1
    cells = compute_indicators(frames, AT, ("sex", "disability"), pack=PACK).filter(
        pl.col("indicator").is_in(RATES)
    )
    summed = cells.group_by("indicator").agg(pl.col("numerator", "denominator").sum())
    for row in summed.iter_rows(named=True):
        expected = national.filter(pl.col("indicator") == row["indicator"])
        assert (row["numerator"], row["denominator"]) == expected.select(
            "numerator", "denominator"
        ).row(0)
    # by hand: the labour force is everyone 15+ employed or unemployed
    labour_force = sum(age >= 15 and status != "inactive" for age, status, _, _ in people)
    unemployed = sum(age >= 15 and status == "unemployed" for age, status, _, _ in people)
    overall = national.filter(pl.col("indicator") == RATES[0])
    assert overall.select("numerator", "denominator").row(0) == (unemployed, labour_force)
