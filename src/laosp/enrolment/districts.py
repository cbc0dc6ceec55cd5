"""The district a command's unit lives in, for the permission check of the officer who
acts on it (``access.permissions.require(principal, action, district)``).

``None`` when the unit is not registered, or its id is not plain text (a NUL, a lone
surrogate: PostgreSQL cannot even compare it): the service then refuses it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from laosp.models import Enrolment, Household, Person
from laosp.registry.schemas import plain_text


def _lookable(unit_id: str | None) -> bool:
    if unit_id is None:
        return False
    try:
        plain_text(unit_id)
    except ValueError:
        return False
    return True


def of_household(session: Session, household_id: str | None) -> str | None:
    if household_id is None or not _lookable(household_id):
        return None
    return session.scalar(
        select(Household.district_code).where(Household.household_id == household_id)
    )


def of_person(session: Session, person_id: str | None) -> str | None:
    if person_id is None or not _lookable(person_id):
        return None
    return session.scalar(
        select(Household.district_code)
        .join(Person, Person.household_id == Household.household_id)
        .where(Person.person_id == person_id)
    )


def of_unit(session: Session, unit_id: str) -> str | None:
    """The district of a person or a household named ``unit_id``."""
    return of_person(session, unit_id) or of_household(session, unit_id)


def of_enrolment(session: Session, enrolment_id: int) -> str | None:
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        return None
    return of_person(session, enrolment.person_id) or of_household(session, enrolment.household_id)
