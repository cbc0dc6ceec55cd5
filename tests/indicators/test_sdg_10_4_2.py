"""SDG 10.4.2: Gini of income per adult equivalent before and after the pack's transfers,
on hand-built registries with values worked out by hand, and its invariants."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from laosp.indicators import export
from laosp.indicators.catalogue import retirement_age, scheme_catalogue
from laosp.indicators.engine import compute_indicators, population
from laosp.indicators.inequality import (
    equivalence_scale,
    equivalised_incomes,
    gini,
    household_transfers,
)
from laosp.rules.engine import evaluate
from laosp.rules.pack import Pack, load_pack
from tests.indicators.registry_builder import AT, RegistryBuilder

# Round amounts for the hand computation (the pack's own are 150,000 and 260,000).
PACK = load_pack().with_overrides(
    {"mecg.benefit_monthly": 130_000, "cct.benefit_monthly": 260_000}, dt.date(2025, 1, 1)
)
INFANT = dt.date(2025, 3, 1)  # under 12 months at AT: MECG and CCT age


def pairwise_gini(values: list[Fraction]) -> Fraction:
    """The textbook definition: mean absolute difference over all ordered pairs of
    persons, divided by twice the mean (independent of the sorted-sum formula)."""
    n = len(values)
    total = sum(values, Fraction(0))
    differences = sum((abs(a - b) for a in values for b in values), Fraction(0))
    return differences / (2 * n * total)


def four_households(pack: Pack = PACK) -> RegistryBuilder:
    """H1 poor in Nong (1306): a mother earning 130,000 and her infant; the household is
    in the CCT, the infant in the MECG. H2 in Vientiane (0101): one adult, 400,000.
    H3 in Nong: two adults, 1,500,000 together. H4 poor in Nong: a mother earning 260,000
    and her infant, eligible for both schemes but enrolled in neither."""
    r = RegistryBuilder()
    d = dt.date
    r.household("H1", "1306", poor=True)
    r.person("M1", "H1", "F", d(1998, 1, 1), earnings_monthly=130_000)
    r.person("C1", "H1", "M", INFANT, mother_id="M1")
    r.enrol("cct", household="H1", start=d(2025, 3, 1))
    r.enrol("mecg", person="C1", start=d(2025, 3, 1))
    r.household("H2", "0101")
    r.person("A2", "H2", "M", d(1980, 1, 1), earnings_monthly=400_000)
    r.household("H3", "1306")
    r.person("A3", "H3", "M", d(1970, 1, 1), earnings_monthly=1_500_000)
    r.person("B3", "H3", "F", d(1972, 1, 1))
    r.household("H4", "1306", poor=True)
    r.person("M4", "H4", "F", d(2000, 1, 1), earnings_monthly=260_000)
    r.person("C4", "H4", "F", INFANT, mother_id="M4")
    return r


def gini_rows(result: pl.DataFrame, *keys: str) -> dict[tuple[object, ...], float | None]:
    rows = result.filter(pl.col("indicator").str.starts_with("sdg1042."))
    return {
        (row["indicator"], *(row[key] for key in keys)): row["ratio"]
        for row in rows.iter_rows(named=True)
    }


# Income per adult equivalent, kip per month (OECD-modified scale):
#   H1 mother + infant: scale 1 + 0.3 = 1.3; before 130,000 / 1.3 = 100,000;
#      after (130,000 + MECG 130,000 + CCT 260,000) / 1.3 = 400,000      (2 persons)
#   H2 one adult: scale 1; 400,000 before and after                      (1 person)
#   H3 two adults: scale 1.5; 1,500,000 / 1.5 = 1,000,000                (2 persons)
#   H4 mother + infant, not enrolled: 260,000 / 1.3 = 200,000            (2 persons)
# Persons before (thousands): 100 100 200 200 400 1000 1000, sum 3000, n 7.
#   sum over unordered pairs of |a - b| = sum_k y_(k) (2k - n - 1)
#   = 100(-6) + 100(-4) + 200(-2) + 200(0) + 400(2) + 1000(4) + 1000(6) = 9400
#   G = 2 * 9400 / (2 * 7 * 3000) = 47/105
# After: 200 200 400 400 400 1000 1000, sum 3600:
#   200(-6) + 200(-4) + 400(-2) + 400(0) + 400(2) + 1000(4) + 1000(6) = 8000
#   G = 2 * 8000 / (2 * 7 * 3600) = 20/63; impact 47/105 - 20/63 = 41/315
BEFORE = [100, 100, 200, 200, 400, 1000, 1000]
AFTER = [400, 400, 400, 200, 200, 1000, 1000]


def test_national_gini_before_and_after_by_hand() -> None:
    result = compute_indicators(four_households().frames(), AT, pack=PACK, inequality=True)
    values = gini_rows(result)
    assert values[("sdg1042.gini_before",)] == pytest.approx(47 / 105)
    assert values[("sdg1042.gini_after",)] == pytest.approx(20 / 63)
    assert values[("sdg1042.redistributive_impact",)] == pytest.approx(41 / 315)
    # the hand figures agree with the pairwise definition over persons
    assert pairwise_gini([Fraction(v) for v in BEFORE]) == Fraction(47, 105)
    assert pairwise_gini([Fraction(v) for v in AFTER]) == Fraction(20, 63)
    rows = result.filter(pl.col("indicator").str.starts_with("sdg1042."))
    assert rows["denominator"].to_list() == [7, 7, 7]
    assert rows["numerator"].null_count() == 3


def test_gini_by_province_by_hand() -> None:
    result = compute_indicators(
        four_households().frames(), AT, ("province",), pack=PACK, inequality=True
    )
    values = gini_rows(result, "province")
    # province 13 (H1, H3, H4), before 100 100 200 200 1000 1000 (sum 2600):
    #   100(-5) + 100(-3) + 200(-1) + 200(1) + 1000(3) + 1000(5) = 7200 -> 14400/31200 = 6/13
    # after 400 400 200 200 1000 1000 (sum 3200): 200(-5) + 200(-3) + 400(-1) + 400(1)
    #   + 1000(3) + 1000(5) = 6400 -> 12800 / 38400 = 1/3
    assert values[("sdg1042.gini_before", "13")] == pytest.approx(6 / 13)
    assert values[("sdg1042.gini_after", "13")] == pytest.approx(1 / 3)
    # province 01: one person, no inequality
    assert values[("sdg1042.gini_before", "01")] == 0.0
    assert values[("sdg1042.gini_after", "01")] == 0.0


def test_transfers_are_the_pack_amounts_of_active_enrolments() -> None:
    frames = four_households().frames()
    transfers = dict(household_transfers(frames, AT, PACK).iter_rows())
    # H1: MECG 130,000 + CCT 260,000; H4 is eligible but not enrolled: nothing
    assert transfers == {"H1": 390_000}
    # for a household in every scheme in operation, the pack's own household total
    total = evaluate(PACK, frames.persons, frames.households, AT, ["total.cash_benefit_monthly"])
    by_household = dict(total.households.iter_rows())
    assert by_household["H1"] == transfers["H1"]


def test_ended_enrolment_pays_nothing() -> None:
    r = four_households()
    r.enrolments[0]["end_date"] = dt.date(2025, 5, 31)  # the CCT ended before AT
    transfers = dict(household_transfers(r.frames(), AT, PACK).iter_rows())
    assert transfers == {"H1": 130_000}


def test_oecd_modified_equivalence_scale() -> None:
    households = pl.DataFrame({"adults": [1, 2, 3, 0, 0], "children": [0, 2, 2, 1, 2]})
    scale = households.select(equivalence_scale(pl.col("adults"), pl.col("children")))
    # 1; 1 + 0.5 + 0.6; 1 + 1 + 0.6; a lone child 1; two children 1 + 0.3
    assert scale.to_series().to_list() == pytest.approx([1.0, 2.1, 2.6, 1.0, 1.3])


def test_a_person_aged_14_counts_as_an_adult() -> None:
    r = RegistryBuilder()
    r.household("H", "0101")
    r.person("A", "H", "F", dt.date(1980, 1, 1), earnings_monthly=1_300_000)
    r.person("T", "H", "M", dt.date(2011, 6, 30))  # 14 on AT: weight 0.5
    r.household("G", "0101")
    r.person("B", "G", "M", dt.date(1980, 1, 1), earnings_monthly=1_300_000)
    r.person("K", "G", "M", dt.date(2011, 7, 1))  # 13 on AT: weight 0.3
    frames = r.frames()
    people = population(
        frames, AT, catalogue=scheme_catalogue(PACK), retirement=retirement_age(PACK, AT)
    )
    incomes = dict(
        equivalised_incomes(people, frames.households, household_transfers(frames, AT, PACK))
        .select("household_id", "before")
        .iter_rows()
    )
    assert incomes == pytest.approx({"H": 1_300_000 / 1.5, "G": 1_000_000})


def test_no_income_gives_a_missing_gini_not_zero() -> None:
    r = RegistryBuilder()
    r.household("H", "0101")
    r.person("A", "H", "F", dt.date(1980, 1, 1))
    values = gini_rows(compute_indicators(r.frames(), AT, pack=PACK, inequality=True))
    assert values[("sdg1042.gini_before",)] is None
    assert values[("sdg1042.redistributive_impact",)] is None


def test_inequality_rows_only_on_request() -> None:
    result = compute_indicators(four_households().frames(), AT, pack=PACK)
    assert not result.filter(pl.col("indicator").str.starts_with("sdg1042.")).height


# --- invariants -------------------------------------------------------------------

UNITS = st.lists(st.tuples(st.integers(0, 5_000_000), st.integers(1, 9)), min_size=1, max_size=25)


def weighted_gini(units: list[tuple[int, int]]) -> float | None:
    frame = pl.DataFrame(
        {"y": [float(y) for y, _ in units], "w": [w for _, w in units]},
        schema={"y": pl.Float64, "w": pl.Int64},
    )
    value = frame.select(gini("y", "w")).item()
    return None if value is None else float(value)


@given(UNITS)
@settings(max_examples=200, deadline=None)
def test_gini_is_in_0_1_and_matches_the_pairwise_definition(units: list[tuple[int, int]]) -> None:
    value = weighted_gini(units)
    persons = [Fraction(y) for y, w in units for _ in range(w)]
    if sum(persons) == 0:
        assert value is None
        return
    assert value is not None
    assert -1e-12 <= value <= 1
    assert value == pytest.approx(float(pairwise_gini(persons)), abs=1e-9)


@given(UNITS, st.floats(0, 1))
@settings(max_examples=200, deadline=None)
def test_a_transfer_to_the_poorest_never_raises_the_gini(
    units: list[tuple[int, int]], share: float
) -> None:
    """Every unit at the lowest income receives the same amount, at most the gap to the
    next income (the poorest stay the poorest)."""
    lowest = min(y for y, _ in units)
    above = [y for y, _ in units if y > lowest]
    gap = (min(above) - lowest) if above else 1_000_000
    amount = int(gap * share)
    given_units = [(y + amount if y == lowest else y, w) for y, w in units]
    before, after = weighted_gini(units), weighted_gini(given_units)
    if before is None:
        return  # nobody had any income
    assert after is not None
    assert after <= before + 1e-12


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["0101", "1306", "1703"]),
            st.booleans(),
            st.lists(
                st.tuples(st.integers(0, 80), st.integers(0, 3_000_000)), min_size=1, max_size=5
            ),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    )
)
@settings(max_examples=40, deadline=None)
def test_gini_values_in_range_and_transfers_do_not_lower_incomes(
    households: list[tuple[str, bool, list[tuple[int, int]], bool]],
) -> None:
    r = RegistryBuilder()
    for h, (district, poor, members, cct) in enumerate(households):
        r.household(f"H{h}", district, poor=poor)
        for p, (age, earnings) in enumerate(members):
            born = dt.date(AT.year - age, 1, 1)
            r.person(f"P{h}-{p}", f"H{h}", "F", born, earnings_monthly=earnings)
            if age == 0:
                r.enrol("mecg", person=f"P{h}-{p}")
        if cct:
            r.enrol("cct", household=f"H{h}")
    result = compute_indicators(r.frames(), AT, ("province",), pack=PACK, inequality=True).filter(
        pl.col("indicator").is_in(["sdg1042.gini_before", "sdg1042.gini_after"])
    )
    for value in result["ratio"].drop_nulls():
        assert -1e-12 <= value <= 1
    frames = r.frames()
    assert (household_transfers(frames, AT, PACK)["transfers"] >= 0).all()
    # before transfers, by province, against the pairwise definition over persons with
    # the OECD-modified scale applied here by hand
    persons: dict[str, list[Fraction]] = {}
    for district, _, members, _ in households:
        adults = sum(age >= 14 for age, _ in members)
        children = len(members) - adults
        scale = (
            1 + Fraction(1, 2) * (adults - 1) + Fraction(3, 10) * children
            if adults
            else 1 + Fraction(3, 10) * (children - 1)
        )
        income = sum(earnings for _, earnings in members) / scale
        persons.setdefault(district[:2], []).extend([income] * len(members))
    before = gini_rows(result, "province")
    for province, incomes in persons.items():
        found = before[("sdg1042.gini_before", province)]
        if sum(incomes) == 0:
            assert found is None
        else:
            assert found == pytest.approx(float(pairwise_gini(incomes)), abs=1e-9)


def test_tables_show_a_gini_as_a_number_and_no_count() -> None:
    result = compute_indicators(four_households().frames(), AT, pack=PACK, inequality=True)
    console = Console(width=200, record=True)
    console.print(export.indicators_table(result, (), "t"))
    text = console.export_text()
    gini_line = next(line for line in text.splitlines() if "sdg1042.gini_before" in line)
    assert "0.448" in gini_line  # 47/105
    assert "—" in gini_line  # no numerator
    assert "%" not in gini_line
    labelled = export.with_labels(result)
    assert labelled.filter(pl.col("indicator") == "sdg1042.gini_after")["label"].to_list() == [
        "Gini index of income per adult equivalent, after transfers"
    ]
