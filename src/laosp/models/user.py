"""Users of the system, with a role and a geographic scope."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from laosp.models.base import Base, one_of
from laosp.reference import codes


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        one_of("role", codes.ROLES),
        CheckConstraint(
            "district_code IS NULL OR province_code IS NULL "
            "OR substr(district_code, 1, 2) = province_code",
            name="scope_consistent",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    #: Set by a password reset: the user must choose a new password before anything else.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
