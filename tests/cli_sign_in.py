"""A signed-in user for the CLI in tests: a user of the role asked for and a live ``cli``
session, its token set as ``$LAOSP_TOKEN`` as a scheduled job would."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from laosp.access import sessions
from laosp.access.passwords import hash_password
from laosp.access.roles import Role
from laosp.cli_common import TOKEN_VARIABLE
from laosp.db import make_engine, unit_of_work
from laosp.models import User

PASSWORD = "correct horse battery"


def cli_token(
    db_url: str,
    username: str = "registrar",
    role: Role = Role.central_officer,
    *,
    province: str | None = None,
    district: str | None = None,
) -> str:
    """The token of a new CLI session of ``username`` (created with ``role`` if absent).
    The user row is written directly, without the audit event of ``create_user``: tests
    that count a command's audit events see the command's only."""
    engine = make_engine(db_url)
    with unit_of_work(engine) as session:
        if session.scalar(select(User).where(User.username == username)) is None:
            session.add(
                User(
                    username=username, password_hash=hash_password(PASSWORD), role=role.value,
                    province_code=province, district_code=district, active=True,
                    must_change_password=False,
                )
            )  # fmt: skip
            session.flush()
        token = sessions.issue(session, username, "cli", dt.timedelta(hours=1))
    engine.dispose()
    return token


def sign_in_cli(
    monkeypatch: pytest.MonkeyPatch,
    db_url: str,
    username: str = "registrar",
    role: Role = Role.central_officer,
    *,
    province: str | None = None,
    district: str | None = None,
) -> str:
    """Sign the CLI in (``cli_token``) for the rest of the test."""
    token = cli_token(db_url, username, role, province=province, district=district)
    monkeypatch.setenv(TOKEN_VARIABLE, token)
    return token
