"""Contributions: dues from the rules engine, partial payments, overpayment refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from laosp.enrolment import service
from laosp.ledger.contributions import pay_contribution, record_dues
from laosp.registry.errors import NotFoundError, ValidationFailed
from laosp.rules.pack import Pack
from tests.operations.conftest import AT

#: 3,000,000 kip insured earnings x (5.5 % employee + 6 % employer).
DUE = 345_000


def _member(session: Session, pack: Pack) -> int:
    enrolment = service.enrol(session, pack, scheme="nssf_private", unit_id="PW", on=AT)
    service.set_status(session, enrolment.id, "active", on=AT)
    return enrolment.id


def test_dues_come_from_the_rules_and_are_recorded_once(people: Session, pack: Pack) -> None:
    _member(people, pack)
    first = record_dues(people, pack, scheme="nssf_private", period=AT)
    assert (first.recorded, first.total, first.already) == (1, DUE, 0)
    again = record_dues(people, pack, scheme="nssf_private", period=AT)
    assert (again.recorded, again.total, again.already) == (0, 0, 1)


def test_partial_payments_accumulate_and_overpayment_is_refused(
    people: Session, pack: Pack
) -> None:
    enrolment_id = _member(people, pack)
    record_dues(people, pack, scheme="nssf_private", period=AT)
    paid_on = dt.date(2025, 4, 10)
    row = pay_contribution(
        people, enrolment_id=enrolment_id, period=AT, amount=100_000, paid_on=paid_on
    )
    assert row.amount_paid == 100_000
    with pytest.raises(ValidationFailed, match="245,000 kip still owed"):
        pay_contribution(
            people, enrolment_id=enrolment_id, period=AT, amount=245_001, paid_on=paid_on
        )
    row = pay_contribution(
        people, enrolment_id=enrolment_id, period=AT, amount=245_000, paid_on=paid_on
    )
    assert row.amount_paid == row.amount_due == DUE


def test_paying_a_month_without_dues_is_refused(people: Session, pack: Pack) -> None:
    enrolment_id = _member(people, pack)
    with pytest.raises(NotFoundError):
        pay_contribution(people, enrolment_id=enrolment_id, period=AT, amount=1, paid_on=AT)


def test_a_benefit_scheme_has_no_dues(people: Session, pack: Pack) -> None:
    with pytest.raises(ValidationFailed, match="not a contributory scheme"):
        record_dues(people, pack, scheme="mecg", period=AT)
