"""SDG 1.3.1 children, ILO's household reading: a child is covered when the child's
household receives a child or family benefit (a scheme serving ``children`` in the pack's
catalogue), whoever in the household is enrolled."""

from __future__ import annotations

import datetime as dt

import polars as pl

from laosp.indicators.engine import compute_indicators
from laosp.rules.pack import load_pack
from tests.indicators.registry_builder import AT, RegistryBuilder

PACK = load_pack()
d = dt.date


def children(r: RegistryBuilder, by: tuple[str, ...] = ()) -> pl.DataFrame:
    result = compute_indicators(r.frames(), AT, by, pack=PACK)
    return result.filter(pl.col("indicator") == "sdg131.children")


def counts(r: RegistryBuilder) -> tuple[int, int]:
    row = children(r).select("numerator", "denominator").row(0)
    return (int(row[0]), int(row[1]))


def one_child_household(r: RegistryBuilder, household: str, district: str = "1306") -> None:
    r.household(household, district, poor=True)
    r.person(f"{household}-mother", household, "F", d(1995, 1, 1))
    r.person(f"{household}-child", household, "M", d(2019, 5, 1), mother_id=f"{household}-mother")


def test_child_whose_mother_is_in_the_mecg_is_covered() -> None:
    r = RegistryBuilder()
    one_child_household(r, "H")
    r.persons[0]["pregnant"] = True
    r.enrol("mecg", person="H-mother", start=d(2025, 4, 1))  # MECG serves children
    assert counts(r) == (1, 1)


def test_child_in_a_household_with_a_cct_enrolment_is_covered() -> None:
    r = RegistryBuilder()
    one_child_household(r, "H")
    r.enrol("cct", household="H")
    assert counts(r) == (1, 1)


def test_health_insurance_alone_does_not_count_for_the_children_series() -> None:
    r = RegistryBuilder()
    one_child_household(r, "H")
    r.enrol("nhi", person="H-mother")
    r.enrol("nhi", person="H-child")
    assert counts(r) == (0, 1)


def test_a_members_benefit_of_another_function_does_not_count() -> None:
    r = RegistryBuilder()
    one_child_household(r, "H")
    r.person("H-grandfather", "H", "M", d(1950, 1, 1))
    r.enrol("social_pension", person="H-grandfather")  # old age, not children
    assert counts(r) == (0, 1)


def test_the_mothers_benefit_stays_in_her_household_and_its_dates() -> None:
    r = RegistryBuilder()
    one_child_household(r, "A")
    one_child_household(r, "B")  # a neighbouring household with no benefit
    r.enrol("mecg", person="A-mother", start=d(2025, 1, 1), end=d(2025, 5, 31))  # ended
    r.enrol("mecg", person="B-mother", status="pending", start=d(2025, 6, 1))  # not active
    assert counts(r) == (0, 2)
    r.enrolments[0]["end_date"] = None
    assert counts(r) == (1, 2)


def test_household_reading_by_province() -> None:
    r = RegistryBuilder()
    one_child_household(r, "A", "1306")
    one_child_household(r, "B", "1703")
    r.person("B-sister", "B", "F", d(2016, 1, 1))
    one_child_household(r, "C", "0101")
    r.enrol("mecg", person="A-mother")
    r.enrol("cct", household="B")
    r.enrol("nhi", person="C-child")
    by_province = {
        row["province"]: (row["numerator"], row["denominator"])
        for row in children(r, ("province",)).iter_rows(named=True)
    }
    assert by_province == {"01": (0, 1), "13": (1, 1), "17": (2, 2)}
