"""``laosp grievance`` assign, escalate and overdue, as the signed-in officers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from typer.testing import CliRunner

from laosp.cli import build_app
from laosp.db import unit_of_work
from tests.operations.conftest import add_officers, register


def test_open_overdue_assign_escalate_resolve(engine: Engine, db_url: str) -> None:
    with unit_of_work(engine) as session:
        register(session)
    env = add_officers(engine)
    runner = CliRunner()

    def run(who: str, *args: str) -> tuple[int, str]:
        result = runner.invoke(build_app(), ["grievance", *args, "--db", db_url], env=env[who])
        return result.exit_code, result.output

    received = dt.date.today() - dt.timedelta(days=20)  # payment: 15 days → 5 days over
    due = received + dt.timedelta(days=15)
    code, out = run(
        "sanamxay", "open", "--person", "P2", "--category", "payment", "--description",
        "not paid", "--date", received.isoformat(),
    )  # fmt: skip
    assert (code, out.strip()) == (0, f"grievance 1 opened, due {due} (ເປີດຄຳຮ້ອງທຸກແລ້ວ)")
    assert run("sanamxay", "escalate", "1")[0] == 1  # a district officer does not handle
    assert run("luang_prabang", "escalate", "1")[0] == 1  # another province
    code, out = run("attapeu", "overdue")
    assert code == 0
    assert f"     1  due {due}     5 days over  open" in out
    assert "1 of 1 overdue" in out
    assert run("luang_prabang", "overdue")[1].strip().startswith("no overdue grievances")
    assert run("attapeu", "assign", "1", "--to", "attapeu") == (
        0,
        "grievance 1: assigned to attapeu (ມອບໝາຍໃຫ້ attapeu)\n",
    )
    code, out = run("attapeu", "assign", "1", "--to", "sanamxay")
    assert code == 1
    assert "assigned_to: may not handle grievances in district 1703" in out
    assert run("attapeu", "escalate", "1") == (
        0,
        "grievance 1: escalated to Provincial office (ຂັ້ນແຂວງ)\n",
    )
    assert run("central", "resolve", "1", "--resolution", "paid")[0] == 0
    assert run("attapeu", "overdue")[1].strip().startswith("no overdue grievances")
