"""Imports under bad ids and concurrency: an id holding a refused character never
reaches a database lookup (PostgreSQL cannot even compare text holding NUL); imports of
the same new files at the same time end in one import and clean refusals, never a
traceback, and the refused ones can simply be run again."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from laosp.db import make_engine, unit_of_work
from laosp.models import AuditEvent, Household, Person
from laosp.registry.import_file import CONTROL_REASON
from laosp.registry.importer import import_files
from tests.locks import household_writes_held, lock_waiters

LAOSP = str(Path(sys.executable).with_name("laosp"))
HOUSEHOLDS = "household_id,district_code\nH1,0101\nH\x002,0101\nH5,0101\nH6,0101\n"
PERSONS = (
    "person_id,household_id,relationship,given_name,family_name,sex,birth_date,"
    "mother_id,national_id\n"
    "P1,H1,head,Bounmy,Sengsouk,M,1980-02-03,,\n"
    "P\x002,H2,head,Noy,Sengsouk,F,1982-02-03,,\n"
    "P3,H\x003,head,Som,Sengsouk,M,1983-02-03,,\n"
    "P5,H5,head,Keo,Sengsouk,F,1984-02-03,,ID\x005\n"
    "P6,H6,head,Bee,Sengsouk,F,1985-02-03,P\x001,\n"
)
SHOWN = "\ufffd"
#: how long SQLite's write lock is held while the imports start (they wait for it)
SQLITE_HOLD_SECONDS = 12.0

pytestmark = pytest.mark.usefixtures("cli_signed_in_on_a_database")


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode())
    return path


def test_ids_holding_nul_are_refused_by_row_never_looked_up(
    session: Session, tmp_path: Path
) -> None:
    report = import_files(
        session,
        households=_write(tmp_path, "h.csv", HOUSEHOLDS),
        persons=_write(tmp_path, "p.csv", PERSONS),
        today=dt.date(2025, 6, 1),
    )
    refused = {
        (row["table"], row["row"], row["field"], row["value"])
        for row in report.problems.iter_rows(named=True)
        if row["reason"] == CONTROL_REASON
    }
    # data rows are numbered from 2 (the header is row 1)
    assert refused == {
        ("households", 3, "household_id", f"H{SHOWN}2"),
        ("persons", 3, "person_id", f"P{SHOWN}2"),
        ("persons", 4, "household_id", f"H{SHOWN}3"),
        ("persons", 5, "national_id", f"ID{SHOWN}5"),
        ("persons", 6, "mother_id", f"P{SHOWN}1"),
    }
    assert session.scalars(select(Household.household_id)).all() == ["H1"]
    assert session.scalars(select(Person.person_id)).all() == ["P1"]


def test_nul_in_an_id_is_a_clean_cli_refusal(db_url: str, tmp_path: Path) -> None:
    households = _write(tmp_path, "h.csv", HOUSEHOLDS)
    persons = _write(tmp_path, "p.csv", PERSONS)
    files = ["--households", str(households), "--persons", str(persons)]
    result = subprocess.run(
        [LAOSP, "registry", "import", "--db", db_url, *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"H{SHOWN}2" in result.stdout + result.stderr


def _many(count: int) -> tuple[str, str]:
    households = "household_id,district_code\n" + "".join(f"R{n:04},0101\n" for n in range(count))
    persons = "person_id,household_id,relationship,given_name,family_name,sex,birth_date\n" + (
        "".join(f"R{n:04}-1,R{n:04},head,Bounmy,Sengsouk,M,1980-02-03\n" for n in range(count))
    )
    return households, persons


def test_concurrent_imports_of_the_same_new_files(
    db_url: str, backend: str, tmp_path: Path
) -> None:
    """Three imports read the registry (nothing is there), then wait at their first insert
    (``household_writes_held``); released together, one writes and the others find its
    rows: each must say so cleanly and write nothing, and a re-run changes nothing."""
    households, persons = _many(200)
    files = ["--households", str(_write(tmp_path, "h.csv", households))]
    files += ["--persons", str(_write(tmp_path, "p.csv", persons))]
    command = [LAOSP, "registry", "import", "--db", db_url, *files]
    runs: list[subprocess.Popen[str]] = []

    def all_waiting(engine: Engine) -> bool:
        assert all(run.poll() is None for run in runs), [run.communicate() for run in runs]
        return lock_waiters(engine) >= len(runs)

    with household_writes_held(
        db_url, all_waiting, sqlite_seconds=SQLITE_HOLD_SECONDS, timeout=240
    ):
        runs += [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
    outcomes = [(*run.communicate(timeout=240), run.returncode) for run in runs]
    for _, err, _ in outcomes:
        assert "Traceback" not in err, err
    codes = sorted(code for _, _, code in outcomes)
    if backend == "postgresql":
        assert codes == [0, 1, 1], outcomes
    else:
        assert codes[0] == 0, outcomes
        assert set(codes) <= {0, 1}, outcomes
    for _, err, code in outcomes:
        if code == 1:
            assert "changed by another import meanwhile" in err
            assert "run it again: the import is idempotent" in err
            assert "ນຳເຂົ້າຄືນໃໝ່" in err
    engine = make_engine(db_url)
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(Household)) == 200
        assert session.scalar(select(func.count()).select_from(Person)) == 200
        events = select(func.count()).where(AuditEvent.action == "import")
        assert session.scalar(events) == 1
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "0 imported, 200 unchanged" in again.stdout, again.stdout
    engine.dispose()
