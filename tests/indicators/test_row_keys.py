"""Integer row keys and the per-day age table give the same indicators as the joins."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from laosp.indicators.engine import compute_indicators
from laosp.indicators.frames import Frames
from laosp.reference.ages import ages_by_day, completed_months, completed_years
from laosp.registry.rowkeys import household_rows, person_rows, trusted
from laosp.registry.snapshot import Snapshot, with_row_keys
from laosp.rules.pack import load_pack
from tests.indicators.registry_builder import AT, reference_registry

PACK = load_pack()


def _compute(frames: Frames, by: tuple[str, ...] = ()) -> pl.DataFrame:
    return compute_indicators(frames, AT, by, pack=PACK)


def _keyed(frames: Frames) -> Frames:
    return Frames(**vars(with_row_keys(Snapshot(**vars(frames)))))


def test_row_keys_give_the_same_indicators() -> None:
    plain = reference_registry().frames()
    keyed = _keyed(plain)
    assert "household_row" in keyed.persons.columns
    assert "person_row" in keyed.enrolments.columns
    for by in ((), ("province",), ("district", "sex", "age_group")):
        assert_frame_equal(_compute(keyed, by), _compute(plain, by))


def test_stale_row_keys_are_not_trusted() -> None:
    keyed = _keyed(reference_registry().frames())
    persons, households = keyed.persons, keyed.households
    # households re-sorted after loading: the keys point at other households
    shuffled = households.sort("household_id", descending=True)
    assert trusted(persons, "household_row", "household_id", shuffled, "household_id") is None
    expected = household_rows(persons.drop("household_row"), shuffled)
    assert household_rows(persons, shuffled).to_list() == expected.to_list()
    # a subset of the households: keys may point past the end
    one = households.head(1)
    assert household_rows(persons, one).to_list() == (
        household_rows(persons.drop("household_row"), one).to_list()
    )
    # persons filtered: keys stay valid
    some = persons.filter(pl.col("sex") == "F")
    assert trusted(some, "household_row", "household_id", households, "household_id") is not None
    # facts re-sorted
    facts = keyed.enrolments.reverse()
    assert person_rows(facts, persons.reverse()).to_list() == (
        person_rows(facts.drop("person_row"), persons.reverse()).to_list()
    )
    # the indicators fall back to the joins and stay right
    stale = Frames(persons, shuffled, keyed.enrolments, keyed.contributions, keyed.benefit_payments)
    plain = reference_registry().frames()
    fresh = Frames(
        plain.persons, shuffled, plain.enrolments, plain.contributions, plain.benefit_payments
    )
    assert_frame_equal(_compute(stale, ("district",)), _compute(fresh, ("district",)))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31))),
        min_size=1,
        max_size=30,
    ),
    st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
)
def test_ages_by_day_match_the_expressions(births: list[dt.date | None], at: dt.date) -> None:
    series = pl.Series("birth_date", births, dtype=pl.Date)
    direct = pl.DataFrame({"b": series}).select(
        completed_years("b", at).alias("age"), completed_months("b", at).alias("age_months")
    )
    assert_frame_equal(ages_by_day(series, at), direct)
