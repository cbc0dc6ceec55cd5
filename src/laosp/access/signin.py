"""Signing in: the password checked, failures counted per user and per address, a
session opened. Every attempt is audited (``login``, ``login_failed``,
``login_throttled``).

After ``max_failures_per_user`` failures of one username (since its last success) or
``max_failures_per_address`` failures from one address, within ``lock_minutes``, further
attempts are refused without looking at the password until the window has passed, so a
guessed password is never confirmed while locked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from laosp.access import sessions
from laosp.access.passwords import verify_password, waste_time
from laosp.access.roles import Principal, user_principal
from laosp.access.users import audit
from laosp.models import SignInAttempt, User


@dataclass(frozen=True, slots=True)
class SignInPolicy:
    """Throttling and session lifetime (from ``Settings``)."""

    max_failures_per_user: int = 5
    max_failures_per_address: int = 20
    lock_minutes: int = 15
    session_hours: int = 12


@dataclass(frozen=True, slots=True)
class SignedIn:
    principal: Principal
    token: str
    must_change_password: bool


class Throttled(Exception):  # noqa: N818 (reads as the condition)
    """Too many failed attempts: wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many failed sign-ins: try again in {retry_after // 60 + 1} minutes / "
            f"ເຂົ້າລະບົບຜິດຫຼາຍເທື່ອເກີນໄປ: ລອງໃໝ່ໃນ {retry_after // 60 + 1} ນາທີ"
        )
        self.retry_after = retry_after


def _failures(session: Session, since: dt.datetime, **where: str) -> tuple[int, dt.datetime | None]:
    """Failures since ``since`` (for a user: since their last success) and the oldest."""
    column = SignInAttempt.username if "username" in where else SignInAttempt.address
    value = where.get("username", where.get("address"))
    if "username" in where:
        last_ok = session.scalar(
            select(func.max(SignInAttempt.at)).where(column == value, SignInAttempt.succeeded)
        )
        if last_ok is not None:
            since = max(since, _aware(last_ok))
    count, oldest = session.execute(
        select(func.count(), func.min(SignInAttempt.at)).where(
            column == value, ~SignInAttempt.succeeded, SignInAttempt.at > since
        )
    ).one()
    return int(count), _aware(oldest) if oldest is not None else None


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _check_throttle(session: Session, username: str, address: str, policy: SignInPolicy) -> None:
    now = sessions.now()
    window = dt.timedelta(minutes=policy.lock_minutes)
    for where, limit in (
        ({"username": username}, policy.max_failures_per_user),
        ({"address": address}, policy.max_failures_per_address),
    ):
        count, oldest = _failures(session, now - window, **where)
        if count >= limit and oldest is not None:
            retry_after = max(1, int((oldest + window - now).total_seconds()))
            audit(session, username, "login_throttled", "user", username, {"address": address})
            raise Throttled(retry_after)


def sign_in(
    session: Session,
    username: str,
    password: str,
    *,
    address: str,
    kind: str,
    policy: SignInPolicy,
) -> SignedIn | None:
    """A new session when the password is right; ``None`` when it is wrong or the user
    unknown or disabled; ``Throttled`` while locked."""
    username = username[:64]
    address = address[:64]
    _check_throttle(session, username, address, policy)
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        waste_time(password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password)
    session.add(SignInAttempt(at=sessions.now(), username=username, address=address, succeeded=ok))
    if not ok or user is None:
        audit(session, username, "login_failed", "user", username, {"address": address})
        return None
    audit(session, username, "login", "user", username, {"address": address, "kind": kind})
    token = sessions.issue(session, username, kind, dt.timedelta(hours=policy.session_hours))
    principal = user_principal(user)
    return SignedIn(principal, token, user.must_change_password)
