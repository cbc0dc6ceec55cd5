"""Dates in operations are range-checked: nothing before ``EARLIEST_OPERATION_DATE``,
no payment, contribution, status change or grievance dated after today, no cycle or
month of dues more than ``MONTHS_AHEAD`` months ahead. Refused with a ``ValidationFailed``
naming the field and value, nothing written; the CLI exits 1 with the reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from laosp.cli import build_app
from laosp.db import unit_of_work
from laosp.enrolment import service
from laosp.enrolment.dates import EARLIEST_OPERATION_DATE, MONTHS_AHEAD
from laosp.grievances import service as grievances
from laosp.ledger import cycles
from laosp.ledger.contributions import pay_contribution, record_dues
from laosp.models import AuditEvent, BenefitPayment, Contribution, PaymentCycle
from laosp.registry.errors import ValidationFailed
from laosp.rules.pack import Pack
from tests.operations.conftest import AT, CHECKER, add_officers, register

TODAY = dt.date(2025, 6, 15)
DAY = dt.timedelta(days=1)
FLOOR = EARLIEST_OPERATION_DATE


def refused(change: Callable[[], Any], field: str, value: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        change()
    [error] = caught.value.errors
    assert (error.field, error.value) == (field, value)
    assert words in error.reason


def _audits(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


@pytest.fixture
def cycle(people: Session, pack: Pack) -> int:
    """An approved MECG cycle of March 2025 paying P2."""
    enrolment = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT)
    service.set_status(people, enrolment.id, "active", on=AT)
    cycle_id = cycles.create_cycle(people, pack, scheme="mecg", period=AT).cycle_id
    cycles.approve_cycle(people, cycle_id, checker=CHECKER)
    return cycle_id


def test_the_floor_is_the_proclamation_of_the_lao_pdr() -> None:
    assert dt.date(1975, 12, 2) == FLOOR


@pytest.mark.parametrize(
    ("paid_on", "words"),
    [
        (dt.date(1, 1, 1), "is before 1975-12-02, the earliest date operations accept"),
        (FLOOR - DAY, "is before 1975-12-02"),
        (TODAY + DAY, "is in the future (today is 2025-06-15)"),
    ],
)
def test_a_cycle_is_not_paid_on_a_date_out_of_range(
    people: Session, cycle: int, paid_on: dt.date, words: str
) -> None:
    before = _audits(people)
    refused(
        lambda: cycles.pay_cycle(people, cycle, paid_on=paid_on, today=TODAY),
        "paid_on",
        paid_on.isoformat(),
        words,
    )
    assert cycles.get_cycle(people, cycle).status == "approved"
    assert _audits(people) == before


def test_a_cycle_is_paid_on_today_and_on_the_floor(people: Session, cycle: int) -> None:
    assert cycles.pay_cycle(people, cycle, paid_on=TODAY, today=TODAY).status == "paid"
    assert people.scalar(select(BenefitPayment.paid_on)) == TODAY


def test_one_payment_is_not_marked_paid_out_of_range(people: Session, cycle: int) -> None:
    payment = people.scalar(select(BenefitPayment.id))
    assert payment is not None
    for on in (dt.date(1, 1, 1), TODAY + DAY):
        with pytest.raises(ValidationFailed):
            cycles.set_payment_status(people, payment, "paid", on=on, today=TODAY)
    assert people.scalar(select(BenefitPayment.status)) == "scheduled"
    cycles.set_payment_status(people, payment, "paid", on=FEBRUARY, today=TODAY)


#: The MECG cycle of the fixture runs from March 2025: paid from 1 February at the earliest
FEBRUARY = dt.date(2025, 2, 1)
TOO_EARLY = "a payment of cycle 2025-03+2 (from 2025-03-01) is made at the earliest in the month"


@pytest.mark.parametrize("paid_on", [dt.date(1976, 1, 1), FEBRUARY - DAY])
def test_a_cycle_is_not_paid_before_the_month_before_its_period(
    people: Session, cycle: int, paid_on: dt.date
) -> None:
    """The QA's ``cycle pay --paid-on 1976-01-01``: within the global range, decades
    before the cycle's period."""
    before = _audits(people)
    refused(
        lambda: cycles.pay_cycle(people, cycle, paid_on=paid_on, today=TODAY),
        "paid_on",
        paid_on.isoformat(),
        f"is before 2025-02-01: {TOO_EARLY}",
    )
    assert cycles.get_cycle(people, cycle).status == "approved"
    assert _audits(people) == before
    assert cycles.pay_cycle(people, cycle, paid_on=FEBRUARY, today=TODAY).status == "paid"


