"""No lost updates: two sessions that change the same enrolment, payment, cycle,
grievance or contribution from the same state never both win.

Each race is made deterministic: session A reads the row, session B commits a
conflicting change over its own connection, then A tries its change and must be refused
with ``ConcurrentChange`` (both backends). On PostgreSQL a second variant lets B wait
on A's row lock in a thread: when A commits, B must be refused on re-check. The two
real ``laosp`` processes of the issue are in ``test_concurrent_cli.py``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from laosp.access.roles import Principal, Role
from laosp.db import unit_of_work
from laosp.enrolment import service
from laosp.enrolment.errors import ChangedDuringImport, EnrolledDuringImport
from laosp.enrolment.import_store import insert_enrolments, update_statuses
from laosp.enrolment.transitions import ENROLMENT, TransitionRefused
from laosp.grievances import service as grievances
from laosp.ledger import cycles
from laosp.ledger.contributions import pay_contribution, record_dues
from laosp.ledger.reconciliation import reconcile
from laosp.models import (
    AuditEvent,
    BenefitPayment,
    Contribution,
    Enrolment,
    Grievance,
    PaymentCycle,
    Person,
)
from laosp.registry.errors import ConcurrentChange, ConflictError
from laosp.rules.pack import Pack
from tests.locks import wait_for_lock_waiters
from tests.operations.conftest import AT, CHECKER, register

PAID_ON = dt.date(2025, 5, 5)


@dataclass(frozen=True)
class World:
    """What the races change, committed: P2's and P4's active MECG enrolments, their
    open cycle and its two payments, a grievance in review, PW's dues for March."""

    engine: Engine
    enrolment: int
    cycle: int
    payments: list[int]
    grievance: int
    contribution: int


@pytest.fixture
def world(engine: Engine, pack: Pack) -> World:
    with unit_of_work(engine) as session:
        register(session)
        enrolments = {}
        for unit, scheme in (("P2", "mecg"), ("P4", "mecg"), ("PW", "nssf_private")):
            enrolment = service.enrol(session, pack, scheme=scheme, unit_id=unit, on=AT)
            service.set_status(session, enrolment.id, "active", on=AT)
            enrolments[unit] = enrolment.id
        cycle = cycles.create_cycle(session, pack, scheme="mecg", period=AT).cycle_id
        payments = sorted(
            session.scalars(select(BenefitPayment.id).where(BenefitPayment.cycle_id == cycle))
        )
        grievance = grievances.open_grievance(
            session, pack, category="payment", description="not paid", on=AT, person_id="P2"
        )
        grievances.set_status(session, grievance.id, "in_review", on=AT)
        record_dues(session, pack, scheme="nssf_private", period=AT)
        contribution = session.scalar(
            select(Contribution.id).where(Contribution.enrolment_id == enrolments["PW"])
        )
        assert contribution is not None
        assert len(payments) == 2
        return World(engine, enrolments["P2"], cycle, payments, grievance.id, contribution)


def _committed(engine: Engine, change: Callable[[Session], Any]) -> None:
    with unit_of_work(engine) as session:
        change(session)


def overtaken(
    engine: Engine,
    read: Callable[[Session], Any],
    other: Callable[[Session], Any],
    mine: Callable[[Session], Any],
) -> ConcurrentChange:
    """A reads the row (``read``), B commits ``other``, then A's ``mine`` must be refused
    with ``ConcurrentChange``; A's transaction is rolled back. (A holds what it read:
    the session's identity map keeps objects only while something refers to them.)"""
    a = Session(engine)
    try:
        held = read(a)
        _committed(engine, other)
        with pytest.raises(ConcurrentChange) as refused:
            mine(a)
        assert held is not None
    finally:
        a.rollback()
        a.close()
    return refused.value


def _audits(engine: Engine, entity: str, entity_id: int, action: str = "status") -> list[Any]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(AuditEvent.changes)
                .where(
                    AuditEvent.entity == entity,
                    AuditEvent.entity_id == str(entity_id),
                    AuditEvent.action == action,
                )
                .order_by(AuditEvent.id)
            )
        )


def _status(engine: Engine, model: type[Any], row_id: int) -> str:
    with Session(engine) as session:
        return str(session.scalar(select(model.status).where(model.id == row_id)))


