"""What the API and the pages show of the ledger: cycles with their totals, a cycle's
counts and amounts by status and district, its payments and the contributions, a page
at a time with the total count. Reads only; the edge decides who may see which names
(``named`` rows carry the district they are in for that check).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, select
from sqlalchemy.orm import Session

from laosp.access.roles import Area
from laosp.ledger.cycle_record import get_cycle
from laosp.ledger.reconciliation import Reconciliation, reconcile
from laosp.models import BenefitPayment, Contribution, Enrolment, Household, PaymentCycle, Person
from laosp.reference.codes import PAYMENT_STATUSES

#: What a contribution still owes: the filters of the contributions list.
DUES_STATES = ("unpaid", "partial", "paid")


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int


@dataclass(frozen=True)
class CycleSummary:
    id: int
    scheme: str
    code: str
    period_start: dt.date
    period_end: dt.date
    status: str
    created_by: str | None
    approved_by: str | None
    payments: int
    total: int


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def list_cycles(
    session: Session, *, scheme: str | None, status: str | None, limit: int, offset: int
) -> tuple[list[CycleSummary], int]:
    """Cycles, newest period first, each with its number of payments and amount."""
    sums = (
        select(
            BenefitPayment.cycle_id.label("cycle_id"),
            func.count().label("payments"),
            func.coalesce(func.sum(BenefitPayment.amount), 0).label("total"),
        )
        .group_by(BenefitPayment.cycle_id)
        .subquery()
    )
    filters: list[ColumnElement[bool]] = []
    if scheme is not None:
        filters.append(PaymentCycle.scheme == scheme)
    if status is not None:
        filters.append(PaymentCycle.status == status)
    query = (
        select(PaymentCycle, func.coalesce(sums.c.payments, 0), func.coalesce(sums.c.total, 0))
        .outerjoin(sums, sums.c.cycle_id == PaymentCycle.id)
        .where(*filters)
    )
    total = _count(session, select(PaymentCycle.id).where(*filters))
    rows = session.execute(
        query.order_by(PaymentCycle.period_start.desc(), PaymentCycle.scheme, PaymentCycle.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        CycleSummary(
            c.id,
            c.scheme,
            c.code,
            c.period_start,
            c.period_end,
            c.status,
            c.created_by,
            c.approved_by,
            int(payments),
            int(amount),
        )
        for c, payments, amount in rows
    ], total


@dataclass(frozen=True)
class CycleDetail:
    cycle: CycleSummary
    books: Reconciliation
    #: Number of payments in each payment status (every status, zeros included).
    counts: dict[str, int]


def cycle_detail(session: Session, cycle_id: int) -> CycleDetail:
    """A cycle's totals: counts by payment status, amounts by status and district."""
    cycle = get_cycle(session, cycle_id)
    books = reconcile(session, cycle_id)
    counts = dict.fromkeys(PAYMENT_STATUSES, 0)
    for status, count in session.execute(
        select(BenefitPayment.status, func.count())
        .where(BenefitPayment.cycle_id == cycle_id)
        .group_by(BenefitPayment.status)
    ):
        counts[status] = int(count)
    summary = CycleSummary(
        cycle.id, cycle.scheme, cycle.code, cycle.period_start, cycle.period_end, cycle.status,
        cycle.created_by, cycle.approved_by, books.total.payments, books.total.scheduled,
    )  # fmt: skip
    return CycleDetail(summary, books, counts)


def _unit_columns() -> tuple[Any, Any]:
    household_id = func.coalesce(Enrolment.household_id, Person.household_id)
    return household_id, Household.district_code


def _in_area(area: Area) -> ColumnElement[bool] | None:
    if area.everywhere:
        return None
    if area.district_code is not None:
        return Household.district_code == area.district_code
    if area.province_code is not None:
        return func.substr(Household.district_code, 1, 2) == area.province_code
    return false()


def cycle_payments(
    session: Session, cycle_id: int, *, status: str | None, limit: int, offset: int
) -> Page:
    """The payments of a cycle, by id: the unit paid, its name and district."""
    get_cycle(session, cycle_id)
    household_id, district = _unit_columns()
    query = (
        select(
            BenefitPayment.id,
            BenefitPayment.enrolment_id,
            Enrolment.person_id,
            household_id.label("household_id"),
            district.label("district_code"),
            Person.given_name,
            Person.family_name,
            BenefitPayment.period,
            BenefitPayment.amount,
            BenefitPayment.function,
            BenefitPayment.status,
            BenefitPayment.paid_on,
        )
        .select_from(BenefitPayment)
        .join(Enrolment, Enrolment.id == BenefitPayment.enrolment_id)
        .outerjoin(Person, Person.person_id == Enrolment.person_id)
        .outerjoin(Household, Household.household_id == household_id)
        .where(BenefitPayment.cycle_id == cycle_id)
    )
    if status is not None:
        query = query.where(BenefitPayment.status == status)
    total = _count(session, query)
    rows = session.execute(query.order_by(BenefitPayment.id).limit(limit).offset(offset))
    return Page([dict(row._mapping) for row in rows], total)


def _owed_state(state: str) -> ColumnElement[bool]:
    if state == "unpaid":
        return Contribution.amount_paid == 0
    if state == "paid":
        return Contribution.amount_paid >= Contribution.amount_due
    return (Contribution.amount_paid > 0) & (Contribution.amount_paid < Contribution.amount_due)


def list_contributions(
    session: Session,
    area: Area,
    *,
    scheme: str | None,
    period: dt.date | None,
    district: str | None,
    state: str | None,
    limit: int,
    offset: int,
    contribution_id: int | None = None,
) -> tuple[Page, int, int]:
    """Contributions inside ``area``, newest month first: the page, and the amounts due
    and paid of every row the filters select."""
    query = (
        select(
            Contribution.id,
            Contribution.enrolment_id,
            Enrolment.scheme,
            Enrolment.person_id,
            Person.household_id,
            Household.district_code,
            Person.given_name,
            Person.family_name,
            Contribution.period,
            Contribution.amount_due,
            Contribution.amount_paid,
            Contribution.paid_on,
        )
        .select_from(Contribution)
        .join(Enrolment, Enrolment.id == Contribution.enrolment_id)
        .join(Person, Person.person_id == Enrolment.person_id)
        .join(Household, Household.household_id == Person.household_id)
    )
    where = _in_area(area)
    if where is not None:
        query = query.where(where)
    if scheme is not None:
        query = query.where(Enrolment.scheme == scheme)
    if period is not None:
        query = query.where(Contribution.period == period.replace(day=1))
    if district is not None:
        query = query.where(Household.district_code == district)
    if state is not None:
        query = query.where(_owed_state(state))
    if contribution_id is not None:
        query = query.where(Contribution.id == contribution_id)
    selected = query.subquery()
    count, due, paid = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(selected.c.amount_due), 0),
            func.coalesce(func.sum(selected.c.amount_paid), 0),
        ).select_from(selected)
    ).one()
    rows = session.execute(
        query.order_by(Contribution.period.desc(), Contribution.id).limit(limit).offset(offset)
    )
    return Page([dict(row._mapping) for row in rows], int(count)), int(due), int(paid)
