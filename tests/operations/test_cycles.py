"""Benefit payment cycles: amounts from the rules engine, idempotency, the lifecycle,
reconciliation by district."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from laosp.access.roles import Principal, Role
from laosp.enrolment import service
from laosp.enrolment.transitions import TransitionRefused
from laosp.ledger import cycles
from laosp.ledger.reconciliation import reconcile
from laosp.models import AuditEvent, BenefitPayment
from laosp.registry.errors import ValidationFailed
from laosp.rules.pack import Pack
from tests.operations.conftest import AT, CHECKER, audit_count

PAID_ON = dt.date(2025, 5, 5)


def _activate(session: Session, pack: Pack, scheme: str, *units: str) -> dict[str, int]:
    ids = {}
    for unit in units:
        enrolment = service.enrol(session, pack, scheme=scheme, unit_id=unit, on=AT)
        service.set_status(session, enrolment.id, "active", on=AT)
        ids[unit] = enrolment.id
    return ids


def _payments(session: Session, cycle_id: int) -> dict[int, tuple[int, str, str]]:
    rows = session.execute(
        select(
            BenefitPayment.enrolment_id,
            BenefitPayment.amount,
            BenefitPayment.function,
            BenefitPayment.status,
        ).where(BenefitPayment.cycle_id == cycle_id)
    )
    return {e: (a, f, s) for e, a, f, s in rows}


def test_mecg_cycle_pays_two_months_per_eligible_person(people: Session, pack: Pack) -> None:
    ids = _activate(people, pack, "mecg", "P2", "P4")
    outcome = cycles.create_cycle(people, pack, scheme="mecg", period=AT, actor="officer")
    assert (outcome.code, outcome.created, outcome.payments) == ("2025-03+2", True, 2)
    assert outcome.total == 2 * 150_000 * 2
    assert _payments(people, outcome.cycle_id) == {
        ids["P2"]: (300_000, "maternity", "scheduled"),
        ids["P4"]: (300_000, "children", "scheduled"),
    }


def test_cct_cycle_pays_each_household_monthly(people: Session, pack: Pack) -> None:
    ids = _activate(people, pack, "cct", "HC")
    outcome = cycles.create_cycle(people, pack, scheme="cct", period=AT)
    assert (outcome.code, outcome.total) == ("2025-03", 260_000)
    assert _payments(people, outcome.cycle_id) == {ids["HC"]: (260_000, "children", "scheduled")}


def test_only_active_enrolments_are_paid(people: Session, pack: Pack) -> None:
    ids = _activate(people, pack, "mecg", "P2", "P4")
    service.set_status(people, ids["P4"], "suspended", on=AT)
    service.enrol(people, pack, scheme="mecg", unit_id="P1", on=AT, check_eligibility=False)
    outcome = cycles.create_cycle(people, pack, scheme="mecg", period=AT)
    assert set(_payments(people, outcome.cycle_id)) == {ids["P2"]}


def test_rerunning_a_cycle_changes_nothing(people: Session, pack: Pack) -> None:
    _activate(people, pack, "mecg", "P2", "P4")
    first = cycles.create_cycle(people, pack, scheme="mecg", period=AT)
    events = audit_count(people, "payment_cycle")
    payments = _payments(people, first.cycle_id)
    again = cycles.create_cycle(people, pack, scheme="mecg", period=dt.date(2025, 3, 20))
    assert again.created is False
    assert (again.cycle_id, again.payments, again.total) == (
        first.cycle_id,
        first.payments,
        first.total,
    )
    assert _payments(people, first.cycle_id) == payments
    assert audit_count(people, "payment_cycle") == events


def test_misaligned_or_overlapping_periods_are_refused(people: Session, pack: Pack) -> None:
    with pytest.raises(ValidationFailed, match="pays every 2 months"):
        cycles.create_cycle(people, pack, scheme="mecg", period=dt.date(2025, 4, 1))
    with pytest.raises(ValidationFailed, match="not a cash scheme"):
        cycles.create_cycle(people, pack, scheme="nhi", period=AT)


def test_database_refuses_a_second_payment_for_the_same_month(people: Session, pack: Pack) -> None:
    ids = _activate(people, pack, "cct", "HC")
    outcome = cycles.create_cycle(people, pack, scheme="cct", period=AT)
    duplicate = BenefitPayment(
        enrolment_id=ids["HC"],
        cycle_id=outcome.cycle_id,
        period=AT,
        amount=1,
        function="children",
        status="scheduled",
    )
    with people.begin_nested():
        people.add(duplicate)
        with pytest.raises(IntegrityError):
            people.flush()


def test_approve_pay_close_and_reconcile(people: Session, pack: Pack) -> None:
    ids = _activate(people, pack, "mecg", "P2", "P4")
    _activate(people, pack, "cct", "HC")
    cycle_id = cycles.create_cycle(people, pack, scheme="mecg", period=AT).cycle_id
    with pytest.raises(TransitionRefused, match="'open' to 'paid'"):
        cycles.pay_cycle(people, cycle_id, paid_on=PAID_ON)
    with pytest.raises(TransitionRefused, match="'open' to 'closed'"):
        cycles.close_cycle(people, cycle_id)
    cycles.approve_cycle(people, cycle_id, checker=Principal("chief", Role.central_officer))
    failed = people.scalar(
        select(BenefitPayment.id).where(BenefitPayment.enrolment_id == ids["P4"])
    )
    assert failed is not None
    cycles.pay_cycle(people, cycle_id, paid_on=PAID_ON, failed=[failed])
    books = reconcile(people, cycle_id)
    assert books.balanced
    assert (books.total.scheduled, books.total.paid, books.total.failed) == (
        600_000,
        300_000,
        300_000,
    )
    assert list(books.districts) == ["1703"]
    cycles.close_cycle(people, cycle_id)
    with pytest.raises(TransitionRefused):
        cycles.approve_cycle(people, cycle_id, checker=CHECKER)
    statuses = [
        change["status"]
        for change in people.scalars(
            select(AuditEvent.changes)
            .where(AuditEvent.entity == "payment_cycle", AuditEvent.entity_id == str(cycle_id))
            .order_by(AuditEvent.id)
        )
        if change and "status" in change
    ]
    assert statuses == [["open", "approved"], ["approved", "paid"], ["paid", "closed"]]


def test_cancelled_payment_keeps_its_amount_in_the_books(people: Session, pack: Pack) -> None:
    _activate(people, pack, "mecg", "P2", "P4")
    cycle_id = cycles.create_cycle(people, pack, scheme="mecg", period=AT).cycle_id
    payment_id = people.scalar(select(BenefitPayment.id).where(BenefitPayment.cycle_id == cycle_id))
    assert payment_id is not None
    cycles.set_payment_status(people, payment_id, "cancelled", reason="moved away")
    with pytest.raises(TransitionRefused):
        cycles.set_payment_status(people, payment_id, "paid", on=PAID_ON)
    cycles.approve_cycle(people, cycle_id, checker=CHECKER)
    cycles.pay_cycle(people, cycle_id, paid_on=PAID_ON)
    books = reconcile(people, cycle_id)
    assert books.balanced
    assert (books.total.paid, books.total.cancelled) == (300_000, 300_000)


def test_reconciliation_notices_a_lost_payment(people: Session, pack: Pack) -> None:
    _activate(people, pack, "mecg", "P2", "P4")
    cycle_id = cycles.create_cycle(people, pack, scheme="mecg", period=AT).cycle_id
    lost = people.scalars(select(BenefitPayment).where(BenefitPayment.cycle_id == cycle_id)).first()
    people.delete(lost)
    people.flush()
    books = reconcile(people, cycle_id)
    assert not books.balanced
    assert "2 payments were scheduled, 1 are in the cycle" in books.problems[0]


def test_reconciliation_notices_a_paid_payment_overwritten(people: Session, pack: Pack) -> None:
    """What the lost update of the issue left: a payment paid by the cycle, then set to
    ``cancelled`` over it, still carrying its date paid. The books must not reconcile."""
    _activate(people, pack, "mecg", "P2", "P4")
    cycle_id = cycles.create_cycle(people, pack, scheme="mecg", period=AT).cycle_id
    cycles.approve_cycle(people, cycle_id, checker=CHECKER)
    cycles.pay_cycle(people, cycle_id, paid_on=PAID_ON)
    payment_id = people.scalar(select(BenefitPayment.id).where(BenefitPayment.cycle_id == cycle_id))
    people.execute(
        update(BenefitPayment).where(BenefitPayment.id == payment_id).values(status="cancelled")
    )
    books = reconcile(people, cycle_id)
    assert not books.balanced
    assert books.problems == ["1 payments carry a date paid but are not paid"]
    with pytest.raises(ValidationFailed, match="carry a date paid"):
        cycles.close_cycle(people, cycle_id)
