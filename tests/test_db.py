"""The schema migrates on both backends and the database enforces the registry's rules."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from laosp.models import District, Household, Person, Province


def test_reference_data_loaded(session: Session) -> None:
    assert session.scalar(select(func.count()).select_from(Province)) == 18
    assert session.scalar(select(func.count()).select_from(District)) == 148
    sanamxay = session.get(District, "1703")
    assert sanamxay is not None
    assert sanamxay.name_en == "Sanamxay"
    assert sanamxay.province_code == "17"


def _household(household_id: str = "h1", district: str = "0101") -> Household:
    return Household(household_id=household_id, district_code=district)


def _person(person_id: str, relationship: str = "head", **fields: object) -> Person:
    values: dict[str, object] = {
        "household_id": "h1",
        "relationship": relationship,
        "given_name": "Bounmy",
        "family_name": "Phommasone",
        "name_key": "bounmy phommasone",
        "sex": "F",
        "birth_date": dt.date(1990, 1, 1),
    }
    values.update(fields)
    return Person(person_id=person_id, **values)


def test_unknown_district_is_rejected_by_the_database(session: Session) -> None:
    session.add(_household(district="9999"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_village_must_lie_in_the_district(session: Session) -> None:
    session.add(Household(household_id="h1", district_code="0101", village_code="0102001"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_second_head_is_rejected_by_the_database(session: Session) -> None:
    session.add(_household())
    session.flush()
    session.add_all([_person("p1"), _person("p2")])
    with pytest.raises(IntegrityError):
        session.flush()


def test_pregnancy_needs_a_month_and_a_woman(session: Session) -> None:
    session.add(_household())
    session.flush()
    session.add(_person("p1", pregnant=True, pregnancy_month=None))
    with pytest.raises(IntegrityError):
        session.flush()


def test_money_is_whole_kip_beyond_32_bits(session: Session) -> None:
    session.add(_household())
    session.flush()
    session.add(_person("p1", earnings_monthly=5_000_000_000))
    session.flush()
    assert session.scalar(select(Person.earnings_monthly)) == 5_000_000_000
