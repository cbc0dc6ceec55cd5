"""``laosp rules test``: exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from laosp.cli import _register_domains, app

POLICY = Path(__file__).resolve().parents[1] / "policy"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register_domains()
    return CliRunner()


CASE = """- name: a case
  date: 2025-03-15
  households:
    - household_id: h1
      district_code: "1703"
      members:
        - {{person_id: p1, sex: F, birth_date: 1998-04-02, {field}}}
  expect:
    p1: {{{output}: {value}}}
"""


def test_project_cases_pass(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "test", str(POLICY)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].endswith(" passed, 0 failed")


@pytest.mark.parametrize(
    ("field", "output", "value", "code", "message"),
    [
        ("pregnant: true, pregnancy_month: 5", "mecg.eligible", "true", 0, "1 passed, 0 failed"),
        ("pregnant: false", "mecg.eligible", "true", 1, "expected True, computed False"),
        ("pregnantt: true", "mecg.eligible", "true", 2, "unknown field 'pregnantt'"),
        ("sex2: F", "mecg.eligible", "true", 2, "[a case]"),
        ("disability: bad", "mecg.eligible", "true", 2, "unknown code 'bad'"),
        ("monk: false", "mecg.nope", "true", 2, "unknown person output"),
        ("monk: false", "nssf.scheme", "privat", 2, "not a valid code value"),
    ],
)
def test_exit_codes(
    runner: CliRunner, tmp_path: Path, field: str, output: str, value: str, code: int, message: str
) -> None:
    file = tmp_path / "case.yaml"
    file.write_text(CASE.format(field=field, output=output, value=value), encoding="utf-8")
    result = runner.invoke(app, ["rules", "test", str(file)])
    assert result.exit_code == code, result.output
    assert message in result.output
    if code == 2:
        assert "case.yaml" in result.output


def test_params_lists_references(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "params", "--date", "2024-01-01"])
    assert result.exit_code == 0
    assert "nssf.ceiling = 8000000" in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["rules", "explain", "--person", "p1"],
        ["rules", "evaluate", "--output", "out.parquet"],
        ["rules", "params"],
    ],
)
@pytest.mark.parametrize("date", ["0001-01-01", "2101-01-01", "2025-13-01"])
def test_a_date_outside_the_reference_range_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, command: list[str], date: str
) -> None:
    db = f"sqlite:///{tmp_path / 'none.db'}"
    extra = ["--db", db] if command[1] != "params" else []
    result = runner.invoke(app, [*command, "--date", date, *extra])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert f"--date: {date!r}" in result.stderr
    assert "1900-01-01 to 2100-12-31" in result.stderr or "calendar" in result.stderr
    assert not (tmp_path / "none.db").exists()
