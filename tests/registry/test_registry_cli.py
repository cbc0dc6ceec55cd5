"""``laosp registry ...`` through the Typer app, on both backends."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from laosp.cli import build_app

Factory = Callable[..., dict[str, Any]]
runner = CliRunner()


def _run(*args: str) -> Any:
    return runner.invoke(build_app(), list(args))


def _write(tmp_path: Path, data: Any, name: str = "households.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return str(path)


def test_add_show_search(db_url: str, tmp_path: Path, household: Factory) -> None:
    file = _write(tmp_path, [household()])
    result = _run("registry", "add-household", file, "--db", db_url, "--actor", "officer")
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
