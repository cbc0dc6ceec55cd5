"""The audit trail: one record for every change and every read of named personal data,
written in the same transaction and sealed with it (``models.access.AuditSeal``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from laosp.models.base import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity", "entity_id"),
        Index("ix_audit_events_txn", "txn"),
        Index("ix_audit_events_actor", "actor"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))  # create, update, delete, import, ...
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The transaction that wrote the event; its seal (``AuditSeal``) chains it.
    txn: Mapped[str | None] = mapped_column(String(32))
    #: The district the event concerns, when it concerns one (for the auditor's filter).
    district_code: Mapped[str | None] = mapped_column(String(4))
