"""The grievance service: open, review, resolve or reject, list.

Lifecycle: ``open → in_review → resolved | rejected`` (an open grievance may also be
rejected at once, e.g. a duplicate). Resolving or rejecting needs a resolution text and
sets ``closed_on``. One ``AuditEvent`` (entity ``grievance``) per accepted change. A
status change is a compare-and-set (``Lifecycle.move``): a grievance someone else moved
meanwhile is refused with ``ConcurrentChange``. Dates may not be in the future (``today``
comes from the edge) nor before ``EARLIEST_OPERATION_DATE``. Texts and ids follow the
registry's one text rule (``laosp.registry.schemas.plain_text``: no control character
but tab and line breaks, no lone surrogate); an id breaking it is never looked up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from typing import Any

from sqlalchemy import false, func, select
from sqlalchemy.orm import Session

from laosp.access.roles import Area
from laosp.enrolment.dates import date_error
from laosp.enrolment.transitions import lifecycle
from laosp.models import Grievance, Household, Person
from laosp.registry.errors import FieldError, NotFoundError, ValidationFailed
from laosp.registry.repository import add_audit
from laosp.registry.schemas import CONTROL_CHARACTERS, plain_text

DEFAULT_ACTOR = "system"
CATEGORIES = ("eligibility", "payment", "registration", "service", "other")
GRIEVANCE = lifecycle(
    "grievance",
    "open",
    {
        "open": ("in_review", "rejected"),
        "in_review": ("resolved", "rejected"),
        "resolved": (),
        "rejected": (),
    },
)


def _audit(session: Session, actor: str, action: str, grievance: Grievance, changes: Any) -> None:
    add_audit(
        session,
        actor=actor,
        action=action,
        entity="grievance",
        entity_id=str(grievance.id),
        changes=changes,
    )


def _not_plain(field: str, value: str | None) -> FieldError | None:
    """The problem with ``value`` under the registry's text rule; the value is shown
    with each refused character replaced, so no terminal or page obeys it."""
    if value is None:
        return None
    try:
        plain_text(value)
    except ValueError as refused:
        shown = re.sub(CONTROL_CHARACTERS, "\ufffd", value)
        shown = shown.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
        return FieldError(field, shown, f"{refused} (ຫ້າມມີຕົວອັກສອນຄວບຄຸມ)")
    return None


def _text_errors(**texts: str | None) -> list[FieldError]:
    return [e for field, value in texts.items() if (e := _not_plain(field, value)) is not None]


def open_grievance(
    session: Session,
    *,
    category: str,
    description: str,
    on: dt.date,
    person_id: str | None = None,
    household_id: str | None = None,
    scheme: str | None = None,
    schemes: Collection[str] | None = None,
    actor: str = DEFAULT_ACTOR,
    today: dt.date | None = None,
) -> Grievance:
    """Open a grievance about a person or a household; ``schemes``, when given, are the
    scheme codes ``scheme`` must be one of."""
    errors: list[FieldError] = []
    if (wrong_date := date_error("date", on, today)) is not None:
        errors.append(wrong_date)
    bad_ids = _text_errors(person_id=person_id, household_id=household_id)
    errors += bad_ids + _text_errors(scheme=scheme, description=description)
    lookable = not bad_ids  # PostgreSQL cannot even compare an id holding NUL
    if (person_id is None) == (household_id is None):
        errors.append(FieldError("person_id", person_id, "give a person or a household, not both"))
    elif lookable and person_id is not None and session.get(Person, person_id) is None:
        errors.append(FieldError("person_id", person_id, "is not a registered person"))
    elif lookable and household_id is not None and session.get(Household, household_id) is None:
        errors.append(FieldError("household_id", household_id, "is not a registered household"))
    if category not in CATEGORIES:
        errors.append(FieldError("category", category, f"must be one of {', '.join(CATEGORIES)}"))
    if not description.strip():
        errors.append(FieldError("description", description, "must not be empty"))
    if scheme is not None and schemes is not None and scheme not in schemes:
        errors.append(FieldError("scheme", scheme, "is not a scheme of the policy pack"))
    if errors:
        raise ValidationFailed(errors)
    grievance = Grievance(
        person_id=person_id,
        household_id=household_id,
        scheme=scheme,
        category=category,
        description=description.strip(),
        status=GRIEVANCE.initial,
        opened_on=on,
    )
    session.add(grievance)
    session.flush()
    _audit(
        session,
        actor,
        "create",
        grievance,
        {
            "person_id": person_id,
            "household_id": household_id,
            "scheme": scheme,
            "category": category,
            "opened_on": on.isoformat(),
        },
    )
    return grievance


def get_grievance(session: Session, grievance_id: int) -> Grievance:
    grievance = session.get(Grievance, grievance_id)
    if grievance is None:
        raise NotFoundError("grievance", str(grievance_id))
    return grievance


def set_status(
    session: Session,
    grievance_id: int,
    status: str,
    *,
    on: dt.date,
    resolution: str | None = None,
    actor: str = DEFAULT_ACTOR,
    today: dt.date | None = None,
) -> Grievance:
    """Move the grievance to ``status`` (``in_review``, ``resolved``, ``rejected``)."""
    grievance = get_grievance(session, grievance_id)
    current = grievance.status
    GRIEVANCE.check(grievance_id, current, status)
    closing = GRIEVANCE.is_final(status)
    errors: list[FieldError] = []
    if (wrong_date := date_error("date", on, today)) is not None:
        errors.append(wrong_date)
    errors += _text_errors(resolution=resolution)
    if closing and not (resolution or "").strip():
        errors.append(FieldError("resolution", resolution, f"is required to mark it {status}"))
    if on < grievance.opened_on:
        errors.append(
            FieldError("date", on.isoformat(), f"is before it was opened ({grievance.opened_on})")
        )
    if errors:
        raise ValidationFailed(errors)
    changes: dict[str, Any] = {"status": [current, status], "on": on.isoformat()}
    closed: dict[str, Any] = {}
    if closing:
        closed = {"closed_on": on, "resolution": (resolution or "").strip()}
        changes["resolution"] = closed["resolution"]
    GRIEVANCE.move(session, Grievance, grievance_id, current, status, **closed)
    _audit(session, actor, "status", grievance, changes)
    return grievance


def _district() -> Any:
    """The district of a grievance's person or household (an SQL expression)."""
    of_person = (
        select(Household.district_code)
        .join(Person, Person.household_id == Household.household_id)
        .where(Person.person_id == Grievance.person_id)
        .scalar_subquery()
    )
    of_household = (
        select(Household.district_code)
        .where(Household.household_id == Grievance.household_id)
        .scalar_subquery()
    )
    return func.coalesce(of_person, of_household)


def district_of(session: Session, grievance_id: int) -> str | None:
    """The district of the grievance's person or household (``None``: no such grievance)."""
    found: str | None = session.scalar(select(_district()).where(Grievance.id == grievance_id))
    return found


def _within(area: Area) -> Any:
    district = _district()
    if area.everywhere:
        return None
    if area.district_code is not None:
        return district == area.district_code
    if area.province_code is not None:
        return func.substr(district, 1, 2) == area.province_code
    return false()


def list_grievances(
    session: Session,
    *,
    status: str | None = None,
    person_id: str | None = None,
    household_id: str | None = None,
    limit: int = 100,
    area: Area | None = None,
) -> list[Grievance]:
    """Grievances, oldest first; only those of ``area`` when given."""
    query = select(Grievance).order_by(Grievance.opened_on, Grievance.id).limit(limit)
    if area is not None and (within := _within(area)) is not None:
        query = query.where(within)
    if status is not None:
        query = query.where(Grievance.status == status)
    if person_id is not None:
        query = query.where(Grievance.person_id == person_id)
    if household_id is not None:
        query = query.where(Grievance.household_id == household_id)
    return list(session.scalars(query))
