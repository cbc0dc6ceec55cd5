"""Separation of duties in the CLI (#12): every change has a signed-in actor, the
permission table decides command by command, and payment cycles and enrolment imports
are prepared by one user and approved by another."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from laosp.access import user_admin
from laosp.access.permissions import SameUser
from laosp.access.roles import Principal, Role
from laosp.cli import build_app
from laosp.db import unit_of_work
from laosp.enrolment import service
from laosp.ledger import contributions, cycles
from laosp.models import AuditEvent, ChangeRequest, Enrolment, Grievance, PaymentCycle
from laosp.rules.pack import Pack
from tests.operations.conftest import AT, OFFICERS, add_officers, register

runner = CliRunner()

#: What the permission table says, written out by hand for the world below: P2 lives in
#: district 1703 (province 17), PW in 0101. Which users each command is allowed for.
NATIONAL = {"central", "central2"}
AROUND_P2 = {"central", "central2", "attapeu", "sanamxay"}
ADMINS = {"admin", "admin2"}
#: Refusals by the permission table (never by the state of the data).
REFUSED_BY_ROLE = (
    "your role may not",
    "national reach",
    "you prepared this yourself",
    "outside your area",
)


@pytest.fixture
def world(engine: Engine, db_url: str, pack: Pack) -> dict[str, dict[str, str]]:
    """The households, the ``OFFICERS`` and a user ``spare``; P2 active in MECG
    (enrolment 1), PW in the private social security scheme (enrolment 2) with the
    dues of 2025-03; cycle 1 (MECG 2025-03) created by ``central``; grievance 1 about
    P2; change request 1: ``admin`` prepared a new user. The CLI environment of each
    officer is returned."""
    with unit_of_work(engine) as session:
        register(session)
    env = add_officers(engine)
    with unit_of_work(engine) as session:
        user_admin_principal = Principal("admin", Role.admin)
        for unit, scheme in (("P2", "mecg"), ("PW", "nssf_private")):
            enrolment = service.enrol(session, pack, scheme=scheme, unit_id=unit, on=AT,
                                      actor="central")  # fmt: skip
            service.set_status(session, enrolment.id, "active", on=AT, actor="central2")
        contributions.record_dues(session, pack, scheme="nssf_private", period=AT)
        cycles.create_cycle(session, pack, scheme="mecg", period=AT, actor="central")
        session.add(
            Grievance(person_id="P2", category="payment", description="late", status="open",
                      opened_on=dt.date(2025, 6, 2))
        )  # fmt: skip
        session.flush()
        user_admin.prepare(session, user_admin_principal, "create", "spare", role=Role.analyst)
    with unit_of_work(engine) as session:
        user_admin.prepare(session, user_admin_principal, "create", "newbie", role=Role.analyst)
    return env


def _invoke(db_url: str, env: dict[str, str], *args: str) -> tuple[int, str]:
    result = runner.invoke(build_app(), [*args, "--db", db_url], env=env)
    return result.exit_code, result.output


def _writes(engine: Engine) -> tuple[int, ...]:
    with Session(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
            session.scalar(select(func.count()).select_from(ChangeRequest)) or 0,
            session.scalar(select(func.count()).select_from(Enrolment)) or 0,
        )


def _listing(tmp_path: Path, *rows: str, name: str = "members.csv") -> Path:
    path = tmp_path / name
    path.write_text("scheme,person_id,status,start_date\n" + "\n".join(rows) + "\n", "utf-8")
    return path


def test_every_mutating_command_follows_the_permission_table(
    engine: Engine, db_url: str, world: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    """Each command with each user: the users refused by their role are exactly those
    the hand-written expectation leaves out, and a refusal writes nothing."""
    listing = _listing(tmp_path, "nhi,P2,active,2025-03-01")
    commands: list[tuple[list[str], set[str]]] = [
        (["enrol", "P2", "--scheme", "nhi", "--no-check-eligibility", "--date", "2025-03-01"],
         AROUND_P2),
        (["enrolment", "set-status", "1", "suspended", "--date", "2025-04-01"], AROUND_P2),
        (["enrolment", "import", str(listing), "--all-or-nothing"], AROUND_P2),
        (["grievance", "open", "--person", "P2", "--category", "payment", "--description",
          "late", "--date", "2025-06-02"], AROUND_P2),
        (["grievance", "review", "1", "--date", "2025-06-03"], {*NATIONAL, "attapeu"}),
        (["grievance", "resolve", "1", "--resolution", "paid", "--date", "2025-06-04"],
         {*NATIONAL, "attapeu"}),
        (["contributions", "pay", "2", "--period", "2025-03", "--amount", "1000",
          "--paid-on", "2025-04-02"], {*NATIONAL, "chanthabouly"}),
        (["contributions", "record", "--scheme", "nssf_private", "--period", "2025-04"],
         NATIONAL),
        (["cycle", "create", "--scheme", "mecg", "--period", "2025-04"], NATIONAL),
        (["cycle", "approve", "1"], {"central2"}),  # central created it
        (["cycle", "pay", "1", "--paid-on", "2025-05-03"], NATIONAL),
        (["cycle", "payment-status", "2", "cancelled"], NATIONAL),
        (["cycle", "close", "1"], NATIONAL),
        (["users", "list"], ADMINS),
        (["users", "add", "another", "--role", "analyst"], ADMINS),
        (["users", "enable", "analyst"], ADMINS),
        (["users", "set-role", "analyst", "--role", "auditor"], ADMINS),
        (["users", "reset-password", "analyst"], ADMINS),
        (["users", "token", "auditor", "--days", "1"], ADMINS),
        (["requests", "approve", "1"], {"admin2"}),  # admin prepared it
        (["requests", "reject", "2"], {"admin2"}),
        (["users", "disable", "spare"], ADMINS),
    ]  # fmt: skip
    seen: dict[str, set[str]] = {}
    for args, allowed in commands:
        assert allowed <= set(OFFICERS)
        refused_here: set[str] = set()
        # the refused users first: the allowed ones may change the state afterwards
        for user in sorted(OFFICERS, key=lambda name: name in allowed):
            before = _writes(engine)
            code, out = _invoke(db_url, world[user], *args)
            by_role = any(marker in out for marker in REFUSED_BY_ROLE)
            if by_role:
                assert code == 1, (args, user, out)
                assert _writes(engine) == before, (args, user)
                assert "Traceback" not in out
                refused_here.add(user)
            else:
                assert user in allowed, (args, user, code, out)
        seen[" ".join(args[:2])] = set(OFFICERS) - refused_here
        assert set(OFFICERS) - refused_here == allowed, (args, out)
    assert seen["cycle approve"] == {"central2"}


def test_without_sign_in_nothing_is_written(
    engine: Engine, db_url: str, world: dict[str, dict[str, str]]
) -> None:
    before = _writes(engine)
    for env in ({}, {"LAOSP_TOKEN": "not-a-token"}):
        code, out = _invoke(db_url, env, "enrol", "P1", "--scheme", "nhi", "--date", "2025-03-01")
        assert code == 1
        assert "sign in first" in out
        assert "ກະລຸນາເຂົ້າລະບົບກ່ອນ" in out
    code, out = _invoke(db_url, {}, "cycle", "approve", "1")
    assert (code, "sign in first" in out) == (1, True)
    assert _writes(engine) == before


def test_a_district_officer_acts_in_their_district_only(
    engine: Engine, db_url: str, world: dict[str, dict[str, str]]
) -> None:
    sanamxay = world["sanamxay"]
    code, out = _invoke(db_url, sanamxay, "enrol", "HC", "--scheme", "cct", "--date", "2025-03-01")
    assert code == 1
    assert "ບົດບາດຂອງທ່ານບໍ່ມີສິດ" in out
    code, out = _invoke(db_url, sanamxay, "enrol", "P4", "--scheme", "mecg", "--date", "2025-03-01")
    assert code == 0, out
    with Session(engine) as session:
        assert session.scalar(select(Enrolment.id).where(Enrolment.household_id == "HC")) is None
        assert session.scalar(select(Enrolment.id).where(Enrolment.person_id == "P4")) == 3


def test_the_maker_of_a_cycle_cannot_approve_it(
    engine: Engine, db_url: str, world: dict[str, dict[str, str]]
) -> None:
    code, out = _invoke(db_url, world["central"], "cycle", "approve", "1")
    assert code == 1
    assert "another user must approve it" in out
    code, out = _invoke(db_url, world["central2"], "cycle", "approve", "1")
    assert code == 0, out
    with Session(engine) as session:
        cycle = session.get(PaymentCycle, 1)
        assert cycle is not None
        assert (cycle.status, cycle.created_by, cycle.approved_by) == (
            "approved", "central", "central2",
        )  # fmt: skip
        actors = session.scalars(
            select(AuditEvent.actor)
            .where(AuditEvent.entity == "payment_cycle", AuditEvent.entity_id == "1")
            .order_by(AuditEvent.id)
        ).all()
    assert actors == ["central", "central2"]


def test_approve_cycle_refuses_its_maker_in_the_service(people: Session, pack: Pack) -> None:
    cycle_id = cycles.create_cycle(people, pack, scheme="mecg", period=AT, actor="ana").cycle_id
    with pytest.raises(SameUser):
        cycles.approve_cycle(people, cycle_id, checker=Principal("ana", Role.central_officer))
    cycle = cycles.approve_cycle(people, cycle_id, checker=Principal("bo", Role.central_officer))
    assert (cycle.created_by, cycle.approved_by, cycle.status) == ("ana", "bo", "approved")


def _enrolments(engine: Engine, scheme: str) -> list[tuple[str | None, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(Enrolment.person_id, Enrolment.status)
            .where(Enrolment.scheme == scheme)
            .order_by(Enrolment.person_id)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_an_import_is_prepared_by_one_user_and_applied_once_by_another(
    engine: Engine, db_url: str, world: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    listing = _listing(tmp_path, "nhi,P1,active,2025-03-01", "nhi,P2,active,2025-03-01")
    code, out = _invoke(db_url, world["attapeu"], "enrolment", "import", str(listing))
    assert code == 0, out
    assert "Checked, not written" in out
    assert "change request 3 submitted" in out
    assert _enrolments(engine, "nhi") == []
    with Session(engine) as session:
        request = session.get(ChangeRequest, 3)
        assert request is not None
        assert (request.kind, request.district_code, request.made_by) == (
            "enrolment_import", "1703", "attapeu",
        )  # fmt: skip
    before = _writes(engine)
    for user, reason in (
        ("attapeu", "you prepared this yourself"),
        ("luang_prabang", "your role may not"),  # another province
        ("sanamxay", "your role may not"),  # a district officer approves no import
    ):
        code, out = _invoke(db_url, world[user], "requests", "approve", "3")
        assert (code, reason in out) == (1, True), out
    assert _writes(engine) == before
    assert _enrolments(engine, "nhi") == []
    code, out = _invoke(db_url, world["central"], "requests", "approve", "3")
    assert code == 0, out
    assert "imported: 2" in out
    assert _enrolments(engine, "nhi") == [("P1", "active"), ("P2", "active")]
    before = _writes(engine)
    code, out = _invoke(db_url, world["central2"], "requests", "approve", "3")
    assert code == 1
    assert "already approved" in out
    assert _writes(engine) == before
    assert _enrolments(engine, "nhi") == [("P1", "active"), ("P2", "active")]
    with Session(engine) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "enrolment_import")
        ).one()
        changes = event.changes or {}
        assert (event.actor, changes["prepared_by"], changes["request"]) == (
            "central",
            "attapeu",
            3,
        )


def test_an_import_refuses_the_rows_outside_the_makers_area(
    engine: Engine, db_url: str, world: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    listing = _listing(tmp_path, "nhi,P1,active,2025-03-01", "nhi,C1,active,2025-03-01")
    code, out = _invoke(db_url, world["sanamxay"], "enrolment", "import", str(listing),
                        "--all-or-nothing")  # fmt: skip
    assert code == 1
    assert "enrolments row 3: district_code: is outside your area" in out
    assert "nothing submitted" in out
    code, out = _invoke(db_url, world["sanamxay"], "enrolment", "import", str(listing))
    assert code == 0, out
    assert "row 3: district_code: is outside your area" in out
    code, out = _invoke(db_url, world["central"], "requests", "approve", "3")
    assert code == 0, out
    assert _enrolments(engine, "nhi") == [("P1", "active")]


def test_an_import_across_districts_needs_a_national_checker(
    engine: Engine, db_url: str, world: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    listing = _listing(tmp_path, "nhi,P1,active,2025-03-01", "nhi,C1,active,2025-03-01")
    code, out = _invoke(db_url, world["central"], "enrolment", "import", str(listing))
    assert code == 0, out
    with Session(engine) as session:
        request = session.get(ChangeRequest, 3)
        assert request is not None
        assert request.district_code is None
    code, out = _invoke(db_url, world["attapeu"], "requests", "approve", "3")
    assert code == 1
    assert "national reach" in out
    assert _enrolments(engine, "nhi") == []
    code, out = _invoke(db_url, world["central2"], "requests", "approve", "3")
    assert code == 0, out
    assert _enrolments(engine, "nhi") == [("C1", "active"), ("P1", "active")]


def test_an_id_that_is_not_plain_text_is_refused_cleanly(
    engine: Engine, db_url: str, world: dict[str, dict[str, str]]
) -> None:
    before = _writes(engine)
    central = world["central"]
    for args in (
        ["grievance", "open", "--person", "P\x002", "--category", "payment",
         "--description", "late"],
        ["enrol", "P\ud8002", "--scheme", "nhi"],
    ):  # fmt: skip
        code, out = _invoke(db_url, central, *args)
        assert code == 1, out
        assert "Traceback" not in out
    assert _writes(engine) == before
