"""Properties (Hypothesis): lifecycles stay legal with one audit event per accepted
change; money is conserved through cycles and contributions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from laosp.enrolment import service
from laosp.enrolment.transitions import ENROLMENT, TransitionRefused
from laosp.ledger import cycles
from laosp.ledger.contributions import pay_contribution, record_dues
from laosp.ledger.reconciliation import reconcile
from laosp.models import BenefitPayment, Contribution
from laosp.registry.errors import ValidationFailed
from laosp.rules.pack import Pack, load_pack
from tests.operations.conftest import AT, CHECKER, audit_count, person, register

DB_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PACK = load_pack()
STATUSES = st.sampled_from([*ENROLMENT.statuses, "unknown"])


@given(st.lists(STATUSES, max_size=30))
def test_lifecycle_only_reaches_legal_states(requests: list[str]) -> None:
    status, accepted = ENROLMENT.initial, 0
    for requested in requests:
        try:
            ENROLMENT.check(1, status, requested)
        except TransitionRefused:
            continue
        status, accepted = requested, accepted + 1
    assert status in ENROLMENT.statuses
    assert accepted <= len(requests)


@DB_SETTINGS
@given(requests=st.lists(STATUSES, max_size=12))
def test_random_transitions_audit_each_accepted_change(
    people: Session, requests: list[str]
) -> None:
    nested = people.begin_nested()
    try:
        enrolment = service.enrol(people, PACK, scheme="mecg", unit_id="P2", on=AT)
        status, accepted = enrolment.status, 0
        for requested in requests:
            try:
                status = service.set_status(people, enrolment.id, requested, on=AT).status
                accepted += 1
            except TransitionRefused:
                pass
        stored = service.get_enrolment(people, enrolment.id)
        assert stored.status == status
        assert status in ENROLMENT.statuses
        assert (stored.end_date is not None) == (status == "exited")
        assert audit_count(people, "enrolment", str(enrolment.id)) == 1 + accepted
    finally:
        nested.rollback()


def _babies(count: int) -> list[dict[str, Any]]:
    return [
        {
            "household_id": f"HB{k}",
            "district_code": ("1703", "1705", "1306")[k % 3],
            "members": [
                person(f"M{k}", "head", "F", "1998-01-01"),
                person(f"B{k}", "child", "M", "2025-01-15", mother_id=f"M{k}"),
            ],
        }
        for k in range(count)
    ]


OUTCOMES = st.sampled_from(["paid", "failed", "cancelled"])


@DB_SETTINGS
@given(outcomes=st.lists(OUTCOMES, min_size=1, max_size=8))
def test_money_is_conserved_through_a_cycle(session: Session, outcomes: list[str]) -> None:
    nested = session.begin_nested()
    try:
        register(session, _babies(len(outcomes)))
        for k in range(len(outcomes)):
            enrolment = service.enrol(session, PACK, scheme="mecg", unit_id=f"B{k}", on=AT)
            service.set_status(session, enrolment.id, "active", on=AT)
        created = cycles.create_cycle(session, PACK, scheme="mecg", period=AT)
        assert created.payments == len(outcomes)
        ids = sorted(
            session.scalars(
                select(BenefitPayment.id).where(BenefitPayment.cycle_id == created.cycle_id)
            )
        )
        for payment_id, outcome in zip(ids, outcomes, strict=True):
            if outcome == "cancelled":
                cycles.set_payment_status(session, payment_id, "cancelled")
        cycles.approve_cycle(session, created.cycle_id, checker=CHECKER)
        failed = [p for p, o in zip(ids, outcomes, strict=True) if o == "failed"]
        cycles.pay_cycle(session, created.cycle_id, paid_on=dt.date(2025, 5, 2), failed=failed)
        books = reconcile(session, created.cycle_id)
        assert books.balanced, books.problems
        assert books.total.payments == created.payments
        assert books.total.scheduled == created.total == books.total.settled
        assert books.total.scheduled == sum(t.scheduled for t in books.districts.values())
        for status in ("paid", "failed", "cancelled"):
            expected = 300_000 * outcomes.count(status)
            assert getattr(books.total, status) == expected
        cycles.close_cycle(session, created.cycle_id)
    finally:
        nested.rollback()


@DB_SETTINGS
@given(amounts=st.lists(st.integers(min_value=-10, max_value=400_000), max_size=8))
def test_contributions_paid_never_exceed_dues(people: Session, amounts: list[int]) -> None:
    nested = people.begin_nested()
    try:
        enrolment = service.enrol(people, PACK, scheme="nssf_private", unit_id="PW", on=AT)
        service.set_status(people, enrolment.id, "active", on=AT)
        record_dues(people, PACK, scheme="nssf_private", period=AT)
        accepted = 0
        for amount in amounts:
            try:
                pay_contribution(
                    people, enrolment_id=enrolment.id, period=AT, amount=amount, paid_on=AT
                )
                accepted += amount
            except ValidationFailed:
                pass
        due, paid = people.execute(
            select(func.sum(Contribution.amount_due), func.sum(Contribution.amount_paid)).where(
                Contribution.enrolment_id == enrolment.id
            )
        ).one()
        assert paid == accepted <= due
    finally:
        nested.rollback()


def test_pack_fixture_is_the_bundled_pack(pack: Pack) -> None:
    assert set(pack.schemes) == set(PACK.schemes)
