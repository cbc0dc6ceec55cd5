"""Decision receipts: what was decided, on which registry values, by which rules.

One row per enrolment decision and per benefit payment, written in the decision's
transaction: the policy pack's digest and name, the reference date, the explanation as
text (English) and as data (outputs, inputs, parameters with their values, references
and dates), so that ``laosp rules explain --receipt ID`` can show and re-check it years
later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from laosp.models.base import Base, one_of

RECEIPT_KINDS = ("enrolment", "payment")


class DecisionReceipt(Base):
    __tablename__ = "decision_receipts"
    __table_args__ = (
        one_of("kind", RECEIPT_KINDS),
        Index("ix_decision_receipts_subject", "kind", "subject_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))
    #: the enrolment id (kind ``enrolment``) or the benefit payment id (``payment``)
    subject_id: Mapped[int] = mapped_column(Integer)
    scheme: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    reference_date: Mapped[dt.date] = mapped_column(Date)
    pack_digest: Mapped[str] = mapped_column(String(64))
    pack_name: Mapped[str] = mapped_column(String(255))
    explanation: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(64))
