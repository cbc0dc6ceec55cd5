"""The ``laosp project`` and ``laosp project-sweep`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import fastexcel
import pytest
import typer
from typer.testing import CliRunner

from laosp.projection.cli import register


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_project_prints_a_table_with_a_comparison() -> None:
    result = CliRunner().invoke(
        _app(), ["project", "-s", "lao_default", "--compare", "child_grant_u3", "--to", "2028"]
    )
    assert result.exit_code == 0, result.output
    assert "child_grant" in result.output
    assert "Comparison" in result.output
    assert "2029" not in result.output


def test_project_writes_json_and_csv(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "p.json"
    result = runner.invoke(_app(), ["project", "-s", "lao_default", "-f", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text("utf-8"))
    assert payload["scenarios"][0]["summary"][0]["year"] == 2025
    result = runner.invoke(_app(), ["project", "-s", "lao_default", "-f", "csv", "--to", "2026"])
    assert result.output.startswith("scenario,scheme,year,variable,value")


def test_project_writes_a_rap_workbook(tmp_path: Path) -> None:
    out = tmp_path / "rap.xlsx"
    result = CliRunner().invoke(
        _app(), ["project", "-s", "child_grant_u3", "-f", "xlsx", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    sheets = fastexcel.read_excel(str(out)).sheet_names
    assert sheets[0] == "Assumptions"
    # sheets named in words: the schemes' names, never their codes
    assert {"NHI fund", "Summary"} <= set(sheets)
    assert not {"nhi", "child_grant"} & set(sheets)
    assert all(len(name) <= 31 for name in sheets)


def test_project_writes_the_workbook_in_the_chosen_language(tmp_path: Path) -> None:
    out = tmp_path / "rap-lo.xlsx"
    args = ["project", "-s", "child_grant_u3", "-f", "xlsx", "-o", str(out), "--lang", "lo"]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    sheets = fastexcel.read_excel(str(out)).sheet_names
    # the workbooks catalogue's Lao sheet names: assumptions, the NHI fund, the summary
    assert sheets[0] == "ສົມມຸດຕິຖານ"
    assert {"ກອງທຶນປະກັນສຸຂະພາບ", "ສັງລວມ"} <= set(sheets)
    assert not {"Assumptions", "NHI fund", "Summary"} & set(sheets)
    refused = CliRunner().invoke(_app(), [*args[:-1], "fr"])
    assert refused.exit_code == 2


def test_a_bad_scenario_fails_with_the_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: lao_default\nmacro:\n  exchange_rate: {value: oops}\n", "utf-8")
    result = CliRunner().invoke(_app(), ["project", "-s", str(bad)])
    assert result.exit_code == 1
    assert "macro.exchange_rate.value" in result.output


def test_project_sweep_reports_the_spread() -> None:
    result = CliRunner().invoke(
        _app(),
        [
            "project-sweep",
            "-s",
            "child_grant_u3",
            "-v",
            "macro.gdp_real_growth=0.02:0.06:3",
            "-v",
            "schemes.child_grant.take_up=0.5,0.9",
            "--to",
            "2030",
            "--workers",
            "1",
            "-f",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("output,year,min,median,max")


@pytest.mark.parametrize(
    ("to", "reason"),
    [
        ("0", "greater than or equal to 1990"),
        ("2020", "end_year must not precede base_year"),
        ("3000", "less than or equal to 2200"),
    ],
)
@pytest.mark.parametrize(
    "command", [["project"], ["project-sweep", "-v", "macro.cpi_inflation=0.02,0.03"]]
)
def test_an_end_year_the_scenario_cannot_run_to_is_refused(
    command: list[str], to: str, reason: str
) -> None:
    result = CliRunner().invoke(_app(), [*command, "-s", "lao_default", "--to", to])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "end_year" in result.stderr
    assert reason in result.stderr


def test_project_without_a_scenario_or_with_a_bad_pack_is_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(_app(), ["project"])
    assert missing.exit_code == 2
    assert "--scenario" in missing.stderr
    bad = runner.invoke(_app(), ["project", "-s", "lao_default", "--pack", str(tmp_path)])
    assert bad.exit_code == 2
    assert "not a policy pack" in bad.stderr
    assert isinstance(bad.exception, SystemExit)
