"""Grievances raised by or about a person or household."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from laosp.models.base import Base, one_of
from laosp.reference import codes


class Grievance(Base):
    __tablename__ = "grievances"
    __table_args__ = (one_of("status", codes.GRIEVANCE_STATUSES),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("persons.person_id"), index=True)
    household_id: Mapped[str | None] = mapped_column(
        ForeignKey("households.household_id"), index=True
    )
    scheme: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(Text)
    #: ``opened_on`` plus the days of its category in the pack in force then (migration
    #: 0008; ``None`` for a grievance opened before: never overdue).
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    assigned_to: Mapped[str | None] = mapped_column(ForeignKey("users.username"), index=True)
    #: The index of its level in the pack's escalation levels (0: the first).
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    escalated_on: Mapped[dt.date | None] = mapped_column(Date)
