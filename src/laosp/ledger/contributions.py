"""Contributions: dues for a month from the rules engine, payments against them.

Dues are the scheme's contribution output (``Scheme.contribution`` of the pack, for
the social security schemes employee + employer share) of each active member at the
first day of the month; recording a month again adds only the members not yet
recorded. Payments may be partial and accumulate; a payment above what is still owed
is refused (the ledger carries no credit — the officer records the amount owed and
returns or applies the rest to another month explicitly). A payment adds to the amount
paid only if it is still the amount the payment was checked against (compare-and-set):
of two officers recording payments at once, the second is refused, never lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from laosp.enrolment.dates import check_date, check_period
from laosp.enrolment.service import operational_scheme
from laosp.enrolment.units import read_units
from laosp.ledger.periods import check_dues_paid_on, last_day
from laosp.models import Contribution, Enrolment, Person
from laosp.registry.errors import (
    ConcurrentChange,
    ConflictError,
    FieldError,
    NotFoundError,
    ValidationFailed,
)
from laosp.registry.repository import add_audit
from laosp.rules.engine import evaluate
from laosp.rules.pack import Pack

DEFAULT_ACTOR = "system"


@dataclass(frozen=True)
class DuesOutcome:
    scheme: str
    period: dt.date
    recorded: int
    total: int
    already: int


def record_dues(
    session: Session,
    pack: Pack,
    *,
    scheme: str,
    period: dt.date,
    actor: str = DEFAULT_ACTOR,
    today: dt.date | None = None,
) -> DuesOutcome:
    """Record the month's dues of every active member of the contributory ``scheme``."""
    check_period("period", period, today)
    chosen = operational_scheme(pack, scheme)
    due_output = chosen.contribution
    if chosen.kind != "contributory" or due_output is None:
        raise ValidationFailed(
            [FieldError("scheme", scheme, "is not a contributory scheme (no dues)")]
        )
    month = period.replace(day=1)
    recorded = select(Contribution.enrolment_id).where(Contribution.period == month)
    members = (
        (Enrolment.scheme == chosen.code)
        & (Enrolment.status == "active")
        & (Enrolment.start_date <= last_day(month))
    )
    already = len(
        session.scalars(select(Enrolment.id).where(members, Enrolment.id.in_(recorded))).all()
    )
    todo = members & Enrolment.id.not_in(recorded)
    rows = session.execute(select(Enrolment.id, Enrolment.person_id).where(todo)).all()
    enrolments = pl.DataFrame(
        [tuple(row) for row in rows], schema={"id": pl.Int64, "person_id": pl.String}, orient="row"
    )
    households = select(Person.household_id).where(
        Person.person_id.in_(select(Enrolment.person_id).where(todo))
    )
    persons, homes = read_units(session, households)
    dues = evaluate(pack, persons, homes, month, [due_output]).persons
    new = (
        enrolments.join(dues, on="person_id")
        .filter(pl.col(due_output) > 0)
        .select(
            enrolment_id=pl.col("id"),
            period=pl.lit(month),
            amount_due=pl.col(due_output).cast(pl.Int64),
            amount_paid=pl.lit(0, dtype=pl.Int64),
        )
    )
    if new.height:
        try:
            session.execute(insert(Contribution), new.to_dicts())
        except IntegrityError:  # the unique (enrolment, period): recorded meanwhile
            raise ConflictError(
                "period",
                f"{month:%Y-%m}",
                f"dues of {chosen.code} for {month:%Y-%m} were recorded by someone else "
                "meanwhile; nothing was written, run the command again to add the members "
                "still missing (ມີຜູ້ອື່ນບັນທຶກແລ້ວ; ບໍ່ໄດ້ບັນທຶກຫຍັງ)",
            ) from None
    total = int(new["amount_due"].sum()) if new.height else 0
    if new.height:
        add_audit(
            session,
            actor=actor,
            action="create",
            entity="contributions",
            entity_id=f"{chosen.code}:{month:%Y-%m}",
            changes={"recorded": new.height, "total_due": total},
        )
    return DuesOutcome(chosen.code, month, new.height, total, already)


def pay_contribution(
    session: Session,
    *,
    enrolment_id: int,
    period: dt.date,
    amount: int,
    paid_on: dt.date,
    actor: str = DEFAULT_ACTOR,
    today: dt.date | None = None,
) -> Contribution:
    """Record ``amount`` kip paid on ``paid_on`` (not after ``today``, not before the
    month starts) against the month's dues."""
    check_date("paid_on", paid_on, today)
    month = period.replace(day=1)
    check_dues_paid_on(paid_on, month)
    contribution = session.scalar(
        select(Contribution).where(
            Contribution.enrolment_id == enrolment_id, Contribution.period == month
        )
    )
    if contribution is None:
        raise NotFoundError("contribution", f"{enrolment_id}:{month:%Y-%m}")
    owed = contribution.amount_due - contribution.amount_paid
    if amount <= 0:
        raise ValidationFailed([FieldError("amount", amount, "must be a positive number of kip")])
    if amount > owed:
        raise ValidationFailed(
            [
                FieldError(
                    "amount",
                    amount,
                    f"is more than the {owed:,} kip still owed for {month:%Y-%m} "
                    "(overpayments are refused)",
                )
            ]
        )
    before = contribution.amount_paid
    written = session.execute(
        update(Contribution)
        .where(Contribution.id == contribution.id, Contribution.amount_paid == before)
        .values(amount_paid=before + amount, paid_on=paid_on)
        .execution_options(synchronize_session="fetch")
    )
    if written.rowcount != 1:  # type: ignore[attr-defined]
        found = session.scalar(
            select(Contribution.amount_paid).where(Contribution.id == contribution.id)
        )
        raise ConcurrentChange(
            "contribution", contribution.id, f"{before} kip paid",
            None if found is None else f"{found} kip paid", field="amount_paid",
        )  # fmt: skip
    add_audit(
        session,
        actor=actor,
        action="payment",
        entity="contribution",
        entity_id=str(contribution.id),
        changes={
            "amount_paid": [before, contribution.amount_paid],
            "paid_on": paid_on.isoformat(),
            "amount": amount,
        },
    )
    return contribution
