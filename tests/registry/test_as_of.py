"""The as-of join (``laosp.registry.as_of``) on history rows written the way the
writers write them (``laosp.registry.history``): at any date, the value in force is the
one of the last change dated on or before it (Hypothesis)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from laosp.registry.as_of import enrolments_at, persons_at

START = dt.date(2024, 1, 1)
STATUSES = ("pending", "active", "suspended", "exited")

days = st.integers(min_value=0, max_value=400)


def _day(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


@given(
    changes=st.lists(st.tuples(days, st.sampled_from(STATUSES[1:])), max_size=6),
    at=st.integers(min_value=-30, max_value=430),
)
def test_an_enrolment_has_the_status_of_its_last_change_before_the_date(
    changes: list[tuple[int, str]], at: int
) -> None:
    moves = sorted(changes, key=lambda change: change[0])
    # open_status, then move_status for each change: close the open period, open one
    periods: list[dict[str, object]] = [
        {"enrolment_id": 1, "status": "pending", "valid_from": START, "valid_to": None}
    ]
    for offset, status in moves:
        periods[-1]["valid_to"] = _day(offset)
        periods.append(
            {"enrolment_id": 1, "status": status, "valid_from": _day(offset), "valid_to": None}
        )
    day = _day(at)
    covering = [
        p
        for p in periods
        if p["valid_from"] <= day and (p["valid_to"] is None or day < p["valid_to"])  # type: ignore[operator]
    ]
    history = pl.DataFrame(
        covering,
        schema={
            "enrolment_id": pl.Int64,
            "status": pl.String,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
        },
    )
    exit_day = next((_day(o) for o, s in moves if s == "exited"), None)
    enrolments = pl.DataFrame(
        {
            "id": [1],
            "status": [moves[-1][1] if moves else "pending"],
            "start_date": [START],
            "end_date": [exit_day],
        },
        schema={"id": pl.Int64, "status": pl.String, "start_date": pl.Date, "end_date": pl.Date},
    )
    found = enrolments_at(enrolments, history, day)
    if day < START:
        assert found.is_empty()
        return
    expected = "pending"
    for offset, status in moves:
        if _day(offset) <= day:
            expected = status
    assert found["status"].to_list() == [expected]
    ended = found["end_date"].item()
    assert ended == (exit_day if exit_day is not None and exit_day <= day else None)


@given(
    changes=st.lists(st.tuples(days, st.integers(0, 9_000_000)), max_size=6),
    first=st.integers(0, 9_000_000),
    at=st.integers(min_value=-30, max_value=430),
)
def test_a_person_has_the_values_in_force_at_the_date(
    changes: list[tuple[int, int]], first: int, at: int
) -> None:
    """``first`` was registered; each change replaces the value on its day, and the
    history keeps the old value from the previous change (``record_persons``)."""
    moves = sorted(changes, key=lambda change: change[0])
    rows = []
    value, since = first, None
    for offset, new in moves:
        rows.append(
            {"person_id": "P1", "valid_from": since, "valid_to": _day(offset), "earnings": value}
        )
        value, since = new, _day(offset)
    day = _day(at)
    history = pl.DataFrame(
        [
            r
            for r in rows
            if (r["valid_from"] is None or r["valid_from"] <= day) and day < r["valid_to"]  # type: ignore[operator]
        ],
        schema={
            "person_id": pl.String,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
            "earnings": pl.Int64,
        },
    ).rename({"earnings": "earnings_monthly"})
    persons = pl.DataFrame(
        {"person_id": ["P1", "P2"], "earnings_monthly": [value, 7]},
        schema={"person_id": pl.String, "earnings_monthly": pl.Int64},
    )
    expected = first
    for offset, new in moves:
        if _day(offset) <= day:
            expected = new
    found = persons_at(persons, history)
    assert found["earnings_monthly"].to_list() == [expected, 7]
    assert found["person_id"].to_list() == ["P1", "P2"]
