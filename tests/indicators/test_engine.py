"""Indicator values on a hand-built registry, each worked out by hand from the spec."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from laosp.indicators.catalogue import retirement_age, scheme_catalogue
from laosp.indicators.engine import compute_indicators
from laosp.indicators.frames import Frames, months_before
from laosp.rules.pack import load_pack
from tests.indicators.registry_builder import AT, RegistryBuilder, reference_registry

#: The bundled Lao pack: its catalogue and retirement age (M 60, F 55) are what the
#: expected values below assume (``test_the_pack_states_the_catalogue_the_tests_assume``).
PACK = load_pack()


def compute(frames: Frames, by: tuple[str, ...] = (), at: dt.date = AT) -> pl.DataFrame:
    return compute_indicators(frames, at, by, pack=PACK)


def values(result: pl.DataFrame) -> dict[str, tuple[int, int]]:
    return {
        row["indicator"]: (row["numerator"], row["denominator"])
        for row in result.iter_rows(named=True)
    }


# Population at 2025-06-30: P1-P12, P14-P16 (P13 is born later) = 15 persons.
EXPECTED_NATIONAL = {
    # cash or contributor: P1-P4 (CCT household), P5 (pension), P7, P9 (contributors),
    # P10 (unemployment paid 2024-07-01), P11 (disability allowance)
    "sdg131.at_least_one": (9, 15),
    # aged 0-14: P3, P4, P14; P3 (MECG, CCT) and P4 (CCT household) receive
    "sdg131.children": (2, 3),
    # mothers of infants: P2 (her newborn P3 is in the MECG), P15 (nothing)
    "sdg131.mothers_newborns": (1, 2),
    # severe disability: P11 (allowance), P12 (nothing)
    "sdg131.disability": (1, 2),
    # unemployed: P10 (paid just inside the window), P11 (paid just outside)
    "sdg131.unemployed": (1, 2),
    # at or above retirement age: P5 (M 65, pension + social pension, counted once), P6 (F 57)
    "sdg131.older": (1, 2),
    # children P3 P4 P14; 15 to retirement age not contributing: P1 P2 P8 P10 P11 P12 P15
    # P16; above retirement age without a contributory pension: P6 -> 12; receiving a
    # non-contributory benefit: P1 P2 P3 P4 (CCT), P11 (allowance)
    "sdg131.vulnerable": (5, 12),
    # poor households H1 (P1-P4, CCT) and H3 (P11 allowance, P12, P14, P15; CCT exited)
    "sdg131.poor": (5, 8),
    # employed: P1, P7, P8, P9, P16; P7 contributes to a scheme covering employment
    # injury, P9's voluntary scheme does not, P8's last payment is outside the window
    "sdg131.employment_injury": (1, 5),
    # nhi P2 P3 P7, social security P5 P7 P8 P9, military/police P16
    "health.covered": (7, 15),
    # informal workers: P1, P9 (voluntary contributor)
    "nssf.informal_covered": (1, 2),
    # labour force 15+: employed P1 P7 P8 P9 P16, unemployed P10 (25) and P11 (45)
    "sdg852.unemployment_rate": (2, 7),
    # no one aged 15-24 is in the labour force (P12, 15, is inactive)
    "sdg852.unemployment_rate_15_24": (0, 0),
    "sdg852.unemployment_rate_25_plus": (2, 7),
}


def test_national_values_match_the_definitions() -> None:
    result = compute(reference_registry().frames())
    assert values(result) == EXPECTED_NATIONAL
    ratios = dict(zip(result["indicator"], result["ratio"], strict=True))
    assert ratios["sdg131.children"] == pytest.approx(2 / 3)


def test_province_breakdown_and_empty_cell() -> None:
    result = compute(reference_registry().frames(), ("province",))
    at_least_one = result.filter(pl.col("indicator") == "sdg131.at_least_one")
    assert {
        row["province"]: (row["numerator"], row["denominator"])
        for row in at_least_one.iter_rows(named=True)
    } == {"01": (4, 7), "13": (1, 4), "17": (4, 4)}
    no_unemployed = result.filter(
        (pl.col("indicator") == "sdg131.unemployed") & (pl.col("province") == "17")
    )
    assert no_unemployed.select("numerator", "denominator").row(0) == (0, 0)
    assert no_unemployed["ratio"][0] is None


def test_columns_and_order() -> None:
    result = compute(reference_registry().frames(), ("sex", "age_group"))
    assert result.columns == ["indicator", "sex", "age_group", "numerator", "denominator", "ratio"]
    assert result["indicator"].unique(maintain_order=True).to_list() == list(EXPECTED_NATIONAL)


def test_household_benefit_counts_for_every_child() -> None:
    r = RegistryBuilder()
    r.household("H", "1703")
    for number, born in enumerate((dt.date(2012, 1, 1), dt.date(2018, 1, 1), dt.date(2024, 1, 1))):
        r.person(f"C{number}", "H", "F", born)
    r.person("A", "H", "M", dt.date(1980, 1, 1))
    r.enrol("cct", household="H")
    assert values(compute(r.frames()))["sdg131.children"] == (3, 3)


def test_person_in_several_schemes_is_counted_once() -> None:
    r = RegistryBuilder()
    r.household("H", "0101")
    r.person("A", "H", "F", dt.date(1950, 1, 1))
    pension = r.enrol("nssf_public", person="A")
    r.payment(pension, "old_age", dt.date(2025, 5, 1))
    r.payment(pension, "old_age", dt.date(2025, 6, 1))
    r.enrol("social_pension", person="A")
    r.enrol("nhi", person="A")
    result = values(compute(r.frames()))
    assert result["sdg131.at_least_one"] == (1, 1)
    assert result["sdg131.older"] == (1, 1)
    assert result["health.covered"] == (1, 1)


@pytest.mark.parametrize(
    ("paid_on", "counted"),
    [
        (dt.date(2024, 6, 30), False),  # twelve months before: outside
        (dt.date(2024, 7, 1), True),  # first day inside
        (dt.date(2025, 6, 30), True),  # the reference date itself
        (dt.date(2025, 7, 1), False),  # after the reference date
    ],
)
def test_twelve_month_window(paid_on: dt.date, counted: bool) -> None:
    r = RegistryBuilder()
    r.household("H", "0101")
    r.person("W", "H", "M", dt.date(1990, 1, 1), employment_status="employed", sector="industry")
    r.person("P", "H", "M", dt.date(1950, 1, 1))
    member = r.enrol("nssf_private", person="W")
    r.contribution(member, paid_on)
    pension = r.enrol("nssf_private", person="P")
    r.payment(pension, "old_age", paid_on)
    result = values(compute(r.frames()))
    assert result["nssf.informal_covered"] == (int(counted), 1)
    assert result["sdg131.older"] == (int(counted), 1)


def test_contributor_without_payment_in_the_last_year_is_not_counted() -> None:
    r = RegistryBuilder()
    r.household("H", "0101")
    r.person("W", "H", "F", dt.date(1990, 1, 1), employment_status="employed", sector="services")
    member = r.enrol("nssf_voluntary", person="W")
    r.contribution(member, dt.date(2023, 12, 1))
    r.contribution(member, None, amount=0)
    assert values(compute(r.frames()))["sdg131.at_least_one"] == (0, 1)


def test_enrolment_dates_bound_the_benefit() -> None:
    r = RegistryBuilder()
    r.household("H", "1703")
    r.person("A", "H", "F", dt.date(2025, 3, 1))
    r.enrol("mecg", person="A", start=dt.date(2025, 4, 1), end=dt.date(2025, 6, 30))
    assert values(compute(r.frames(), at=dt.date(2025, 6, 30)))["sdg131.children"] == (1, 1)
    assert values(compute(r.frames(), at=dt.date(2025, 7, 1)))["sdg131.children"] == (0, 1)
    assert values(compute(r.frames(), at=dt.date(2025, 3, 31)))["sdg131.children"] == (0, 1)
    assert values(compute(r.frames(), at=dt.date(2025, 2, 1)))["sdg131.children"] == (0, 0)


def test_empty_registry_reports_missing_ratios() -> None:
    result = compute(RegistryBuilder().frames())
    assert result["denominator"].to_list() == [0] * len(EXPECTED_NATIONAL)
    assert result["ratio"].null_count() == len(EXPECTED_NATIONAL)


def test_months_before_clamps_to_month_end() -> None:
    assert months_before(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)
    assert months_before(dt.date(2025, 6, 30), 12) == dt.date(2024, 6, 30)
    assert months_before(dt.date(2025, 1, 31), 2) == dt.date(2024, 11, 30)


def test_unknown_breakdown_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown breakdown"):
        compute(RegistryBuilder().frames(), ("village",))


SOCIAL_SECURITY = {
    "old_age",
    "disability",
    "survivors",
    "sickness",
    "maternity",
    "employment_injury",
    "unemployment",
    "health",
}
#: The scheme catalogue of the spec (shared/spec/lao-policy.md), written out by hand.
SPEC_CATALOGUE = {
    "nhi": ("person", "health", {"health"}),
    "nssf_private": ("person", "contributory", SOCIAL_SECURITY),
    "nssf_public": ("person", "contributory", SOCIAL_SECURITY),
    "nssf_voluntary": (
        "person",
        "contributory",
        SOCIAL_SECURITY - {"employment_injury", "unemployment"},
    ),
    "mecg": ("person", "non_contributory_cash", {"maternity", "children"}),
    "cct": ("household", "non_contributory_cash", {"children", "social_assistance"}),
    "child_grant": ("person", "non_contributory_cash", {"children"}),
    "social_pension": ("person", "non_contributory_cash", {"old_age"}),
    "disability_allowance": ("person", "non_contributory_cash", {"disability"}),
}


def test_the_pack_states_the_catalogue_the_tests_assume() -> None:
    """The expected values above are worked out for the spec's catalogue and a
    retirement age of 60 (men) and 55 (women); the bundled pack states exactly these."""
    from_pack = {
        info.code: (info.unit, info.kind, set(info.functions)) for info in scheme_catalogue(PACK)
    }
    assert from_pack == SPEC_CATALOGUE
    assert retirement_age(PACK, AT) == {"M": 60, "F": 55}