def test_a_second_approval_of_a_cycle_is_refused(world: World) -> None:
    c = world.cycle
    refused = overtaken(
        world.engine,
        lambda a: cycles.get_cycle(a, c),
        lambda b: cycles.approve_cycle(b, c, checker=Principal("chief", Role.central_officer)),
        lambda a: cycles.approve_cycle(a, c, checker=Principal("deputy", Role.central_officer)),
    )
    assert (refused.entity, refused.entity_id, refused.expected, refused.found) == (
        "payment cycle",
        c,
        "open",
        "approved",
    )
    assert "changed by someone else" in str(refused)
    assert "ມີຜູ້ອື່ນປ່ຽນແປງ" in str(refused)
    assert _audits(world.engine, "payment_cycle", c) == [
        {"status": ["open", "approved"], "created_by": "system"}
    ]


def test_a_payment_paid_by_its_cycle_cannot_then_be_cancelled(world: World) -> None:
    """The issue's race: ``cycle pay`` marks it paid, ``payment-status`` (which read it
    scheduled) must not overwrite it with ``cancelled``."""
    c, payment = world.cycle, world.payments[0]
    _committed(world.engine, lambda s: cycles.approve_cycle(s, c, checker=CHECKER))
    refused = overtaken(
        world.engine,
        lambda a: a.get(BenefitPayment, payment),
        lambda b: cycles.pay_cycle(b, c, paid_on=PAID_ON),
        lambda a: cycles.set_payment_status(a, payment, "cancelled", reason="suspended"),
    )
    assert (refused.entity, refused.expected, refused.found) == ("payment", "scheduled", "paid")
    with Session(world.engine) as session:
        stored = session.get(BenefitPayment, payment)
        assert stored is not None
        assert (stored.status, stored.paid_on) == ("paid", PAID_ON)
        books = reconcile(session, c)
    assert books.balanced
    assert books.total.paid == books.total.scheduled == 600_000
    assert _audits(world.engine, "benefit_payment", payment) == []


def test_an_exited_enrolment_cannot_be_suspended_by_an_earlier_read(world: World) -> None:
    e = world.enrolment
    refused = overtaken(
        world.engine,
        lambda a: a.get(Enrolment, e),
        lambda b: service.set_status(b, e, "exited", on=AT, reason="moved away"),
        lambda a: service.set_status(a, e, "suspended", on=AT),
    )
    assert (refused.entity, refused.expected, refused.found) == ("enrolment", "active", "exited")
    assert _status(world.engine, Enrolment, e) == "exited"
    assert [c["status"] for c in _audits(world.engine, "enrolment", e)] == [
        ["pending", "active"],
        ["active", "exited"],
    ]


def test_a_cycle_is_paid_once(world: World) -> None:
    c = world.cycle
    _committed(world.engine, lambda s: cycles.approve_cycle(s, c, checker=CHECKER))
    later = dt.date(2025, 5, 9)
    refused = overtaken(
        world.engine,
        lambda a: cycles.get_cycle(a, c),
        lambda b: cycles.pay_cycle(b, c, paid_on=PAID_ON),
        lambda a: cycles.pay_cycle(a, c, paid_on=later, failed=[world.payments[1]]),
    )
    assert (refused.expected, refused.found) == ("approved", "paid")
    with Session(world.engine) as session:
        rows = session.execute(
            select(BenefitPayment.status, BenefitPayment.paid_on).where(
                BenefitPayment.cycle_id == c
            )
        ).all()
    assert sorted(map(tuple, rows)) == [("paid", PAID_ON), ("paid", PAID_ON)]
    paid = [a for a in _audits(world.engine, "payment_cycle", c) if a["status"][1] == "paid"]
    assert paid == [
        {"status": ["approved", "paid"], "paid_on": "2025-05-05", "paid": 2, "failed": []}
    ]


def test_a_cycle_is_closed_once(world: World) -> None:
    c = world.cycle
    _committed(world.engine, lambda s: cycles.approve_cycle(s, c, checker=CHECKER))
    _committed(world.engine, lambda s: cycles.pay_cycle(s, c, paid_on=PAID_ON))
    refused = overtaken(
        world.engine,
        lambda a: cycles.get_cycle(a, c),
        lambda b: cycles.close_cycle(b, c),
        lambda a: cycles.close_cycle(a, c),
    )
    assert (refused.expected, refused.found) == ("paid", "closed")
    assert [a["status"] for a in _audits(world.engine, "payment_cycle", c)][-1] == [
        "paid",
        "closed",
    ]


