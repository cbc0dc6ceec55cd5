"""A bulk load killed at any moment leaves the registry as it was or wholly loaded:
``laosp synth --replace`` (one transaction: delete the synthetic population, load the new
one) is killed with SIGKILL midway and late in its run, on both backends."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from laosp.db import make_engine
from tests.live_server import LAOSP

pytestmark = pytest.mark.slow

SCALE = "0.003"
#: moments of the kill, as shares of an uninterrupted run's duration
KILL_AT = (0.4, 0.8)


def synth(db_url: str, *, kill_after: float | None = None) -> int | None:
    """Run ``laosp synth --replace``; SIGKILL it after ``kill_after`` seconds. Its exit
    status (negative: the signal), or None when it ended before the kill."""
    command = [LAOSP, "synth", "--scale", SCALE, "--seed", "7", "--replace", "--db", db_url]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        return process.wait(timeout=30)
    return None if kill_after is not None else process.returncode


def registry_state(db_url: str) -> dict[str, int | str]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            state: dict[str, int | str] = {
                name: int(connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())
                for name in ("households", "persons", "enrolments", "contributions")
            }
            state["distinct persons"] = int(
                connection.execute(
                    text("SELECT count(DISTINCT person_id) FROM persons")
                ).scalar_one()
            )
            if engine.dialect.name == "sqlite":
                state["integrity"] = str(
                    connection.execute(text("PRAGMA integrity_check")).scalar_one()
                )
                state["foreign keys"] = len(
                    connection.execute(text("PRAGMA foreign_key_check")).all()
                )
    finally:
        engine.dispose()
    return state


def test_a_killed_bulk_load_is_all_or_nothing(db_url: str) -> None:
    started = time.monotonic()
    assert synth(db_url) == 0
    duration = time.monotonic() - started
    loaded = registry_state(db_url)
    assert loaded["households"] > 0
    assert loaded["distinct persons"] == loaded["persons"]
    for share in KILL_AT:
        outcome = synth(db_url, kill_after=duration * share)
        assert registry_state(db_url) == loaded, f"killed at {share:.0%} ({outcome})"
    assert synth(db_url) == 0
    assert registry_state(db_url) == loaded


def test_a_file_left_in_a_rollback_journal_and_locked_is_waited_for(tmp_path: Path) -> None:
    """A killed load leaves the file in a rollback journal with its worker holding the
    write lock for a moment: opening it waits for the lock, then puts it back in WAL
    (SQLite itself answers "database is locked" at once there)."""
    path = tmp_path / "left.sqlite"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("CREATE TABLE t (n INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES (1)")
    release = threading.Timer(0.5, holder.rollback)
    release.start()
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
    finally:
        engine.dispose()
        release.join()
        holder.close()
