"""``laosp indicators`` and ``laosp gaps`` on the reference registry (snapshot stubbed)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from laosp.indicators import cli
from laosp.indicators.frames import RegistryFrames
from tests.indicators.registry_builder import reference_registry

DATE = ["--date", "2025-06-30"]


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    frames = reference_registry().frames()

    def read_snapshot(
        _engine: object, *, with_names: bool = False, at: object = None
    ) -> RegistryFrames:
        return frames

    monkeypatch.setattr(cli, "read_snapshot", read_snapshot)
    application = typer.Typer()
    cli.register(application)
    return application


def run(app: typer.Typer, *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_has_one_object_per_indicator_and_cell(app: typer.Typer) -> None:
    rows = json.loads(run(app, "indicators", *DATE, "--by", "province", "--format", "json"))
    assert set(rows[0]) == {"indicator", "province", "numerator", "denominator", "ratio"}
    empty = [r for r in rows if r["indicator"] == "sdg131.unemployed" and r["province"] == "17"]
    assert empty == [
        {
            "indicator": "sdg131.unemployed",
            "province": "17",
            "numerator": 0,
            "denominator": 0,
            "ratio": None,
        }
    ]


def test_table_shows_percentages(app: typer.Typer) -> None:
    text = run(app, "indicators", *DATE)
    assert "sdg131.children" in text
    assert "66.7%" in text


def test_unemployment_and_inequality_rows(app: typer.Typer) -> None:
    rows = json.loads(run(app, "indicators", *DATE, "--format", "json"))
    found = {row["indicator"]: row for row in rows}
    # labour force 15+: P1 P7 P8 P9 P16 employed, P10 P11 unemployed (test_engine.py)
    assert found["sdg852.unemployment_rate"]["numerator"] == 2
    assert found["sdg852.unemployment_rate"]["denominator"] == 7
    # the reference registry records no earnings: a Gini with no income is missing
    gini = found["sdg1042.gini_before"]
    assert (gini["numerator"], gini["denominator"], gini["ratio"]) == (None, 15, None)
    text = run(app, "indicators", *DATE, "--by", "disability")
    assert "sdg852.unemployment_rate" in text
    assert "severe" in text


def test_csv_and_xlsx(app: typer.Typer, tmp_path: Path) -> None:
    csv = tmp_path / "out.csv"
    run(app, "indicators", *DATE, "--by", "sex", "--format", "csv", "--output", str(csv))
    assert pl.read_csv(csv).columns == ["indicator", "sex", "numerator", "denominator", "ratio"]
    xlsx = tmp_path / "out.xlsx"
    run(app, "indicators", *DATE, "--by", "sex", "--format", "xlsx", "--output", str(xlsx))
    sheet = pl.read_excel(xlsx, sheet_name="Indicators")
    assert "Numerator\nຕົວຕັ້ງ" in sheet.columns
    # 14 counted indicators and 3 SDG 10.4.2 series, for each sex
    assert sheet.height == 34
    gini = sheet.filter(pl.col("Indicator\nຕົວຊີ້ວັດ") == "sdg1042.gini_before")
    assert (
        gini["Description\nຄຳອະທິບາຍ"].to_list()
        == ["Gini index of income per adult equivalent, before transfers"] * 2
    )


def test_unknown_breakdown_fails(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["indicators", "--by", "village"])
    assert result.exit_code == 1
    assert "unknown breakdown" in result.output


def test_gaps_list_for_a_district(app: typer.Typer, tmp_path: Path) -> None:
    rows = json.loads(
        run(
            app,
            "gaps",
            *DATE,
            "--district",
            "1306",
            "--scheme",
            "mecg,uncovered",
            "--format",
            "json",
        )
    )
    assert {(row["gap"], row["scheme"], row["person_id"]) for row in rows} == {
        ("uncovered", None, "P12"),
        ("uncovered", None, "P14"),
        ("uncovered", None, "P15"),
        ("eligible_not_enrolled", "mecg", "P14"),
    }
    xlsx = tmp_path / "gaps.xlsx"
    run(app, "gaps", *DATE, "--format", "xlsx", "--output", str(xlsx))
    assert pl.read_excel(xlsx, sheet_name="List").height > 0


def test_gaps_table(app: typer.Typer) -> None:
    text = run(app, "gaps", *DATE, "--district", "1306")
    assert "eligible_not_enrolled" in text
    assert "ເດັກອາຍຸ 11 ເດືອນ" in text


RANGE = "1900-01-01 to 2100-12-31"


@pytest.mark.parametrize("command", ["indicators", "gaps"])
@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("0001-01-01", RANGE),
        ("1899-12-31", RANGE),
        ("2101-01-01", RANGE),
        ("2026-02-30", "is not a date of the calendar"),
        ("20260101", "is not a date YYYY-MM-DD"),
    ],
)
def test_a_date_outside_the_reference_range_is_a_usage_error(
    app: typer.Typer, command: str, date: str, reason: str
) -> None:
    result = CliRunner().invoke(app, [command, "--date", date])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert f"--date: {date!r}" in result.stderr
    assert reason in result.stderr


@pytest.mark.parametrize("date", ["1900-01-01", "2100-12-31"])
def test_the_ends_of_the_reference_range_are_computed(app: typer.Typer, date: str) -> None:
    rows = json.loads(run(app, "indicators", "--date", date, "--format", "json"))
    assert rows
