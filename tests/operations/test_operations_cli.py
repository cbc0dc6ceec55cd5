"""The operations commands end to end on a database of their own."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from laosp.cli import DOMAIN_OF_COMMAND, build_app
from laosp.db import unit_of_work
from tests.operations.conftest import add_officers, register

runner = CliRunner()
#: The CLI environment of each user of ``OFFICERS``, set by ``seeded``.
AS: dict[str, dict[str, str]] = {}


def _run(db_url: str, *args: str, code: int = 0, user: str = "central") -> str:
    result = runner.invoke(build_app(), [*args, "--db", db_url], env=AS[user])
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def seeded(engine: Engine, db_url: str) -> str:
    with unit_of_work(engine) as session:
        register(session)
    AS.clear()
    AS.update(add_officers(engine))
    return db_url


def test_commands_are_wired() -> None:
    for command in ("enrol", "enrolment", "cycle", "contributions", "grievance"):
        assert command in DOMAIN_OF_COMMAND


def test_enrol_pay_a_cycle_and_handle_a_grievance(seeded: str) -> None:
    db = seeded
    out = _run(db, "enrol", "P2", "--scheme", "mecg", "--date", "2025-03-01", user="attapeu")
    assert "enrolment 1: P2 in mecg, pending" in out
    approve = ("enrolment", "set-status", "1", "active", "--date", "2025-03-01")
    assert "another user must approve" in _run(db, *approve, code=1, user="attapeu")
    assert "may not approve enrolment" in _run(db, *approve, code=1, user="sanamxay")
    assert "now active" in _run(db, *approve, user="central")
    refused = _run(db, "enrol", "PX", "--scheme", "mecg", "--date", "2025-03-01", code=1)
    assert "Not eligible" in refused
    assert "mecg.eligible" in refused
    out = _run(db, "cycle", "create", "--scheme", "mecg", "--period", "2025-03")
    assert "1 payments, 300,000 ກີບ (LAK)" in out
    assert "unchanged" in _run(db, "cycle", "create", "--scheme", "mecg", "--period", "2025-03")
    assert "'open' to 'closed'" in _run(db, "cycle", "close", "1", code=1)
    assert "another user must approve" in _run(db, "cycle", "approve", "1", code=1)
    _run(db, "cycle", "approve", "1", user="central2")
    _run(db, "cycle", "pay", "1", "--paid-on", "2025-05-03")
    _run(db, "cycle", "close", "1")
    shown = _run(db, "cycle", "show", "1")
    assert "1703" in shown
    assert "300,000" in shown
    assert "reconciled" in shown
    books = json.loads(_run(db, "cycle", "show", "1", "--format", "json"))
    assert books["balanced"]
    assert books["total"]["paid"] == 300_000
    _run(db, "enrolment", "set-status", "1", "suspended", "--date", "2025-06-01")
    assert "'suspended' to 'pending'" in _run(db, "enrolment", "set-status", "1", "pending", code=1)
    _run(
        db, "grievance", "open", "--person", "P2", "--category", "payment",
        "--description", "late", "--scheme", "mecg", "--date", "2025-06-02",
    )  # fmt: skip
    _run(db, "grievance", "review", "1", "--date", "2025-06-03")
    _run(db, "grievance", "resolve", "1", "--resolution", "explained", "--date", "2025-06-04")
    assert "resolved" in _run(db, "grievance", "list")


def test_contributions_commands(seeded: str) -> None:
    db = seeded
    _run(db, "enrol", "PW", "--scheme", "nssf_private", "--date", "2025-03-01")
    _run(db, "enrolment", "set-status", "1", "active", "--date", "2025-03-01", user="central2")
    out = _run(db, "contributions", "record", "--scheme", "nssf_private", "--period", "2025-03")
    assert "1 dues recorded, 345,000 ກີບ (LAK)" in out
    out = _run(
        db, "contributions", "pay", "1", "--period", "2025-03", "--amount", "45000",
        "--paid-on", "2025-04-02",
    )  # fmt: skip
    assert "paid 45,000 ກີບ (LAK) of 345,000 ກີບ (LAK)" in out
    refused = _run(
        db, "contributions", "pay", "1", "--period", "2025-03", "--amount", "300001", code=1
    )
    assert "300,000 kip still owed" in refused
