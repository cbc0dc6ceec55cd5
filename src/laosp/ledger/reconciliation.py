"""Reconciliation of a payment cycle: by district and in total, the amount scheduled
equals paid + failed + cancelled (+ still scheduled before payment), and the cycle
still holds the payments and amount recorded when it was created (nothing lost), and
only paid payments carry a date paid (a payment overwritten after it was paid would)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from laosp.ledger.cycle_record import ENTITY, get_cycle
from laosp.models import AuditEvent, BenefitPayment, Enrolment, Household, Person


@dataclass
class Totals:
    """Counts and amounts (kip) by status; ``scheduled`` is everything the cycle
    scheduled, ``outstanding`` what is still waiting to be paid."""

    payments: int = 0
    scheduled: int = 0
    paid: int = 0
    failed: int = 0
    cancelled: int = 0
    outstanding: int = 0

    def add(self, status: str, count: int, amount: int) -> None:
        self.payments += count
        self.scheduled += amount
        if status == "scheduled":
            self.outstanding += amount
        else:
            setattr(self, status, getattr(self, status) + amount)

    @property
    def settled(self) -> int:
        return self.paid + self.failed + self.cancelled


@dataclass
class Reconciliation:
    cycle_id: int
    scheme: str
    code: str
    status: str
    districts: dict[str, Totals]
    total: Totals
    created_payments: int | None
    created_total: int | None
    problems: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.problems


def _created(session: Session, cycle_id: int) -> tuple[int | None, int | None]:
    changes = session.scalar(
        select(AuditEvent.changes)
        .where(
            AuditEvent.entity == ENTITY,
            AuditEvent.entity_id == str(cycle_id),
            AuditEvent.action == "create",
        )
        .limit(1)
    )
    if not changes:
        return None, None
    return int(changes["payments"]), int(changes["total"])


def reconcile(session: Session, cycle_id: int) -> Reconciliation:
    cycle = get_cycle(session, cycle_id)
    household_id = func.coalesce(Enrolment.household_id, Person.household_id)
    rows = session.execute(
        select(
            Household.district_code,
            BenefitPayment.status,
            func.count(),
            func.coalesce(func.sum(BenefitPayment.amount), 0),
        )
        .select_from(BenefitPayment)
        .join(Enrolment, Enrolment.id == BenefitPayment.enrolment_id)
        .outerjoin(Person, Person.person_id == Enrolment.person_id)
        .outerjoin(Household, Household.household_id == household_id)
        .where(BenefitPayment.cycle_id == cycle_id)
        .group_by(Household.district_code, BenefitPayment.status)
    ).all()
    districts: dict[str, Totals] = {}
    total = Totals()
    for district, status, count, amount in rows:  # districts x statuses: a few hundred rows
        districts.setdefault(district or "?", Totals()).add(status, int(count), int(amount))
        total.add(status, int(count), int(amount))
    created_payments, created_total = _created(session, cycle_id)
    books = Reconciliation(
        cycle.id,
        cycle.scheme,
        cycle.code,
        cycle.status,
        dict(sorted(districts.items())),
        total,
        created_payments,
        created_total,
    )
    if created_payments is not None and created_payments != total.payments:
        books.problems.append(
            f"{created_payments} payments were scheduled, {total.payments} are in the cycle"
        )
    if created_total is not None and created_total != total.scheduled:
        books.problems.append(
            f"{created_total:,} kip was scheduled, the payments hold {total.scheduled:,}"
        )
    dated = session.scalar(
        select(func.count()).where(
            BenefitPayment.cycle_id == cycle_id,
            BenefitPayment.status != "paid",
            BenefitPayment.paid_on.is_not(None),
        )
    )
    if dated:
        books.problems.append(f"{dated} payments carry a date paid but are not paid")
    if cycle.status in ("paid", "closed") and total.outstanding:
        books.problems.append(f"{total.outstanding:,} kip is still scheduled in a paid cycle")
    return books
