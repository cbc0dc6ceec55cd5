"""Membership of a person or a household in a scheme."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from laosp.models.base import Base, one_of
from laosp.reference import codes


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (
        one_of("status", codes.ENROLMENT_STATUSES),
        CheckConstraint("(person_id IS NULL) <> (household_id IS NULL)", name="one_enrolled_unit"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        Index("uq_enrolments_person", "scheme", "person_id", "start_date", unique=True),
        Index("uq_enrolments_household", "scheme", "household_id", "start_date", unique=True),
        Index("ix_enrolments_person_id", "person_id"),
        Index("ix_enrolments_household_id", "household_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scheme: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[str | None] = mapped_column(
        ForeignKey("persons.person_id", ondelete="CASCADE")
    )
    household_id: Mapped[str | None] = mapped_column(
        ForeignKey("households.household_id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(10), default="pending")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
