"""Sign-in sessions, sign-in attempts, changes waiting for a second person, and the
seals that chain the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from laosp.models.base import Base, one_of
from laosp.reference import codes


class UserSession(Base):
    """A signed-in session: the browser's cookie, an API token, the CLI's sign-in or a
    service token. Only the SHA-256 of the token is kept; revoking sets ``revoked_at``."""

    __tablename__ = "user_sessions"
    __table_args__ = (one_of("kind", codes.SESSION_KINDS),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SignInAttempt(Base):
    """One sign-in attempt, kept for throttling per user and per address."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_username_at", "username", "at"),
        Index("ix_sign_in_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool]


class ChangeRequest(Base):
    """A change prepared by one user that another user must approve before it is applied
    (maker–checker): payment cycles are checked on their own row; enrolment imports,
    identity corrections and user administration wait here."""

    __tablename__ = "change_requests"
    __table_args__ = (
        one_of("kind", codes.CHANGE_KINDS),
        one_of("status", codes.CHANGE_STATUSES),
        Index("ix_change_requests_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))
    summary: Mapped[str] = mapped_column(String(400))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    district_code: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    made_by: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    checked_by: Mapped[str | None] = mapped_column(String(64))
    checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(String(400))


class AuditSeal(Base):
    """The seal of one transaction's audit events: ``hash`` is the SHA-256 of the
    previous seal's hash and the events' canonical text, so a changed, added or deleted
    event or seal breaks the chain (``laosp audit verify``)."""

    __tablename__ = "audit_seals"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    txn: Mapped[str] = mapped_column(String(32), unique=True)
    events: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
