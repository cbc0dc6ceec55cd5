"""One SQLite library per process: the guard that keeps the lost-writes fault out.

The ADBC SQLite driver carries a SQLite of its own; beside Python's in one process it
deletes the WAL the other still writes to. It may run only in the worker process of
``laosp.arrow_sqlite``.
"""

from __future__ import annotations

import ast
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from laosp.arrow_sqlite import scratch_folder
from laosp.db import OTHER_SQLITE_LIBRARIES, SecondSqliteLibraryError

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "src" / "laosp" / "arrow_sqlite_worker.py"


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def test_only_the_worker_imports_a_second_sqlite_library() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & OTHER_SQLITE_LIBRARIES)
        for folder in ("src", "benchmarks", "tests")
        for path in (ROOT / folder).rglob("*.py")
        if path != WORKER and imported_modules(path) & OTHER_SQLITE_LIBRARIES
    }
    assert offenders == {}
    assert "adbc_driver_sqlite" in imported_modules(WORKER)


def test_the_worker_module_cannot_be_imported_into_a_process() -> None:
    with pytest.raises(ImportError, match="process of its own"):
        __import__("laosp.arrow_sqlite_worker")


def test_a_snapshot_read_leaves_one_sqlite_library_in_this_process(tmp_path: Path) -> None:
    """Run in a fresh interpreter, so that no other test's imports count."""
    script = (
        "import os, sys\n"
        "from laosp import migrate\n"
        "from laosp.db import make_engine\n"
        "from laosp.registry.snapshot import load_snapshot\n"
        f"engine = make_engine('sqlite:///{tmp_path / 'one.db'}')\n"
        "migrate.upgrade(engine)\n"
        "load_snapshot(engine, ('persons', 'households', 'enrolments'))\n"
        "print(os.getpid())\n"
        "sys.stdout.flush()\n"
        "from tests.reliability.test_durability import sqlite_libraries\n"
        "print(sorted(sqlite_libraries(os.getpid())))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    libraries = result.stdout.splitlines()[-1]
    assert "adbc" not in libraries
    assert libraries.count("libsqlite3") <= 1


def test_opening_sqlite_beside_another_sqlite_library_is_refused(tmp_path: Path) -> None:
    script = (
        "import adbc_driver_sqlite.dbapi\n"
        "from laosp.db import make_engine\n"
        f"make_engine('sqlite:///{tmp_path / 'two.db'}').connect()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode != 0
    assert SecondSqliteLibraryError.__name__ in result.stderr
    assert "adbc_driver_sqlite carries its own SQLite library" in result.stderr


def test_arrow_files_go_to_shared_memory_only_when_it_has_room(tmp_path: Path) -> None:
    database = tmp_path / "registry.db"
    database.write_bytes(b"\0" * 1_000_000)
    roomy = tmp_path / "shm"
    roomy.mkdir()
    assert scratch_folder(database, roomy) == str(roomy)
    assert scratch_folder(database, tmp_path / "no-such-folder") is None
    free = shutil.disk_usage(roomy).free
    database.unlink()
    with database.open("wb") as sparse:  # a file as large as the folder's free space
        sparse.truncate(free)
    assert scratch_folder(database, roomy) is None


PARENT_HOLDING_A_LOAD = """
import sys, time
import polars as pl
from laosp.arrow_sqlite import ArrowSqlite

worker = ArrowSqlite(sys.argv[1])
worker.execute("CREATE TABLE IF NOT EXISTS numbers (n INTEGER)")
worker.execute("BEGIN IMMEDIATE")
worker.ingest("numbers", pl.DataFrame({"n": range(1000)}))
print(worker.process.pid, worker.scratch.name, flush=True)
time.sleep(600)
"""


def test_a_killed_parent_takes_its_worker_and_lock_with_it(tmp_path: Path) -> None:
    """The parent is killed while its worker holds a write transaction: the worker ends
    within seconds, its scratch folder goes, nothing was committed and the file is
    writable again."""
    database = tmp_path / "locked.sqlite"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT_HOLDING_A_LOAD, str(database)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    worker_pid, scratch = parent.stdout.readline().split()
    parent.kill()
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{worker_pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{worker_pid}").exists(), "the worker outlived its parent"
    assert not Path(scratch).exists()
    with sqlite3.connect(database, timeout=0) as connection:
        connection.execute("INSERT INTO numbers VALUES (1)")
        assert connection.execute("SELECT count(*) FROM numbers").fetchone() == (1,)
