"""Households and persons (``shared/spec/registry.md``); their fields are described once
in ``laosp.reference.dictionary`` (``tests/registry/test_dictionary.py`` holds the columns
to it).

Natural keys are the registering agency's identifiers, so that imports are idempotent
on them. ``name_key`` is the search form of a person's names (see
``laosp.registry.names``), kept beside the names as written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from laosp.models.base import Base, Kip, one_of
from laosp.reference import dictionary


class Household(Base):
    __tablename__ = "households"
    __table_args__ = (
        CheckConstraint(
            "village_code IS NULL OR substr(village_code, 1, 4) = district_code",
            name="village_in_district",
        ),
    )

    household_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    village_code: Mapped[str | None] = mapped_column(String(7))
    village_name: Mapped[str | None] = mapped_column(String(120))
    urban: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    poor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Person(Base):
    __tablename__ = "persons"
    __table_args__ = (
        # every coded field of the data dictionary, its code list a CHECK
        *(one_of(f.name, f.codes) for f in dictionary.PERSON_FIELDS if f.codes),
        CheckConstraint(
            "(pregnant AND pregnancy_month IS NOT NULL AND pregnancy_month BETWEEN 1 AND 9) "
            "OR (NOT pregnant AND pregnancy_month IS NULL)",
            name="pregnancy_month",
        ),
        CheckConstraint("NOT pregnant OR sex = 'F'", name="pregnant_female"),
        CheckConstraint("earnings_monthly >= 0", name="earnings_non_negative"),
        CheckConstraint("declared_income_monthly >= 0", name="declared_income_non_negative"),
        CheckConstraint("nssf_contribution_months >= 0", name="contribution_months_non_negative"),
        CheckConstraint("length(nationality) = 2", name="nationality_alpha2"),
        Index(
            "uq_persons_one_head",
            "household_id",
            unique=True,
            sqlite_where=text("relationship = 'head'"),
            postgresql_where=text("relationship = 'head'"),
        ),
        Index("ix_persons_name_key", "name_key"),
        Index("ix_persons_name_fold", "name_fold"),
    )

    person_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.household_id", ondelete="CASCADE"), index=True
    )
    relationship: Mapped[str] = mapped_column(String(12))
    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(260))
    #: second search key, variants of romanisation folded (``laosp.registry.names``)
    name_fold: Mapped[str | None] = mapped_column(String(260))
    #: cross-script key, Lao script romanised and folded (``names.latin_key``); the
    #: search indexes (GIN trigram on PostgreSQL, FTS5 ``persons_search`` on SQLite) are
    #: made by migration 0005, not declared here
    name_latin: Mapped[str | None] = mapped_column(String(520))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    birth_date_precision: Mapped[str] = mapped_column(
        String(5), default="day", server_default="day"
    )
    national_id: Mapped[str | None] = mapped_column(String(32), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    nationality: Mapped[str] = mapped_column(String(2), default="LA", server_default="LA")
    mother_id: Mapped[str | None] = mapped_column(String(64))
    pregnant: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    pregnancy_month: Mapped[int | None] = mapped_column(Integer)
    disability: Mapped[str] = mapped_column(String(8), default="none", server_default="none")
    monk: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    employment_status: Mapped[str] = mapped_column(
        String(10), default="inactive", server_default="inactive"
    )
    employment_type: Mapped[str | None] = mapped_column(String(20))
    employer_type: Mapped[str | None] = mapped_column(String(16))
    formal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    sector: Mapped[str | None] = mapped_column(String(12))
    earnings_monthly: Mapped[int] = mapped_column(Kip, default=0, server_default="0")
    declared_income_monthly: Mapped[int] = mapped_column(Kip, default=0, server_default="0")
    nssf_contribution_months: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cct_compliant: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    facility_level: Mapped[str] = mapped_column(
        String(14), default="district", server_default="district"
    )
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
