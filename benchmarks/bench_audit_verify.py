"""``laosp audit verify`` on an audit trail of about a million events, on SQLite and
PostgreSQL: the whole seal chain recomputed, end to end (a process of its own).

``python -m benchmarks audit_verify [--option events=1000000]
[--option per_transaction=1000] [--option backend=sqlite|postgresql|both]
[--option postgres_url=postgresql://postgres@127.0.0.1:5432/postgres]``

The trail is written the way the application writes it: ``events / per_transaction``
committed transactions of ``per_transaction`` events each through
``enrolment.import_store.insert_audit`` (the bulk writer of an enrolment import: COPY on
PostgreSQL), each sealed by the before-commit listener. The verification runs twice
(the first reads a cold cache); the figures are the second run's and the peak memory of
the ``laosp`` process, and the first page of ``laosp audit list``'s query unfiltered, by
actor (indexed) and by district (the bulk writer leaves it empty: a scan finding
nothing). ``--scale`` is not used.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import numpy as np
import polars as pl
import psycopg
from sqlalchemy.engine import make_url

from benchmarks.registry import BenchmarkContext, Figures, benchmark, timed
from laosp import migrate
from laosp.access.audit_log import AuditFilters, browse
from laosp.access.roles import Principal, Role
from laosp.db import make_engine, unit_of_work
from laosp.enrolment.import_store import insert_audit

DEFAULT_POSTGRES = os.environ.get(
    "LAOSP_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
DISTRICTS = ("0101", "0102", "1301", "1703", "0601")
LAOSP = Path(sys.executable).with_name("laosp")


def _events(start: int, count: int, rng: np.random.Generator) -> pl.DataFrame:
    numbers = np.arange(start, start + count)
    return pl.DataFrame(
        {
            "actor": [f"officer{n % 40}" for n in numbers],
            "action": "import",
            "entity": "enrolment",
            "entity_id": [f"E{n:09d}" for n in numbers],
            "changes": [
                {"status": "active", "scheme": "nhi", "district": DISTRICTS[d]}
                for d in rng.integers(0, len(DISTRICTS), count)
            ],
        }
    )


def write_trail(url: str, events: int, per_transaction: int) -> float:
    """Migrate ``url`` and write the trail; the seconds it took."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    rng = np.random.default_rng(12)
    with timed() as watch:
        for start in range(0, events, per_transaction):
            batch = _events(start, min(per_transaction, events - start), rng)
            with unit_of_work(engine) as session:
                insert_audit(session, batch)
    engine.dispose()
    return watch.seconds


def _verify_command(url: str) -> tuple[float, str]:
    with timed() as watch:
        done = subprocess.run(
            [str(LAOSP), "audit", "verify", "--db", url],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"laosp audit verify failed:\n{done.stdout}\n{done.stderr}")
    return watch.seconds, done.stdout


def _browse_seconds(url: str, filters: AuditFilters) -> float:
    """The seconds of the first page of ``filters`` (``laosp audit list``'s query)."""
    engine = make_engine(url)
    auditor = Principal("auditor", Role.auditor)
    with unit_of_work(engine) as session, timed() as watch:
        browse(session, auditor, filters, limit=50)
    engine.dispose()
    return watch.seconds


def _run(url: str, prefix: str, events: int, per_transaction: int) -> Figures:
    written = write_trail(url, events, per_transaction)
    _verify_command(url)  # cold
    seconds, output = _verify_command(url)
    listing = {
        f"{prefix}_list_{name}_seconds": _browse_seconds(url, filters)
        for name, filters in (
            ("all", AuditFilters()),
            ("actor", AuditFilters(actor="officer7")),
            ("district", AuditFilters(district_code="1703")),
        )
    }
    checked = next(line for line in output.splitlines() if line.startswith("events checked"))
    return {
        f"{prefix}_write_seconds": written,
        f"{prefix}_verify_seconds": seconds,
        f"{prefix}_verify_output": checked,
        f"{prefix}_verify_peak_memory_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        / 1024,
        **listing,
    }


def _postgres(context: BenchmarkContext, events: int, per_transaction: int) -> Figures:
    admin = make_url(context.options.get("postgres_url", DEFAULT_POSTGRES))
    admin = admin.set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    name = f"laosp_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        url = admin.set(database=name).render_as_string(hide_password=False)
        return _run(url, "postgresql", events, per_transaction)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@benchmark("audit_verify")
def bench_audit_verify(context: BenchmarkContext) -> Figures:
    events = int(context.options.get("events", 1_000_000))
    per_transaction = int(context.options.get("per_transaction", 1_000))
    backend = context.options.get("backend", "both")
    figures: Figures = {"events": events, "per_transaction": per_transaction}
    if backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'audit.db'}"
            figures |= _run(url, "sqlite", events, per_transaction)
    if backend in ("postgresql", "both"):
        figures |= _postgres(context, events, per_transaction)
    figures["load_average_after"] = os.getloadavg()[0]
    return figures
