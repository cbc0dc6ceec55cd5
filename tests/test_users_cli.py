"""Who the CLI acts as: ``laosp login|logout|whoami|password``, the bootstrap of the
first admin, user administration by two admins, service tokens."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from laosp.cli import build_app
from laosp.db import unit_of_work
from laosp.models import ChangeRequest, Enrolment, User
from tests.operations.conftest import PASSWORD, add_officers, register


@pytest.fixture(autouse=True)
def session_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where ``laosp login`` keeps its token in these tests (a folder it creates)."""
    path = tmp_path / "config" / "laosp" / "session"
    monkeypatch.setenv("LAOSP_SESSION_FILE", str(path))
    monkeypatch.delenv("LAOSP_TOKEN", raising=False)
    return path


def laosp(db_url: str, *args: str, env: dict[str, str] | None = None,
          stdin: str | None = None) -> tuple[int, str]:  # fmt: skip
    result = CliRunner().invoke(build_app(), [*args, "--db", db_url], env=env, input=stdin)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("options", "password", "message"),
    [
        (["--role", "admin", "--district", "1703"], "long enough", "--district: a admin"),
        (["--role", "admin"], "short", "password: is too short: a password has at least 8"),
    ],
)
def test_the_first_admin_refused_names_the_option(
    db_url: str, options: list[str], password: str, message: str
) -> None:
    code, out = laosp(db_url, "users", "add", "root", *options, "--password-stdin",
                      stdin=f"{password}\n")  # fmt: skip
    assert code == 1, out
    assert out.startswith(f"error / ຂໍ້ຜິດພາດ: {message}")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--role", "district_officer"], "--district: a district_officer needs a district"),
        (["--role", "analyst", "--province", "13"], "--province: a analyst sees the whole"),
    ],
)
def test_a_refused_user_names_the_option(
    engine: Engine, db_url: str, options: list[str], message: str
) -> None:
    admin = add_officers(engine)["admin"]
    code, out = laosp(db_url, "users", "add", "newbie", *options, env=admin)
    assert code == 1, out
    assert out.startswith(f"error / ຂໍ້ຜິດພາດ: {message}")
    code, listed = laosp(db_url, "users", "list", env=admin)
    assert code == 0, listed
    assert "newbie" not in listed


def test_bootstrap_then_two_admins_then_a_user_who_must_change_the_password(
    engine: Engine, db_url: str, session_file: Path
) -> None:
    code, out = laosp(db_url, "users", "add", "root", "--role", "admin", "--password-stdin",
                      stdin=f"{PASSWORD}\n")  # fmt: skip
    assert code == 0, out
    assert "root (admin, national / ທົ່ວປະເທດ): the first admin" in out
    code, out = laosp(db_url, "users", "add", "root2", "--role", "admin")
    assert (code, "sign in first" in out) == (1, True)  # no second bootstrap
    code, out = laosp(db_url, "login", "--username", "root", "--password-stdin",
                      stdin=f"{PASSWORD}\n")  # fmt: skip
    assert code == 0, out
    assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(session_file.parent.stat().st_mode) == 0o700
    code, out = laosp(db_url, "users", "add", "root2", "--role", "admin")
    assert code == 0, out
    assert "change request 1 submitted" in out
    code, out = laosp(db_url, "requests", "approve", "1")
    assert (code, "you prepared this yourself" in out) == (1, True)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
        assert session.scalar(select(ChangeRequest.status)) == "pending"


def test_login_whoami_logout_and_the_revoked_token(
    engine: Engine, db_url: str, session_file: Path
) -> None:
    with unit_of_work(engine) as session:
        register(session)
    add_officers(engine)
    code, out = laosp(db_url, "login", "--username", "sanamxay", "--password-stdin",
                      stdin="wrong password\n")  # fmt: skip
    assert (code, "wrong username or password" in out) == (1, True)
    assert not session_file.exists()
    code, out = laosp(db_url, "login", "--username", "sanamxay", "--password-stdin",
                      stdin=f"{PASSWORD}\n")  # fmt: skip
    assert code == 0, out
    assert "signed in as sanamxay (district_officer, 1703)" in out
    token = session_file.read_text().strip()
    assert laosp(db_url, "whoami")[1] == "sanamxay\tdistrict_officer\t1703\n"
    code, out = laosp(db_url, "enrol", "P2", "--scheme", "mecg", "--date", "2025-03-01")
    assert code == 0, out
    code, out = laosp(db_url, "logout")
    assert code == 0, out
    assert not session_file.exists()
    code, out = laosp(db_url, "enrol", "P4", "--scheme", "mecg", "--date", "2025-03-01",
                      env={"LAOSP_TOKEN": token})  # fmt: skip
    assert (code, "sign in first" in out) == (1, True)
    with Session(engine) as session:
        actors = session.scalars(select(Enrolment.person_id)).all()
    assert actors == ["P2"]


def test_a_new_user_gets_a_one_time_password_and_must_change_it(
    engine: Engine, db_url: str
) -> None:
    with unit_of_work(engine) as session:
        register(session)
    env = add_officers(engine)
    code, out = laosp(db_url, "users", "add", "vanh", "--role", "district_officer",
                      "--district", "1703", env=env["admin"])  # fmt: skip
    assert "change request 1 submitted" in out
    code, out = laosp(db_url, "requests", "list", env=env["admin2"])
    assert "create user vanh as district_officer (1703)" in out
    code, out = laosp(db_url, "requests", "approve", "1", env=env["admin2"])
    assert code == 0, out
    first = out.split("one-time password of vanh: ")[1].split(" ")[0]
    code, out = laosp(db_url, "login", "--username", "vanh", "--password-stdin",
                      stdin=f"{first}\n")  # fmt: skip
    assert "change your password first" in out
    code, out = laosp(db_url, "enrol", "P2", "--scheme", "mecg", "--date", "2025-03-01")
    assert (code, "change your password first" in out) == (1, True)
    code, out = laosp(db_url, "password", "--password-stdin", stdin=f"{first}\n{PASSWORD}\n")
    assert code == 0, out
    code, out = laosp(db_url, "enrol", "P2", "--scheme", "mecg", "--date", "2025-03-01")
    assert code == 0, out


def test_a_service_token_acts_as_its_account_until_disabled(engine: Engine, db_url: str) -> None:
    with unit_of_work(engine) as session:
        register(session)
    env = add_officers(engine)
    code, out = laosp(db_url, "users", "token", "admin2", "--days", "1", env=env["admin"])
    assert (code, "not admins nor yourself" in out) == (1, True)
    result = CliRunner().invoke(
        build_app(), ["users", "token", "central", "--days", "30", "--db", db_url],
        env=env["admin"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    job = {"LAOSP_TOKEN": result.stdout.strip()}
    code, out = laosp(db_url, "whoami", env=job)
    assert out.startswith("central\tcentral_officer")
    code, out = laosp(db_url, "users", "disable", "central", env=env["admin2"])
    assert code == 0, out
    code, out = laosp(db_url, "cycle", "create", "--scheme", "mecg", "--period", "2025-03",
                      env=job)  # fmt: skip
    assert (code, "sign in first" in out) == (1, True)
