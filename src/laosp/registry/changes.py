"""Changing what is registered: one household's fields, one person, a new member.

Like ``service``, these take the session, never commit, validate the whole resulting
record (not only the fields given) and write an audit event for every change; a change
of a field the rules read first keeps the old values (``laosp.registry.history``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from laosp.models.history import HOUSEHOLD_HISTORY_FIELDS, PERSON_HISTORY_FIELDS
from laosp.registry import repository as repo
from laosp.registry.errors import FieldError, NotFoundError, ValidationFailed
from laosp.registry.history import record_households, record_persons, touches
from laosp.registry.schemas import (
    HouseholdCreate,
    HouseholdRead,
    HouseholdUpdate,
    PersonCreate,
    PersonRead,
    PersonUpdate,
)
from laosp.registry.service import (
    DEFAULT_ACTOR,
    _audit,
    _check_people,
    _created,
    _diff,
    _raise_if,
    _today,
)
from laosp.registry.validation import check_household, check_person, parse


def _changes(model: type[BaseModel], data: Mapping[str, Any] | BaseModel) -> dict[str, Any]:
    """The fields given (``null`` included), validated by ``model``."""
    parsed, errors = parse(model, data)
    if errors:
        raise ValidationFailed(errors)
    assert parsed is not None
    return parsed.model_dump(exclude_unset=True)


def update_household(
    session: Session,
    household_id: str,
    data: Mapping[str, Any] | HouseholdUpdate,
    *,
    actor: str = DEFAULT_ACTOR,
    today: dt.date | None = None,
) -> HouseholdRead:
    household = repo.get_household(session, household_id)
    if household is None:
        raise NotFoundError("household", household_id)
    changes = _changes(HouseholdUpdate, data)
    current = repo.household_values(household)
    merged, errors = parse(HouseholdCreate, {**current, **changes})
    if merged is not None:
        errors.extend(check_household(merged, _today(today)))
    if errors:
        raise ValidationFailed(errors)
    assert merged is not None
    new_values = merged.model_dump(exclude={"household_id"})
    diff = _diff(current, new_values)
    if diff:
        if touches(diff, HOUSEHOLD_HISTORY_FIELDS):
            record_households(session, [household_id], _today(today))
        repo.update_household(session, household, new_values)
        _audit(session, actor, "update", "household", household_id, diff)
    return repo.to_household_read(household)


def _members_with(
    session: Session, household_id: str, person: PersonCreate | PersonRead
) -> dict[str, PersonCreate | PersonRead]:
    members: dict[str, PersonCreate | PersonRead] = {
        f"registered person {member.person_id}": repo.to_person_read(member)
        for member in repo.members_of(session, household_id)
        if member.person_id != person.person_id
    }
    members["person"] = person
    return members


def update_person(
    session: Session,
    person_id: str,
    data: Mapping[str, Any] | PersonUpdate,
    *,
    actor: str = DEFAULT_ACTOR,
    today: dt.date | None = None,
) -> PersonRead:
    person = repo.get_person(session, person_id)
    if person is None:
        raise NotFoundError("person", person_id)
    changes = _changes(PersonUpdate, data)
    current = repo.person_values(person)
    merged, errors = parse(PersonCreate, {**current, **changes})
    if merged is not None:
        errors.extend(check_person(merged, _today(today)))
    if errors:
        raise ValidationFailed(errors)
    assert merged is not None
    members = _members_with(session, person.household_id, merged)
    _raise_if(_check_people(session, person.household_id, members))
    new_values = merged.model_dump(exclude={"household_id"})
    diff = _diff(current, new_values)
    if diff:
        if touches(diff, PERSON_HISTORY_FIELDS):
            record_persons(session, [person_id], _today(today))
        repo.update_person(session, person, new_values)
        _audit(session, actor, "update", "person", person_id, diff)
    return repo.to_person_read(person)


def add_person(
    session: Session,
    data: Mapping[str, Any] | PersonCreate,
    *,
    actor: str = DEFAULT_ACTOR,
    today: dt.date | None = None,
) -> PersonRead:
    """Add one person to a registered household (``household_id`` required)."""
    person, errors = parse(PersonCreate, data)
    if person is not None:
        errors.extend(check_person(person, _today(today)))
        if person.household_id is None:
            errors.append(FieldError("household_id", None, "required"))
        elif repo.get_household(session, person.household_id) is None:
            errors.append(
                FieldError("household_id", person.household_id, "no such household is registered")
            )
        elif repo.get_person(session, person.person_id) is not None:
            errors.append(FieldError("person_id", person.person_id, "is already registered"))
    if errors:
        raise ValidationFailed(errors)
    assert person is not None
    assert person.household_id is not None
    members = _members_with(session, person.household_id, person)
    _raise_if(_check_people(session, person.household_id, members))
    row = person.model_dump()
    repo.insert_persons(session, [row])
    _audit(session, actor, "create", "person", person.person_id, _created(row))
    return get_person_read(session, person.person_id)


def get_person_read(session: Session, person_id: str) -> PersonRead:
    found = repo.get_person(session, person_id)
    if found is None:
        raise NotFoundError("person", person_id)
    return repo.to_person_read(found)
