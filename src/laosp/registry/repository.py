"""All SQL of the registry: households, persons, the audit trail and name search."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from laosp.models import AuditEvent, Household, Person
from laosp.registry.names import name_key, roman_fold
from laosp.registry.schemas import HouseholdRead, PersonHit, PersonRead

HOUSEHOLD_FIELDS = tuple(name for name in HouseholdRead.model_fields if name != "province_code")
PERSON_FIELDS = tuple(PersonRead.model_fields)


def get_household(session: Session, household_id: str) -> Household | None:
    return session.get(Household, household_id)


def get_person(session: Session, person_id: str) -> Person | None:
    return session.get(Person, person_id)


def members_of(session: Session, household_id: str) -> list[Person]:
    """The members of a household, head first, then by birth date."""
    head_first = (Person.relationship != "head").label("not_head")
    rows = session.scalars(
        select(Person)
        .where(Person.household_id == household_id)
        .order_by(head_first, Person.birth_date, Person.person_id)
    )
    return list(rows)


def sexes_of(session: Session, person_ids: Iterable[str]) -> dict[str, str]:
    """``person_id → sex`` of those of ``person_ids`` that are registered."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = session.execute(select(Person.person_id, Person.sex).where(Person.person_id.in_(ids)))
    return {str(person_id): str(sex) for person_id, sex in rows}


def households_of(session: Session, person_ids: Iterable[str]) -> dict[str, str]:
    """``person_id → household_id`` of those of ``person_ids`` that are registered."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Person.person_id, Person.household_id).where(Person.person_id.in_(ids))
    )
    return {str(pid): str(household_id) for pid, household_id in rows}


def household_values(household: Household) -> dict[str, Any]:
    return {name: getattr(household, name) for name in HOUSEHOLD_FIELDS}


def person_values(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in PERSON_FIELDS}


def to_household_read(household: Household) -> HouseholdRead:
    return HouseholdRead(**household_values(household), province_code=household.district_code[:2])


def to_person_read(person: Person) -> PersonRead:
    return PersonRead(**person_values(person))


def _with_keys(values: dict[str, Any]) -> dict[str, Any]:
    return {
        **values,
        "name_key": name_key(values["given_name"], values["family_name"]),
        "name_fold": roman_fold(f"{values['given_name']} {values['family_name']}"),
    }


def insert_household(session: Session, values: dict[str, Any]) -> Household:
    household = Household(**values)
    session.add(household)
    session.flush()
    return household


def insert_persons(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert persons (already validated); keeps the name search keys in step."""
    session.add_all(Person(**_with_keys(row)) for row in rows)
    session.flush()


def update_household(session: Session, household: Household, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(household, name, value)
    session.flush()


def update_person(session: Session, person: Person, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(person, name, value)
    if {"given_name", "family_name"} & changes.keys():
        keys = _with_keys(person_values(person))
        person.name_key = keys["name_key"]
        person.name_fold = keys["name_fold"]
    session.flush()


def add_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    changes: dict[str, Any],
) -> None:
    session.add(
        AuditEvent(actor=actor, action=action, entity=entity, entity_id=entity_id, changes=changes)
    )
    session.flush()


def audit_events(
    session: Session, entity: str | None = None, entity_id: str | None = None
) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if entity is not None:
        query = query.where(AuditEvent.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    return list(session.scalars(query))


def _like(column: Any, token: str) -> ColumnElement[bool]:
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    condition: ColumnElement[bool] = column.like(f"%{escaped}%", escape="\\")
    return condition


def search_persons(
    session: Session,
    *,
    tokens: Sequence[str] = (),
    fold_tokens: Sequence[str] = (),
    district_code: str | None = None,
    province_code: str | None = None,
    limit: int = 50,
) -> list[PersonHit]:
    """Persons whose name contains every token (in ``name_key``, or every fold token in
    ``name_fold``), within a district or province when given, by name."""
    query = select(
        Person.person_id,
        Person.household_id,
        Person.given_name,
        Person.family_name,
        Person.sex,
        Person.birth_date,
        Person.relationship,
        Household.district_code,
        Household.village_name,
    ).join(Household, Household.household_id == Person.household_id)
    if tokens:
        exact = and_(*(_like(Person.name_key, token) for token in tokens))
        if fold_tokens:
            folded = and_(*(_like(Person.name_fold, token) for token in fold_tokens))
            query = query.where(or_(exact, folded))
        else:
            query = query.where(exact)
    if district_code is not None:
        query = query.where(Household.district_code == district_code)
    if province_code is not None:
        query = query.where(Household.district_code.like(f"{province_code}__"))
    query = query.order_by(Person.name_key, Person.person_id).limit(limit)
    return [
        PersonHit(**row._asdict(), province_code=row.district_code[:2])
        for row in session.execute(query)
    ]
