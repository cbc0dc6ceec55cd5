"""``laosp enrolment import`` of an agency list of 100,000 rows into a synthetic registry,
on SQLite and PostgreSQL: the first import and the re-import of the same file.

``python -m benchmarks enrolment_import --scale 0.05 [--option rows=100000]
[--option backend=sqlite|postgresql|both] [--option eligibility=0]
[--option postgres_url=postgresql://postgres@127.0.0.1:5432/postgres]``

The registry is ``laosp.synth`` at ``--scale`` (0.02-0.05: 160,000-400,000 persons with
their enrolments). The file (CSV) holds, of ``rows``: 1 % bad rows (unknown person,
unknown scheme, bad date, end before start, a repeated row), 15 % the registered
enrolments as they are, 4 % a legal status change of a registered active enrolment
(active → suspended) and the rest new NHI or voluntary social security enrolments of
persons not enrolled in that scheme, a fifth of those named by their national id only.
Each import is one transaction; the re-import must change nothing. Before them, the same
import with ``--check-eligibility`` is timed and rolled back (``eligibility=0`` skips it).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
from pathlib import Path

import numpy as np
import polars as pl
import psycopg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from benchmarks.registry import BenchmarkContext, Figures, benchmark, peak_memory_mb, timed
from laosp.db import make_engine, unit_of_work
from laosp.enrolment.importer import import_enrolments
from laosp.models import AuditEvent
from laosp.registry.snapshot import load_snapshot
from laosp.rules.pack import load_pack
from laosp.synth.build import synthesise
from laosp.synth.population import Config

DEFAULT_POSTGRES = os.environ.get(
    "LAOSP_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
AT = dt.date(2026, 6, 30)
BAD_SHARE = 0.01
SAME_SHARE = 0.15
CHANGE_SHARE = 0.04
#: the schemes of the new rows (person schemes, no eligibility check by default)
NEW_SCHEMES = ("nhi", "nssf_voluntary")


def _cells(frame: pl.DataFrame) -> pl.DataFrame:
    columns = ["person_id", "national_id", "household_id", "scheme", "status"]
    columns += ["start_date", "end_date", "member_number"]
    return frame.select(
        (pl.col(c).cast(pl.String) if c in frame.columns else pl.lit(None, pl.String)).alias(c)
        for c in columns
    )


def agency_file(url: str, rows: int, path: Path, seed: int = 7) -> dict[str, int]:
    """Write the agency list; the number of rows of each kind."""
    rng = np.random.default_rng(seed)
    snapshot = load_snapshot(
        make_engine(url), ("persons", "households", "enrolments"), include=["national_id"]
    )
    assert snapshot.enrolments is not None
    # sorted: the file is the same on both backends (snapshot and join orders differ)
    enrolled = snapshot.enrolments.sort("id")
    persons = snapshot.persons.select("person_id", "national_id").sort("person_id")
    bad, same, change = (
        round(rows * BAD_SHARE),
        round(rows * SAME_SHARE),
        round(rows * CHANGE_SHARE),
    )
    active = enrolled.filter(pl.col("status") == "active", pl.col("person_id").is_not_null())
    changes = active.sample(min(change, active.height), seed=seed).with_columns(
        status=pl.lit("suspended")
    )
    rest = enrolled.join(changes.select("id"), on="id", how="anti").sort("id")
    unchanged = rest.sample(min(same, rest.height), seed=seed + 1)
    schemes = pl.DataFrame({"scheme": list(NEW_SCHEMES)})
    candidates = (
        persons.join(schemes, how="cross")
        .join(enrolled.select("person_id", "scheme"), on=["person_id", "scheme"], how="anti")
        .sort("person_id", "scheme")
    )
    unique_ids = persons.group_by("national_id").len().filter(pl.col("len") == 1)
    fresh_count = min(rows - bad - changes.height - unchanged.height, candidates.height)
    days = pl.Series(rng.integers(0, 180, fresh_count))
    fresh = candidates.sample(fresh_count, seed=seed + 2).with_columns(
        status=pl.lit("active"),
        start_date=pl.lit(dt.date(2026, 1, 1)) + pl.duration(days=pl.lit(days)),
        member_number=pl.format("M-{}", pl.int_range(pl.len())),
    )
    by_national_id = (
        pl.col("national_id").is_in(unique_ids["national_id"].drop_nulls().implode())
        & (pl.int_range(pl.len()) % 5 == 0)
    ).fill_null(False)
    fresh = fresh.with_columns(person_id=pl.when(~by_national_id).then(pl.col("person_id")))
    fresh = fresh.with_columns(national_id=pl.when(by_national_id).then(pl.col("national_id")))
    good = pl.concat([_cells(changes), _cells(unchanged), _cells(fresh)])
    kinds = np.arange(bad) % 5
    sample = good.sample(bad, seed=seed + 3, with_replacement=True)
    broken = sample.with_columns(
        person_id=pl.when(pl.Series(kinds == 0))
        .then(pl.lit("NOT-REGISTERED"))
        .otherwise("person_id"),
        scheme=pl.when(pl.Series(kinds == 1)).then(pl.lit("nhis")).otherwise("scheme"),
        start_date=pl.when(pl.Series(kinds == 2))
        .then(pl.lit("2026-02-30"))
        .otherwise("start_date"),
        end_date=pl.when(pl.Series(kinds == 3)).then(pl.lit("2020-01-01")).otherwise("end_date"),
        status=pl.when(pl.Series(kinds == 3)).then(pl.lit("exited")).otherwise("status"),
    )  # kind 4: the row repeated as it is
    shuffled = pl.concat([good, broken]).sample(fraction=1.0, shuffle=True, seed=seed + 4)
    shuffled.write_csv(path)
    return {
        "rows": shuffled.height,
        "rows_new": fresh.height,
        "rows_unchanged": unchanged.height,
        "rows_status_change": changes.height,
        "rows_bad": bad,
    }


def _import(
    url: str, path: Path, *, check_eligibility: bool = False, keep: bool = True
) -> tuple[float, dict[str, int], int]:
    """Seconds, counts and audit events after; ``keep=False`` rolls the import back."""
    pack = load_pack()
    engine = make_engine(url)
    with timed() as watch, unit_of_work(engine) as session:
        report = import_enrolments(
            session, pack, path, actor="bench", today=AT, check_eligibility=check_eligibility
        )
        if not keep:
            session.rollback()
    with unit_of_work(engine) as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    engine.dispose()
    return watch.seconds, vars(report.counts["enrolments"]), int(events)


def _run(url: str, scale: float, rows: int, prefix: str, eligibility: bool) -> Figures:
    engine = make_engine(url)
    with timed() as built:
        synthesise(engine, Config(scale=scale, seed=1, at=AT), load_pack())
    engine.dispose()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "agency.csv"
        kinds = agency_file(url, rows, path)
        load = os.getloadavg()[0]
        checked: Figures = {}
        if eligibility:  # rolled back: the first import below starts from the same state
            seconds, counts, _ = _import(url, path, check_eligibility=True, keep=False)
            checked[f"{prefix}_with_eligibility_seconds"] = seconds
            checked |= {f"{prefix}_with_eligibility_{k}": v for k, v in counts.items()}
        first_seconds, first, events_first = _import(url, path)
        again_seconds, again, events_again = _import(url, path)
    return {
        f"{prefix}_registry_seconds": built.seconds,
        **{f"{prefix}_file_{k}": v for k, v in kinds.items()},
        f"{prefix}_load_average_before": load,
        f"{prefix}_first_import_seconds": first_seconds,
        f"{prefix}_first_import_rows_per_second": kinds["rows"] / max(first_seconds, 1e-9),
        **{f"{prefix}_first_{k}": v for k, v in first.items()},
        f"{prefix}_reimport_seconds": again_seconds,
        **{f"{prefix}_reimport_{k}": v for k, v in again.items()},
        f"{prefix}_audit_events_written_by_reimport": events_again - events_first,
        **checked,
        f"{prefix}_load_average_after": os.getloadavg()[0],
    }


def _postgres(context: BenchmarkContext, rows: int) -> Figures:
    admin = make_url(context.options.get("postgres_url", DEFAULT_POSTGRES))
    admin = admin.set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    name = f"laosp_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        url = admin.set(database=name).render_as_string(hide_password=False)
        return _run(url, context.scale, rows, "postgresql", _eligibility(context))
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _eligibility(context: BenchmarkContext) -> bool:
    return context.options.get("eligibility", "1") != "0"


@benchmark("enrolment_import")
def bench_enrolment_import(context: BenchmarkContext) -> Figures:
    rows = int(context.options.get("rows", 100_000))
    backend = context.options.get("backend", "both")
    figures: Figures = {"scale": context.scale}
    if backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'registry.db'}"
            figures |= _run(url, context.scale, rows, "sqlite", _eligibility(context))
    if backend in ("postgresql", "both"):
        figures |= _postgres(context, rows)
    figures["peak_memory_mb"] = peak_memory_mb()
    return figures
