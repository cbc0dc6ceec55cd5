"""What was registered when: the periods of each enrolment status and the earlier values
of the registry fields the rules read, so that a past date is computed on the registry
as it was then (``laosp.registry.snapshot``, ``at=``).

A period is ``valid_from <= day < valid_to``; ``valid_to`` NULL is the current period
(enrolment statuses). Person and household history rows hold the *old* values of one
record, in force from ``valid_from`` (NULL: since it was registered) until the change
dated ``valid_to``; the current values stay in ``persons`` / ``households``. Rows are
written in the transaction of the change they record (``laosp.registry.history``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from laosp.models.base import Base, Kip

#: The person columns kept in ``person_history``: the stored fields of
#: ``laosp.rules.fields.PERSON_FIELDS`` and the household (membership); a test checks
#: that the two lists agree.
PERSON_HISTORY_FIELDS = (
    "household_id",
    "relationship",
    "sex",
    "birth_date",
    "birth_date_precision",
    "nationality",
    "mother_id",
    "pregnant",
    "pregnancy_month",
    "disability",
    "monk",
    "employment_status",
    "employment_type",
    "employer_type",
    "formal",
    "sector",
    "earnings_monthly",
    "declared_income_monthly",
    "nssf_contribution_months",
    "cct_compliant",
    "facility_level",
)
#: The household columns kept in ``household_history`` (the stored fields of
#: ``laosp.rules.fields.HOUSEHOLD_FIELDS``).
HOUSEHOLD_HISTORY_FIELDS = ("district_code", "village_code", "urban", "poor")


class EnrolmentStatusHistory(Base):
    __tablename__ = "enrolment_status_history"
    __table_args__ = (Index("ix_enrolment_status_history_enrolment", "enrolment_id", "valid_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class PersonHistory(Base):
    __tablename__ = "person_history"
    __table_args__ = (Index("ix_person_history_person", "person_id", "valid_to"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(
        ForeignKey("persons.person_id", ondelete="CASCADE"), index=False
    )
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    household_id: Mapped[str] = mapped_column(String(64))
    relationship: Mapped[str] = mapped_column(String(12))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    birth_date_precision: Mapped[str] = mapped_column(String(5))
    nationality: Mapped[str] = mapped_column(String(2))
    mother_id: Mapped[str | None] = mapped_column(String(64))
    pregnant: Mapped[bool] = mapped_column(Boolean)
    pregnancy_month: Mapped[int | None] = mapped_column(Integer)
    disability: Mapped[str] = mapped_column(String(8))
    monk: Mapped[bool] = mapped_column(Boolean)
    employment_status: Mapped[str] = mapped_column(String(10))
    employment_type: Mapped[str | None] = mapped_column(String(20))
    employer_type: Mapped[str | None] = mapped_column(String(16))
    formal: Mapped[bool] = mapped_column(Boolean)
    sector: Mapped[str | None] = mapped_column(String(12))
    earnings_monthly: Mapped[int] = mapped_column(Kip)
    declared_income_monthly: Mapped[int] = mapped_column(Kip)
    nssf_contribution_months: Mapped[int] = mapped_column(Integer)
    cct_compliant: Mapped[bool] = mapped_column(Boolean)
    facility_level: Mapped[str] = mapped_column(String(14))


class HouseholdHistory(Base):
    __tablename__ = "household_history"
    __table_args__ = (Index("ix_household_history_household", "household_id", "valid_to"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.household_id", ondelete="CASCADE")
    )
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    district_code: Mapped[str] = mapped_column(String(4))
    village_code: Mapped[str | None] = mapped_column(String(7))
    urban: Mapped[bool] = mapped_column(Boolean)
    poor: Mapped[bool] = mapped_column(Boolean)
