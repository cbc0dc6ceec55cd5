"""``laosp rules diff`` on the synthetic national registry: the snapshot read, the two
evaluations (base and reform) and the comparison, timed apart and together.

``python -m benchmarks rules.diff --scale 1 [--option sqlite_path=FILE] [--option runs=N]
[--option set=NAME=VALUE;NAME=VALUE] [--option from=YYYY-MM-DD]``

The registry is ``laosp.synth`` at ``--scale`` (seed 1) in a new SQLite file, unless
``sqlite_path`` names one built before (``laosp synth --scale 1 --db sqlite:///FILE``),
which is then reused as it is (a path that does not exist yet is built there and kept).
The reform (default: the MECG grant at 200,000 LAK and the children's age limit at 24
months from 1 July 2025) is compared with the bundled pack on 1 July 2025; ``runs``
(default 3) full diffs are timed and the median reported.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
from pathlib import Path

from benchmarks.registry import BenchmarkContext, Figures, benchmark, peak_memory_mb, timed
from laosp import migrate
from laosp.db import make_engine
from laosp.registry.snapshot import load_snapshot
from laosp.rules.diff import columns_to_read, compare, parse_assignments, with_reform
from laosp.rules.pack import load_pack
from laosp.synth.build import synthesise
from laosp.synth.population import Config

DEFAULT_SET = "mecg.benefit_monthly=200000;mecg.child_age_months_under=24"


def _build(url: str, scale: float) -> float:
    engine = make_engine(url)
    migrate.upgrade(engine)
    with timed() as watch:
        synthesise(engine, Config(scale=scale, seed=1), load_pack(), replace=True)
    engine.dispose()
    return watch.seconds


def _time(url: str, context: BenchmarkContext) -> Figures:
    start = dt.date.fromisoformat(context.options.get("from", "2025-07-01"))
    base = load_pack()
    overrides = parse_assignments(base, context.options.get("set", DEFAULT_SET).split(";"))
    reform = with_reform(base, overrides, start)
    engine = make_engine(url)
    reads, compares, totals = [], [], []
    result = None
    for _ in range(int(context.options.get("runs", "3"))):
        with timed() as total:
            with timed() as read:
                snapshot = load_snapshot(
                    engine,
                    tables=("persons", "households"),
                    only=columns_to_read(base, reform),
                )
            with timed() as diff:
                result = compare(base, reform, snapshot.persons, snapshot.households, start)
        reads.append(read.seconds)
        compares.append(diff.seconds)
        totals.append(total.seconds)
    engine.dispose()
    assert result is not None
    mecg = result.totals.filter(result.totals["scheme"] == "mecg").to_dicts()
    return {
        "persons": snapshot.persons.height,
        "households": snapshot.households.height,
        "snapshot_s": round(statistics.median(reads), 2),
        "evaluate_twice_and_compare_s": round(statistics.median(compares), 2),
        "total_median_s": round(statistics.median(totals), 2),
        "total_runs_s": [round(t, 2) for t in totals],
        "changed_rows": result.changes.height,
        "summary_rows": result.summary.height,
        "mecg_gainers": mecg[0]["gainers"] if mecg else 0,
        "mecg_money_month": mecg[0]["money_month"] if mecg else 0,
        "peak_memory_mb": round(peak_memory_mb()),
    }


@benchmark("rules.diff")
def bench_rules_diff(context: BenchmarkContext) -> Figures:
    figures: Figures = {"scale": context.scale, "load_average_before": os.getloadavg()[0]}
    given = context.options.get("sqlite_path")
    if given and Path(given).exists():
        figures |= {"build_s": 0.0, **_time(f"sqlite:///{given}", context)}
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = given or str(Path(folder) / "diff.db")
            built = _build(f"sqlite:///{path}", context.scale)
            figures |= {"build_s": round(built, 1), **_time(f"sqlite:///{path}", context)}
    figures["load_average_after"] = os.getloadavg()[0]
    return figures
