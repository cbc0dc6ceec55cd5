"""A field the registry requires (sex, birth_date, relationship, district_code) is never
guessed by the rules engine: a frame without it, or with an empty cell in it, is refused
with an error naming the field and the first unit. A missing sex was read as "F"."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from laosp.rules.engine import evaluate
from laosp.rules.errors import InputError
from laosp.rules.pack import load_pack

PACK = load_pack()
AT = dt.date(2026, 1, 1)
PENSION = "nssf.pension_eligible"  # age >= retirement_age[sex] (F 55, M 60), 180 months
HOUSEHOLDS = pl.DataFrame({"household_id": ["h1"], "district_code": ["0101"]})


def _persons(sexes: list[str | None]) -> pl.DataFrame:
    """Persons of 57 on ``AT`` (born 15 June 1968) with 200 months of contributions."""
    n = len(sexes)
    return pl.DataFrame(
        {
            "person_id": [f"p{i + 1}" for i in range(n)],
            "household_id": ["h1"] * n,
            "sex": pl.Series(sexes, dtype=pl.String),
            "birth_date": [dt.date(1968, 6, 15)] * n,
            "nssf_contribution_months": [200] * n,
        }
    )


def test_a_woman_of_57_qualifies_and_a_man_of_57_does_not() -> None:
    result = evaluate(PACK, _persons(["F", "M"]), HOUSEHOLDS, AT, [PENSION])
    eligible = dict(result.persons.select("person_id", PENSION).iter_rows())
    assert eligible == {"p1": True, "p2": False}  # 57 >= 55 for F; 57 < 60 for M


def test_an_empty_sex_is_refused_not_read_as_female() -> None:
    with pytest.raises(InputError) as raised:
        evaluate(PACK, _persons(["M", None, None]), HOUSEHOLDS, AT, [PENSION])
    message = str(raised.value)
    assert "'sex'" in message
    assert "Sex / ເພດ" in message
    assert "empty for 2 person(s), the first 'p2'" in message


def test_a_frame_without_a_sex_column_is_refused() -> None:
    persons = _persons(["F"]).drop("sex")
    with pytest.raises(InputError, match=r"person field 'sex' .* is required: the person frame"):
        evaluate(PACK, persons, HOUSEHOLDS, AT, [PENSION])


def test_an_enum_sex_with_an_empty_cell_is_refused_too() -> None:
    persons = _persons(["F", None]).with_columns(pl.col("sex").cast(pl.Enum(["F", "M"])))
    with pytest.raises(InputError, match="'sex'"):
        evaluate(PACK, persons, HOUSEHOLDS, AT, [PENSION])


def test_an_output_that_does_not_read_sex_needs_no_sex() -> None:
    persons = _persons(["F"]).drop("sex")
    result = evaluate(PACK, persons, HOUSEHOLDS, AT, ["nssf.insured_earnings"])
    # not employed (the default, inactive): scheme "none", insured earnings 0
    assert result.persons.select("person_id", "nssf.insured_earnings").rows() == [("p1", 0)]


def test_a_household_frame_without_its_district_is_refused_when_a_rule_reads_it() -> None:
    households = pl.DataFrame({"household_id": ["h1"], "poor": [True]})
    persons = _persons(["F"]).with_columns(
        pregnant=pl.lit(True), pregnancy_month=pl.lit(5, dtype=pl.Int64)
    )
    with pytest.raises(InputError, match="household field 'district_code'"):
        evaluate(PACK, persons, households, AT, ["mecg.eligible"])