def test_a_grievance_resolved_meanwhile_cannot_be_rejected(world: World) -> None:
    g = world.grievance
    refused = overtaken(
        world.engine,
        lambda a: a.get(Grievance, g),
        lambda b: grievances.set_status(b, g, "resolved", on=AT, resolution="paid in May"),
        lambda a: grievances.set_status(a, g, "rejected", on=AT, resolution="duplicate"),
    )
    assert (refused.entity, refused.expected, refused.found) == (
        "grievance",
        "in_review",
        "resolved",
    )
    with Session(world.engine) as session:
        stored = session.get(Grievance, g)
        assert stored is not None
        assert (stored.status, stored.resolution) == ("resolved", "paid in May")


def test_two_contribution_payments_at_once_lose_nothing(world: World) -> None:
    """Both read 0 kip paid; the second must not write 0 + its amount over the first."""
    k = world.contribution

    def pay(amount: int) -> Callable[[Session], Any]:
        def record(session: Session) -> None:
            period, paid_on = AT, dt.date(2025, 3, 20)
            enrolment = session.scalar(
                select(Contribution.enrolment_id).where(Contribution.id == k)
            )
            assert enrolment is not None
            pay_contribution(
                session, enrolment_id=enrolment, period=period, amount=amount, paid_on=paid_on
            )

        return record

    refused = overtaken(world.engine, lambda a: a.get(Contribution, k), pay(100_000), pay(50_000))
    assert (refused.expected, refused.found) == ("0 kip paid", "100000 kip paid")
    with Session(world.engine) as session:
        assert session.scalar(select(Contribution.amount_paid).where(Contribution.id == k)) == (
            100_000
        )


def test_an_import_does_not_overwrite_a_status_changed_after_it_read_it(world: World) -> None:
    """The import read P2's enrolment active (file row 7 suspends it); an officer exits
    it before the import writes: the import is refused as a whole."""
    e = world.enrolment
    changed = pl.DataFrame(
        {
            "enrolment_id": [e],
            "_db_status": ["active"],
            "status": ["suspended"],
            "end_date": [None],
            "_row": [7],
        },
        schema_overrides={"end_date": pl.Date},
    )
    _committed(world.engine, lambda b: service.set_status(b, e, "exited", on=AT))
    with unit_of_work(world.engine) as a, pytest.raises(ChangedDuringImport) as refused:
        update_statuses(a, changed)
    [change] = refused.value.changes
    assert (change.entity, change.entity_id, change.expected, change.found) == (
        "enrolment (file row 7)",
        e,
        "active",
        "exited",
    )
    assert "1 enrolments were changed by someone else" in str(refused.value)
    assert _status(world.engine, Enrolment, e) == "exited"


def test_an_import_changes_statuses_still_as_it_read_them(world: World) -> None:
    e = world.enrolment
    changed = pl.DataFrame(
        {"enrolment_id": [e], "_db_status": ["active"], "status": ["exited"], "end_date": [AT]}
    )
    with unit_of_work(world.engine) as session:
        update_statuses(session, changed)
    assert _status(world.engine, Enrolment, e) == "exited"


def _new_nhi(person_id: str, start: dt.date) -> pl.DataFrame:
    """An import's new enrolment of ``person_id`` in NHI, active from ``start``."""
    return pl.DataFrame(
        {
            "scheme": ["nhi"],
            "person_id": [person_id],
            "household_id": [None],
            "status": ["active"],
            "start_date": [start],
            "end_date": [None],
        },
        schema_overrides={"household_id": pl.String, "end_date": pl.Date},
    )


def _nhi_starts(engine: Engine, person_id: str) -> list[dt.date]:
    with Session(engine) as session:
        return sorted(
            session.scalars(
                select(Enrolment.start_date).where(
                    Enrolment.scheme == "nhi", Enrolment.person_id == person_id
                )
            )
        )


def test_an_import_does_not_enrol_a_unit_enrolled_after_it_read_it(
    world: World, pack: Pack
) -> None:
    """The import read P1 without an NHI enrolment; an officer enrols P1 before the
    import writes: one open enrolment, the import refused as a whole."""
    _committed(world.engine, lambda b: service.enrol(b, pack, scheme="nhi", unit_id="P1", on=AT))
    later = AT + dt.timedelta(days=9)
    with pytest.raises(EnrolledDuringImport) as refused, unit_of_work(world.engine) as a:
        insert_enrolments(a, _new_nhi("P1", later))
    assert refused.value.units == ["P1 in nhi"]
    assert "run the import again, it is idempotent" in str(refused.value)
    assert "ກະລຸນານຳເຂົ້າຄືນໃໝ່" in str(refused.value)
    assert _nhi_starts(world.engine, "P1") == [AT]


