"""Server-side sessions: a random token given once, its SHA-256 kept with an expiry.

A session ends when it expires, when its user signs out (``revoke``) and when the user
is disabled or their password changes (``revoke_all``): the next request with the
token is refused, wherever it comes from (cookie, bearer header, the CLI's file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from laosp.access.roles import Principal, user_principal
from laosp.models import User, UserSession


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def issue(session: Session, username: str, kind: str, lifetime: dt.timedelta) -> str:
    """A new session for ``username``; the token exists only in the return value."""
    token = secrets.token_urlsafe(32)
    start = now()
    session.add(
        UserSession(
            token_hash=_digest(token),
            username=username,
            kind=kind,
            created_at=start,
            expires_at=start + lifetime,
        )
    )
    session.flush()
    return token


def principal_of(session: Session, token: str) -> tuple[Principal, bool] | None:
    """The principal of a live session and whether they must change their password
    first; ``None`` for an unknown, expired or revoked token or a disabled user."""
    row = session.execute(
        select(UserSession.expires_at, User)
        .join(User, User.username == UserSession.username)
        .where(
            UserSession.token_hash == _digest(token),
            UserSession.revoked_at.is_(None),
            User.active,
        )
    ).first()
    if row is None or _aware(row[0]) <= now():
        return None
    user: User = row[1]
    principal = user_principal(user)
    return principal, user.must_change_password


def revoke(session: Session, token: str) -> bool:
    """End one session; whether it was live."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _digest(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_all(session: Session, username: str, *, keep: str | None = None) -> int:
    """End every live session of ``username`` (but the one of token ``keep``)."""
    query = update(UserSession).where(
        UserSession.username == username, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.token_hash != _digest(keep))
    result = session.execute(query.values(revoked_at=now()))
    return int(result.rowcount)  # type: ignore[attr-defined]
