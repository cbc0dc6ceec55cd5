"""A few households for the operations tests, registered through the registry service.

At 2025-03-01: ``P2`` (pregnant, month 5) and ``P4`` (born 2024-12-15) in Sanamxay
(1703) qualify for MECG; household ``HC`` (poor, Luang Prabang, a baby) for CCT;
``HX`` in Vientiane Capital qualifies for neither; ``PW`` is a formal private employee
earning 3,000,000 kip a month.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from laosp.access import sessions
from laosp.access.passwords import hash_password
from laosp.access.roles import Principal, Role
from laosp.cli import build_app
from laosp.db import unit_of_work
from laosp.models import AuditEvent, User
from laosp.registry.service import add_household
from laosp.rules.pack import Pack, load_pack

AT = dt.date(2025, 3, 1)
#: The checker of the service tests' cycles (created by "system").
CHECKER = Principal("checker", Role.central_officer)


def person(person_id: str, relationship: str, sex: str, birth: str, **extra: Any) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "relationship": relationship,
        "given_name": "Test",
        "family_name": person_id,
        "sex": sex,
        "birth_date": birth,
        **extra,
    }


HOUSEHOLDS: list[dict[str, Any]] = [
    {
        "household_id": "HM",
        "district_code": "1703",
        "members": [
            person("P1", "head", "M", "1996-03-02"),
            person("P2", "spouse", "F", "2000-05-05", pregnant=True, pregnancy_month=5),
            person("P3", "child", "M", "2020-01-10", mother_id="P2"),
            person("P4", "child", "F", "2024-12-15", mother_id="P2"),
        ],
    },
    {
        "household_id": "HC",
        "district_code": "0601",
        "poor": True,
        "members": [
            person("C1", "head", "F", "1995-01-01"),
            person("C2", "child", "M", "2024-10-01", mother_id="C1"),
        ],
    },
    {
        "household_id": "HX",
        "district_code": "0101",
        "members": [
            person(
                "PW",
                "head",
                "M",
                "1985-06-01",
                employment_status="employed",
                employment_type="employee",
                employer_type="private",
                formal=True,
                sector="services",
                earnings_monthly=3_000_000,
            ),
            person("PX", "spouse", "F", "1990-02-02"),
        ],
    },
]


@pytest.fixture(scope="session")
def pack() -> Pack:
    return load_pack()


def register(session: Session, households: list[dict[str, Any]] | None = None) -> None:
    for household in households if households is not None else HOUSEHOLDS:
        add_household(session, household, today=dt.date(2025, 6, 1))
    session.flush()


@pytest.fixture
def people(session: Session) -> Session:
    """``session`` with the households above registered."""
    register(session)
    return session


def audit_count(session: Session, entity: str, entity_id: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    return int(session.scalar(query) or 0)


#: The users the CLI tests act as: name → (role, province, district). Two central
#: officers so that one prepares and the other approves.
OFFICERS: dict[str, tuple[Role, str | None, str | None]] = {
    "admin": (Role.admin, None, None),
    "admin2": (Role.admin, None, None),
    "central": (Role.central_officer, None, None),
    "central2": (Role.central_officer, None, None),
    "luang_prabang": (Role.provincial_officer, "06", None),
    "attapeu": (Role.provincial_officer, "17", None),
    "sanamxay": (Role.district_officer, None, "1703"),
    "chanthabouly": (Role.district_officer, None, "0101"),
    "analyst": (Role.analyst, None, None),
    "auditor": (Role.auditor, None, None),
}
PASSWORD = "a long enough password 1"


def token_env(session: Session, username: str) -> dict[str, str]:
    """The environment of a CLI command run as ``username`` (a fresh session of theirs)."""
    return {"LAOSP_TOKEN": sessions.issue(session, username, "cli", dt.timedelta(hours=1))}


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)  # once: argon2 is slow on purpose


def add_officers(engine: Engine) -> dict[str, dict[str, str]]:
    """Create ``OFFICERS`` in the database and give each one's CLI environment."""
    with unit_of_work(engine) as session:
        for name, (role, province, district) in OFFICERS.items():
            session.add(
                User(
                    username=name, password_hash=password_hash(), role=role.value,
                    province_code=province, district_code=district,
                )
            )  # fmt: skip
        session.flush()
        return {name: token_env(session, name) for name in OFFICERS}


@pytest.fixture(autouse=True)
def _no_signed_in_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No command of these tests acts as the developer's own ``laosp login``."""
    monkeypatch.setenv("LAOSP_SESSION_FILE", str(tmp_path / "laosp-session"))
    monkeypatch.delenv("LAOSP_TOKEN", raising=False)


def cli_import(
    db_url: str, path: Path, *options: str, maker: dict[str, str], checker: dict[str, str]
) -> tuple[Result, Result | None]:
    """``laosp enrolment import`` by ``maker`` and, when it submitted a change request,
    ``laosp requests approve`` by ``checker``: the outputs of both."""
    runner = CliRunner()
    prepare = ["enrolment", "import", str(path), *options, "--db", db_url]
    prepared = runner.invoke(build_app(), prepare, env=maker)
    submitted = re.search(r"change request (\d+) submitted", prepared.output)
    if submitted is None:
        return prepared, None
    approve = ["requests", "approve", submitted[1], "--db", db_url]
    return prepared, runner.invoke(build_app(), approve, env=checker)
