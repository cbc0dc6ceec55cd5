"""User administration under maker–checker: one admin prepares, another approves.

Creating a user, enabling one, changing a role or area and resetting a password wait
for a second admin (``approvals``); the new user's first password and a reset password
are made at approval, shown once to the approving admin, and must be changed at the
first sign-in. Disabling takes effect at once: taking access away is never held up.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from laosp.access import approvals, users
from laosp.access.permissions import Action, require
from laosp.access.roles import Principal, Role
from laosp.models import ChangeRequest, User

OPERATIONS = ("create", "enable", "set_role", "reset_password")


def prepare(
    session: Session,
    maker: Principal,
    operation: str,
    username: str,
    *,
    role: Role | None = None,
    province: str | None = None,
    district: str | None = None,
) -> approvals.RequestRead:
    """A change request for ``operation`` on ``username``, checked now as far as it can
    be (the user exists or not, the role's area is consistent)."""
    require(maker, Action.manage_users)
    exists = session.scalar(select(User.id).where(User.username == username)) is not None
    if operation == "create":
        if exists:
            raise users.UserExists("username", f"user {username} already exists / ມີຜູ້ໃຊ້ແລ້ວ")
        users.check_username(username)
    elif not exists:
        raise users.UserError("username", f"no user {username} / ບໍ່ມີຜູ້ໃຊ້ {username}")
    payload: dict[str, Any] = {"operation": operation, "username": username}
    summary = f"{operation.replace('_', ' ')} user {username}"
    if operation in ("create", "set_role"):
        if role is None:
            raise users.UserError("role", "is required / ຕ້ອງລະບຸບົດບາດ")
        province, district = users.check_scope(role, province, district)
        payload |= {"role": role.value, "province_code": province, "district_code": district}
        summary += f" as {role.value} ({district or province or 'national'})"
    return approvals.submit(session, maker, "user_admin", summary=summary, payload=payload)


def apply(session: Session, request: ChangeRequest, checker: Principal) -> dict[str, Any]:
    """Carry out an approved request; the one-time password, when one was made, is in
    the result (``password``) and nowhere else."""
    payload = request.payload
    username = payload["username"]
    operation = payload["operation"]
    result: dict[str, Any] = {"username": username, "operation": operation}
    if operation == "create":
        password = users.one_time_password()
        users.create_user(
            session,
            username,
            password,
            Role(payload["role"]),
            province=payload["province_code"],
            district=payload["district_code"],
            actor=checker.username,
            must_change_password=True,
        )
        result["password"] = password
    elif operation == "enable":
        users.set_active(session, username, True, actor=checker.username)
    elif operation == "set_role":
        users.set_role(
            session,
            username,
            Role(payload["role"]),
            province=payload["province_code"],
            district=payload["district_code"],
            actor=checker.username,
        )
    elif operation == "reset_password":
        result["password"] = users.reset_password(session, username, actor=checker.username)
    return result


def disable(session: Session, admin: Principal, username: str) -> users.UserRead:
    """Disable a user at once (every session of theirs ends)."""
    require(admin, Action.manage_users)
    if username == admin.username:
        raise users.UserError("username", "you cannot disable yourself / ປິດບັນຊີຕົນເອງບໍ່ໄດ້")
    return users.set_active(session, username, False, actor=admin.username)
