"""What the compiler does for speed must not change a result: matching persons to their
households by runs, computing household-only parts once per household, code outputs
as enums, lookups as comparison chains (and their errors on codes they do not list)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from laosp.reference import codes, dictionary
from laosp.registry.rowkeys import row_index
from laosp.rules.engine import evaluate, run
from laosp.rules.errors import InputError
from laosp.rules.members import Members
from laosp.rules.pack import load_pack

PACK = load_pack()
AT = dt.date(2025, 6, 30)


def _joined(frame: pl.DataFrame, target: pl.DataFrame) -> list[int | None]:
    return (
        frame.select("household_id")
        .join(
            target.select("household_id").with_row_index("row"),
            on="household_id",
            how="left",
            maintain_order="left",
        )["row"]
        .to_list()
    )


ids = st.one_of(st.none(), st.sampled_from([f"h{i}" for i in range(8)]))


@settings(max_examples=200)
@given(
    st.lists(ids, max_size=40),
    st.lists(st.sampled_from([f"h{i}" for i in range(10)]), unique=True, max_size=10),
    st.booleans(),
)
def test_row_index_matches_a_join(
    person_keys: list[str | None], household_keys: list[str], grouped: bool
) -> None:
    """Runs or not, sorted or not, with nulls and unknown ids: the same rows as a join."""
    if grouped:  # members listed together, as registers do
        person_keys = sorted(person_keys, key=lambda k: (k is None, k or ""))
    persons = pl.DataFrame({"household_id": person_keys}, schema={"household_id": pl.String})
    households = pl.DataFrame({"household_id": household_keys}, schema={"household_id": pl.String})
    found = row_index(persons, "household_id", households, "household_id")
    assert found.to_list() == _joined(persons, households)


def test_row_index_uses_runs_that_are_the_households_in_order() -> None:
    persons = pl.DataFrame({"household_id": ["a", "a", "a", "b", "b", "c", "c", "c"]})
    households = pl.DataFrame({"household_id": ["a", "b", "c"]})
    assert row_index(persons, "household_id", households, "household_id").to_list() == [
        0, 0, 0, 1, 1, 2, 2, 2,
    ]  # fmt: skip
    shuffled = pl.DataFrame({"household_id": ["c", "a", "b"]})
    assert row_index(persons, "household_id", shuffled, "household_id").to_list() == [
        1, 1, 1, 2, 2, 0, 0, 0,
    ]  # fmt: skip


person_rows = st.lists(
    st.tuples(
        st.integers(0, 5),  # household
        st.sampled_from(codes.FACILITY_LEVELS),
        st.sampled_from(["", *codes.EMPLOYER_TYPES]),
        st.sampled_from(["employee", "own_account", ""]),
        st.booleans(),  # formal
        st.integers(0, 30_000_000),  # earnings
        st.dates(dt.date(1940, 1, 1), dt.date(2025, 6, 1)),
        st.booleans(),  # pregnant
        st.sampled_from(["LA", "TH"]),
    ),
    min_size=1,
    max_size=30,
)


def _frames(rows: list[tuple[object, ...]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    persons = pl.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(len(rows))],
            "household_id": [f"h{r[0]}" for r in rows],
            "facility_level": [r[1] for r in rows],
            "employer_type": [r[2] or None for r in rows],
            "employment_type": [r[3] or None for r in rows],
            "employment_status": ["employed" if r[3] else "inactive" for r in rows],
            "formal": [r[4] for r in rows],
            "earnings_monthly": [r[5] for r in rows],
            "birth_date": [r[6] for r in rows],
            "sex": ["F"] * len(rows),
            "pregnant": [r[7] for r in rows],
            "pregnancy_month": [5 if r[7] else None for r in rows],
            "nationality": [r[8] for r in rows],
        }
    )
    households = pl.DataFrame(
        {  # h5 is missing: its members get the registry's household defaults
            "household_id": [f"h{i}" for i in range(5)],
            "district_code": ["1703", "1306", "1301", "0101", "1705"],
            "poor": [True, False, True, False, False],
        }
    )
    return persons, households


@settings(max_examples=40)
@given(person_rows, st.dates(dt.date(2016, 1, 1), dt.date(2027, 12, 31)))
def test_household_parts_computed_once_per_household_give_the_same_results(
    rows: list[tuple[object, ...]], at: dt.date
) -> None:
    persons, households = _frames(rows)
    fast_persons, fast_households, keys = run(PACK, persons, households, at)
    plain_persons, plain_households, _ = run(PACK, persons, households, at, hoist=False)
    person_outputs = [name for name, entity in keys if entity == "person"]
    household_outputs = [name for name, entity in keys if entity == "household"]
    assert fast_persons.select(person_outputs).equals(plain_persons.select(person_outputs))
    assert fast_households.select(household_outputs).equals(
        plain_households.select(household_outputs)
    )


def test_household_only_parts_are_spread_not_recomputed_per_person() -> None:
    persons, households = _frames([(0, "district", "", "", False, 0, dt.date(2025, 1, 1),
                                    False, "LA")])  # fmt: skip
    person_frame, _, _ = run(PACK, persons, households, AT, ["mecg.eligible"])
    spread = [c for c in person_frame.columns if c.startswith("household.")]
    assert spread == ["household.<person:mecg.eligible.0>"]
    assert person_frame[spread[0]].to_list() == [True]  # district 1703 is a pilot
    plain, _, _ = run(PACK, persons, households, AT, ["mecg.eligible"], hoist=False)
    assert plain["household.district_code"].to_list() == ["1703"]


def test_code_outputs_are_enums_of_their_declared_values() -> None:
    persons, households = _frames([(0, "district", "private", "employee", True, 2_000_000,
                                    dt.date(1990, 1, 1), False, "LA")])  # fmt: skip
    result = evaluate(PACK, persons, households, AT, ["nssf.scheme"])
    scheme = result.persons["nssf.scheme"]
    assert scheme.dtype == pl.Enum(["private", "public", "voluntary_eligible", "none"])
    assert scheme.to_list() == ["private"]
    # before the schemes are in force the output is still the same enum, all "none"
    early = evaluate(PACK, persons, households, dt.date(2000, 1, 1), ["nssf.scheme"])
    assert early.persons["nssf.scheme"].dtype == scheme.dtype
    assert early.persons["nssf.scheme"].to_list() == ["none"]


def test_a_code_missing_from_a_lookup_is_reported_with_the_person() -> None:
    persons, households = _frames(
        [
            (0, "district", "", "", False, 0, dt.date(1990, 1, 1), False, "LA"),
            (1, "clinic", "", "", False, 0, dt.date(1980, 1, 1), False, "LA"),
        ]
    )
    with pytest.raises(InputError, match=r"nhi.copay_opd: no value for 1 person.*'p1'"):
        evaluate(PACK, persons, households, AT, ["nhi.copay_opd"])
    # an exempt person (poor household) needs no co-payment: the code does not matter
    exempt = persons.with_columns(pl.lit("h0").alias("household_id"))
    result = evaluate(PACK, exempt, households, AT, ["nhi.copay_opd"])
    assert result.persons["nhi.copay_opd"].to_list() == [0, 0]


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 6)), st.integers(-5, 10**12)),
             max_size=40),
    st.booleans(),
)  # fmt: skip
def test_household_totals_equal_a_group_by(pairs: list[tuple[int | None, int]], sort: bool) -> None:
    """Sorted (slices) or not (bincount), with persons outside the frame: the same totals."""
    if sort:
        pairs = sorted(pairs, key=lambda p: (p[0] is None, p[0] or 0))
    size = 7
    rows = pl.Series([p[0] for p in pairs], dtype=pl.UInt32)
    values = pl.Series([p[1] for p in pairs], dtype=pl.Int64)
    members = Members.of(rows, size)
    expected = [sum(v for r, v in pairs if r == h) for h in range(size)]
    assert members.aggregate("sum", values, "int").to_list() == expected
    flags = values > 0
    assert members.aggregate("any", flags, "bool").to_list() == [
        any(v > 0 for r, v in pairs if r == h) for h in range(size)
    ]
    assert members.aggregate("all", flags, "bool").to_list() == [
        all(v > 0 for r, v in pairs if r == h) for h in range(size)
    ]


@settings(max_examples=40)
@given(person_rows, st.dates(dt.date(2016, 1, 1), dt.date(2027, 12, 31)))
def test_coded_columns_as_text_or_as_the_snapshots_enums_give_the_same_results(
    rows: list[tuple[object, ...]], at: dt.date
) -> None:
    persons, households = _frames(rows)
    typed = persons.with_columns(
        pl.col(name).cast(pl.Enum(values))
        for name, values in dictionary.PERSON_CODED_COLUMNS.items()
        if name in persons.columns
    )
    as_text = evaluate(PACK, persons, households, at)
    as_enums = evaluate(PACK, typed, households, at)
    assert as_text.persons.equals(as_enums.persons)
    assert as_text.households.equals(as_enums.households)


def test_ages_from_the_per_day_table_equal_the_calendar_arithmetic() -> None:
    """A large frame in memory takes its ages from ``reference.ages``' per-day table, a
    lazy one computes them per person: the same completed years and months."""
    from laosp.rules.fields import person_inputs

    days = pl.date_range(dt.date(1930, 2, 27), dt.date(2025, 6, 30), "1d", eager=True)
    persons = pl.DataFrame(
        {"person_id": days.cast(pl.String), "household_id": "h", "birth_date": days}
    ).with_columns(pl.col("birth_date").set_sorted(descending=False))
    assert persons.height >= 10_000
    wanted = {"age", "age_months"}
    table = person_inputs(persons, wanted, AT).collect()
    plain = person_inputs(persons.lazy(), wanted, AT).collect()
    assert table.select("age", "age_months").equals(plain.select("age", "age_months"))
    on_birthday = table.filter(pl.col("birth_date") == dt.date(2020, 6, 30))
    assert on_birthday.select("age", "age_months").row(0) == (5, 60)
