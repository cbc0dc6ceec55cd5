"""Every validation rule rejects bad input with a message naming field and reason, and
nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from laosp.models import AuditEvent, Household, Person
from laosp.registry import changes, service
from laosp.registry.errors import ValidationFailed

Factory = Callable[..., dict[str, Any]]


TODAY = dt.date(2025, 6, 1)

CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # (id, changes: household fields or member=(i, {...}), field, reason fragment)
    (
        "district",
        {"district_code": "9999"},
        "district_code",
        "'9999' is not one of the 148 district codes",
    ),
    ("district format", {"district_code": "17x"}, "district_code", "must be four digits"),
    (
        "village prefix",
        {"village_code": "0101001"},
        "village_code",
        "must start with the district code 1703",
    ),
    ("village format", {"village_code": "17030"}, "village_code", "must be seven digits"),
    ("registered in future", {"registered_on": "2030-01-01"}, "registered_on", "in the future"),
    ("household id", {"household_id": "H 1"}, "household_id", "must not contain spaces"),
    ("unknown field", {"colour": "red"}, "colour", "unknown field"),
    ("no members head", {"member": (0, {"relationship": "spouse"})}, "members", "exactly one head"),
    (
        "two heads",
        {"member": (1, {"relationship": "head"})},
        "members[1].relationship",
        "exactly one head (members[0] is the head)",
    ),
    (
        "pregnancy month",
        {"member": (1, {"pregnancy_month": None})},
        "members[1].pregnancy_month",
        "required when pregnant is true",
    ),
    (
        "pregnancy month range",
        {"member": (1, {"pregnancy_month": 10})},
        "members[1].pregnancy_month",
        "must be at most 9",
    ),
    (
        "month without pregnancy",
        {"member": (1, {"pregnant": False})},
        "members[1].pregnancy_month",
        "must be empty when pregnant is false",
    ),
    (
        "pregnant man",
        {"member": (0, {"pregnant": True, "pregnancy_month": 3})},
        "members[0].pregnant",
        "only a woman",
    ),
    (
        "employment type",
        {"member": (0, {"employment_type": None})},
        "members[0].employment_type",
        "required when employment_status is employed",
    ),
    (
        "sector",
        {"member": (0, {"sector": None})},
        "members[0].sector",
        "required when employment_status is employed",
    ),
    (
        "employer type",
        {"member": (0, {"employment_type": "employee"})},
        "members[0].employer_type",
        "required when employment_type is employee",
    ),
    (
        "employer type for own account",
        {"member": (0, {"employer_type": "private"})},
        "members[0].employer_type",
        "only for an employee",
    ),
    (
        "child employed",
        {
            "member": (
                2,
                {
                    "employment_status": "employed",
                    "employment_type": "own_account",
                    "sector": "services",
                },
            )
        },
        "members[2].employment_status",
        "must be inactive for a child under 15",
    ),
    (
        "sector when inactive",
        {"member": (1, {"sector": "services"})},
        "members[1].sector",
        "must be empty when employment_status is not employed",
    ),
    (
        "earnings when inactive",
        {"member": (1, {"earnings_monthly": 1000})},
        "members[1].earnings_monthly",
        "must be 0 when employment_status is not employed",
    ),
    (
        "negative kip",
        {"member": (0, {"earnings_monthly": -1})},
        "members[0].earnings_monthly",
        "must not be negative",
    ),
    (
        "fractional kip",
        {"member": (0, {"earnings_monthly": 10.5})},
        "members[0].earnings_monthly",
        "must be a whole number",
    ),
    (
        "negative declared income",
        {"member": (0, {"declared_income_monthly": -5})},
        "members[0].declared_income_monthly",
        "must not be negative",
    ),
    (
        "contribution months",
        {"member": (0, {"nssf_contribution_months": -1})},
        "members[0].nssf_contribution_months",
        "must not be negative",
    ),
    (
        "nationality",
        {"member": (0, {"nationality": "XX"})},
        "members[0].nationality",
        "ISO 3166 alpha-2",
    ),
    (
        "birth in future",
        {"member": (2, {"birth_date": "2030-01-01"})},
        "members[2].birth_date",
        "in the future",
    ),
    (
        "birth date format",
        {"member": (2, {"birth_date": "10/01/2020"})},
        "members[2].birth_date",
        "must be a date",
    ),
    (
        "year precision",
        {"member": (0, {"birth_date_precision": "year"})},
        "members[0].birth_date",
        "must be 1 January when birth_date_precision is year",
    ),
    ("sex", {"member": (0, {"sex": "X"})}, "members[0].sex", "must be one of 'F' or 'M'"),
    (
        "relationship",
        {"member": (2, {"relationship": "cousin"})},
        "members[2].relationship",
        "must be one of",
    ),
    (
        "disability",
        {"member": (2, {"disability": "mild"})},
        "members[2].disability",
        "must be one of",
    ),
    (
        "empty name",
        {"member": (2, {"given_name": "   "})},
        "members[2].given_name",
        "must not be empty",
    ),
    ("missing name", {"member": (2, {"family_name": None})}, "members[2].family_name", "required"),
    (
        "unknown mother",
        {"member": (2, {"mother_id": "NOBODY"})},
        "members[2].mother_id",
        "no person with this id",
    ),
    (
        "male mother",
        {"member": (2, {"mother_id": "P1"})},
        "members[2].mother_id",
        "must be a woman",
    ),
    ("own mother", {"member": (1, {"mother_id": "P2"})}, "members[1].mother_id", "own mother"),
    ("duplicate id", {"member": (2, {"person_id": "P1"})}, "members[2].person_id", "appears twice"),
    ("phone", {"member": (0, {"phone": "call me"})}, "members[0].phone", "must be digits"),
    (
        "household of member",
        {"member": (0, {"household_id": "H9"})},
        "members[0].household_id",
        "must be empty or equal",
    ),
]


def _count(session: Session) -> tuple[int | None, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(table))
        for table in (Household, Person, AuditEvent)
    )


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [pytest.param(fields, field, reason, id=name) for name, fields, field, reason in CASES],
)
def test_bad_input_is_rejected_and_nothing_written(
    session: Session, household: Factory, fields: dict[str, Any], field: str, reason: str
) -> None:
    before = _count(session)
    with pytest.raises(ValidationFailed) as raised:
        service.add_household(session, household(**fields), today=TODAY)
    messages = [str(error) for error in raised.value.errors]
    assert any(error.field == field and reason in error.reason for error in raised.value.errors), (
        messages
    )
    assert _count(session) == before


def test_all_problems_are_reported_at_once(session: Session, household: Factory) -> None:
    data = household(district_code="9999", member=(1, {"pregnancy_month": None}))
    data["members"][2]["sex"] = "X"
    with pytest.raises(ValidationFailed) as raised:
        service.add_household(session, data, today=TODAY)
    fields = {error.field for error in raised.value.errors}
    assert {"district_code", "members[1].pregnancy_month", "members[2].sex"} <= fields
    assert all(
        set(error.as_dict()) == {"field", "value", "reason"} for error in raised.value.errors
    )


def test_valid_input_is_accepted(session: Session, household: Factory) -> None:
    outcome = service.add_household(session, household(), today=TODAY)
    assert (outcome.action, outcome.members) == ("created", 3)


def test_mother_may_be_registered_elsewhere(session: Session, household: Factory) -> None:
    service.add_household(session, household(), today=TODAY)
    other = household(household_id="H2", village_code=None)
    other["members"] = [
        {
            "person_id": "Q1",
            "relationship": "head",
            "given_name": "Noy",
            "family_name": "K",
            "sex": "M",
            "birth_date": "2005-01-01",
            "mother_id": "P2",
        }
    ]
    assert service.add_household(session, other, today=TODAY).action == "created"
    other["household_id"] = "H3"
    other["members"][0].update(person_id="Q2", mother_id="P1")
    with pytest.raises(ValidationFailed, match=r"members\[0\].mother_id: the mother must be"):
        service.add_household(session, other, today=TODAY)


def test_person_cannot_be_in_two_households(session: Session, household: Factory) -> None:
    service.add_household(session, household(), today=TODAY)
    with pytest.raises(ValidationFailed, match="already registered in household H1"):
        service.add_household(session, household(household_id="H2"), today=TODAY)


def test_updates_are_validated_as_a_whole(session: Session, household: Factory) -> None:
    service.add_household(session, household(), today=TODAY)
    before = _count(session)
    with pytest.raises(ValidationFailed, match="employer_type: required when employment_type"):
        changes.update_person(session, "P1", {"employment_type": "employee"}, today=TODAY)
    with pytest.raises(ValidationFailed, match="relationship: a household has exactly one head"):
        changes.update_person(session, "P2", {"relationship": "head"}, today=TODAY)
    with pytest.raises(ValidationFailed, match="village_code: must start with the district"):
        changes.update_household(session, "H1", {"district_code": "0101"}, today=TODAY)
    with pytest.raises(ValidationFailed, match="sex: must be one of"):
        changes.update_person(session, "P1", {"sex": "Q"}, today=TODAY)
    assert _count(session) == before


def test_add_person_needs_a_registered_household(session: Session, household: Factory) -> None:
    person = dict(household()["members"][2], person_id="P9", household_id="NOPE")
    with pytest.raises(ValidationFailed, match="household_id: no such household"):
        changes.add_person(session, person, today=TODAY)
