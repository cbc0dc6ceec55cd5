"""Every validation rule rejects bad input with a message naming field and reason, and
nothing is written."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from laosp.cli import build_app
from laosp.models import AuditEvent, Household, Person
from laosp.registry import changes, service
from laosp.registry.errors import ValidationFailed
from laosp.registry.validation import InputLimits, json_size

Factory = Callable[..., dict[str, Any]]


TODAY = dt.date(2025, 6, 1)
NUL = "must not contain control characters (such as NUL) or lone surrogates"
DATE = "must be a date (YYYY-MM-DD)"

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
    ("sex", {"member": (0, {"sex": "X"})}, "members[0].sex", "must be one of F, M (Sex / ເພດ)"),
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
    # text neither database can store, dates that are not dates, extra it cannot hold
    ("NUL in a name", {"member": (0, {"given_name": "Bun\x00"})}, "members[0].given_name", NUL),
    (
        "lone surrogate in a name",
        {"member": (1, {"family_name": "Sengsou\ud800"})},
        "members[1].family_name",
        NUL,
    ),
    ("NUL in an id", {"household_id": "H\x001"}, "household_id", NUL),
    ("escape in a village name", {"village_name": "Ban\x1bNa"}, "village_name", NUL),
    (
        "C1 control in a name",
        {"member": (2, {"given_name": "No\x85y"})},
        "members[2].given_name",
        NUL,
    ),
    ("birth date as a number", {"member": (2, {"birth_date": 0})}, "members[2].birth_date", DATE),
    ("birth date as '0'", {"member": (2, {"birth_date": "0"})}, "members[2].birth_date", DATE),
    ("registered as a number", {"registered_on": 86400}, "registered_on", DATE),
    ("NUL in extra", {"extra": {"note": "a\x00b"}}, "extra", "NUL characters"),
    (
        "NUL in an extra key",
        {"extra": {"\x00": 1}},
        "extra",
        "a key must not contain NUL characters or lone surrogates",
    ),
    ("NaN in extra", {"member": (0, {"extra": {"x": float("nan")}})}, "members[0].extra", "NaN"),
    ("extra too deep", {"extra": {"a": [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}}, "extra", "deeper"),
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
    with pytest.raises(ValidationFailed, match="already registered in another household"):
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


# --- limits (Settings.max_members_per_household, Settings.max_extra_bytes) -------------


def test_more_members_than_the_limit_are_refused(session: Session, household: Factory) -> None:
    before = _count(session)
    with pytest.raises(ValidationFailed) as raised:
        service.add_household(session, household(), today=TODAY, limits=InputLimits(2, 8192))
    [error] = raised.value.errors
    assert (error.field, error.value) == ("members", 3)
    assert "at most 2 members" in error.reason
    assert _count(session) == before
    limits = InputLimits(max_members=3, max_extra_bytes=8192)
    assert service.add_household(session, household(), today=TODAY, limits=limits).members == 3


def test_an_update_cannot_grow_a_household_past_the_limit(
    session: Session, household: Factory
) -> None:
    limits = InputLimits(max_members=3, max_extra_bytes=8192)
    service.add_household(session, household(), today=TODAY, limits=limits)
    before = _count(session)
    grown = household()
    grown["members"] = [dict(grown["members"][2], person_id="P4", given_name="Noy")]
    with pytest.raises(ValidationFailed) as raised:
        service.add_household(session, grown, update=True, today=TODAY, limits=limits)
    [error] = raised.value.errors
    assert (error.field, error.value) == ("members", 4)
    assert _count(session) == before


# {"note":"<100 Lao letters>"}: 9 + 100 x 3 bytes (UTF-8) + 2 = 311 bytes of compact JSON
LAO_NOTE = {"note": "ມ" * 100}
LAO_NOTE_BYTES = 311


@pytest.mark.parametrize("where", ["household", "member"])
def test_extra_is_measured_in_bytes_of_json(
    session: Session, household: Factory, where: str
) -> None:
    data = household(extra=LAO_NOTE) if where == "household" else household()
    if where == "member":
        data["members"][1]["extra"] = LAO_NOTE
    field = "extra" if where == "household" else "members[1].extra"
    before = _count(session)
    with pytest.raises(ValidationFailed) as raised:
        service.add_household(session, data, today=TODAY, limits=InputLimits(50, 310))
    [error] = raised.value.errors
    assert (error.field, error.value) == (field, f"{LAO_NOTE_BYTES} bytes")
    assert "at most 310 bytes" in error.reason
    assert _count(session) == before
    limits = InputLimits(max_members=50, max_extra_bytes=LAO_NOTE_BYTES)
    assert service.add_household(session, data, today=TODAY, limits=limits).action == "created"


@given(extra=st.dictionaries(st.text(max_size=5), st.text(max_size=20), max_size=4))
def test_json_size_is_the_length_of_the_stored_text(extra: dict[str, str]) -> None:
    stored = json.dumps(extra, ensure_ascii=False, separators=(",", ":"))
    assume("\x00" not in stored)
    assert json_size(extra) == len(stored.encode("utf-8", "surrogatepass"))


@pytest.mark.usefixtures("cli_signed_in")
def test_the_cli_holds_the_same_limits(db_url: str, tmp_path: Path, household: Factory) -> None:
    file = tmp_path / "households.json"
    file.write_text(json.dumps(household(), ensure_ascii=False), "utf-8")
    env = {"LAOSP_MAX_MEMBERS_PER_HOUSEHOLD": "2"}
    refused = CliRunner().invoke(
        build_app(), ["registry", "add-household", str(file), "--db", db_url], env=env
    )
    assert refused.exit_code == 1
    assert "members: a household has at most 2 members" in refused.stderr
    assert "nothing was written" in refused.stderr
    file.write_text(json.dumps(household(extra=LAO_NOTE), ensure_ascii=False), "utf-8")
    env = {"LAOSP_MAX_EXTRA_BYTES": str(LAO_NOTE_BYTES - 1)}
    refused = CliRunner().invoke(
        build_app(), ["registry", "add-household", str(file), "--db", db_url], env=env
    )
    assert refused.exit_code == 1
    assert f"extra: must be at most {LAO_NOTE_BYTES - 1} bytes" in refused.stderr
    shown = CliRunner().invoke(build_app(), ["registry", "show", "H1", "--db", db_url])
    assert shown.exit_code == 1  # nothing was written
