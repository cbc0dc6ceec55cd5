"""Provinces, districts and villages of Lao PDR."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from laosp.models.base import Base


class Province(Base):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    iso_code: Mapped[str] = mapped_column(String(5), unique=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_lo: Mapped[str] = mapped_column(String(80))
    population_2015: Mapped[int] = mapped_column(Integer)


class District(Base):
    __tablename__ = "districts"
    __table_args__ = (
        CheckConstraint("substr(code, 1, 2) = province_code", name="code_in_province"),
    )

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_lo: Mapped[str] = mapped_column(String(80))
    name_en_alt: Mapped[str | None] = mapped_column(String(80))


class Village(Base):
    __tablename__ = "villages"
    __table_args__ = (
        CheckConstraint("substr(code, 1, 4) = district_code", name="code_in_district"),
    )

    code: Mapped[str] = mapped_column(String(7), primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    name: Mapped[str | None] = mapped_column(String(120))
