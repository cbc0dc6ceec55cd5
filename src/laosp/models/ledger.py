"""Contributions owed and paid, benefit payment cycles and the payments in them.

Amounts are whole kip (64-bit). One contribution per enrolment and period, one payment
per enrolment, cycle and function: re-running an import or a cycle changes nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from laosp.models.base import Base, Kip, one_of
from laosp.reference import codes


class Contribution(Base):
    __tablename__ = "contributions"
    __table_args__ = (
        CheckConstraint("amount_due >= 0", name="due_non_negative"),
        CheckConstraint("amount_paid >= 0", name="paid_non_negative"),
        CheckConstraint("(amount_paid = 0) OR (paid_on IS NOT NULL)", name="paid_has_date"),
        Index("uq_contributions_enrolment_period", "enrolment_id", "period", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[dt.date] = mapped_column(Date)  # first day of the month contributed for
    amount_due: Mapped[int] = mapped_column(Kip)
    amount_paid: Mapped[int] = mapped_column(Kip, default=0, server_default="0")
    paid_on: Mapped[dt.date | None] = mapped_column(Date)


class PaymentCycle(Base):
    __tablename__ = "payment_cycles"
    __table_args__ = (
        one_of("status", codes.CYCLE_STATUSES),
        Index("uq_payment_cycles_scheme_code", "scheme", "code", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scheme: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(32))  # e.g. "2025-03" or "2025-B2"
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    #: Maker and checker: the user who prepared the cycle and the one who approved it.
    created_by: Mapped[str | None] = mapped_column(String(64))
    approved_by: Mapped[str | None] = mapped_column(String(64))


class BenefitPayment(Base):
    __tablename__ = "benefit_payments"
    __table_args__ = (
        one_of("status", codes.PAYMENT_STATUSES),
        one_of("function", codes.SP_FUNCTIONS),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
        CheckConstraint("status <> 'paid' OR paid_on IS NOT NULL", name="paid_has_date"),
        Index(
            "uq_benefit_payments_enrolment_period_function",
            "enrolment_id",
            "period",
            "function",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("payment_cycles.id"), index=True)
    period: Mapped[dt.date] = mapped_column(Date)  # first day of the month paid for
    amount: Mapped[int] = mapped_column(Kip)
    function: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
