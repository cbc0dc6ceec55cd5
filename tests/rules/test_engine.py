"""Engine behaviour: dated parameter changes, in-force periods, only what is needed."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from laosp.rules.engine import evaluate
from laosp.rules.errors import PackError
from laosp.rules.explain import explain
from laosp.rules.pack import BUNDLED, load_pack

PACK = load_pack()


def _frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    persons = pl.DataFrame(
        {
            "person_id": ["p1", "p2"],
            "household_id": ["h1", "h1"],
            "sex": ["F", "M"],
            "birth_date": [dt.date(1998, 4, 2), dt.date(2024, 12, 1)],
            "pregnant": [True, False],
            "pregnancy_month": [5, None],
        }
    )
    households = pl.DataFrame({"household_id": ["h1"], "district_code": ["1703"], "poor": [True]})
    return persons, households


def test_changing_a_value_in_the_yaml_applies_from_its_date_only(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(BUNDLED, root)
    file = root / "parameters" / "mecg.yaml"
    text = file.read_text(encoding="utf-8").replace(
        '    - {date: 2021-06-18, value: 150000, status: confirmed, reference: "UNICEF Lao PDR '
        'press release, 2021"}',
        '    - {date: 2021-06-18, value: 150000, status: confirmed, reference: "UNICEF Lao PDR '
        'press release, 2021"}\n    - {date: 2025-07-01, value: 180000, status: illustrative, '
        'reference: "test"}',
    )
    file.write_text(text, encoding="utf-8")
    changed = load_pack(root)
    persons, households = _frames()
    before = evaluate(changed, persons, households, dt.date(2025, 6, 30))
    after = evaluate(changed, persons, households, dt.date(2025, 7, 1))
    assert before.households["mecg.benefit_monthly"].to_list() == [300000]
    assert after.households["mecg.benefit_monthly"].to_list() == [360000]


def test_override_applies_from_its_date() -> None:
    persons, households = _frames()
    pack = PACK.with_overrides({"mecg.benefit_monthly": 100000}, dt.date(2025, 1, 1))
    assert evaluate(pack, persons, households, dt.date(2024, 12, 31)).persons[
        "mecg.benefit_monthly"
    ].to_list() == [150000, 150000]
    assert evaluate(pack, persons, households, dt.date(2025, 1, 1)).persons[
        "mecg.benefit_monthly"
    ].to_list() == [100000, 100000]
    with pytest.raises(PackError, match="unknown parameter"):
        PACK.with_overrides({"nope": 1}, dt.date(2025, 1, 1))
    with pytest.raises(PackError, match="type"):
        PACK.with_overrides({"mecg.benefit_monthly": "a lot"}, dt.date(2025, 1, 1))


def test_whole_pack_evaluates_at_any_date() -> None:
    persons, households = _frames()
    for year in (2000, 2016, 2021, 2025, 2030):
        result = evaluate(PACK, persons, households, dt.date(year, 1, 1))
        assert result.persons.height == 2


def test_only_requested_outputs_and_unknown_names() -> None:
    persons, households = _frames()
    result = evaluate(PACK, persons, households, dt.date(2025, 3, 15), ["mecg.eligible"])
    assert result.persons.columns == ["person_id", "mecg.eligible"]
    assert result.households.columns == ["household_id"]
    with pytest.raises(PackError, match="unknown output"):
        evaluate(PACK, persons, households, dt.date(2025, 3, 15), ["mecg.nope"])


def test_explain_household_has_references() -> None:
    persons, households = _frames()
    trace = explain(PACK, persons, households, dt.date(2025, 3, 15), household_id="h1")
    text = trace.to_text()
    assert "mecg.benefit_monthly [household h1] = 300,000" in text
    assert "UNICEF Lao PDR press release, 2021" in text
    data = trace.to_dict()
    step = next(s for s in data["steps"] if s["output"] == "mecg.eligible" and s["id"] == "p1")
    assert step["value"] is True
    assert step["inputs"]["household.district_code"] == "1703"
    one = explain(PACK, persons, households, dt.date(2025, 3, 15), person_id="p2")
    assert {s.unit_id for s in one.steps} == {"p2"}


members = st.lists(
    st.tuples(
        st.integers(0, 3),  # household
        st.sampled_from(["private", "public", "military_police"]),
        st.booleans(),  # formal
        st.integers(0, 40_000_000),  # earnings
        st.integers(0, 30_000_000),  # declared income
        st.sampled_from(["employee", "own_account"]),
        st.dates(dt.date(1940, 1, 1), dt.date(2024, 12, 31)),
        st.booleans(),  # pregnant
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(members, st.dates(dt.date(2016, 1, 1), dt.date(2027, 12, 31)))
def test_household_sums_and_contribution_bounds(
    rows: list[tuple[int, str, bool, int, int, str, dt.date, bool]], at: dt.date
) -> None:
    persons = pl.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(len(rows))],
            "household_id": [f"h{r[0]}" for r in rows],
            "employer_type": [r[1] for r in rows],
            "formal": [r[2] for r in rows],
            "earnings_monthly": [r[3] for r in rows],
            "declared_income_monthly": [r[4] for r in rows],
            "employment_type": [r[5] for r in rows],
            "employment_status": ["employed"] * len(rows),
            "birth_date": [r[6] for r in rows],
            "sex": ["F"] * len(rows),
            "pregnant": [r[7] for r in rows],
            "pregnancy_month": [6 if r[7] else None for r in rows],
        }
    )
    households = pl.DataFrame(
        {
            "household_id": [f"h{i}" for i in range(5)],
            "district_code": ["1703", "1306", "1301", "0101", "1503"],
            "poor": [True, False, True, True, False],
        }
    )
    result = evaluate(PACK, persons, households, at)
    sums = (
        result.persons.join(persons.select("person_id", "household_id"), on="person_id")
        .group_by("household_id")
        .agg(
            pl.col(
                "mecg.benefit_monthly", "nssf.contribution_total", "social_pension.benefit_monthly"
            ).sum()
        )
    )
    joined = result.households.join(
        sums, on="household_id", how="left", suffix="_members"
    ).fill_null(0)
    for name in (
        "mecg.benefit_monthly",
        "nssf.contribution_total",
        "social_pension.benefit_monthly",
    ):
        assert (joined[name] == joined[f"{name}_members"]).all()
    ceiling = PACK.parameters["nssf.ceiling"].value_at(at)
    top = ceiling.value if ceiling is not None else 0
    employee = result.persons["nssf.contribution_employee"]
    employer = result.persons["nssf.contribution_employer"]
    assert (employee >= 0).all()
    assert (employer >= 0).all()
    assert (employee <= round(top * 0.09 + 0.5)).all()
    assert (employer <= round(top * 0.085 + 0.5)).all()


def test_row_keys_give_the_same_evaluation() -> None:
    from laosp.registry.snapshot import Snapshot, with_row_keys

    pack = load_pack()
    persons, households = _frames()
    keyed = with_row_keys(Snapshot(persons, households))
    assert "household_row" in keyed.persons.columns
    at = dt.date(2025, 6, 30)
    plain = evaluate(pack, persons, households, at)
    fast = evaluate(pack, keyed.persons, keyed.households, at)
    assert plain.persons.equals(fast.persons)
    assert plain.households.equals(fast.households)
    # households re-ordered after loading: the stale keys are not used
    reordered = households.reverse()
    assert evaluate(pack, keyed.persons, reordered, at).households.equals(
        evaluate(pack, persons, reordered, at).households
    )
    household_id = households["household_id"][0]
    assert (
        explain(pack, keyed.persons, keyed.households, at, household_id=household_id).to_dict()
        == explain(pack, persons, households, at, household_id=household_id).to_dict()
    )
