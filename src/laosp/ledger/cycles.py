"""Benefit payment cycles: create (amounts from the rules engine), approve, pay, close.

``create_cycle`` is idempotent: a cycle is named by its scheme and code (``2025-03``,
``2025-03+2`` for two months) and re-creating it changes nothing. Payments are inserted
in one ``executemany``; the cycle's audit event records how many and how much, which
reconciliation checks later. Each payment gets a decision receipt (its amount, the
formula, parameters and inputs, the pack's digest), written in bulk with the payments.
Functions take the ``Session`` and never commit.

Every status change is a compare-and-set (``Lifecycle.move``): of two sessions that
approve, pay or close the same cycle, or change the same payment, the second is refused
with ``ConcurrentChange`` and writes nothing. Paying moves the cycle first, so a second
payer waits on the cycle's row and is refused before it touches a payment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from laosp.access.permissions import Action, require_checker
from laosp.access.roles import Principal
from laosp.enrolment.dates import check_date, check_period
from laosp.enrolment.service import operational_scheme
from laosp.enrolment.units import read_units
from laosp.ledger.amounts import amounts_due, benefit_output
from laosp.ledger.cycle_record import ENTITY, get_cycle
from laosp.ledger.lifecycles import CYCLE, PAYMENT
from laosp.ledger.periods import check_cycle_paid_on, cycle_code, last_day, months_from
from laosp.ledger.reconciliation import reconcile
from laosp.models import BenefitPayment, Enrolment, PaymentCycle, Person
from laosp.registry.errors import (
    ConcurrentChange,
    ConflictError,
    FieldError,
    NotFoundError,
    ValidationFailed,
)
from laosp.registry.repository import add_audit
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Pack, Scheme
from laosp.rules.receipts import write_payment_receipts

DEFAULT_ACTOR = "system"


@dataclass(frozen=True)
class CycleOutcome:
    cycle_id: int
    scheme: str
    code: str
    created: bool
    payments: int
    total: int


def months_per_cycle(pack: Pack, scheme: Scheme, period: dt.date) -> int:
    """Months one cycle of ``scheme`` covers from ``period``: the pack's payment interval."""
    return max(1, pack.payment_every_months(scheme, period))


def _payment_totals(session: Session, cycle_id: int) -> tuple[int, int]:
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(BenefitPayment.amount), 0)).where(
            BenefitPayment.cycle_id == cycle_id
        )
    ).one()
    return int(count), int(total)


def _check_period(session: Session, scheme: Scheme, start: dt.date, months: int) -> None:
    if months > 1 and (start.month - 1) % months:
        firsts = ", ".join(f"{m:02d}" for m in range(1, 13, months))
        raise ValidationFailed(
            [
                FieldError(
                    "period",
                    f"{start:%Y-%m}",
                    f"{scheme.code} pays every {months} months: a cycle starts in month {firsts}",
                )
            ]
        )
    end = last_day(start, months)
    clash = session.scalar(
        select(PaymentCycle.code).where(
            PaymentCycle.scheme == scheme.code,
            PaymentCycle.period_start <= end,
            PaymentCycle.period_end >= start,
        )
    )
    if clash is not None:
        raise ValidationFailed(
            [FieldError("period", f"{start:%Y-%m}", f"overlaps the {scheme.code} cycle {clash}")]
        )


def _active(scheme: Scheme, end: dt.date) -> Any:
    return (
        (Enrolment.scheme == scheme.code)
        & (Enrolment.status == "active")
        & (Enrolment.start_date <= end)
    )


def _households(scheme: Scheme, end: dt.date) -> Select[Any]:
    if scheme.unit == HOUSEHOLD:
        return select(Enrolment.household_id).where(_active(scheme, end))
    enrolled = select(Enrolment.person_id).where(_active(scheme, end))
    return select(Person.household_id).where(Person.person_id.in_(enrolled))


def _enrolments(session: Session, scheme: Scheme, end: dt.date) -> pl.DataFrame:
    unit = Enrolment.household_id if scheme.unit == HOUSEHOLD else Enrolment.person_id
    rows = session.execute(
        select(Enrolment.id, unit, Enrolment.start_date).where(_active(scheme, end))
    ).all()
    return pl.DataFrame(
        [tuple(row) for row in rows],
        schema={"id": pl.Int64, "unit_id": pl.String, "start_date": pl.Date},
        orient="row",
    )


