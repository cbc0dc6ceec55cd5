"""``laosp audit list`` for a signed-in auditor or administrator; ``laosp audit verify``
for anyone (exit 0 intact, 1 with each problem)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, text
from typer.testing import CliRunner

from laosp.access import sessions
from laosp.access.audit_trail import record
from laosp.access.roles import Role
from laosp.access.users import create_user
from laosp.cli import build_app
from laosp.db import unit_of_work

PASSWORD = "correct horse battery"


def token_for(engine: Engine, username: str, role: Role, district: str | None = None) -> str:
    with unit_of_work(engine) as session:
        create_user(session, username, PASSWORD, role, district=district)
        return sessions.issue(session, username, "cli", dt.timedelta(hours=1))


def run(db_url: str, tmp_path: Path, *args: str, token: str = "") -> tuple[int, str]:
    env = {"LAOSP_TOKEN": token, "LAOSP_SESSION_FILE": str(tmp_path / "no-session")}
    result = CliRunner().invoke(build_app(), ["audit", *args, "--db", db_url], env=env)
    return result.exit_code, result.output


def test_list_needs_an_auditor(engine: Engine, db_url: str, tmp_path: Path) -> None:
    auditor = token_for(engine, "aud", Role.auditor)
    officer = token_for(engine, "dao", Role.district_officer, district="0101")
    with unit_of_work(engine) as session:
        for entity_id, district in (("h1", "1703"), ("h2", "1301"), ("h3", "1703")):
            record(
                session, actor="clerk", action="update", entity="household",
                entity_id=entity_id, changes={"size": 4}, district_code=district,
            )  # fmt: skip

    code, output = run(db_url, tmp_path, "list", "--actor", "clerk")
    assert code == 1
    assert "sign in first" in output
    code, output = run(db_url, tmp_path, "list", "--actor", "clerk", token=officer)
    assert code == 1
    assert "ບົດບາດ" in output or "may not" in output

    code, output = run(db_url, tmp_path, "list", "--actor", "clerk", "--province", "17",
                       token=auditor)  # fmt: skip
    assert code == 0, output
    lines = output.splitlines()
    assert [line.split("\t")[5] for line in lines[1:-1]] == ["h3", "h1"]
    assert lines[1].split("\t")[2:4] == ["clerk", "update"]
    assert lines[1].endswith('{"size": 4}')
    assert lines[-1].startswith("events 1–2 of 2")

    code, output = run(db_url, tmp_path, "list", "--actor", "clerk", "--limit", "1",
                       "--offset", "1", token=auditor)  # fmt: skip
    assert code == 0, output
    assert output.splitlines()[1].split("\t")[5] == "h2"
    assert output.splitlines()[-1].startswith("events 2–2 of 3")


def test_list_refuses_bad_options(engine: Engine, db_url: str, tmp_path: Path) -> None:
    for option, value in (("--since", "2026-13-01"), ("--district", "17"), ("--province", "x")):
        code, output = run(db_url, tmp_path, "list", option, value)
        assert code == 2, output
        assert option in output


def test_verify_exit_codes(engine: Engine, db_url: str, tmp_path: Path) -> None:
    with unit_of_work(engine) as session:
        record(session, actor="clerk", action="update", entity="person", entity_id="p1")
    code, output = run(db_url, tmp_path, "verify")  # no sign-in needed
    assert code == 0, output
    assert "seals checked / ປະທັບຕາທີ່ກວດແລ້ວ: 1" in output
    assert "events checked / ເຫດການທີ່ກວດແລ້ວ: 1" in output
    assert "intact" in output

    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_events (at, actor, action, entity, entity_id) "
                "VALUES (CURRENT_TIMESTAMP, 'intruder', 'update', 'person', 'p1')"
            )
        )
    code, output = run(db_url, tmp_path, "verify")
    assert code == 1
    assert "tampered with: 1 problems" in output
    assert "  1 events belong to no seal (written outside the app)" in output


def test_verify_without_an_audit_trail_is_exit_2(tmp_path: Path) -> None:
    code, output = run(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path, "verify")
    assert code == 2
    assert "no such table" in output
    assert "laosp db upgrade" in output
