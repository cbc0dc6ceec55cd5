"""Declarative base with one MetaData and a naming convention, so that migrations
name constraints the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, CheckConstraint, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: Money is whole kip in 64-bit integers (national totals exceed 2**31).
Kip = BigInteger


class Base(DeclarativeBase):
    metadata = metadata


def one_of(column: str, values: Sequence[str], name: str | None = None) -> CheckConstraint:
    """A CHECK that ``column`` holds one of ``values`` (NULL allowed: nullability is
    the column's own business)."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_code")
