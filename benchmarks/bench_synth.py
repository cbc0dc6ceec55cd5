"""``laosp synth`` at national scale: build the population and load it into a fresh
SQLite file and a fresh PostgreSQL database (bulk paths: ADBC batched inserts, COPY).

``python -m benchmarks synth --scale 1.0 [--option backend=sqlite|postgresql|both]
[--option postgres_url=postgresql://postgres@127.0.0.1:5432/postgres]``

``both`` (the default) runs each backend in a process of its own, one after the other,
so that each figure (time, peak memory) is that of one ``laosp synth`` run. The writing
overlaps the build: ``seconds_built`` is when the last table was built, ``seconds_total``
when the load was committed and analysed.

Then the national registry just written is read back into frames three times with
``load_snapshot`` (persons + households, the rules engine's input; issue target ≤ 20 s):
``snapshot_seconds_median``. ``--option snapshot=0`` skips that.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from benchmarks.registry import BenchmarkContext, Figures, benchmark, peak_memory_mb, timed
from laosp import migrate
from laosp.db import make_engine
from laosp.registry.snapshot import load_snapshot
from laosp.rules.pack import load_pack
from laosp.synth.build import synthesise
from laosp.synth.population import Config

DEFAULT_POSTGRES = os.environ.get(
    "LAOSP_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
AT = dt.date(2026, 6, 30)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


SNAPSHOT_RUNS = 3


def _wants_snapshot(context: BenchmarkContext) -> bool:
    return context.options.get("snapshot", "1") != "0"


def _snapshot_seconds(url: str) -> list[float]:
    """Wall seconds of each ``load_snapshot`` of persons and households."""
    engine = make_engine(url)
    runs = []
    for _ in range(SNAPSHOT_RUNS):
        with timed() as watch:
            load_snapshot(engine, ("persons", "households"))
        runs.append(watch.seconds)
    engine.dispose()
    return runs


def _run(url: str, scale: float, prefix: str, *, snapshot: bool = True) -> Figures:
    engine = make_engine(url)
    migrate.upgrade(engine)
    marks: dict[str, float] = {}
    start = time.perf_counter()
    cpu = _cpu_seconds()

    def built(_population: object) -> None:
        marks["built"] = time.perf_counter() - start

    load = os.getloadavg()[0]
    with timed() as watch:
        population = synthesise(
            engine, Config(scale=scale, seed=1, at=AT), load_pack(), on_built=built
        )
    engine.dispose()
    rows = sum(frame.height for frame in population.tables.values())
    del population
    figures: Figures = {
        f"{prefix}_seconds_total": watch.seconds,
        f"{prefix}_seconds_built": marks["built"],
        f"{prefix}_seconds_after_build": watch.seconds - marks["built"],
        f"{prefix}_cpu_seconds": _cpu_seconds() - cpu,
        f"{prefix}_rows": rows,
        f"{prefix}_rows_per_second": rows / max(watch.seconds, 1e-9),
        f"{prefix}_load_average_before": load,
        f"{prefix}_load_average_after": os.getloadavg()[0],
    }
    if snapshot:
        runs = _snapshot_seconds(url)
        figures[f"{prefix}_snapshot_seconds_runs"] = [round(run, 2) for run in runs]
        figures[f"{prefix}_snapshot_seconds_median"] = statistics.median(runs)
    return figures


def _postgres(context: BenchmarkContext) -> Figures:
    admin = context.options.get("postgres_url", DEFAULT_POSTGRES)
    name = f"laosp_bench_{uuid.uuid4().hex[:8]}"
    admin_plain = make_url(admin).set(drivername="postgresql")
    conninfo = admin_plain.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        url = admin_plain.set(database=name).render_as_string(hide_password=False)
        return _run(url, context.scale, "postgresql", snapshot=_wants_snapshot(context))
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _in_child(context: BenchmarkContext, backend: str) -> Figures:
    """One backend in a fresh process: its peak memory is that run's alone."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "figures.json"
        options = [f"--option={k}={v}" for k, v in context.options.items() if k != "backend"]
        subprocess.run(
            [sys.executable, "-m", "benchmarks", "synth", "--scale", str(context.scale),
             "--json", str(out), f"--option=backend={backend}", *options],
            check=True,
        )  # fmt: skip
        figures: Figures = json.loads(out.read_text())["synth"]
    figures[f"{backend}_peak_memory_mb"] = figures.pop("peak_memory_mb")
    figures.pop("scale", None)
    return figures


@benchmark("synth")
def bench_synth(context: BenchmarkContext) -> Figures:
    backend = context.options.get("backend", "both")
    figures: Figures = {"scale": context.scale}
    logging.basicConfig(format="   %(message)s")
    logging.getLogger("laosp.synth").setLevel(logging.INFO)  # the load's steps
    if backend == "both":
        figures |= _in_child(context, "sqlite")
        figures |= _in_child(context, "postgresql")
        return figures
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            figures |= _run(
                f"sqlite:///{Path(folder) / 'synth.db'}",
                context.scale,
                "sqlite",
                snapshot=_wants_snapshot(context),
            )
    elif backend == "postgresql":
        figures |= _postgres(context)
    else:
        raise ValueError(f"backend must be sqlite, postgresql or both, not {backend!r}")
    figures["peak_memory_mb"] = peak_memory_mb()
    return figures
