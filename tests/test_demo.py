"""`laosp demo` builds a registry a user can look at, and running it again keeps it whole."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from laosp.cli import build_app


def _counts(output: str) -> dict[str, int]:
    return {
        name: int(value.replace(",", ""))
        for name, value in re.findall(r"^\s*(\w+): ([\d,]+)$", output, flags=re.MULTILINE)
    }


def test_demo_builds_population_and_reports_coverage(db_url: str) -> None:
    runner = CliRunner()
    args = ["demo", "--db", db_url, "--scale", "0.002", "--date", "2026-06-30", "--no-serve"]
    first = runner.invoke(build_app(), args)
    assert first.exit_code == 0, first.output
    counts = _counts(first.output)
    assert counts["provinces"] == 18
    assert counts["districts"] == 148
    assert counts["persons"] > 10_000
    assert counts["enrolments"] > 0
    assert "targets within tolerance" in first.output
    assert "the audit trail is intact" in first.output
    health = re.search(r"Health cover .*?([\d.]+)%", first.output)
    assert health is not None
    assert 85 < float(health.group(1)) < 100

    second = runner.invoke(build_app(), args)
    assert second.exit_code == 0, second.output
    assert _counts(second.output) == counts
    assert "0 added, 6 already there" in second.output
