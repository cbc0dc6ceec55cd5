"""What the officers' screens read about enrolments: a filtered, paginated list within an
area (with who enrolled each one), and a household's benefits: for each member and for
the household, what it receives now, what it is eligible for and not enrolled in, and
why (``laosp.enrolment.explanation``), from one evaluation of the household.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, String, cast, func, select
from sqlalchemy.orm import Session

from laosp.access.roles import Area
from laosp.enrolment.explanation import evaluated, explain_scheme
from laosp.enrolment.transitions import OPEN_ENROLMENT
from laosp.enrolment.units import read_units
from laosp.models import AuditEvent, Enrolment, Household, Person
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Pack, Scheme


class EnrolmentRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    scheme: str
    status: str
    person_id: str | None
    household_id: str
    start_date: dt.date
    end_date: dt.date | None
    district_code: str
    enrolled_by: str | None
    #: the enrolled person's name (the head's for a household enrolment)
    given_name: str | None
    family_name: str | None


def _household_of_enrolment() -> Any:
    return func.coalesce(Enrolment.household_id, Person.household_id)


def _query(columns: list[Any]) -> Select[Any]:
    return (
        select(*columns)
        .select_from(Enrolment)
        .outerjoin(Person, Person.person_id == Enrolment.person_id)
        .join(Household, Household.household_id == _household_of_enrolment())
    )


def _enrolled_by() -> Any:
    return (
        select(AuditEvent.actor)
        .where(
            AuditEvent.entity == "enrolment",
            AuditEvent.entity_id == cast(Enrolment.id, String),
            AuditEvent.action == "create",
        )
        .order_by(AuditEvent.id)
        .limit(1)
        .scalar_subquery()
    )


def _head_name(column: Any) -> Any:
    head = Person.__table__.alias("head")
    return (
        select(head.c[column.key])
        .where(head.c.household_id == Enrolment.household_id, head.c.relationship == "head")
        .limit(1)
        .scalar_subquery()
    )


COLUMNS = [
    Enrolment.id,
    Enrolment.scheme,
    Enrolment.status,
    Enrolment.person_id,
    _household_of_enrolment().label("household_id"),
    Enrolment.start_date,
    Enrolment.end_date,
    Household.district_code,
]


def _in_area(query: Select[Any], area: Area) -> Select[Any]:
    if area.everywhere:
        return query
    if area.district_code is not None:
        return query.where(Household.district_code == area.district_code)
    if area.province_code is not None:
        return query.where(Household.district_code.startswith(area.province_code))
    return query.where(Household.district_code.is_(None))  # nowhere


def _rows(session: Session, query: Select[Any]) -> list[EnrolmentRow]:
    shown = query.add_columns(
        _enrolled_by().label("enrolled_by"),
        func.coalesce(Person.given_name, _head_name(Person.given_name)).label("given_name"),
        func.coalesce(Person.family_name, _head_name(Person.family_name)).label("family_name"),
    )
    return [
        EnrolmentRow.model_validate(row, from_attributes=True) for row in session.execute(shown)
    ]


def list_enrolments(
    session: Session,
    area: Area,
    *,
    scheme: str | None = None,
    status: str | None = None,
    district: str | None = None,
    province: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[EnrolmentRow], int]:
    """A page of the enrolments within ``area`` (newest first) and how many match."""
    query = _in_area(_query(COLUMNS), area)
    if scheme is not None:
        query = query.where(Enrolment.scheme == scheme)
    if status is not None:
        query = query.where(Enrolment.status == status)
    if district is not None:
        query = query.where(Household.district_code == district)
    if province is not None:
        query = query.where(Household.district_code.startswith(province))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(Enrolment.id.desc()).limit(limit).offset(offset)
    return _rows(session, page), int(total)


def get_row(session: Session, enrolment_id: int) -> EnrolmentRow | None:
    rows = _rows(session, _query(COLUMNS).where(Enrolment.id == enrolment_id))
    return rows[0] if rows else None


def operational_schemes(pack: Pack) -> list[Scheme]:
    """The schemes that enrol in operations (not the proposed ones), in the pack's order."""
    return [s for s in pack.schemes.values() if s.status != "proposed"]


def _enrolments_of_household(session: Session, household_id: str) -> list[Enrolment]:
    members = select(Person.person_id).where(Person.household_id == household_id)
    return list(
        session.scalars(
            select(Enrolment)
            .where(
                (Enrolment.household_id == household_id) | Enrolment.person_id.in_(members),
                Enrolment.status.in_(OPEN_ENROLMENT),
            )
            .order_by(Enrolment.id)
        )
    )


def household_benefits(
    session: Session, pack: Pack, household_id: str, at: dt.date
) -> dict[str, Any]:
    """For each member (``members``, by person id) and for the household itself
    (``household``): ``receives`` (open enrolments with the amount at ``at``),
    ``eligible`` (eligible, not enrolled: can be enrolled) and ``not_eligible``, each
    with the explanation (both languages)."""
    persons, households = read_units(
        session, select(Household.household_id).where(Household.household_id == household_id)
    )
    schemes = operational_schemes(pack)
    frames = evaluated(pack, persons, households, household_id, at, schemes)
    open_by_unit: dict[tuple[str, str], Enrolment] = {}
    for enrolment in _enrolments_of_household(session, household_id):
        unit = enrolment.person_id or enrolment.household_id or ""
        open_by_unit[(unit, enrolment.scheme)] = enrolment

    def of_unit(unit_id: str, unit: str) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {
            "receives": [],
            "eligible": [],
            "not_eligible": [],
        }
        for scheme in schemes:
            if scheme.unit != unit:
                continue
            why = explain_scheme(pack, scheme, persons, households, unit_id, at, frames)
            entry = why.to_dict()
            enrolment = open_by_unit.get((unit_id, scheme.code))
            if enrolment is not None:
                entry["enrolment"] = {
                    "id": enrolment.id,
                    "status": enrolment.status,
                    "start_date": enrolment.start_date.isoformat(),
                }
                found["receives"].append(entry)
            elif why.eligible:
                found["eligible"].append(entry)
            else:
                found["not_eligible"].append(entry)
        return found

    members = {
        str(person_id): of_unit(str(person_id), "person")
        for person_id in persons.filter(persons["household_id"] == household_id)["person_id"]
    }
    return {
        "date": at.isoformat(),
        "members": members,
        "household": of_unit(household_id, HOUSEHOLD),
    }
