"""``laosp synth`` at national scale: build the population and load it into a fresh
SQLite file and a fresh PostgreSQL database (bulk paths: ADBC batched inserts, COPY).

``python -m benchmarks synth --scale 1.0 [--option backend=sqlite|postgresql|both]
[--option postgres_url=postgresql://postgres@127.0.0.1:5432/postgres]``
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from benchmarks.registry import BenchmarkContext, Figures, benchmark, peak_memory_mb, timed
from laosp import migrate
from laosp.db import make_engine
from laosp.synth.build import synthesise
from laosp.synth.population import Config

DEFAULT_POSTGRES = os.environ.get(
    "LAOSP_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
AT = dt.date(2026, 6, 30)


def _run(url: str, scale: float, prefix: str) -> Figures:
    engine = make_engine(url)
    migrate.upgrade(engine)
    marks: dict[str, float] = {}
    start = time.perf_counter()

    def built(_population: object) -> None:
        marks["built"] = time.perf_counter() - start

    with timed() as watch:
        population = synthesise(engine, Config(scale=scale, seed=1, at=AT), on_built=built)
    engine.dispose()
    rows = sum(frame.height for frame in population.tables.values())
    return {
        f"{prefix}_seconds_total": watch.seconds,
        f"{prefix}_seconds_build": marks["built"],
        f"{prefix}_seconds_write": watch.seconds - marks["built"],
        f"{prefix}_rows": rows,
        f"{prefix}_rows_per_second": rows / max(watch.seconds - marks["built"], 1e-9),
    }


@benchmark("synth")
def bench_synth(context: BenchmarkContext) -> Figures:
    backend = context.options.get("backend", "both")
    figures: Figures = {"scale": context.scale}
    if backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            figures |= _run(f"sqlite:///{Path(folder) / 'synth.db'}", context.scale, "sqlite")
    if backend in ("postgresql", "both"):
        admin = context.options.get("postgres_url", DEFAULT_POSTGRES)
        name = f"laosp_bench_{uuid.uuid4().hex[:8]}"
        admin_plain = make_url(admin).set(drivername="postgresql")
        conninfo = admin_plain.render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        try:
            url = admin_plain.set(database=name).render_as_string(hide_password=False)
            figures |= _run(url, context.scale, "postgresql")
        finally:
            with psycopg.connect(conninfo, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    figures["peak_memory_mb"] = peak_memory_mb()
    return figures
