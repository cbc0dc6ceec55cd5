"""Users: create, list, disable and enable, change and reset passwords, sign in; every
change and every sign-in is audited.

Creating a user, changing one's role or area, disabling and resetting a password are
user administration: the API and the CLI prepare them as change requests that another
admin approves (``access.approvals``); the functions here apply them. The first admin of
an empty system is created directly (``laosp users add`` while no admin exists).
Functions take the ``Session`` explicitly and never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from laosp.access import audit_trail, sessions
from laosp.access.passwords import hash_password, verify_password
from laosp.access.roles import Role
from laosp.models import User
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
    audit_trail.record(
        session, actor=actor, action=action, entity=entity, entity_id=entity_id, changes=changes
    )


def check_scope(role: Role, province: str | None, district: str | None) -> tuple[str | None, ...]:
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


def check_username(username: str) -> str:
    username = username.strip()
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        raise UserError(
            "username",
            "must be 1 to 64 characters without spaces / ຕ້ອງມີ 1 ຫາ 64 ຕົວອັກສອນ, ບໍ່ມີຍະຫວ່າງ",
        )
    return username


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role,
    *,
    province: str | None = None,
    district: str | None = None,
    actor: str = "system",
    must_change_password: bool = False,
) -> UserRead:
    username = check_username(username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserExists("username", f"user {username} already exists / ມີຜູ້ໃຊ້ {username} ແລ້ວ")
    province_code, district_code = check_scope(role, province, district)
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
        must_change_password=must_change_password,
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


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserError("username", f"no user {username} / ບໍ່ມີຜູ້ໃຊ້ {username}")
    return user


def set_active(session: Session, username: str, active: bool, *, actor: str) -> UserRead:
    """Disable (every session ends at once) or enable a user."""
    user = get_user(session, username)
    if user.active != active:
        user.active = active
        session.flush()
        if not active:
            sessions.revoke_all(session, username)
        audit(session, actor, "enable" if active else "disable", "user", username)
    return to_read(user)


def set_role(
    session: Session,
    username: str,
    role: Role,
    *,
    province: str | None,
    district: str | None,
    actor: str,
) -> UserRead:
    """Give a user another role or area; their sessions end (they sign in again)."""
    user = get_user(session, username)
    province_code, district_code = check_scope(role, province, district)
    before = {"role": user.role, "province_code": user.province_code,
              "district_code": user.district_code}  # fmt: skip
    user.role, user.province_code, user.district_code = role.value, province_code, district_code
    session.flush()
    sessions.revoke_all(session, username)
    after = {"role": role.value, "province_code": province_code, "district_code": district_code}
    audit(session, actor, "update", "user", username, {"before": before, "after": after})
    return to_read(user)


def change_password(
    session: Session, username: str, old: str, new: str, *, keep_token: str | None = None
) -> None:
    """A user changes their own password: the old one must be right; every other
    session of theirs ends."""
    user = get_user(session, username)
    if not verify_password(user.password_hash, old):
        audit(session, username, "password_change_failed", "user", username)
        raise UserError("old_password", "is not your current password / ລະຫັດຜ່ານເກົ່າບໍ່ຖືກ")
    if new == old:
        raise UserError("new_password", "must differ from the old one / ຕ້ອງຕ່າງຈາກລະຫັດເກົ່າ")
    try:
        user.password_hash = hash_password(new)
    except ValueError as error:
        raise UserError("new_password", str(error)) from None
    user.must_change_password = False
    session.flush()
    sessions.revoke_all(session, username, keep=keep_token)
    audit(session, username, "password_change", "user", username)


def reset_password(session: Session, username: str, *, actor: str) -> str:
    """A new one-time password for ``username`` (returned once, never stored in clear):
    every session ends and the user must choose their own password at next sign-in."""
    user = get_user(session, username)
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    session.flush()
    sessions.revoke_all(session, username)
    audit(session, actor, "password_reset", "user", username)
    return password


def admins_exist(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.role == Role.admin.value).limit(1)) is not None


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
        session.flush()
        sessions.revoke_all(session, DEMO_ADMIN)
        audit(session, "demo", "update", "user", DEMO_ADMIN, {"password": "<reset>"})
    return DEMO_ADMIN, password