def test_one_payment_is_not_marked_paid_before_its_cycle_may_be_paid(
    people: Session, cycle: int
) -> None:
    payment = people.scalar(select(BenefitPayment.id))
    assert payment is not None
    refused(
        lambda: cycles.set_payment_status(people, payment, "paid", on=FEBRUARY - DAY),
        "paid_on",
        "2025-01-31",
        TOO_EARLY,
    )
    assert people.scalar(select(BenefitPayment.status)) == "scheduled"


@pytest.mark.parametrize("status", ["cancelled", "failed"])
def test_a_paid_on_date_is_refused_for_a_payment_not_marked_paid(
    people: Session, cycle: int, status: str
) -> None:
    """The QA's ``payment-status X cancelled --paid-on D``: the date was silently dropped."""
    payment = people.scalar(select(BenefitPayment.id))
    assert payment is not None
    before = _audits(people)
    refused(
        lambda: cycles.set_payment_status(people, payment, status, on=TODAY, today=TODAY),
        "paid_on",
        "2025-06-15",
        f"applies only to a payment marked paid, not {status}",
    )
    assert people.scalar(select(BenefitPayment.status)) == "scheduled"
    assert _audits(people) == before


@pytest.mark.parametrize(
    ("period", "shown", "words"),
    [
        (dt.date(1, 1, 1), "0001-01", "is before 1975-12-02"),
        (dt.date(1975, 11, 1), "1975-11", "is before 1975-12-02"),
        (dt.date(2026, 7, 1), "2026-07", f"is more than {MONTHS_AHEAD} months after this month"),
        (dt.date(9999, 12, 1), "9999-12", "is more than 12 months after this month (2025-06)"),
    ],
)
def test_a_cycle_period_out_of_range_is_refused(
    people: Session, pack: Pack, period: dt.date, shown: str, words: str
) -> None:
    refused(
        lambda: cycles.create_cycle(people, pack, scheme="mecg", period=period, today=TODAY),
        "period",
        shown,
        words,
    )
    assert people.scalar(select(func.count()).select_from(PaymentCycle)) == 0


def test_a_cycle_may_be_prepared_up_to_a_year_ahead(people: Session, pack: Pack) -> None:
    june_next_year = dt.date(2026, 6, 1)  # 12 months after June 2025
    outcome = cycles.create_cycle(people, pack, scheme="cct", period=june_next_year, today=TODAY)
    assert outcome.code == "2026-06"


def test_dues_and_contribution_payments_out_of_range_are_refused(
    people: Session, pack: Pack
) -> None:
    enrolment = service.enrol(people, pack, scheme="nssf_private", unit_id="PW", on=AT)
    service.set_status(people, enrolment.id, "active", on=AT)
    refused(
        lambda: record_dues(people, pack, scheme="nssf_private", period=dt.date(1, 1, 1)),
        "period",
        "0001-01",
        "is before 1975-12-02",
    )
    record_dues(people, pack, scheme="nssf_private", period=AT, today=TODAY)

    def pay(on: dt.date) -> Any:
        return pay_contribution(
            people, enrolment_id=enrolment.id, period=AT, amount=1_000, paid_on=on, today=TODAY
        )

    refused(lambda: pay(TODAY + DAY), "paid_on", "2025-06-16", "is in the future")
    refused(lambda: pay(dt.date(1, 1, 1)), "paid_on", "0001-01-01", "is before 1975-12-02")
    for early in (dt.date(1976, 1, 1), AT - DAY):  # the dues are for March 2025
        refused(
            partial(pay, early),
            "paid_on",
            early.isoformat(),
            "is before 2025-03, the month these dues are for",
        )
    assert people.scalar(select(Contribution.amount_paid)) == 0
    assert pay(AT).amount_paid == 1_000
    assert pay(TODAY).amount_paid == 2_000


