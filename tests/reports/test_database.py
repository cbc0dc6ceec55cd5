"""Through a real database (SQLite and PostgreSQL): the brief read from the snapshot
equals the brief from the same registry's frames, and the command writes both files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from laosp.cli import build_app
from laosp.reports.coverage import coverage_brief, load_coverage_brief
from laosp.rules.pack import load_pack
from tests.indicators.registry_builder import AT, reference_registry
from tests.indicators.test_database import _write
from tests.reports.helpers import pdf_text, sheets, squeezed


@pytest.mark.slow
def test_brief_from_the_database_and_the_command(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    _write(engine, reference_registry())
    stored = load_coverage_brief(engine, load_pack(), AT, "13")
    built = coverage_brief(reference_registry().frames(), AT, "13", pack=load_pack())
    for name in ("headline", "by_place", "by_sex", "by_age_group", "by_formal", "gaps"):
        assert getattr(stored, name).equals(getattr(built, name)), name

    runner = CliRunner()
    app = build_app()
    pdf, xlsx = tmp_path / "brief.pdf", tmp_path / "brief.xlsx"
    for output, lang in ((pdf, "lo"), (xlsx, "en")):
        result = runner.invoke(
            app,
            [
                "report",
                "coverage",
                "--db",
                db_url,
                "--date",
                "2025-06-30",
                "--lang",
                lang,
                "--province",
                "13",
                "-o",
                str(output),
            ],
        )
        assert result.exit_code == 0, result.output
    assert squeezed("ແຂວງ ສະຫວັນນະເຂດ") in squeezed(pdf_text(pdf.read_bytes()))
    headline = sheets(xlsx.read_bytes())["Headline indicators"]
    assert headline["Covered"].to_list() == built.headline["numerator"].to_list()


def test_command_refuses_a_bad_suffix_and_province(tmp_path: Path) -> None:
    runner = CliRunner()
    app = build_app()
    result = runner.invoke(app, ["report", "coverage", "-o", str(tmp_path / "brief.doc")])
    assert result.exit_code == 1
    assert ".pdf or .xlsx" in result.output
    result = runner.invoke(
        app, ["report", "coverage", "--province", "99", "-o", str(tmp_path / "b.pdf")]
    )
    assert result.exit_code == 1
    assert "no province" in result.output


def test_projection_command_compares_two_scenarios(tmp_path: Path) -> None:
    output = tmp_path / "financing.pdf"
    result = CliRunner().invoke(
        build_app(),
        [
            "report",
            "projection",
            "-s",
            "lao_default",
            "-s",
            "child_grant_u3",
            "--lang",
            "en",
            "-o",
            str(output),
        ],
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(output.read_bytes())
    assert "Scenario against scenario" in text
    assert "Child grant under 3 in the poorest districts" in text  # its title, not its id
    assert "child_grant_u3" not in text
