"""The grievance service: open, assign, escalate, review, resolve or reject, list; the
overdue queue.

Lifecycle: ``open → in_review → resolved | rejected`` (an open grievance may also be
resolved or rejected at once, e.g. a duplicate). The categories, the days each may stay
unresolved and the escalation levels are the policy pack's (``grievances.yaml``): the
due date is fixed at opening, the date received plus the days of the category in force
then; a grievance is overdue when its due date is before today and it is not closed.
Assigning and escalating are compare-and-sets on what was read (the assignee, the level
and the status). The functions taking a ``Principal`` check the permission table
(``open_grievance`` / ``handle_grievance``) in the grievance's district; a grievance
outside the principal's area is not found. Resolving or rejecting needs a resolution text and
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
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, func, select, update
from sqlalchemy.orm import Session

from laosp.access import audit_trail
from laosp.access.permissions import Action, reach, require
from laosp.access.roles import Area, Principal, user_principal
from laosp.enrolment.dates import date_error
from laosp.enrolment.transitions import lifecycle
from laosp.models import AuditEvent, Grievance, Household, Person, User
from laosp.registry.errors import (
    ConcurrentChange,
    ConflictError,
    FieldError,
    NotFoundError,
    ValidationFailed,
)
from laosp.registry.schemas import CONTROL_CHARACTERS, plain_text
from laosp.rules.pack import Pack

DEFAULT_ACTOR = "system"
GRIEVANCE = lifecycle(
    "grievance",
    "open",
    {
        "open": ("in_review", "resolved", "rejected"),
        "in_review": ("resolved", "rejected"),
        "resolved": (),
        "rejected": (),
    },
)


#: Statuses of a grievance still waiting for an answer.
OPEN_STATUSES = tuple(s for s in GRIEVANCE.statuses if not GRIEVANCE.is_final(s))


def _audit(session: Session, actor: str, action: str, grievance: Grievance, changes: Any) -> None:
    audit_trail.record(
        session,
        actor=actor,
        action=action,
        entity="grievance",
        entity_id=str(grievance.id),
        changes=changes,
        district_code=district_of(session, grievance.id),
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
    pack: Pack,
    *,
    category: str,
    description: str,
    on: dt.date,
    person_id: str | None = None,
    household_id: str | None = None,
    scheme: str | None = None,
    actor: str = DEFAULT_ACTOR,
    today: dt.date | None = None,
) -> Grievance:
    """Open a grievance about a person or a household, received on ``on`` (today or
    before); ``scheme``, when given, is a scheme of ``pack``. Due ``on`` plus the days of
    ``category`` in force on ``on``."""
    policy = pack.grievances
    errors: list[FieldError] = []
    if (wrong_date := date_error("date", on, today)) is not None:
        errors.append(wrong_date)
    elif policy.start is not None and on < policy.start:
        errors.append(
            FieldError(
                "date",
                on.isoformat(),
                f"is before the grievance time limits of the policy pack start "
                f"({policy.start.isoformat()}) (ກ່ອນວັນທີນະໂຍບາຍມີຜົນ)",
            )
        )
    bad_ids = _text_errors(person_id=person_id, household_id=household_id)
    errors += bad_ids + _text_errors(scheme=scheme, description=description)
    lookable = not bad_ids  # PostgreSQL cannot even compare an id holding NUL
    if (person_id is None) == (household_id is None):
        errors.append(FieldError("person_id", person_id, "give a person or a household, not both"))
    elif lookable and person_id is not None and session.get(Person, person_id) is None:
        errors.append(FieldError("person_id", person_id, "is not a registered person"))
    elif lookable and household_id is not None and session.get(Household, household_id) is None:
        errors.append(FieldError("household_id", household_id, "is not a registered household"))
    if category not in policy.categories:
        known = ", ".join(policy.categories) or "none: the policy pack has no grievance categories"
        errors.append(FieldError("category", category, f"must be one of {known} (ປະເພດບໍ່ຖືກຕ້ອງ)"))
    if not description.strip():
        errors.append(FieldError("description", description, "must not be empty"))
    if scheme is not None and scheme not in pack.schemes:
        errors.append(FieldError("scheme", scheme, "is not a scheme of the policy pack"))
    days = policy.categories[category].days_at(on) if category in policy.categories else None
    if days is None and not errors:
        errors.append(FieldError("category", category, f"has no time limit on {on.isoformat()}"))
    if errors:
        raise ValidationFailed(errors)
    assert days is not None
    grievance = Grievance(
        person_id=person_id,
        household_id=household_id,
        scheme=scheme,
        category=category,
        description=description.strip(),
        status=GRIEVANCE.initial,
        opened_on=on,
        due_on=on + dt.timedelta(days=days),
        escalation_level=0,
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
            "due_on": (on + dt.timedelta(days=days)).isoformat(),
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


# --- the queue: principals, areas, assignment, escalation ------------------------------


def area_of_grievances(principal: Principal) -> Area:
    """Where ``principal`` sees grievances: where they may handle them, else where they
    may open them (a district officer: their district)."""
    handled = reach(principal, Action.handle_grievance)
    return handled if not handled.nowhere else reach(principal, Action.open_grievance)


def grievance_for(session: Session, principal: Principal, grievance_id: int) -> Grievance:
    """The grievance, if ``principal`` may see it; ``NotFoundError`` otherwise (one
    outside the area is not named)."""
    area = area_of_grievances(principal)
    district = district_of(session, grievance_id)
    if district is None or area.nowhere or not area.contains(district):
        raise NotFoundError("grievance", str(grievance_id))
    return get_grievance(session, grievance_id)


def _handled_by(session: Session, principal: Principal, grievance_id: int) -> Grievance:
    grievance = grievance_for(session, principal, grievance_id)
    require(principal, Action.handle_grievance, district_of(session, grievance_id))
    return grievance


class Closed(ConflictError):  # noqa: N818 (reads as the condition)
    """The grievance is resolved or rejected: nothing more happens to it."""

    def __init__(self, grievance: Grievance) -> None:
        super().__init__(
            "status",
            grievance.status,
            f"grievance {grievance.id} is {grievance.status} already (ຄຳຮ້ອງທຸກປິດແລ້ວ)",
        )


def _date_errors(grievance: Grievance, on: dt.date, today: dt.date | None) -> list[FieldError]:
    errors = [e for e in [date_error("date", on, today)] if e is not None]
    if on < grievance.opened_on:
        errors.append(
            FieldError("date", on.isoformat(), f"is before it was opened ({grievance.opened_on})")
        )
    return errors


def assign(
    session: Session,
    principal: Principal,
    grievance_id: int,
    username: str,
    *,
    on: dt.date,
    today: dt.date | None = None,
) -> Grievance:
    """Assign the grievance to ``username``, a user who may handle grievances in its
    district; a compare-and-set on the assignee and status read."""
    grievance = _handled_by(session, principal, grievance_id)
    if GRIEVANCE.is_final(grievance.status):
        raise Closed(grievance)
    errors = _date_errors(grievance, on, today) + _text_errors(assigned_to=username)
    district = district_of(session, grievance_id)
    user = None if errors else session.scalar(select(User).where(User.username == username))
    if not errors and (user is None or not user.active):
        errors.append(FieldError("assigned_to", username, "is not an active user (ບໍ່ມີຜູ້ໃຊ້ນີ້)"))
    elif user is not None and not _may_handle(user, district):
        errors.append(
            FieldError(
                "assigned_to",
                username,
                f"may not handle grievances in district {district} (ບໍ່ມີສິດຈັດການຄຳຮ້ອງທຸກໃນເມືອງນີ້)",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    before, status = grievance.assigned_to, grievance.status
    written = session.execute(
        update(Grievance)
        .where(
            Grievance.id == grievance_id,
            Grievance.status == status,
            Grievance.assigned_to.is_(None) if before is None else Grievance.assigned_to == before,
        )
        .values(assigned_to=username)
        .execution_options(synchronize_session="fetch")
    )
    if written.rowcount != 1:  # type: ignore[attr-defined]
        found = session.scalar(select(Grievance.assigned_to).where(Grievance.id == grievance_id))
        raise ConcurrentChange("grievance", grievance_id, before, found, field="assigned_to")
    session.refresh(grievance)
    changes = {"assigned_to": [before, username], "on": on.isoformat()}
    _audit(session, principal.username, "assign", grievance, changes)
    return grievance


def _may_handle(user: User, district: str | None) -> bool:
    area = reach(user_principal(user), Action.handle_grievance)
    return not area.nowhere and district is not None and area.contains(district)


def escalate(
    session: Session,
    pack: Pack,
    principal: Principal,
    grievance_id: int,
    *,
    on: dt.date,
    today: dt.date | None = None,
) -> Grievance:
    """Move the grievance one level up the pack's escalation levels; its assignee is
    cleared (the next level assigns its own). A compare-and-set on the level and the
    status read."""
    grievance = _handled_by(session, principal, grievance_id)
    if GRIEVANCE.is_final(grievance.status):
        raise Closed(grievance)
    levels = pack.grievances.levels
    level, status, assignee = grievance.escalation_level, grievance.status, grievance.assigned_to
    if level + 1 >= len(levels):
        top = levels[-1].code if levels else "-"
        raise ConflictError(
            "escalation_level", top, f"grievance {grievance_id} is at the highest level "
            "already (ຢູ່ຂັ້ນສູງສຸດແລ້ວ)",
        )  # fmt: skip
    if errors := _date_errors(grievance, on, today):
        raise ValidationFailed(errors)
    written = session.execute(
        update(Grievance)
        .where(
            Grievance.id == grievance_id,
            Grievance.status == status,
            Grievance.escalation_level == level,
        )
        .values(escalation_level=level + 1, escalated_on=on, assigned_to=None)
        .execution_options(synchronize_session="fetch")
    )
    if written.rowcount != 1:  # type: ignore[attr-defined]
        found = session.execute(
            select(Grievance.escalation_level, Grievance.status).where(Grievance.id == grievance_id)
        ).one()
        raise ConcurrentChange(
            "grievance", grievance_id, f"{levels[level].code}/{status}",
            f"{levels[found[0]].code}/{found[1]}", field="escalation_level",
        )  # fmt: skip
    changes = {
        "escalation_level": [levels[level].code, levels[level + 1].code],
        "assigned_to": [assignee, None] if assignee else None,
        "on": on.isoformat(),
    }
    session.refresh(grievance)
    _audit(session, principal.username, "escalate", grievance, changes)
    return grievance


def decide(
    session: Session,
    principal: Principal,
    grievance_id: int,
    status: str,
    *,
    on: dt.date,
    resolution: str | None = None,
    today: dt.date | None = None,
) -> Grievance:
    """``set_status`` by ``principal``, who must be allowed to handle it there."""
    grievance = _handled_by(session, principal, grievance_id)
    if GRIEVANCE.is_final(grievance.status):
        raise Closed(grievance)
    return set_status(
        session, grievance_id, status, on=on, resolution=resolution, actor=principal.username,
        today=today,
    )  # fmt: skip


def open_for(
    session: Session, pack: Pack, principal: Principal, *, today: dt.date, **fields: Any
) -> Grievance:
    """``open_grievance`` by ``principal``, who must be allowed to open one in the
    district of the person or household (one outside the area is not found)."""
    person_id, household_id = fields.get("person_id"), fields.get("household_id")
    district: str | None = None
    if person_id is not None and not _text_errors(person_id=person_id):
        district = session.scalar(
            select(Household.district_code)
            .join(Person, Person.household_id == Household.household_id)
            .where(Person.person_id == person_id)
        )
    elif household_id is not None and not _text_errors(household_id=household_id):
        district = session.scalar(
            select(Household.district_code).where(Household.household_id == household_id)
        )
    area = reach(principal, Action.open_grievance)
    require(principal, Action.open_grievance)
    if district is not None and not area.contains(district):
        which = "person_id" if person_id is not None else "household_id"
        raise ValidationFailed(
            [FieldError(which, person_id or household_id, "is not a registered "
                        f"{'person' if person_id else 'household'}")]
        )  # fmt: skip
    return open_grievance(session, pack, actor=principal.username, today=today, **fields)


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    category: str | None = None
    district: str | None = None
    #: Only those overdue on this date.
    overdue_on: dt.date | None = None
    assigned_to: str | None = None
    household_id: str | None = None


def _filtered(query: Any, area: Area, filters: Filters) -> Any:
    if area.nowhere:
        return query.where(false())
    if (within := _within(area)) is not None:
        query = query.where(within)
    if filters.status is not None:
        query = query.where(Grievance.status == filters.status)
    if filters.category is not None:
        query = query.where(Grievance.category == filters.category)
    if filters.district is not None:
        query = query.where(_district() == filters.district)
    if filters.assigned_to is not None:
        query = query.where(Grievance.assigned_to == filters.assigned_to)
    if filters.household_id is not None:
        of_household = select(Person.person_id).where(Person.household_id == filters.household_id)
        query = query.where(
            (Grievance.household_id == filters.household_id) | Grievance.person_id.in_(of_household)
        )
    if filters.overdue_on is not None:
        query = query.where(
            Grievance.due_on < filters.overdue_on, Grievance.status.in_(OPEN_STATUSES)
        )
    return query


def queue(
    session: Session, principal: Principal, filters: Filters, *, limit: int, offset: int
) -> tuple[list[tuple[Grievance, str | None]], int]:
    """A page of the grievances ``principal`` may see (each with its district), the
    most overdue first (the earliest due date; those without one last), and the total."""
    area = area_of_grievances(principal)
    total = session.scalar(_filtered(select(func.count()).select_from(Grievance), area, filters))
    query = _filtered(select(Grievance, _district()), area, filters).order_by(
        Grievance.due_on.is_(None), Grievance.due_on, Grievance.id
    )
    rows = session.execute(query.limit(limit).offset(offset)).all()
    return [(row[0], row[1]) for row in rows], int(total or 0)


def days_overdue(grievance: Grievance, today: dt.date) -> int:
    """Days past its due date on ``today`` (0: not overdue, closed or without one)."""
    if grievance.due_on is None or GRIEVANCE.is_final(grievance.status):
        return 0
    return max(0, (today - grievance.due_on).days)


def handlers(session: Session, district: str | None) -> list[str]:
    """The active users who may handle grievances in ``district`` (the choices of an
    assignment), by name."""
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
    return [user.username for user in users if _may_handle(user, district)]


def history(session: Session, grievance_id: int) -> list[AuditEvent]:
    """The grievance's audit events, oldest first: opened, assigned, escalated, moved
    (not who read it: that is the audit trail's, not the grievance's story)."""
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.entity == "grievance",
            AuditEvent.entity_id == str(grievance_id),
            AuditEvent.action != "read",
        )
        .order_by(AuditEvent.id)
    )
    return list(session.scalars(query))