def test_enrolment_and_grievance_dates_out_of_range_are_refused(
    people: Session, pack: Pack
) -> None:
    refused(
        lambda: service.enrol(people, pack, scheme="mecg", unit_id="P2", on=dt.date(1, 1, 1)),
        "start_date",
        "0001-01-01",
        "is before 1975-12-02",
    )
    refused(
        lambda: service.enrol(
            people, pack, scheme="mecg", unit_id="P2", on=TODAY + DAY, today=TODAY
        ),
        "start_date",
        "2025-06-16",
        "is in the future",
    )
    enrolment = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT, today=TODAY)
    refused(
        lambda: service.set_status(people, enrolment.id, "active", on=TODAY + DAY, today=TODAY),
        "date",
        "2025-06-16",
        "is in the future",
    )
    assert service.get_enrolment(people, enrolment.id).status == "pending"
    refused(
        lambda: grievances.open_grievance(
            people,
            pack,
            category="payment",
            description="late",
            on=TODAY + DAY,
            person_id="P2",
            today=TODAY,
        ),
        "date",
        "2025-06-16",
        "is in the future",
    )
    grievance = grievances.open_grievance(
        people, pack, category="payment", description="late", on=AT, person_id="P2", today=TODAY
    )
    refused(
        lambda: grievances.set_status(
            people, grievance.id, "in_review", on=TODAY + DAY, today=TODAY
        ),
        "date",
        "2025-06-16",
        "is in the future",
    )


# The CLI: today comes from the clock at the edge --------------------------------------

runner = CliRunner()
#: The CLI environment of a central officer of ``seeded``'s database.
CENTRAL: dict[str, str] = {}


@pytest.fixture
def seeded(engine: Engine, db_url: str, pack: Pack) -> str:
    """P2's active MECG enrolment and its approved March 2025 cycle (id 1), committed."""
    with unit_of_work(engine) as session:
        register(session)
        enrolment = service.enrol(session, pack, scheme="mecg", unit_id="P2", on=AT)
        service.set_status(session, enrolment.id, "active", on=AT)
        cycles.create_cycle(session, pack, scheme="mecg", period=AT)
        cycles.approve_cycle(session, 1, checker=CHECKER)
    CENTRAL.clear()
    CENTRAL.update(add_officers(engine)["central"])
    return db_url


def _run(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(build_app(), [*args, "--db", db], env=CENTRAL)
    return result.exit_code, result.output


def test_cli_refuses_paid_on_year_one_and_tomorrow(seeded: str, engine: Engine) -> None:
    tomorrow = (dt.date.today() + DAY).isoformat()
    for paid_on, words in (
        ("0001-01-01", "paid_on: is before 1975-12-02, the earliest date operations accept"),
        (tomorrow, "paid_on: is in the future"),
    ):
        code, out = _run(seeded, "cycle", "pay", "1", "--paid-on", paid_on)
        assert code == 1, out
        assert "Refused, nothing was written" in out
        assert words in out
    with Session(engine) as session:
        assert session.scalar(select(PaymentCycle.status)) == "approved"
        assert session.scalar(select(BenefitPayment.status)) == "scheduled"


@pytest.mark.parametrize("period", ["0001-01", "9999-12"])
def test_cli_refuses_a_cycle_period_out_of_range(seeded: str, period: str) -> None:
    code, out = _run(seeded, "cycle", "create", "--scheme", "cct", "--period", period)
    assert code == 1, out
    assert "period: is " in out
    assert f"(value: '{period}')" in out


def test_cli_refuses_paid_on_before_the_period(seeded: str, engine: Engine, pack: Pack) -> None:
    code, out = _run(seeded, "cycle", "pay", "1", "--paid-on", "1976-01-01")
    assert code == 1, out
    assert "paid_on: is before 2025-02-01: a payment of cycle 2025-03+2" in out
    with unit_of_work(engine) as session:
        enrolment = service.enrol(session, pack, scheme="nssf_private", unit_id="PW", on=AT)
        service.set_status(session, enrolment.id, "active", on=AT)
        record_dues(session, pack, scheme="nssf_private", period=AT)
    pay = ["contributions", "pay", str(enrolment.id), "--period", "2025-03", "--amount", "1000"]
    code, out = _run(seeded, *pay, "--paid-on", "1976-01-01")
    assert code == 1, out
    assert "paid_on: is before 2025-03, the month these dues are for" in out
    with Session(engine) as session:
        assert session.scalar(select(PaymentCycle.status)) == "approved"
        assert session.scalar(select(Contribution.amount_paid)) == 0


def test_cli_refuses_paid_on_for_a_cancelled_payment(seeded: str, engine: Engine) -> None:
    code, out = _run(seeded, "cycle", "payment-status", "1", "cancelled", "--paid-on", "2025-05-05")
    assert code == 1, out
    assert "paid_on: applies only to a payment marked paid, not cancelled" in out
    with Session(engine) as session:
        assert session.scalar(select(BenefitPayment.status)) == "scheduled"
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.entity == "benefit_payment")
            )
            == 0
        )
