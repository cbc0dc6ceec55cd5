"""The columnar snapshot reads the registry with the right types on both backends."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, insert

from laosp.models.base import metadata
from laosp.reference import codes, dictionary
from laosp.registry import snapshot as snapshot_module
from laosp.registry.snapshot import load_snapshot


def _person(person_id: str, household_id: str, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "person_id": person_id,
        "household_id": household_id,
        "relationship": "head",
        "given_name": "Noy",
        "family_name": "Vongsa",
        "name_key": "noy vongsa",
        "sex": "F",
        "birth_date": dt.date(1990, 5, 17),
    }
    row.update(extra)
    return row


def test_snapshot_types_and_values(engine: Engine) -> None:
    persons_table = metadata.tables["persons"]
    extra = {"name_fold": "noy vongsa"} if "name_fold" in persons_table.c else {}
    with engine.begin() as connection:
        connection.execute(
            insert(metadata.tables["households"]),
            [
                {"household_id": "h1", "district_code": "1703", "poor": True, "urban": False},
                {"household_id": "h2", "district_code": "0101", "poor": False, "urban": True},
            ],
        )
        connection.execute(
            insert(persons_table), _person("p1", "h1", pregnant=True, pregnancy_month=5, **extra)
        )
        connection.execute(
            insert(persons_table),
            _person(
                "p2",
                "h2",
                employment_status="employed",
                employment_type="employee",
                employer_type="private",
                formal=True,
                earnings_monthly=3_000_000,
                **extra,
            ),
        )
    snapshot = load_snapshot(engine)
    persons = snapshot.persons.sort("person_id")
    households = snapshot.households.sort("household_id")
    assert persons.schema["pregnant"] == pl.Boolean
    assert persons.schema["formal"] == pl.Boolean
    assert persons.schema["birth_date"] == pl.Date
    assert persons.schema["earnings_monthly"] == pl.Int64
    assert households.schema["poor"] == pl.Boolean
    # names (and their search keys) stay out by default
    assert not {"given_name", "name_key", "name_fold", "name_latin"} & set(persons.columns)
    assert persons["pregnant"].to_list() == [True, False]
    assert persons["pregnancy_month"].to_list() == [5, None]
    assert persons["employment_type"].to_list() == [None, "employee"]
    # coded columns are enums of the registry's code lists, on both backends
    assert persons.schema["employment_type"] == pl.Enum(
        dictionary.PERSON_CODED_COLUMNS["employment_type"]
    )
    assert persons.schema["sex"] == pl.Enum(codes.SEXES)
    assert persons["sex"].to_list() == ["F", "F"]
    assert persons["birth_date"].to_list() == [dt.date(1990, 5, 17)] * 2
    assert households["province_code"].to_list() == ["17", "01"]
    assert households["poor"].to_list() == [True, False]

    one = load_snapshot(engine, household_ids=["h2"])
    assert one.persons["person_id"].to_list() == ["p2"]
    assert one.households["household_id"].to_list() == ["h2"]
    by_person = load_snapshot(engine, person_ids=["p1"])
    assert by_person.households["household_id"].to_list() == ["h1"]


def test_snapshot_optional_tables(engine: Engine) -> None:
    snapshot = load_snapshot(
        engine, tables=("persons", "households", "enrolments", "contributions", "benefit_payments")
    )
    assert snapshot.enrolments is not None
    assert snapshot.enrolments.height == 0
    assert snapshot.benefit_payments is not None
    assert snapshot.contributions is not None


def _fill(engine: Engine, households: int, persons: int) -> None:
    persons_table = metadata.tables["persons"]
    extra = {"name_fold": "noy vongsa"} if "name_fold" in persons_table.c else {}
    with engine.begin() as connection:
        connection.execute(
            insert(metadata.tables["households"]),
            [
                {"household_id": f"h{i:03d}", "district_code": "1703", "poor": i % 3 == 0}
                for i in range(households)
            ],
        )
        connection.execute(
            insert(persons_table),
            [
                _person(
                    f"p{i:04d}",
                    f"h{(i * 7) % households:03d}",
                    relationship="head" if i < households else "child",
                    sex="FM"[i % 2],
                    employment_status=("employed", "inactive")[i % 2],
                    pregnant=i % 10 == 0,
                    pregnancy_month=None if i % 10 else 3,
                    **extra,
                )
                for i in range(persons)
            ],
        )
        connection.execute(
            insert(metadata.tables["enrolments"]),
            [
                {
                    "scheme": "nhi",
                    "person_id": f"p{i:04d}",
                    "household_id": None,
                    "status": "active",
                    "start_date": dt.date(2024, 1, 1),
                }
                for i in range(0, persons, 3)
            ]
            + [
                {
                    "scheme": "cct",
                    "household_id": f"h{i:03d}",
                    "person_id": None,
                    "status": "active",
                    "start_date": dt.date(2024, 1, 1),
                }
                for i in range(0, households, 4)
            ],
        )


def test_parallel_ranges_read_the_same_frames(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(engine, households=60, persons=250)
    tables = ("persons", "households", "enrolments")
    single = load_snapshot(engine, tables, readers=1)
    monkeypatch.setattr(snapshot_module, "PARALLEL_MIN_ROWS", 1)
    monkeypatch.setattr(snapshot_module, "PARALLEL_MIN_PAGES", 1)
    for readers in (2, 3):
        parallel = load_snapshot(engine, tables, readers=readers)
        assert_frame_equal(parallel.persons, single.persons)
        assert_frame_equal(parallel.households, single.households)
        assert parallel.enrolments is not None
        assert single.enrolments is not None
        assert_frame_equal(parallel.enrolments, single.enrolments)
    assert single.persons.height == 250


def test_row_keys_point_at_the_right_rows(engine: Engine) -> None:
    _fill(engine, households=20, persons=50)
    snap = load_snapshot(engine, ("persons", "households", "enrolments"))
    persons, households, enrolments = snap.persons, snap.households, snap.enrolments
    assert enrolments is not None
    assert persons.schema["household_row"] == pl.UInt32
    pointed = households["household_id"].gather(persons["household_row"])
    assert (pointed == persons["household_id"]).all()
    own = enrolments.filter(pl.col("person_id").is_not_null())
    assert (persons["person_id"].gather(own["person_row"]) == own["person_id"]).all()
    assert own["household_row"].is_null().all()
    home = enrolments.filter(pl.col("household_id").is_not_null())
    assert (households["household_id"].gather(home["household_row"]) == home["household_id"]).all()
    assert home["person_row"].is_null().all()
    bare = load_snapshot(engine, row_keys=False)
    assert "household_row" not in bare.persons.columns
