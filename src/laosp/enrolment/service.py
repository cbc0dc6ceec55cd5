"""The enrolment service: enrol a person or household in a scheme, change its status.

Functions take the ``Session`` and never commit. Every accepted change writes one
``AuditEvent`` (entity ``enrolment``) in the same transaction; a refused request writes
nothing. A status change is a compare-and-set (``Lifecycle.move``); dates are checked
against ``laosp.enrolment.dates`` with the ``today`` the edge passes in. Every status
is also kept as a dated period (``laosp.registry.history``) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from laosp.access.permissions import Action, SameUser
from laosp.enrolment.dates import check_date
from laosp.enrolment.eligibility import check
from laosp.enrolment.errors import NotEligible
from laosp.enrolment.schemas import EnrolmentRead
from laosp.enrolment.transitions import ENROLMENT, OPEN_ENROLMENT
from laosp.enrolment.units import read_units
from laosp.models import AuditEvent, Enrolment, Household, Person
from laosp.registry.errors import (
    ConcurrentChange,
    ConflictError,
    FieldError,
    NotFoundError,
    ValidationFailed,
)
from laosp.registry.history import check_status_date, move_status, open_status
from laosp.registry.repository import add_audit
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Pack, Scheme
from laosp.rules.receipts import enrolment_detail, write_enrolment_receipt

DEFAULT_ACTOR = "system"
#: The move that is an approval (money follows): never by the user who enrolled.
APPROVAL = ("pending", "active")


def action_for(current: str, requested: str) -> Action:
    """The permission a status change needs: ``approve_enrolment`` to make a pending
    enrolment active, ``enrol`` for the others."""
    return Action.approve_enrolment if (current, requested) == APPROVAL else Action.enrol


def enrolled_by(session: Session, enrolment_id: int) -> str | None:
    """The user who enrolled: the actor of the enrolment's ``create`` audit event (the
    service's and the imports' alike)."""
    return session.scalar(
        select(AuditEvent.actor)
        .where(
            AuditEvent.entity == "enrolment",
            AuditEvent.entity_id == str(enrolment_id),
            AuditEvent.action == "create",
        )
        .order_by(AuditEvent.id)
        .limit(1)
    )


def operational_scheme(pack: Pack, code: str) -> Scheme:
    """The scheme ``code`` of the pack's catalogue, if it runs in operations."""
    scheme = pack.schemes.get(code)
    if scheme is None:
        known = ", ".join(sorted(pack.schemes))
        raise ValidationFailed(
            [FieldError("scheme", code, f"is not a scheme of the pack ({known})")]
        )
    if scheme.status == "proposed":
        raise ValidationFailed(
            [
                FieldError(
                    "scheme", code, "is a proposed scheme: it cannot be enrolled in operations"
                )
            ]
        )
    return scheme


def get_enrolment(session: Session, enrolment_id: int) -> EnrolmentRead:
    return EnrolmentRead.of(_load(session, enrolment_id))


def _load(session: Session, enrolment_id: int) -> Enrolment:
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFoundError("enrolment", str(enrolment_id))
    return enrolment


def _household_of(session: Session, scheme: Scheme, unit_id: str) -> str:
    """The household of the enrolled unit; a clear error when the id is of the wrong kind."""
    if scheme.unit == HOUSEHOLD:
        if session.get(Household, unit_id) is not None:
            return unit_id
        reason = "is not a registered household"
        if session.get(Person, unit_id) is not None:
            reason = f"is a person, but scheme {scheme.code} enrols households"
        raise ValidationFailed([FieldError("household_id", unit_id, reason)])
    person = session.get(Person, unit_id)
    if person is not None:
        return person.household_id
    reason = "is not a registered person"
    if session.get(Household, unit_id) is not None:
        reason = f"is a household, but scheme {scheme.code} enrols persons"
    raise ValidationFailed([FieldError("person_id", unit_id, reason)])


def _unit_column(scheme: Scheme) -> Any:
    return Enrolment.household_id if scheme.unit == HOUSEHOLD else Enrolment.person_id


def _open_enrolment(
    session: Session, scheme: Scheme, unit_id: str, other_than: int | None = None
) -> int | None:
    query = select(Enrolment.id).where(
        Enrolment.scheme == scheme.code,
        _unit_column(scheme) == unit_id,
        Enrolment.status.in_(OPEN_ENROLMENT),
    )
    if other_than is not None:
        query = query.where(Enrolment.id != other_than)
    return session.scalar(query.limit(1))


def _refuse_second_open(scheme: Scheme, unit_id: str, open_id: int) -> ConflictError:
    return ConflictError(
        "scheme",
        scheme.code,
        f"{unit_id} already has an open enrolment in {scheme.code} (enrolment {open_id})",
    )


def _lock_unit(session: Session, scheme: Scheme, unit_id: str) -> None:
    """Serialise enrolments of one unit: PostgreSQL locks the unit's row until commit
    (SQLite ignores ``FOR UPDATE``; it serialises writers, and ``enrol`` checks again
    after its insert)."""
    key = Household.household_id if scheme.unit == HOUSEHOLD else Person.person_id
    session.execute(select(key).where(key == unit_id).with_for_update())


