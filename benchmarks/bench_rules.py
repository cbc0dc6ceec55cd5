"""Rules engine benchmarks: evaluation, explanation, snapshot loading, OpenFisca peer."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import create_engine, text

from benchmarks.registry import BenchmarkContext, Figures, benchmark, peak_memory_mb, timed
from benchmarks.rules_population import AT, population
from laosp import migrate
from laosp.arrow_sqlite import ArrowSqlite
from laosp.db import make_engine
from laosp.models.base import metadata
from laosp.registry.snapshot import Snapshot, load_snapshot, with_row_keys
from laosp.rules.engine import evaluate
from laosp.rules.explain import explain
from laosp.rules.pack import Pack, load_pack

PG_ADMIN = os.environ.get(
    "LAOSP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@benchmark("rules.evaluate")
def bench_evaluate(context: BenchmarkContext) -> Figures:
    """Frames as ``load_snapshot`` gives them (with the integer row keys, attached in
    ``row_keys_s``); then the same frames without the keys, as built by hand."""
    persons, households = population(context.scale)
    with timed() as keying:
        loaded = with_row_keys(Snapshot(persons, households))
    pack = load_pack()
    runs = []
    for _ in range(5):
        with timed() as watch:
            evaluate(pack, loaded.persons, loaded.households, AT)
        runs.append(watch.seconds)
    bare = []
    for _ in range(3):
        with timed() as watch:
            evaluate(pack, persons, households, AT)
        bare.append(watch.seconds)
    return {
        "persons": persons.height,
        "households": households.height,
        "outputs": len(pack.outputs),
        "row_keys_s": round(keying.seconds, 2),
        "first_s": round(runs[0], 2),
        "median_s": round(statistics.median(runs), 2),
        "best_s": round(min(runs), 2),
        "without_row_keys_median_s": round(statistics.median(bare), 2),
        "peak_memory_mb": round(peak_memory_mb()),
    }


@benchmark("rules.explain")
def bench_explain(context: BenchmarkContext) -> Figures:
    persons, households = population(context.scale)
    pack = load_pack()
    loaded = with_row_keys(Snapshot(persons, households))
    persons, households = loaded.persons, loaded.households
    ids = households["household_id"].sample(20, seed=1).to_list()
    explain(pack, persons, households, AT, household_id=ids[0])  # warm-up
    times = []
    for household_id in ids:
        with timed() as watch:
            explain(pack, persons, households, AT, household_id=household_id)
        times.append(watch.seconds * 1000)
    return {
        "persons": persons.height,
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
    }


def _registry_frames(scale: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    persons, households = population(scale)
    names = {"given_name": "Noy", "family_name": "Vongsa", "name_key": "noy vongsa"}
    if "name_fold" in metadata.tables["persons"].c:
        names["name_fold"] = "noy vongsa"
    persons = (
        persons.with_columns(
            *(pl.lit(v).alias(k) for k, v in names.items()),
            pl.lit("day").alias("birth_date_precision"),
            pl.lit("none").alias("sector").replace("none", None),
        )
        .with_columns(
            pl.col(pl.Enum).cast(pl.String),  # stored as text; the snapshot makes enums again
        )
        .with_columns(
            pl.col("employment_type").replace("", None),
            pl.col("pregnancy_month", "nssf_contribution_months").cast(pl.Int32),  # INTEGER columns
        )
    )
    return persons, households


def _ingest(url: str, persons: pl.DataFrame, households: pl.DataFrame) -> float:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    started = time.perf_counter()
    if url.startswith("sqlite"):
        with ArrowSqlite(url.split("///", 1)[1]) as worker:
            worker.execute("PRAGMA foreign_keys=OFF")
            worker.execute("BEGIN")
            worker.ingest("households", households)
            worker.ingest("persons", persons)
            worker.execute("COMMIT")
        return time.perf_counter() - started
    import adbc_driver_postgresql.dbapi as pg_driver  # type: ignore[import-untyped]

    connection = pg_driver.connect(url.replace("postgresql+psycopg", "postgresql"))
    with connection.cursor() as cursor:
        cursor.adbc_ingest("households", households, mode="append")
        cursor.adbc_ingest("persons", persons, mode="append")
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def _time_snapshot(url: str) -> Figures:
    """One ``load_snapshot`` (two parallel readers, row keys): wall and CPU seconds, and
    the same with a single reader and no row keys (the previous way of reading)."""
    engine = make_engine(url)
    figures: Figures = {}
    for label, options in (("", {}), ("single_reader_", {"readers": 1, "row_keys": False})):
        cpu = os.times()
        with timed() as watch:
            snapshot = load_snapshot(engine, **options)  # type: ignore[arg-type]
        used = os.times()
        assert snapshot.persons.schema["pregnant"] == pl.Boolean
        assert snapshot.persons.schema["birth_date"] == pl.Date
        figures["persons"] = snapshot.persons.height
        figures[f"{label}load_snapshot_s"] = round(watch.seconds, 2)
        # the SQLite reader's worker process included (a waited-for child)
        spent = sum(used[:4]) - sum(cpu[:4])
        figures[f"{label}cpu_s"] = round(spent, 1)
    engine.dispose()
    return figures


@benchmark("rules.snapshot_sqlite")
def bench_snapshot_sqlite(context: BenchmarkContext) -> Figures:
    persons, households = _registry_frames(context.scale)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        write = _ingest(url, persons, households)
        figures = _time_snapshot(url)
    return {"bulk_write_s": round(write, 1), **figures}


@benchmark("rules.snapshot_postgres")
def bench_snapshot_postgres(context: BenchmarkContext) -> Figures:
    persons, households = _registry_frames(context.scale)
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"laosp_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        write = _ingest(url, persons, households)
        figures = _time_snapshot(url)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
    return {"bulk_write_s": round(write, 1), **figures}


def _peer_run(
    pack: Pack, tbs: Any, persons: pl.DataFrame, households: pl.DataFrame, runs: int
) -> Figures:
    """Warm-up, then the median of ``runs`` runs of each side; every output compared."""
    from benchmarks import rules_openfisca

    evaluate(pack, persons, households, AT, PEER_OUTPUTS)  # warm-up
    rules_openfisca.run(tbs, persons, households, AT)
    ours, theirs = [], []
    for _ in range(runs):
        with timed() as watch:
            result = evaluate(pack, persons, households, AT, PEER_OUTPUTS)
        ours.append(watch.seconds)
        with timed() as watch:
            peer = rules_openfisca.run(tbs, persons, households, AT)
        theirs.append(watch.seconds)
    pairs = [
        (result.persons["nhi.copay_opd"], peer["nhi_copay_opd"]),
        (result.persons["nssf.contribution_total"], peer["nssf_contribution_total"]),
        (result.persons["mecg.benefit_monthly"], peer["mecg_benefit_monthly"]),
        (result.households["nssf.contribution_total"], peer["nssf_household_total"]),
        (result.households["mecg.benefit_monthly"], peer["mecg_household_benefit"]),
    ]
    same = all(bool((ours_.to_numpy() == theirs_).all()) for ours_, theirs_ in pairs)
    laosp_s, openfisca_s = statistics.median(ours), statistics.median(theirs)
    return {
        "laosp_s": round(laosp_s, 3),
        "openfisca_s": round(openfisca_s, 3),
        "ratio": round(openfisca_s / laosp_s, 1),
        "same_outputs": same,
    }


PEER_OUTPUTS = ["nhi.copay_opd", "nssf.contribution_total", "mecg.benefit_monthly"]


@benchmark("rules.openfisca_peer")
def bench_openfisca(context: BenchmarkContext) -> Figures:
    """Same NHI, social security and MECG rules in OpenFisca and laosp, same persons, the
    same five outputs (three person, two household), frames in memory without row keys
    (each side matches persons to households itself). Option ``persons=N[,N...]``
    (default 200,000, 1,000,000 and the national 7,800,000, × scale); ``runs=K``
    (default 3, median reported; each laosp run follows an OpenFisca run)."""
    from benchmarks import rules_openfisca

    sizes = [
        int(size)
        for size in context.options.get(
            "persons",
            ",".join(str(round(n * context.scale)) for n in (200_000, 1_000_000, 7_800_000)),
        ).split(",")
    ]
    runs = int(context.options.get("runs", "3"))
    pack = load_pack()
    tbs = rules_openfisca.system()
    figures: Figures = {}
    for size in sizes:
        persons, households = population(size / 7_800_000)
        for key, value in _peer_run(pack, tbs, persons, households, runs).items():
            figures[f"{persons.height}_{key}"] = value
    return figures
