"""Errors of the environment through the real ``laosp`` app: one line on standard error,
exit status 1, never a traceback; a plain path given as ``--db`` is a SQLite file; CSV
files separated by ``;`` or tabs are read like commas in every CSV reader; a failed
command leaves no database file behind (#13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from laosp.cli import build_app
from laosp.cli_common import TOKEN_VARIABLE
from laosp.db import make_engine
from tests.cli_sign_in import sign_in_cli

runner = CliRunner()

HOUSEHOLDS = [
    ["household_id", "district_code", "village_code"],
    ["H1", "1703", "1703008"],
    ["H2", "0101", ""],
]
PERSONS = [
    ["person_id", "household_id", "relationship", "given_name", "family_name", "sex",
     "birth_date"],
    ["P1", "H1", "head", "ບຸນເຫຼືອ", "ແສງສຸລິນ", "M", "1996-03-02"],
    ["P2", "H1", "spouse", "ສົມພ່ອນ", "ແສງສຸລິນ", "F", "2000-05-05"],
    ["P3", "H2", "head", "Somphone", "Phommasône", "M", "1950-01-10"],
]  # fmt: skip


def _run(*args: str) -> Any:
    return runner.invoke(build_app(), list(args))


def _failed(result: Any, message: str) -> None:
    """Exit 1, ``message`` on one line of standard error, no traceback anywhere."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, nothing escaped
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if message in line]
    assert lines, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def _csv(path: Path, rows: list[list[str]], separator: str) -> Path:
    path.write_text("\n".join(separator.join(row) for row in rows) + "\n", "utf-8")
    return path


# --db -------------------------------------------------------------------------------


def test_a_plain_path_is_a_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run("db", "upgrade", "--db", "plain.db")
    assert result.exit_code == 0, result.output
    assert "database at sqlite:///plain.db is up to date" in result.output
    absolute = tmp_path / "sub" / "x.db"
    assert _run("db", "upgrade", "--db", str(absolute)).exit_code == 0
    for file in (tmp_path / "plain.db", absolute):
        engine = make_engine(f"sqlite:///{file}")
        assert "persons" in inspect(engine).get_table_names()
        engine.dispose()
    words = [word for word in _run("db", "upgrade", "--help").output.split() if word != "│"]
    assert "or a plain file path, which is a SQLite file" in " ".join(words)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("sqlite:/x.db", "'sqlite:/x.db' is not a database URL"),
        ("admin:s3cret@db.example/laosp", "'admin:***@db.example/laosp' is not a database URL"),
        ("mysql://admin:s3cret@db/laosp", "'mysql://admin:***@db/laosp' is not a database URL"),
    ],
)
def test_a_text_that_is_no_url_nor_path(
    text: str, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run("db", "upgrade", "--db", text)
    _failed(result, shown)
    assert "write a SQLite file (laosp.db, sqlite:///laosp.db) or postgresql+psycopg://" in (
        result.stderr
    )
    assert "s3cret" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command", [("db", "upgrade"), ("indicators",), ("registry", "show", "H1")]
)
def test_an_unreachable_postgresql_names_host_and_port(
    command: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_VARIABLE, "some-token")  # so that registry show reads the db
    url = "postgresql+psycopg://laosp:s3cret@127.0.0.1:1/laosp"
    result = _run(*command, "--db", url)
    _failed(result, "cannot connect to PostgreSQL at 127.0.0.1:1 (database 'laosp', user 'laosp')")
    assert "Connection refused" in result.stderr
    assert "s3cret" not in result.output


@pytest.mark.usefixtures("_postgres")
def test_a_wrong_postgresql_user_is_named() -> None:
    url = "postgresql+psycopg://no_such_role:s3cret@127.0.0.1:5432/postgres"
    result = _run("db", "upgrade", "--db", url)
    _failed(result, "cannot connect to PostgreSQL at 127.0.0.1:5432")
    assert "no_such_role" in result.stderr
    assert "s3cret" not in result.output


# no database file left behind ------------------------------------------------------


@pytest.mark.parametrize("plain", [True, False])
def test_a_command_on_a_missing_database_leaves_no_file(
    plain: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_VARIABLE, "some-token")
    file = tmp_path / "new.db"
    db = str(file) if plain else f"sqlite:///{file}"
    for command in (("indicators",), ("registry", "show", "H1"), ("gaps",)):
        result = _run(*command, "--db", db)
        _failed(result, f"no database at {file}: create it with `laosp db upgrade --db {file}`")
        assert list(tmp_path.iterdir()) == []
    folder = tmp_path / "a" / "b"
    _failed(_run("indicators", "--db", str(folder / "x.db")), "no database at")
    assert list(tmp_path.iterdir()) == []  # nor the folders made for it


