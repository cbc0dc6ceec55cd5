"""The grievance queue: due dates from the pack's categories, the overdue list, assignment,
escalation (a compare-and-set), area scoping and the audit of each step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from laosp.access.permissions import Forbidden
from laosp.access.roles import Principal, Role
from laosp.db import unit_of_work
from laosp.grievances import service
from laosp.models import AuditEvent, Grievance, User
from laosp.registry.errors import ConcurrentChange, ConflictError, NotFoundError, ValidationFailed
from laosp.rules.pack import Pack
from tests.operations.conftest import AT, register

CENTRAL = Principal("central", Role.central_officer)
#: Attapeu (17) holds Sanamxay (1703), where P2 lives.
ATTAPEU = Principal("attapeu", Role.provincial_officer, "17", None)
SANAMXAY = Principal("sanamxay", Role.district_officer, None, "1703")
CHANTHABOULY = Principal("chanthabouly", Role.district_officer, None, "0101")
LUANG_PRABANG = Principal("luang_prabang", Role.provincial_officer, "06", None)
DAY = dt.timedelta(days=1)


def _open(session: Session, pack: Pack, category: str = "payment", **extra: Any) -> Grievance:
    fields: dict[str, Any] = {"person_id": "P2", **extra}
    return service.open_grievance(
        session, pack, category=category, description="not paid", on=AT, **fields
    )


def _users(session: Session) -> None:
    for who in (CENTRAL, ATTAPEU, SANAMXAY, LUANG_PRABANG):
        session.add(
            User(username=who.username, password_hash="x", role=who.role.value,
                 province_code=who.province_code, district_code=who.district_code)
        )  # fmt: skip
    session.flush()


def test_the_due_date_is_the_day_received_plus_the_days_of_the_category(
    people: Session, pack: Pack
) -> None:
    # grievances.yaml: payment 15 days, eligibility 30 days (both from 2015-01-01)
    assert _open(people, pack, "payment").due_on == dt.date(2025, 3, 16)
    assert _open(people, pack, "eligibility").due_on == dt.date(2025, 3, 31)
    opened = service.open_grievance(
        people, pack, category="service", description="rude", on=dt.date(2024, 12, 20),
        household_id="HM", today=AT,
    )  # fmt: skip
    assert opened.due_on == dt.date(2025, 1, 4)  # 11 days of December + 4 of January


def test_a_category_outside_the_pack_or_a_date_before_it_is_refused(
    people: Session, pack: Pack
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _open(people, pack, "noise")
    [error] = refused.value.errors
    assert (error.field, error.value) == ("category", "noise")
    assert error.reason.startswith("must be one of eligibility, payment, registration, service")
    with pytest.raises(ValidationFailed) as refused:
        service.open_grievance(
            people, pack, category="payment", description="x", on=dt.date(2014, 12, 31),
            person_id="P2",
        )  # fmt: skip
    [error] = refused.value.errors
    assert (error.field, error.value) == ("date", "2014-12-31")
    assert "(2015-01-01)" in error.reason


def test_the_overdue_list_counts_days_past_the_due_date(people: Session, pack: Pack) -> None:
    late = _open(people, pack, "payment")  # due 2025-03-16
    later = _open(people, pack, "eligibility")  # due 2025-03-31
    closed = _open(people, pack, "payment")
    service.set_status(people, closed.id, "resolved", on=AT, resolution="paid")

    def overdue(on: dt.date) -> list[tuple[int, int]]:
        rows, total = service.queue(
            people, CENTRAL, service.Filters(overdue_on=on), limit=50, offset=0
        )
        assert total == len(rows)
        return [(g.id, service.days_overdue(g, on)) for g, _ in rows]

    assert overdue(dt.date(2025, 3, 16)) == []
    assert overdue(dt.date(2025, 3, 17)) == [(late.id, 1)]
    assert overdue(dt.date(2025, 4, 2)) == [(late.id, 17), (later.id, 2)]
    assert service.days_overdue(closed, dt.date(2025, 4, 2)) == 0


def test_assign_escalate_resolve_are_audited_with_the_actor(people: Session, pack: Pack) -> None:
    _users(people)
    grievance = _open(people, pack)
    service.assign(people, ATTAPEU, grievance.id, "attapeu", on=AT)
    assert grievance.assigned_to == "attapeu"
    service.escalate(people, pack, ATTAPEU, grievance.id, on=AT + DAY)
    escalated: tuple[object, ...] = (
        grievance.escalation_level, grievance.escalated_on, grievance.assigned_to,
    )  # fmt: skip
    assert escalated == (1, AT + DAY, None)
    service.escalate(people, pack, CENTRAL, grievance.id, on=AT + DAY)
    with pytest.raises(ConflictError, match="highest level"):
        service.escalate(people, pack, CENTRAL, grievance.id, on=AT + DAY)
    service.decide(people, CENTRAL, grievance.id, "resolved", on=AT + 2 * DAY, resolution="paid")
    with pytest.raises(service.Closed):
        service.escalate(people, pack, CENTRAL, grievance.id, on=AT + 2 * DAY)
    events = people.execute(
        select(AuditEvent.actor, AuditEvent.action, AuditEvent.changes, AuditEvent.district_code)
        .where(AuditEvent.entity == "grievance", AuditEvent.entity_id == str(grievance.id))
        .order_by(AuditEvent.id)
    ).all()
    assert [(e[0], e[1], e[3]) for e in events] == [
        ("system", "create", "1703"),
        ("attapeu", "assign", "1703"),
        ("attapeu", "escalate", "1703"),
        ("central", "escalate", "1703"),
        ("central", "status", "1703"),
    ]
    assert events[1][2]["assigned_to"] == [None, "attapeu"]
    assert events[2][2]["escalation_level"] == ["district", "province"]
    assert events[3][2]["escalation_level"] == ["province", "central"]


def test_only_a_handler_of_the_district_is_assigned(people: Session, pack: Pack) -> None:
    _users(people)
    grievance = _open(people, pack)
    for username in ("sanamxay", "luang_prabang", "nobody"):  # may not handle / elsewhere
        with pytest.raises(ValidationFailed) as refused:
            service.assign(people, CENTRAL, grievance.id, username, on=AT)
        assert [e.field for e in refused.value.errors] == ["assigned_to"]
    with pytest.raises(Forbidden):  # a district officer opens, never handles
        service.assign(people, SANAMXAY, grievance.id, "attapeu", on=AT)
    assert people.get(Grievance, grievance.id).assigned_to is None  # type: ignore[union-attr]


def test_an_officer_of_another_area_sees_nothing(people: Session, pack: Pack) -> None:
    grievance = _open(people, pack)
    for outsider in (CHANTHABOULY, LUANG_PRABANG):
        with pytest.raises(NotFoundError):
            service.grievance_for(people, outsider, grievance.id)
        with pytest.raises(NotFoundError):
            service.escalate(people, pack, outsider, grievance.id, on=AT)
        assert service.queue(people, outsider, service.Filters(), limit=50, offset=0) == ([], 0)
    for insider in (SANAMXAY, ATTAPEU, CENTRAL):
        [(found, district)], total = service.queue(
            people, insider, service.Filters(), limit=50, offset=0
        )
        assert (found.id, district, total) == (grievance.id, "1703", 1)
    with pytest.raises(ValidationFailed):  # P2 lives outside Chanthabouly: not named there
        service.open_for(
            people, pack, CHANTHABOULY, today=AT, category="payment", description="x", on=AT,
            person_id="P2",
        )  # fmt: skip


def test_two_escalations_from_the_same_level_never_both_win(engine: Engine, pack: Pack) -> None:
    """A reads the grievance at the district level; B escalates it and commits; A's
    escalation (decided on the district level) is refused and nothing of A is written."""
    with unit_of_work(engine) as session:
        register(session)
        grievance_id = _open(session, pack).id
    a = Session(engine)
    try:
        held = service.grievance_for(a, CENTRAL, grievance_id)
        assert held.escalation_level == 0
        with unit_of_work(engine) as b:
            service.escalate(b, pack, ATTAPEU, grievance_id, on=AT)
        with pytest.raises(ConcurrentChange) as refused:
            service.escalate(a, pack, CENTRAL, grievance_id, on=AT + DAY)
        assert "district/open" in str(refused.value)
    finally:
        a.rollback()
        a.close()
    with Session(engine) as session:
        stored = session.get(Grievance, grievance_id)
        assert stored is not None
        assert (stored.escalation_level, stored.escalated_on) == (1, AT)
        actions = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.action == "escalate")
        ).all()
        assert actions == ["attapeu"]


def test_two_assignments_from_the_same_state_never_both_win(engine: Engine, pack: Pack) -> None:
    with unit_of_work(engine) as session:
        register(session)
        _users(session)
        grievance_id = _open(session, pack).id
    a = Session(engine)
    try:
        held = service.grievance_for(a, CENTRAL, grievance_id)  # held: kept in A's map
        with unit_of_work(engine) as b:
            service.assign(b, ATTAPEU, grievance_id, "attapeu", on=AT)
        with pytest.raises(ConcurrentChange):
            service.assign(a, CENTRAL, grievance_id, "central", on=AT)
        assert held.assigned_to is None
    finally:
        a.rollback()
        a.close()
    with Session(engine) as session:
        assert session.scalar(select(Grievance.assigned_to)) == "attapeu"