def test_an_enrolment_another_import_wrote_meanwhile_is_a_clear_conflict(world: World) -> None:
    """Two imports of one file both read P1 without an NHI enrolment; the first
    commits: the second is refused (not an IntegrityError), and writes nothing."""
    _committed(world.engine, lambda b: insert_enrolments(b, _new_nhi("P1", AT)))
    with pytest.raises(EnrolledDuringImport) as refused, unit_of_work(world.engine) as a:
        insert_enrolments(a, _new_nhi("P1", AT))
    assert "registered by someone else (another import?)" in str(refused.value)
    assert _nhi_starts(world.engine, "P1") == [AT]


DAYS = itertools.count()


def _attempt(session: Session, enrolment_id: int, status: str, on: dt.date) -> str:
    try:
        service.set_status(session, enrolment_id, status, on=on)
    except TransitionRefused:
        return "refused"
    except ConcurrentChange:
        return "conflict"
    return "ok"


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.sampled_from(ENROLMENT.statuses),
    mine=st.sampled_from(ENROLMENT.statuses),
    other=st.sampled_from(ENROLMENT.statuses),
    overlap=st.booleans(),
)
def test_two_status_changes_in_any_interleaving(
    engine: Engine, start: str, mine: str, other: str, overlap: bool
) -> None:
    """A and B each ask for a status; B commits first. With ``overlap`` A read the
    enrolment before B wrote, else after. Of overlapping legal changes exactly one is
    written; the audit trail replays from ``start`` through legal moves to the stored
    status; nothing else is written."""
    with unit_of_work(engine) as session:
        if session.get(Person, "P1") is None:
            register(session)
        on = AT + dt.timedelta(days=next(DAYS))
        row = Enrolment(scheme="nhi", person_id="P1", status=start, start_date=on)
        session.add(row)
        session.flush()
        enrolment_id = row.id
    a = Session(engine)
    held = a.get(Enrolment, enrolment_id) if overlap else None
    with unit_of_work(engine) as b:
        b_outcome = _attempt(b, enrolment_id, other, on)
    held = held or a.get(Enrolment, enrolment_id)
    a_outcome = _attempt(a, enrolment_id, mine, on)
    a.commit()
    a.close()

    b_won = ENROLMENT.allows(start, other)
    seen_by_a = start if overlap or not b_won else other
    expected_a = "refused"
    if ENROLMENT.allows(seen_by_a, mine):
        expected_a = "conflict" if overlap and b_won else "ok"
    assert (b_outcome, a_outcome) == ("ok" if b_won else "refused", expected_a)
    chain = [c["status"] for c in _audits(engine, "enrolment", enrolment_id)]
    assert len(chain) == [b_outcome, a_outcome].count("ok")
    status = start
    for before, after in chain:
        assert before == status
        assert ENROLMENT.allows(before, after)
        status = after
    assert _status(engine, Enrolment, enrolment_id) == status


# PostgreSQL: B waits on A's row lock, then is refused on re-check -------------------


