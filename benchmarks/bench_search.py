"""Person search by name at scale: 50 queries on a synthetic registry, SQLite and
PostgreSQL.

``python -m benchmarks search --scale 0.1 [--option backend=sqlite|postgresql|both]
[--option sqlite_path=FILE] [--option postgres_db=NAME] [--option keep=1]``

The registry is built with the synthetic population loaders (``laosp.synth``, seed 1)
in a new SQLite file or PostgreSQL database, unless ``sqlite_path`` / ``postgres_db``
name one built before (then it is reused as it is; ``keep=1`` keeps a new one). The 50
queries are drawn (fixed seed) from the generator's own name lists: romanised full
names, the same in Lao script, romanisation variants ("Suksavan Phomachan"), partial
names (a word's first letters or syllables) in both scripts; every other one with a
province filter. Each query is ``registry.service.search`` (limit 50, as the CLI and the
API), timed over two rounds; the second (warm cache) gives the median and p95.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from benchmarks.registry import BenchmarkContext, Figures, benchmark, timed
from laosp.db import make_engine, unit_of_work
from laosp.registry import service
from laosp.rules.pack import load_pack
from laosp.synth.build import synthesise
from laosp.synth.names import FAMILY, FEMALE, MALE
from laosp.synth.population import Config

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
QUERIES = 50
PROVINCES = [f"{code:02d}" for code in range(1, 19)]
VARIANTS = (("ph", "p"), ("ou", "u"), ("x", "s"), ("nh", "n"), ("mm", "m"), ("y", "i"))


def _variant(rng: random.Random, name: str) -> str:
    for old, new in VARIANTS:
        if old in name.lower() and rng.random() < 0.6:
            name = name.lower().replace(old, new).title()
    return name


def queries(seed: int = 7) -> list[tuple[str, str, str | None]]:
    """``(kind, query, province or None)``, 50 of them."""
    rng = random.Random(seed)
    given = MALE + FEMALE
    out: list[tuple[str, str]] = []
    for _ in range(QUERIES // 5):
        (g_lao, g_rom), (f_lao, f_rom) = rng.choice(given), rng.choice(FAMILY)
        out.append(("romanised", f"{g_rom} {f_rom}"))
        out.append(("lao", f"{g_lao} {f_lao}"))
        out.append(("variant", f"{_variant(rng, g_rom)} {_variant(rng, f_rom)}"))
        out.append(("partial romanised", f"{g_rom[:4]} {f_rom[: rng.randint(4, 6)]}"))
        lao_part = f_lao[: max(3, len(f_lao) // 2)] if rng.random() < 0.5 else g_lao
        out.append(("partial lao", lao_part))
    return [
        (kind, text, rng.choice(PROVINCES) if index % 2 else None)
        for index, (kind, text) in enumerate(out)
    ]


def _time(url: str, prefix: str) -> Figures:
    engine = make_engine(url)
    rounds: list[list[float]] = []
    hits: list[int] = []
    by_kind: dict[str, list[float]] = {}
    for _ in range(2):
        seconds = []
        hits = []
        for kind, text, province in queries():
            with unit_of_work(engine) as session, timed() as watch:
                found = service.search(session, name=text, province_code=province, limit=50)
            seconds.append(watch.seconds)
            hits.append(len(found))
            by_kind.setdefault(kind, []).append(watch.seconds)
        rounds.append(seconds)
    engine.dispose()
    warm = sorted(rounds[1])
    figures: Figures = {
        f"{prefix}_median_ms": statistics.median(warm) * 1000,
        f"{prefix}_p95_ms": warm[int(0.95 * (len(warm) - 1))] * 1000,
        f"{prefix}_max_ms": warm[-1] * 1000,
        f"{prefix}_first_round_median_ms": statistics.median(rounds[0]) * 1000,
        f"{prefix}_first_round_max_ms": max(rounds[0]) * 1000,
        f"{prefix}_queries_with_hits": sum(1 for count in hits if count),
    }
    for kind, values in by_kind.items():
        warm_kind = values[len(values) // 2 :]
        figures[f"{prefix}_{kind.replace(' ', '_')}_max_ms"] = max(warm_kind) * 1000
    return figures


def _build(url: str, scale: float) -> float:
    engine = make_engine(url)
    with timed() as watch:
        synthesise(engine, Config(scale=scale, seed=1), load_pack(), replace=True)
    engine.dispose()
    return watch.seconds


def _sqlite(context: BenchmarkContext) -> Figures:
    given = context.options.get("sqlite_path")
    if given and Path(given).exists():
        return {"sqlite_build_seconds": 0.0, **_time(f"sqlite:///{given}", "sqlite")}
    with tempfile.TemporaryDirectory() as folder:
        path = given or str(Path(folder) / "search.db")
        built = _build(f"sqlite:///{path}", context.scale)
        return {"sqlite_build_seconds": built, **_time(f"sqlite:///{path}", "sqlite")}


def _postgres(context: BenchmarkContext) -> Figures:
    admin = make_url(context.options.get("postgres_url", DEFAULT_POSTGRES))
    conninfo = admin.render_as_string(hide_password=False)
    name = context.options.get("postgres_db")
    reuse = name is not None
    if name is None:
        name = f"laosp_bench_{uuid.uuid4().hex[:8]}"
    else:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            reuse = found.fetchone() is not None
    url = admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )
    built = 0.0
    if not reuse:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
    try:
        if not reuse:
            built = _build(url, context.scale)
        return {"postgresql_build_seconds": built, **_time(url, "postgresql")}
    finally:
        if not reuse and context.options.get("keep") != "1":
            with psycopg.connect(conninfo, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@benchmark("search")
def bench_search(context: BenchmarkContext) -> Figures:
    backend = context.options.get("backend", "both")
    figures: Figures = {"scale": context.scale, "load_average_before": os.getloadavg()[0]}
    if backend in ("sqlite", "both"):
        figures |= _sqlite(context)
    if backend in ("postgresql", "both"):
        figures |= _postgres(context)
    if backend not in ("sqlite", "postgresql", "both"):
        raise ValueError(f"backend must be sqlite, postgresql or both, not {backend!r}")
    figures["load_average_after"] = os.getloadavg()[0]
    return figures