def create_cycle(
    session: Session,
    pack: Pack,
    *,
    scheme: str,
    period: dt.date,
    actor: str = DEFAULT_ACTOR,
    today: dt.date | None = None,
) -> CycleOutcome:
    """The cycle of ``scheme`` starting in ``period``'s month, with a ``scheduled``
    payment for every active enrolment the rules engine finds an amount for."""
    check_period("period", period, today)
    chosen = operational_scheme(pack, scheme)
    benefit_output(pack, chosen)
    start = period.replace(day=1)
    months = months_per_cycle(pack, chosen, start)
    code = cycle_code(start, months)
    existing = session.scalar(
        select(PaymentCycle).where(PaymentCycle.scheme == chosen.code, PaymentCycle.code == code)
    )
    if existing is not None:
        count, total = _payment_totals(session, existing.id)
        return CycleOutcome(existing.id, chosen.code, code, False, count, total)
    _check_period(session, chosen, start, months)
    end = last_day(start, months)
    enrolments = _enrolments(session, chosen, end)
    persons, households = read_units(session, _households(chosen, end))
    due = amounts_due(pack, chosen, enrolments, persons, households, months_from(start, months))
    cycle = PaymentCycle(
        scheme=chosen.code,
        code=code,
        period_start=start,
        period_end=end,
        status=CYCLE.initial,
        created_by=actor,
    )
    session.add(cycle)
    try:
        session.flush()
    except IntegrityError:  # the unique (scheme, code): created meanwhile by someone else
        raise ConflictError(
            "period",
            code,
            f"the {chosen.code} cycle {code} was created by someone else meanwhile; nothing "
            "was written, run the command again to see it (ມີຜູ້ອື່ນສ້າງຮອບນີ້ແລ້ວ; "
            "ບໍ່ໄດ້ບັນທຶກຫຍັງ)",
        ) from None
    rows = due.with_columns(
        cycle_id=pl.lit(cycle.id), period=pl.lit(start), status=pl.lit(PAYMENT.initial)
    ).to_dicts()
    if rows:
        session.execute(insert(BenefitPayment), rows)
    receipts = write_payment_receipts(
        session,
        pack,
        chosen,
        cycle_id=cycle.id,
        cycle_code=code,
        output=benefit_output(pack, chosen),
        months=months_from(start, months),
        due=due,
        starts=enrolments,
        persons=persons,
        households=households,
        actor=actor,
    )
    total = int(due["amount"].sum()) if due.height else 0
    add_audit(
        session,
        actor=actor,
        action="create",
        entity=ENTITY,
        entity_id=str(cycle.id),
        changes={
            "scheme": chosen.code,
            "code": code,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "payments": len(rows),
            "total": total,
            "active_enrolments": enrolments.height,
            "receipts": receipts,
        },
    )
    return CycleOutcome(cycle.id, chosen.code, code, True, len(rows), total)


def _move(
    session: Session,
    cycle: PaymentCycle,
    status: str,
    actor: str,
    extra: dict[str, Any],
    **values: Any,
) -> None:
    current = cycle.status
    CYCLE.move(session, PaymentCycle, cycle.id, current, status, **values)
    _audit_move(session, cycle.id, current, status, actor, extra)


def _audit_move(
    session: Session, cycle_id: int, before: str, status: str, actor: str, extra: dict[str, Any]
) -> None:
    add_audit(
        session,
        actor=actor,
        action="status",
        entity=ENTITY,
        entity_id=str(cycle_id),
        changes={"status": [before, status], **extra},
    )


def approve_cycle(session: Session, cycle_id: int, *, checker: Principal) -> PaymentCycle:
    """Approve an open cycle: ``checker`` needs ``approve_cycle`` and must not be the
    user who created it (``SameUser``): maker and checker are two people."""
    cycle = get_cycle(session, cycle_id)
    require_checker(checker, Action.approve_cycle, cycle.created_by)
    extra = {"created_by": cycle.created_by}
    _move(session, cycle, "approved", checker.username, extra, approved_by=checker.username)
    return cycle


def _scheduled(session: Session, cycle_id: int) -> set[int]:
    return set(
        session.scalars(
            select(BenefitPayment.id).where(
                BenefitPayment.cycle_id == cycle_id, BenefitPayment.status == "scheduled"
            )
        )
    )


def _payment_status(session: Session, payment_id: int) -> str | None:
    return session.scalar(select(BenefitPayment.status).where(BenefitPayment.id == payment_id))


