"""Deduplication quality and speed on a synthetic population with planted duplicates
(``laosp.synth``: 2 % of persons copied with spelling variants, typos and date slips).

``python -m benchmarks dedup --scale 1.0 [--option threshold=0.85] [--option cap=500]``

``peak_memory_mb`` is the peak of the whole process (the generator's included);
``dedup_peak_memory_mb`` the peak during deduplication alone (Linux: the high-water
mark is reset before it, ``/proc/self/clear_refs``).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from benchmarks.registry import BenchmarkContext, Figures, benchmark, peak_memory_mb, timed
from laosp.registry.dedup import COLUMNS, DEFAULT_THRESHOLD, deduplicate
from laosp.registry.dedup_blocking import MAX_BLOCK
from laosp.synth.population import Config, generate_people

DUPLICATE_RATE = 0.02
_STATUS = Path("/proc/self/status")


def _ordered(frame: pl.DataFrame) -> pl.DataFrame:
    a, b = pl.col("person_id"), pl.col("duplicate_id")
    return frame.select(pl.min_horizontal(a, b).alias("a"), pl.max_horizontal(a, b).alias("b"))


def _reset_high_water_mark() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _high_water_mark_mb() -> float:
    found = re.search(r"VmHWM:\s+(\d+) kB", _STATUS.read_text())
    return int(found.group(1)) / 1024 if found else float("nan")


@benchmark("dedup")
def bench_dedup(context: BenchmarkContext) -> Figures:
    threshold = float(context.options.get("threshold", DEFAULT_THRESHOLD))
    cap = int(context.options.get("cap", MAX_BLOCK))
    with timed() as generation:
        population = generate_people(Config(scale=context.scale, duplicates=DUPLICATE_RATE))
        villages = population.households.select("household_id", "village_code")
        persons = population.people.join(villages, on="household_id", how="left").select(COLUMNS)
        truth = _ordered(population.duplicate_pairs)
        del population, villages
    generation_peak = peak_memory_mb()
    reset = _reset_high_water_mark()
    with timed() as watch:
        result = deduplicate(persons, threshold, cap=cap)
    found = result.pairs
    hits = _ordered(found).join(truth, on=["a", "b"], how="semi").height
    return {
        "scale": context.scale,
        "persons": persons.height,
        "planted_pairs": truth.height,
        "candidate_pairs_scored": result.stats.candidates,
        **{f"candidates_{name}": count for name, count in result.stats.by_rule.items()},
        "skipped_blocks": result.stats.skipped_blocks,
        "skipped_persons": result.stats.skipped_persons,
        "pairs_found": found.height,
        "precision": hits / max(found.height, 1),
        "recall": hits / max(truth.height, 1),
        "generation_seconds": generation.seconds,
        "seconds": watch.seconds,
        "persons_per_second": persons.height / max(watch.seconds, 1e-9),
        "generation_peak_memory_mb": generation_peak,
        "dedup_peak_memory_mb": _high_water_mark_mb() if reset else float("nan"),
        "peak_memory_mb": peak_memory_mb(),
    }
