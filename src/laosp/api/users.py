"""Users of the API: create, list, authenticate; every change and login is audited.

Functions take the ``Session`` explicitly and never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from laosp.api.access import Principal, Role
from laosp.api.passwords import hash_password, verify_password, waste_time
from laosp.models import AuditEvent, User
from laosp.reference.admin_units import district_codes, province_codes

DEMO_ADMIN = "demo-admin"


class UserError(ValueError):
    """A user that cannot be created as asked: the ``field`` (``username``, ``password``,
    ``role``, ``province``, ``district``) and the ``reason``, worded for both the API
    and the CLI (each names the field its own way)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class UserExists(UserError):  # noqa: N818 (reads as the condition)
    """The username is taken."""


@dataclass(frozen=True, slots=True)
class UserRead:
    username: str
    role: str
    province_code: str | None
    district_code: str | None
    active: bool


def audit(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    changes: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(actor=actor, action=action, entity=entity, entity_id=entity_id, changes=changes)
    )
    session.flush()


def _check_scope(role: Role, province: str | None, district: str | None) -> tuple[str | None, ...]:
    if district is not None and district not in district_codes():
        raise UserError("district", "is not one of the 148 district codes PPDD / ບໍ່ແມ່ນລະຫັດເມືອງ")
    if province is not None and province not in province_codes():
        raise UserError("province", "is not one of the 18 province codes PP / ບໍ່ແມ່ນລະຫັດແຂວງ")
    if role is Role.district_officer:
        if district is None:
            raise UserError("district", "a district_officer needs a district / ເຈົ້າໜ້າທີ່ເມືອງຕ້ອງມີເມືອງ")
        return district[:2], district
    if role is Role.provincial_officer:
        if province is None:
            raise UserError(
                "province", "a provincial_officer needs a province / ເຈົ້າໜ້າທີ່ແຂວງຕ້ອງມີແຂວງ"
            )
        if district is not None:
            raise UserError(
                "district",
                "a provincial_officer has a province, not a district / ເຈົ້າໜ້າທີ່ແຂວງມີແຂວງ, ບໍ່ແມ່ນເມືອງ",
            )
        return province, None
    if province is not None or district is not None:
        raise UserError(
            "province" if province is not None else "district",
            f"a {role.value} sees the whole country: no province or district / "
            "ເບິ່ງທົ່ວປະເທດ: ບໍ່ມີແຂວງ ຫຼື ເມືອງ",
        )
    return None, None


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role,
    *,
    province: str | None = None,
    district: str | None = None,
    actor: str = "system",
) -> UserRead:
    username = username.strip()
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        raise UserError(
            "username",
            "must be 1 to 64 characters without spaces / ຕ້ອງມີ 1 ຫາ 64 ຕົວອັກສອນ, ບໍ່ມີຍະຫວ່າງ",
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserExists("username", f"user {username} already exists / ມີຜູ້ໃຊ້ {username} ແລ້ວ")
    province_code, district_code = _check_scope(role, province, district)
    try:
        password_hash = hash_password(password)
    except ValueError as error:
        raise UserError("password", str(error)) from None
    user = User(
        username=username,
        password_hash=password_hash,
        role=role.value,
        province_code=province_code,
        district_code=district_code,
        active=True,
    )
    session.add(user)
    session.flush()
    changes = {"role": role.value, "province_code": province_code, "district_code": district_code}
    audit(session, actor, "create", "user", username, changes)
    return to_read(user)


def to_read(user: User) -> UserRead:
    return UserRead(user.username, user.role, user.province_code, user.district_code, user.active)


def list_users(session: Session) -> list[UserRead]:
    return [to_read(user) for user in session.scalars(select(User).order_by(User.username))]


def principal_of(user: User) -> Principal:
    return Principal(user.username, Role(user.role), user.province_code, user.district_code)


def find_principal(session: Session, username: str) -> Principal | None:
    user = session.scalar(select(User).where(User.username == username, User.active))
    return principal_of(user) if user is not None else None


def authenticate(session: Session, username: str, password: str) -> Principal | None:
    """The principal when the password is right (audited ``login``); else ``None``
    (audited ``login_failed``)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        waste_time(password)
        audit(session, username[:64], "login_failed", "user", username[:64])
        return None
    if not verify_password(user.password_hash, password):
        audit(session, username, "login_failed", "user", username)
        return None
    audit(session, username, "login", "user", username)
    return principal_of(user)


def create_demo_admin(session: Session) -> tuple[str, str]:
    """An ``admin`` user with a fresh random password, for the demo: ``(username,
    password)``; the password exists only in the return value (print it once)."""
    password = secrets.token_urlsafe(12)
    existing = session.scalar(select(User).where(User.username == DEMO_ADMIN))
    if existing is None:
        create_user(session, DEMO_ADMIN, password, Role.admin, actor="demo")
    else:
        existing.password_hash = hash_password(password)
        existing.active = True
        audit(session, "demo", "update", "user", DEMO_ADMIN, {"password": "<reset>"})
    return DEMO_ADMIN, password