def pay_cycle(
    session: Session,
    cycle_id: int,
    *,
    paid_on: dt.date,
    failed: Sequence[int] = (),
    actor: str = DEFAULT_ACTOR,
    today: dt.date | None = None,
) -> PaymentCycle:
    """Mark every scheduled payment of an approved cycle ``paid`` on ``paid_on``, except
    the payment ids in ``failed`` (``failed``: the transfer did not reach the person).
    The cycle is moved to ``paid`` first (compare-and-set), then the payments still
    ``scheduled`` at that moment; the audit event counts what was written."""
    cycle = get_cycle(session, cycle_id)
    current = cycle.status
    CYCLE.check(cycle.id, current, "paid")
    check_date("paid_on", paid_on, today)
    check_cycle_paid_on(paid_on, cycle.code, cycle.period_start)
    CYCLE.move(session, PaymentCycle, cycle.id, current, "paid")
    failed_ids = sorted(set(failed))
    unknown = sorted(set(failed_ids) - _scheduled(session, cycle_id))
    if unknown:
        raise ValidationFailed(
            [FieldError("failed", unknown, f"are not scheduled payments of cycle {cycle_id}")]
        )
    in_cycle = (BenefitPayment.cycle_id == cycle_id) & (BenefitPayment.status == "scheduled")
    no_sync = {"synchronize_session": False}
    if failed_ids:
        marked = session.execute(
            update(BenefitPayment)
            .where(in_cycle, BenefitPayment.id.in_(failed_ids))
            .values(status="failed")
            .execution_options(**no_sync)
        )
        if marked.rowcount != len(failed_ids):  # type: ignore[attr-defined]
            moved = next(i for i in failed_ids if _payment_status(session, i) != "failed")
            raise ConcurrentChange("payment", moved, "scheduled", _payment_status(session, moved))
    paid = session.execute(
        update(BenefitPayment)
        .where(in_cycle)
        .values(status="paid", paid_on=paid_on)
        .execution_options(**no_sync)
    )
    session.expire_all()
    _audit_move(
        session,
        cycle_id,
        current,
        "paid",
        actor,
        {
            "paid_on": paid_on.isoformat(),
            "paid": int(paid.rowcount),  # type: ignore[attr-defined]
            "failed": failed_ids,
        },
    )
    return cycle


def close_cycle(session: Session, cycle_id: int, *, actor: str = DEFAULT_ACTOR) -> PaymentCycle:
    """Close a paid cycle whose payments are all settled and whose books balance."""
    cycle = get_cycle(session, cycle_id)
    CYCLE.check(cycle.id, cycle.status, "closed")
    books = reconcile(session, cycle_id)
    if not books.balanced:
        raise ValidationFailed([FieldError("cycle", cycle_id, "; ".join(books.problems))])
    _move(session, cycle, "closed", actor, {"total": books.total.scheduled})
    return cycle


def set_payment_status(
    session: Session,
    payment_id: int,
    status: str,
    *,
    on: dt.date | None = None,
    reason: str | None = None,
    actor: str = DEFAULT_ACTOR,
    today: dt.date | None = None,
) -> BenefitPayment:
    """One payment of a cycle not yet closed: ``scheduled`` → ``paid`` (needs ``on``,
    dated as ``pay_cycle`` requires), ``failed`` or ``cancelled`` (``on`` refused),
    written only if it is still ``scheduled`` (``ConcurrentChange`` otherwise). The
    amount is kept: reconciliation counts it."""
    payment = session.get(BenefitPayment, payment_id)
    if payment is None:
        raise NotFoundError("payment", str(payment_id))
    current = payment.status
    PAYMENT.check(payment_id, current, status)
    cycle = None if payment.cycle_id is None else get_cycle(session, payment.cycle_id)
    if cycle is not None and cycle.status == "closed":
        raise ValidationFailed([FieldError("payment", payment_id, "its cycle is closed")])
    if status == "paid" and on is None:
        raise ValidationFailed([FieldError("paid_on", None, "is required to mark a payment paid")])
    if status != "paid" and on is not None:
        raise ValidationFailed(
            [
                FieldError(
                    "paid_on",
                    on.isoformat(),
                    f"applies only to a payment marked paid, not {status}: nothing was "
                    "written (ໃຊ້ໄດ້ກັບການຈ່າຍທີ່ຈ່າຍແລ້ວເທົ່ານັ້ນ)",
                )
            ]
        )
    changes: dict[str, Any] = {"status": [current, status], "amount": payment.amount}
    if reason:
        changes["reason"] = reason
    values: dict[str, Any] = {}
    if status == "paid" and on is not None:
        check_date("paid_on", on, today)
        if cycle is not None:
            check_cycle_paid_on(on, cycle.code, cycle.period_start)
        values["paid_on"] = on
        changes["paid_on"] = on.isoformat()
    PAYMENT.move(session, BenefitPayment, payment_id, current, status, **values)
    add_audit(
        session,
        actor=actor,
        action="status",
        entity="benefit_payment",
        entity_id=str(payment_id),
        changes=changes,
    )
    return payment