def _check_unique(session: Session, scheme: Scheme, unit_id: str, on: dt.date) -> None:
    unit = _unit_column(scheme)
    same_unit = (Enrolment.scheme == scheme.code) & (unit == unit_id)
    open_id = _open_enrolment(session, scheme, unit_id)
    if open_id is not None:
        raise _refuse_second_open(scheme, unit_id, open_id)
    last_end = session.scalar(
        select(Enrolment.end_date).where(same_unit).order_by(Enrolment.end_date.desc()).limit(1)
    )
    if last_end is not None and on <= last_end:
        raise ValidationFailed(
            [
                FieldError(
                    "start_date",
                    on.isoformat(),
                    f"must be after the end of {unit_id}'s previous enrolment "
                    f"({last_end.isoformat()})",
                )
            ]
        )


def enrol(
    session: Session,
    pack: Pack,
    *,
    scheme: str,
    unit_id: str,
    on: dt.date,
    actor: str = DEFAULT_ACTOR,
    check_eligibility: bool = True,
    today: dt.date | None = None,
) -> EnrolmentRead:
    """Enrol ``unit_id`` (a person or a household, as the scheme enrols) in ``scheme``
    from ``on`` (not after ``today``), status ``pending``. With ``check_eligibility`` the
    rules engine must find the unit eligible at ``on``, else ``NotEligible`` carries the
    explanation. A decision receipt (``laosp.rules.receipts``) keeps the rules' verdict,
    the household's inputs and the pack's digest; the audit event names it."""
    check_date("start_date", on, today)
    chosen = operational_scheme(pack, scheme)
    household_id = _household_of(session, chosen, unit_id)
    _lock_unit(session, chosen, unit_id)
    _check_unique(session, chosen, unit_id, on)
    eligibility: dict[str, Any] = {}
    persons, households = read_units(
        session, select(Household.household_id).where(Household.household_id == household_id)
    )
    if check_eligibility:
        verdict = check(pack, chosen, persons, households, unit_id, on)
        if not verdict.eligible:
            raise NotEligible(chosen.code, unit_id, verdict.explanation)
        eligibility = {"eligibility": verdict.explanation}
    by_household = chosen.unit == HOUSEHOLD
    enrolment = Enrolment(
        scheme=chosen.code,
        person_id=None if by_household else unit_id,
        household_id=unit_id if by_household else None,
        status=ENROLMENT.initial,
        start_date=on,
    )
    session.add(enrolment)
    session.flush()
    other = _open_enrolment(session, chosen, unit_id, other_than=enrolment.id)
    if other is not None:  # enrolled by someone else since the check (SQLite)
        raise _refuse_second_open(chosen, unit_id, other)
    open_status(session, enrolment.id, enrolment.status, on)
    detail = enrolment_detail(
        pack, chosen, persons, households, unit_id, on, checked=check_eligibility
    )
    receipt = write_enrolment_receipt(
        session, pack, enrolment_id=enrolment.id, detail=detail, actor=actor
    )
    add_audit(
        session,
        actor=actor,
        action="create",
        entity="enrolment",
        entity_id=str(enrolment.id),
        changes={
            "scheme": chosen.code,
            "person_id": enrolment.person_id,
            "household_id": enrolment.household_id,
            "status": enrolment.status,
            "start_date": on.isoformat(),
            "receipt": receipt,
            **eligibility,
        },
    )
    return EnrolmentRead.of(enrolment)


def set_status(
    session: Session,
    enrolment_id: int,
    status: str,
    *,
    on: dt.date,
    reason: str | None = None,
    actor: str = DEFAULT_ACTOR,
    today: dt.date | None = None,
    expected: str | None = None,
) -> EnrolmentRead:
    """Move the enrolment to ``status`` on ``on`` (not after ``today``): a legal
    transition only (``TransitionRefused`` otherwise), written only if no one changed the
    status meanwhile (``ConcurrentChange`` otherwise). Exiting sets ``end_date``.
    ``expected``: the status the caller saw (a form, an API client); when the enrolment
    has another one now, ``ConcurrentChange`` and nothing is written. Making a pending
    enrolment active is an approval: ``SameUser`` when ``actor`` enrolled it (the
    service's own ``DEFAULT_ACTOR``, used by internal callers and tests, is no user)."""
    enrolment = _load(session, enrolment_id)
    current = enrolment.status
    if expected is not None and expected != current:
        raise ConcurrentChange("enrolment", enrolment_id, expected, current)
    ENROLMENT.check(enrolment_id, current, status)
    approval = (current, status) == APPROVAL and actor != DEFAULT_ACTOR
    if approval and enrolled_by(session, enrolment_id) == actor:
        raise SameUser(Action.approve_enrolment)
    check_date("date", on, today)
    if on < enrolment.start_date:
        raise ValidationFailed(
            [
                FieldError(
                    "date",
                    on.isoformat(),
                    f"is before the enrolment's start date {enrolment.start_date.isoformat()}",
                )
            ]
        )
    check_status_date(session, enrolment_id, on)
    changes: dict[str, Any] = {"status": [current, status], "on": on.isoformat()}
    if reason:
        changes["reason"] = reason
    ended: dict[str, Any] = {}
    if status == "exited":
        changes["end_date"] = [None, on.isoformat()]
        ended["end_date"] = on
    ENROLMENT.move(session, Enrolment, enrolment_id, current, status, **ended)
    move_status(session, enrolment_id, status, on)
    add_audit(
        session,
        actor=actor,
        action="status",
        entity="enrolment",
        entity_id=str(enrolment_id),
        changes=changes,
    )
    return EnrolmentRead.of(enrolment)