def _blocked(
    engine: Engine, mine: Callable[[Session], Any], other: Callable[[Session], Any]
) -> Any:
    """A runs ``mine`` without committing; B runs ``other`` in a thread and waits on A's
    lock; A commits; what B raised (or None) is returned."""
    raised: list[BaseException | None] = []

    def run_other() -> None:
        try:
            _committed(engine, other)
            raised.append(None)
        except BaseException as error:
            raised.append(error)

    with unit_of_work(engine) as a:
        mine(a)
        thread = threading.Thread(target=run_other)
        thread.start()
        wait_for_lock_waiters(engine, 1)
    thread.join(timeout=60)
    assert raised, "B never finished"
    return raised[0]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_cancelling_waits_for_the_payer_then_is_refused(world: World) -> None:
    c, payment = world.cycle, world.payments[0]
    _committed(world.engine, lambda s: cycles.approve_cycle(s, c, checker=CHECKER))
    error = _blocked(
        world.engine,
        lambda a: cycles.pay_cycle(a, c, paid_on=PAID_ON),
        lambda b: cycles.set_payment_status(b, payment, "cancelled"),
    )
    assert isinstance(error, ConcurrentChange), error
    assert (error.expected, error.found) == ("scheduled", "paid")
    with Session(world.engine) as session:
        assert reconcile(session, c).balanced


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_second_payer_waits_then_is_refused(world: World) -> None:
    c = world.cycle
    _committed(world.engine, lambda s: cycles.approve_cycle(s, c, checker=CHECKER))
    error = _blocked(
        world.engine,
        lambda a: cycles.pay_cycle(a, c, paid_on=PAID_ON),
        lambda b: cycles.pay_cycle(b, c, paid_on=dt.date(2025, 5, 6)),
    )
    assert isinstance(error, ConcurrentChange), error
    with Session(world.engine) as session:
        paid_on = session.scalars(
            select(func.distinct(BenefitPayment.paid_on)).where(BenefitPayment.cycle_id == c)
        ).all()
    assert paid_on == [PAID_ON]
    assert [a["status"] for a in _audits(world.engine, "payment_cycle", c)] == [
        ["open", "approved"],
        ["approved", "paid"],
    ]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_suspending_waits_for_the_exit_then_is_refused(world: World) -> None:
    e = world.enrolment
    error = _blocked(
        world.engine,
        lambda a: service.set_status(a, e, "exited", on=AT),
        lambda b: service.set_status(b, e, "suspended", on=AT),
    )
    assert isinstance(error, ConcurrentChange), error
    assert (error.expected, error.found) == ("active", "exited")
    with Session(world.engine) as session:
        stored = session.get(Enrolment, e)
        assert stored is not None
        assert (stored.status, stored.end_date) == ("exited", AT)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_second_approver_waits_then_is_refused(world: World) -> None:
    c = world.cycle
    error = _blocked(
        world.engine,
        lambda a: cycles.approve_cycle(a, c, checker=CHECKER),
        lambda b: cycles.approve_cycle(b, c, checker=CHECKER),
    )
    assert isinstance(error, ConcurrentChange), error
    with Session(world.engine) as session:
        assert session.scalar(select(PaymentCycle.status).where(PaymentCycle.id == c)) == (
            "approved"
        )


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_unit_enrolled_meanwhile_is_not_enrolled_twice(world: World, pack: Pack) -> None:
    """Two officers enrol P1 in NHI from different dates at once: one open enrolment."""
    error = _blocked(
        world.engine,
        lambda a: service.enrol(a, pack, scheme="nhi", unit_id="P1", on=AT),
        lambda b: service.enrol(b, pack, scheme="nhi", unit_id="P1", on=AT + dt.timedelta(3)),
    )
    assert isinstance(error, ConflictError), error
    assert "P1 already has an open enrolment in nhi" in str(error)
    with Session(world.engine) as session:
        starts = session.scalars(
            select(Enrolment.start_date).where(
                Enrolment.scheme == "nhi", Enrolment.person_id == "P1"
            )
        ).all()
    assert starts == [AT]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_cycle_created_meanwhile_is_a_clear_conflict(world: World, pack: Pack) -> None:
    may = dt.date(2025, 5, 1)
    error = _blocked(
        world.engine,
        lambda a: cycles.create_cycle(a, pack, scheme="mecg", period=may),
        lambda b: cycles.create_cycle(b, pack, scheme="mecg", period=may),
    )
    assert isinstance(error, ConflictError), error
    assert "the mecg cycle 2025-05+2 was created by someone else meanwhile" in str(error)
    with Session(world.engine) as session:
        codes = session.scalars(select(PaymentCycle.code).order_by(PaymentCycle.id)).all()
    assert codes == ["2025-03+2", "2025-05+2"]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_dues_recorded_meanwhile_are_a_clear_conflict(world: World, pack: Pack) -> None:
    april = dt.date(2025, 4, 1)
    error = _blocked(
        world.engine,
        lambda a: record_dues(a, pack, scheme="nssf_private", period=april),
        lambda b: record_dues(b, pack, scheme="nssf_private", period=april),
    )
    assert isinstance(error, ConflictError), error
    assert "were recorded by someone else meanwhile" in str(error)
    with Session(world.engine) as session:
        months = session.scalars(select(Contribution.period).order_by(Contribution.period)).all()
    assert months == [AT, april]
