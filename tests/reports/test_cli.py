"""``laosp report``: options the briefs cannot be computed for are usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from laosp.reports.cli import register


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("0001-01-01", "must be a date from 1900-01-01 to 2100-12-31"),
        ("2101-01-01", "must be a date from 1900-01-01 to 2100-12-31"),
        ("2026-02-29", "is not a date of the calendar"),
        ("today", "is not a date YYYY-MM-DD"),
    ],
)
def test_coverage_refuses_a_date_outside_the_reference_range(
    tmp_path: Path, date: str, reason: str
) -> None:
    db = tmp_path / "none.db"
    output = tmp_path / "r.pdf"
    result = CliRunner().invoke(
        _app(), ["report", "coverage", "-o", str(output), "--date", date, "--db", f"sqlite:///{db}"]
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr == f"--date: {date!r} {reason} / " + result.stderr.split(" / ", 1)[1]
    assert not output.exists()
    assert not db.exists()


@pytest.mark.parametrize(("to", "reason"), [("1", "1990"), ("3000", "2200")])
def test_projection_refuses_an_end_year_the_scenario_cannot_run_to(
    tmp_path: Path, to: str, reason: str
) -> None:
    output = tmp_path / "p.pdf"
    result = CliRunner().invoke(
        _app(), ["report", "projection", "-s", "lao_default", "--to", to, "-o", str(output)]
    )
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "scenario.end_year" in result.stderr
    assert reason in result.stderr
    assert not output.exists()
