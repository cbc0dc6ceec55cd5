"""Waiting for sessions to wait on a lock (PostgreSQL), to make races deterministic."""

from __future__ import annotations

import time

from sqlalchemy import Engine, text


def wait_for_lock_waiters(engine: Engine, count: int, timeout: float = 60.0) -> None:
    """Until ``count`` sessions of this database wait on a lock (PostgreSQL)."""
    deadline = time.monotonic() + timeout
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with engine.connect() as watcher:
        while watcher.execute(query).scalar_one() < count:
            assert time.monotonic() < deadline, f"{count} sessions never waited on a lock"
            time.sleep(0.05)
            watcher.rollback()
