"""The columnar snapshot reads the registry with the right types on both backends."""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import Engine, insert

from laosp.models.base import metadata
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
    assert "given_name" not in persons.columns  # sensitive columns stay out by default
    assert persons["pregnant"].to_list() == [True, False]
    assert persons["pregnancy_month"].to_list() == [5, None]
    assert persons["employment_type"].to_list() == [None, "employee"]
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
