"""``laosp registry ...`` through the Typer app, on both backends."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from laosp.access.roles import Role
from laosp.cli import build_app
from laosp.cli_common import TOKEN_VARIABLE
from laosp.db import make_engine, unit_of_work
from laosp.models import AuditEvent, ChangeRequest
from tests.cli_sign_in import sign_in_cli

Factory = Callable[..., dict[str, Any]]
runner = CliRunner()

pytestmark = pytest.mark.usefixtures("cli_signed_in_on_a_database")


def _run(*args: str) -> Any:
    return runner.invoke(build_app(), list(args))


def _write(tmp_path: Path, data: Any, name: str = "households.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return str(path)


def test_add_show_search(db_url: str, tmp_path: Path, household: Factory) -> None:
    file = _write(tmp_path, [household()])
    result = _run("registry", "add-household", file, "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "H1: created (3 members)" in result.output
    again = _run("registry", "add-household", file, "--db", db_url)
    assert "H1: unchanged" in again.output

    shown = _run("registry", "show", "H1", "--db", db_url)
    assert shown.exit_code == 0, shown.output
    assert "ສົມພ່ອນ" in shown.output
    assert "Sanamxay" in shown.output
    person = json.loads(_run("registry", "show", "P2", "--db", db_url, "--format", "json").output)
    assert person["person"]["pregnancy_month"] == 5
    assert person["household"]["household_id"] == "H1"

    found = _run("registry", "search", "--name", "ສົມພອນ", "--db", db_url, "--format", "json")
    # P3 "Somphone" matches across scripts; Latin keys sort before Lao
    assert [hit["person_id"] for hit in json.loads(found.output)] == ["P3", "P2"]
    table = _run("registry", "search", "--name", "SOMPHONE", "--db", db_url)
    assert "Phommasône" in table.output


def test_invalid_file_writes_nothing(db_url: str, tmp_path: Path, household: Factory) -> None:
    bad = household(household_id="H2", member=(1, {"pregnancy_month": None}))
    file = _write(tmp_path, [household(), bad])
    result = _run("registry", "add-household", file, "--db", db_url)
    assert result.exit_code == 1
    assert "[1].members[1].pregnancy_month: required when pregnant is true" in result.stderr
    assert "nothing was written" in result.stderr
    missing = _run("registry", "show", "H1", "--db", db_url)  # the valid one was rolled back
    assert missing.exit_code == 1
    assert "no household or person" in missing.stderr


def test_conflict_needs_update(db_url: str, tmp_path: Path, household: Factory) -> None:
    _run("registry", "add-household", _write(tmp_path, household()), "--db", db_url)
    changed = _write(tmp_path, household(poor=True), "changed.json")
    result = _run("registry", "add-household", changed, "--db", db_url)
    assert result.exit_code == 1
    assert "already registered with different data" in result.stderr
    updated = _run("registry", "add-household", changed, "--db", db_url, "--update")
    assert updated.exit_code == 0, updated.output
    assert "H1: updated" in updated.output


def test_unreadable_input(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", "utf-8")
    result = _run("registry", "add-household", str(path), "--db", db_url)
    assert result.exit_code == 1
    assert "not valid JSON" in result.stderr


def test_search_rejects_unknown_district(db_url: str) -> None:
    result = _run("registry", "search", "--district", "9999", "--db", db_url)
    assert result.exit_code == 1
    assert "district: is not one of the 148 district codes" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected", "absent"),
    [
        (["--province", "17"], "Sanamxay", "Chanthabuly"),
        (["--province", "Attapeu"], "Sanamxay", "Pakse"),
        (["--province", "ອັດຕະປື"], "Sanamxay", "Pakse"),
        (["--name", "ສະຫນາມ"], "Sanamxay", "Sanxay"),
        (["--name", "sanamsai"], "Sanamxay", "Pakse"),
        (["--name", "1703"], "Sanamxay", "Sanxay"),
    ],
)
def test_districts(args: list[str], expected: str, absent: str) -> None:
    result = _run("registry", "districts", *args)
    assert result.exit_code == 0, result.output
    assert expected in result.output
    assert absent not in result.output


def test_demo_loads_examples_idempotently(db_url: str) -> None:
    first = _run("demo", "--db", db_url, "--scale", "0", "--no-serve")
    assert first.exit_code == 0, first.output
    assert "households: 6" in first.output.replace("  ", " ").replace("  ", " ")
    second = _run("demo", "--db", db_url, "--scale", "0", "--no-serve")
    assert "0 added, 6 already there" in second.output
    found = _run("registry", "search", "--district", "1703", "--db", db_url, "--format", "json")
    assert len(json.loads(found.output)) == 3


def test_a_refused_date_is_shown_as_written(
    db_url: str, tmp_path: Path, household: Factory
) -> None:
    file = _write(tmp_path, household(member=(2, {"birth_date": "2030-01-01"})))
    result = _run("registry", "add-household", file, "--db", db_url)
    assert result.exit_code == 1
    assert "members[2].birth_date: is in the future (value: 2030-01-01)" in result.stderr
    assert "datetime" not in result.stderr


def test_a_refused_head_is_not_also_a_missing_head(
    db_url: str, tmp_path: Path, household: Factory
) -> None:
    file = _write(tmp_path, household(member=(0, {"given_name": "Bun\x00my"})))
    result = _run("registry", "add-household", file, "--db", db_url)
    assert result.exit_code == 1
    assert "members[0].given_name: must not contain control characters" in result.stderr
    assert "head" not in result.stderr, result.stderr


def test_a_file_over_import_max_bytes_is_refused_unread(
    db_url: str, tmp_path: Path, household: Factory
) -> None:
    file = _write(tmp_path, [household()])
    size = Path(file).stat().st_size
    over = runner.invoke(
        build_app(),
        ["registry", "add-household", file, "--db", db_url],
        env={"LAOSP_IMPORT_MAX_BYTES": str(size - 1)},
    )
    assert over.exit_code == 1
    assert f"over the limit of {size - 1:,} bytes" in over.stderr
    assert "import_max_bytes" in over.stderr
    assert _run("registry", "show", "H1", "--db", db_url).exit_code == 1  # nothing written
    exact = runner.invoke(
        build_app(),
        ["registry", "add-household", file, "--db", db_url],
        env={"LAOSP_IMPORT_MAX_BYTES": str(size)},
    )
    assert exact.exit_code == 0, exact.output
    assert "H1: created (3 members)" in exact.output


# --- the registry CLI acts as a signed-in user, within their area (#12) ---------------


def _as(
    monkeypatch: pytest.MonkeyPatch, db_url: str, username: str, role: Role, **where: str
) -> None:
    sign_in_cli(monkeypatch, db_url, username, role, **where)


def _read_events(db_url: str) -> list[tuple[str, str, str | None, str | None, Any]]:
    engine = make_engine(db_url)
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.entity, AuditEvent.entity_id,
                   AuditEvent.district_code, AuditEvent.changes)
            .where(AuditEvent.action == "read").order_by(AuditEvent.id)
        ).all()  # fmt: skip
    engine.dispose()
    return [(row[0], row[1], row[2], row[3], row[4]) for row in rows]


def test_nobody_signed_in_is_refused(
    db_url: str, tmp_path: Path, household: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_VARIABLE)
    monkeypatch.setenv("LAOSP_SESSION_FILE", str(tmp_path / "no-session"))
    for args in (
        ["add-household", _write(tmp_path, household())],
        ["show", "H1"],
        ["search", "--name", "x"],
    ):
        result = _run("registry", *args, "--db", db_url)
        assert result.exit_code == 1, args
        assert "sign in first" in result.stderr


def test_the_actor_is_the_signed_in_user(db_url: str, tmp_path: Path, household: Factory) -> None:
    added = _run("registry", "add-household", _write(tmp_path, household()), "--db", db_url)
    assert added.exit_code == 0, added.output
    engine = make_engine(db_url)
    with unit_of_work(engine) as session:
        created = select(AuditEvent.actor).where(AuditEvent.action == "create")
        actors = set(session.scalars(created.where(AuditEvent.entity.in_(("household", "person")))))
    engine.dispose()
    assert actors == {"registrar"}
    old = _run("registry", "add-household", _write(tmp_path, household()), "--actor", "x")
    assert old.exit_code == 2  # the option is gone


def test_a_district_officer_writes_and_reads_only_their_district(
    db_url: str, tmp_path: Path, household: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    added = _run("registry", "add-household", _write(tmp_path, household()), "--db", db_url)
    assert added.exit_code == 0, added.output
    _as(monkeypatch, db_url, "vientiane", Role.district_officer, district="0101")
    outside = _run("registry", "add-household", _write(tmp_path, household(household_id="H9")),
                   "--db", db_url)  # fmt: skip
    assert outside.exit_code == 1
    assert "[0].district_code: outside your area" in outside.stderr
    for identifier in ("H1", "P1"):  # in district 1703
        shown = _run("registry", "show", identifier, "--db", db_url)
        assert shown.exit_code == 1
        assert f"no household or person with id {identifier!r}" in shown.stderr
    other = _run("registry", "search", "--district", "1703", "--db", db_url)
    assert other.exit_code == 1
    assert "outside your area" in other.stderr
    mine = _run("registry", "search", "--db", db_url, "--format", "json")
    assert json.loads(mine.output) == []
    imported = _run("registry", "import", "--households", file_of(tmp_path), "--db", db_url)
    assert imported.exit_code == 1
    assert "national reach" in imported.stderr


def file_of(tmp_path: Path) -> str:
    path = tmp_path / "h.csv"
    path.write_text("household_id,district_code\nH8,0101\n", "utf-8")
    return str(path)


def test_roles_without_register_cannot_add(
    db_url: str, tmp_path: Path, household: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(monkeypatch, db_url, "analyst", Role.analyst)
    refused = _run("registry", "add-household", _write(tmp_path, household()), "--db", db_url)
    assert refused.exit_code == 1
    assert "your role may not register" in refused.stderr
    assert _run("registry", "show", "H1", "--db", db_url).exit_code == 1


def test_show_masks_identifiers_and_is_audited(
    db_url: str, tmp_path: Path, household: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = household(member=(0, {"national_id": "1703-960302-077", "phone": "020 5555 1234"}))
    assert _run("registry", "add-household", _write(tmp_path, data), "--db", db_url).exit_code == 0
    clear = json.loads(_run("registry", "show", "P1", "--db", db_url, "--format", "json").output)
    assert (clear["person"]["national_id"], clear["person"]["phone"]) == (
        "1703-960302-077", "020 5555 1234",
    )  # fmt: skip
    _as(monkeypatch, db_url, "attapeu", Role.provincial_officer, province="17")
    shown = json.loads(_run("registry", "show", "P1", "--db", db_url, "--format", "json").output)
    assert (shown["person"]["national_id"], shown["person"]["phone"]) == (
        "••••••••••••077", "•••••••••••34",
    )  # fmt: skip
    [head] = [m for m in shown["household"]["members"] if m["person_id"] == "P1"]
    assert head["national_id"] == "••••••••••••077"
    found = _run("registry", "search", "--name", "ສົມພອນ", "--db", db_url, "--format", "json")
    assert found.exit_code == 0, found.output
    assert _read_events(db_url) == [
        ("registrar", "person", "P1", "1703", None),
        ("attapeu", "person", "P1", "1703", None),
        ("attapeu", "search", None, None, {"count": 2, "ids": ["P3", "P2"]}),
    ]


def test_an_identity_change_by_update_waits_for_approval(
    db_url: str, tmp_path: Path, household: Factory
) -> None:
    added = _run("registry", "add-household", _write(tmp_path, household()), "--db", db_url)
    assert added.exit_code == 0, added.output
    renamed = household(
        member=(
            0,
            {"given_name": "Bounlert"},
        ),
        poor=True,
    )
    result = _run("registry", "add-household", _write(tmp_path, renamed, "renamed.json"),
                  "--db", db_url, "--update")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "H1: identity correction waits for approval, request 1" in result.output
    shown = json.loads(_run("registry", "show", "P1", "--db", db_url, "--format", "json").output)
    assert shown["person"]["given_name"] == "ບຸນເຫຼືອ"
    assert shown["household"]["poor"] is False  # the whole update waits
    engine = make_engine(db_url)
    with unit_of_work(engine) as session:
        request = session.get(ChangeRequest, 1)
        assert request is not None
        assert (request.kind, request.status, request.district_code, request.made_by) == (
            "identity_correction", "pending", "1703", "registrar",
        )  # fmt: skip
    engine.dispose()
