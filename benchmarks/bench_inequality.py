"""SDG 10.4.2 (the Gini rows) on the national synthetic registry: all indicators by
province and nationally, from the loaded snapshot, with and without the Gini rows that
``laosp indicators``, ``/api/indicators`` and the dashboard add (``inequality=True``).

The Gini needs the rules' inputs (earnings, and the fields the cash schemes read), so
it runs on a registry ``laosp synth`` built, not on the generated frames of
``bench_indicators``: ``--option sqlite_path=FILE`` (built with ``laosp synth --scale 1
--db sqlite:///FILE``). Options: ``date=YYYY-MM-DD`` (default 2025-06-30).
"""

from __future__ import annotations

import datetime as dt
import os

from benchmarks.registry import BenchmarkContext, Figures, benchmark, peak_memory_mb, timed
from laosp.db import make_engine
from laosp.indicators.engine import compute_indicators
from laosp.indicators.frames import from_snapshot
from laosp.registry.snapshot import TABLES, load_snapshot
from laosp.rules.pack import load_pack


@benchmark("indicators.inequality")
def bench_inequality(context: BenchmarkContext) -> Figures:
    path = context.options.get("sqlite_path")
    if not path:
        raise SystemExit("indicators.inequality needs --option sqlite_path=FILE (laosp synth)")
    at = dt.date.fromisoformat(context.options.get("date", "2025-06-30"))
    pack = load_pack()
    engine = make_engine(f"sqlite:///{path}")
    figures: Figures = {"load_average_before": os.getloadavg()[0]}
    with timed() as read:
        frames = from_snapshot(load_snapshot(engine, TABLES))
    engine.dispose()
    figures["snapshot_s"] = read.seconds
    figures["persons"] = frames.persons.height
    for name, by in (("national", ()), ("by_province", ("province",))):
        with timed() as without:
            compute_indicators(frames, at, by, pack=pack)
        with timed() as with_gini:
            result = compute_indicators(frames, at, by, pack=pack, inequality=True)
        figures[f"{name}_without_gini_s"] = without.seconds
        figures[f"{name}_with_gini_s"] = with_gini.seconds
        if not by:
            gini = dict(zip(result["indicator"], result["ratio"], strict=True))
            figures["gini_before"] = round(float(gini["sdg1042.gini_before"]), 4)
            figures["gini_after"] = round(float(gini["sdg1042.gini_after"]), 4)
    figures["peak_memory_mb"] = peak_memory_mb()
    figures["load_average_after"] = os.getloadavg()[0]
    return figures
