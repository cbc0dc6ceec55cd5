"""Property: any valid household with members reads back exactly as written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from laosp.reference.admin_units import districts
from laosp.registry import service
from laosp.registry.schemas import PersonCreate

TODAY = dt.date(2025, 6, 1)
LAO = st.characters(min_codepoint=0x0E81, max_codepoint=0x0EC6, categories=("Lo", "Mn"))
LATIN = st.characters(categories=("Lu", "Ll"), max_codepoint=0x024F)
NAMES = st.text(st.one_of(LAO, LATIN), min_size=1, max_size=30).filter(str.strip).map(str.strip)
KIP = st.integers(min_value=0, max_value=10**12)


@st.composite
def persons(draw: st.DrawFn, person_id: str, relationship: str) -> dict[str, Any]:
    sex = draw(st.sampled_from(["F", "M"]))
    birth = draw(st.dates(min_value=dt.date(1920, 1, 1), max_value=TODAY))
    age = (TODAY - birth).days // 366
    person: dict[str, Any] = {
        "person_id": person_id,
        "relationship": relationship,
        "given_name": draw(NAMES),
        "family_name": draw(NAMES),
        "sex": sex,
        "birth_date": birth,
        "nationality": draw(st.sampled_from(["LA", "TH", "VN", "CN"])),
        "disability": draw(st.sampled_from(["none", "moderate", "severe"])),
        "monk": draw(st.booleans()),
        "cct_compliant": draw(st.booleans()),
        "declared_income_monthly": draw(KIP),
        "nssf_contribution_months": draw(st.integers(0, 600)),
        "national_id": draw(st.none() | st.from_regex(r"[0-9]{6,12}", fullmatch=True)),
    }
    if sex == "F" and 15 <= age < 50 and draw(st.booleans()):
        person.update(pregnant=True, pregnancy_month=draw(st.integers(1, 9)))
    if age >= 15:
        status = draw(st.sampled_from(["employed", "unemployed", "inactive"]))
        person["employment_status"] = status
        if status == "employed":
            kind = draw(st.sampled_from(["employee", "employer", "own_account"]))
            person.update(
                employment_type=kind,
                sector=draw(st.sampled_from(["agriculture", "industry", "services"])),
                formal=draw(st.booleans()),
                earnings_monthly=draw(KIP),
            )
            if kind == "employee":
                person["employer_type"] = draw(st.sampled_from(["private", "public"]))
    return person


@st.composite
def households(draw: st.DrawFn) -> dict[str, Any]:
    district = draw(st.sampled_from([row.code for row in districts()]))
    size = draw(st.integers(1, 5))
    relationships = ["head"] + [
        draw(st.sampled_from(["spouse", "child", "parent", "grandchild", "other"]))
        for _ in range(size - 1)
    ]
    members = [draw(persons(f"RT-P{i}", rel)) for i, rel in enumerate(relationships)]
    women = [m["person_id"] for m in members if m["sex"] == "F"]
    for member in members:
        if women and member["person_id"] not in women and draw(st.booleans()):
            member["mother_id"] = women[0]
    return {
        "household_id": "RT-H",
        "district_code": district,
        "village_code": draw(st.none() | st.just(district + "001")),
        "village_name": draw(st.none() | NAMES),
        "urban": draw(st.booleans()),
        "poor": draw(st.booleans()),
        "registered_on": draw(st.none() | st.dates(dt.date(2015, 1, 1), TODAY)),
        "members": members,
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=households())
def test_households_round_trip(session: Session, data: dict[str, Any]) -> None:
    savepoint = session.begin_nested()
    try:
        service.add_household(session, data, today=TODAY)
        session.expire_all()
        read = service.get_household(session, "RT-H")
        for field in ("district_code", "village_code", "village_name", "urban", "poor"):
            assert getattr(read, field) == data.get(field, getattr(read, field))
        assert read.registered_on == data["registered_on"]
        expected = {
            m["person_id"]: PersonCreate.model_validate(m).model_dump(exclude={"household_id"})
            for m in data["members"]
        }
        got = {m.person_id: m.model_dump(exclude={"household_id"}) for m in read.members}
        assert got == expected
        assert {m.household_id for m in read.members} == {"RT-H"}
        assert service.add_household(session, data, today=TODAY).action == "unchanged"
    finally:
        savepoint.rollback()