def test_a_failed_upgrade_removes_the_file_it_created(tmp_path: Path) -> None:
    file = tmp_path / "x.db"
    result = _run("db", "upgrade", "--db", str(file), "--revision", "nosuch")
    _failed(result, "--revision: Can't locate revision identified by 'nosuch'")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_database_without_tables_is_kept(tmp_path: Path) -> None:
    file = tmp_path / "empty.db"
    file.write_bytes(b"")
    result = _run("indicators", "--db", str(file))
    _failed(result, "the database lacks its tables (no such table:")
    assert "laosp db upgrade" in result.stderr
    assert file.exists()  # not created by the command: not its to remove


# files and folders -----------------------------------------------------------------


def test_missing_input_files(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sign_in_cli(monkeypatch, db_url)
    monkeypatch.chdir(tmp_path)
    result = _run("registry", "import", "--households", "missing.csv", "--db", db_url)
    _failed(result, "missing.csv: no such file (ບໍ່ພົບໄຟລ໌)")
    result = _run("registry", "import", "--persons", "/nonexistent/p.csv", "--db", db_url)
    _failed(result, "/nonexistent/p.csv: no such file")
    _failed(_run("enrolment", "import", "gone.xlsx", "--db", db_url), "gone.xlsx: no such file")
    result = _run("registry", "add-household", "missing.json", "--db", db_url)
    assert result.exit_code != 0
    assert "missing.json" in result.output
    assert "Traceback" not in result.output


def test_missing_output_folders(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_cli(monkeypatch, db_url)
    folder = tmp_path / "nonexistent" / "dir"
    message = f"the folder {folder} does not exist / ບໍ່ພົບໂຟນເດີ"
    result = _run("report", "coverage", "--db", db_url, "--output", str(folder / "x.pdf"))
    _failed(result, f"--output: {folder / 'x.pdf'}: {message}")
    households = _csv(tmp_path / "h.csv", HOUSEHOLDS, ",")
    result = _run(
        "registry", "import", "--households", str(households), "--db", db_url,
        "--report", str(folder / "report.csv"),
    )  # fmt: skip
    _failed(result, f"--report: {folder / 'report.csv'}: {message}")
    result = _run("registry", "duplicates", "--db", db_url, "--format", "csv",
                  "--output", str(folder / "pairs.csv"))  # fmt: skip
    _failed(result, f"--output: {folder / 'pairs.csv'}: {message}")
    assert not folder.parent.exists()
    # checked before the work: the import's report folder is missing, nothing imported
    shown = _run("registry", "show", "H1", "--db", db_url)
    _failed(shown, "no household or person")


def test_a_missing_output_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    """No database is opened (it does not exist), no projection run: the folder first."""
    out = tmp_path / "nonexistent" / "sweep.json"
    result = _run("project", "-s", "child_grant_u3", "-f", "json", "-o", str(out))
    _failed(result, f"--output: {out}: the folder {out.parent} does not exist")
    result = _run("indicators", "--db", str(tmp_path / "none.db"), "--output", str(out))
    _failed(result, f"--output: {out}: the folder {out.parent} does not exist")
    assert list(tmp_path.iterdir()) == []


# CSV files: separators and columns -------------------------------------------------


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_registry_import_reads_any_separator(
    separator: str, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_cli(monkeypatch, db_url)
    households = _csv(tmp_path / "h.csv", HOUSEHOLDS, separator)
    persons = _csv(tmp_path / "p.csv", PERSONS, separator)
    report = tmp_path / "report.json"
    result = _run(
        "registry", "import", "--households", str(households), "--persons", str(persons),
        "--db", db_url, "--report", str(report),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "households / ຄົວເຮືອນ: 2 read, 2 imported" in result.output
    assert "persons / ບຸກຄົນ: 3 read, 3 imported" in result.output
    shown = _run("registry", "show", "P2", "--db", db_url, "--format", "json")
    person = json.loads(shown.output)["person"]
    assert (person["given_name"], person["birth_date"]) == ("ສົມພ່ອນ", "2000-05-05")


def test_a_quoted_separator_in_the_header_is_no_column(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two semicolons and three commas, but two of the commas inside quotes."""
    sign_in_cli(monkeypatch, db_url)
    households = tmp_path / "h.csv"
    households.write_text('household_id;district_code;"note, a, b"\nH1;1703;"x, y"\n', "utf-8")
    report = tmp_path / "report.json"
    args = ["registry", "import", "--households", str(households), "--db", db_url]
    result = _run(*args, "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "households / ຄົວເຮືອນ: 1 read" in result.output
    problems = json.loads(report.read_text("utf-8"))["problems"]
    # three columns: the third an extra one; the household is refused for its lack of a head
    assert [p["field"] for p in problems if p["kind"] == "note"] == ["note, a, b"], problems
    assert [p["field"] for p in problems if p["kind"] != "note"] == ["members"], problems


def test_registry_import_names_missing_columns(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_cli(monkeypatch, db_url)
    households = _csv(tmp_path / "h.csv", [["household_id", "village"], ["H1", "x"]], ",")
    result = _run("registry", "import", "--households", str(households), "--db", db_url)
    _failed(result, "h.csv: missing column district_code (ຂາດຖັນ district_code)")
    assert "(found: household_id, village)" in result.stderr
    persons = _csv(tmp_path / "p.csv", [row[:3] for row in PERSONS], ";")
    result = _run("registry", "import", "--persons", str(persons), "--db", db_url)
    _failed(result, "p.csv: missing columns given_name, family_name, sex, birth_date")


def _enrolment_rows(separator: str) -> list[list[str]]:
    return [
        ["person_id", "scheme", "status", "start_date"],
        ["P1", "nhi", "active", "2025-01-01"],
    ]


@pytest.mark.parametrize("separator", [";", "\t"])
def test_enrolment_import_reads_any_separator(
    separator: str, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_cli(monkeypatch, db_url)
    file = _csv(tmp_path / "e.csv", _enrolment_rows(separator), separator)
    report = tmp_path / "report.json"
    result = _run("enrolment", "import", str(file), "--db", db_url, "--report", str(report))
    assert "Traceback" not in result.output
    problems = json.loads(report.read_text("utf-8"))["problems"]
    # the row was read: refused for its unknown person only, no column is missing
    assert [(p["row"], p["field"]) for p in problems] == [(2, "person_id")], problems


def test_enrolment_import_names_missing_columns(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_cli(monkeypatch, db_url)
    file = _csv(tmp_path / "e.csv", [["person_id", "scheme"], ["P1", "nhi"]], ";")
    result = _run("enrolment", "import", str(file), "--db", db_url)
    _failed(result, "e.csv: missing columns status, start_date (ຂາດຖັນ status, start_date)")


SCENARIO = """extends: lao_default.yaml
scenario:
  name: from_registry_file
demography:
  base:
    kind: registry
"""


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_projection_base_persons_read_any_separator(separator: str, tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO, "utf-8")
    rows = [["birth_date", "sex", "district_code"], ["1950-01-01", "F", "0101"]]
    rows += [["1990-06-30", "M", "1703"]]
    persons = _csv(tmp_path / "persons.csv", rows, separator)
    args = ["project", "-s", str(scenario), "--base-persons", str(persons), "--format", "json"]
    result = _run(*args, "--to", "2026")
    assert result.exit_code == 0, result.output
    missing = _csv(tmp_path / "bad.csv", [row[:2] for row in rows], separator)
    result = _run("project", "-s", str(scenario), "--base-persons", str(missing), "--to", "2026")
    _failed(result, "--base-persons: bad.csv: missing column district_code")


def test_the_installed_command_prints_one_line(tmp_path: Path) -> None:
    """The real entry point (``laosp.cli:main``, its lazy loading of the domains) in a
    process of its own: the same lines, nothing else on standard error."""
    laosp = Path(sys.executable).parent / "laosp"
    cases = [
        (["indicators", "--db", "postgresql://laosp:s3cret@127.0.0.1:1/laosp"],
         "cannot connect to PostgreSQL at 127.0.0.1:1"),
        (["indicators", "--db", str(tmp_path / "none.db")], "no database at"),
        (["project", "-s", "child_grant_u3", "--base-persons", str(tmp_path / "p.csv")],
         f"{tmp_path / 'p.csv'}: no such file"),
    ]  # fmt: skip
    env = {**os.environ, TOKEN_VARIABLE: "some-token"}
    for args, message in cases:
        done = subprocess.run(
            [str(laosp), *args], capture_output=True, text=True, env=env, cwd=tmp_path, check=False
        )
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert message in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "s3cret" not in done.stderr
    assert list(tmp_path.iterdir()) == []
