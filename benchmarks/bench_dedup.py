"""Deduplication quality and speed on a synthetic population with planted duplicates
(``laosp.synth``: 2 % of persons copied with spelling variants, typos and date slips).

``python -m benchmarks dedup --scale 0.02 [--option threshold=0.85]``
"""

from __future__ import annotations

import polars as pl

from benchmarks.registry import BenchmarkContext, Figures, benchmark, peak_memory_mb, timed
from laosp.registry.dedup import COLUMNS, DEFAULT_THRESHOLD, find_duplicates
from laosp.synth.population import Config, generate_people

DUPLICATE_RATE = 0.02


def _ordered(frame: pl.DataFrame) -> pl.DataFrame:
    a, b = pl.col("person_id"), pl.col("duplicate_id")
    return frame.select(pl.min_horizontal(a, b).alias("a"), pl.max_horizontal(a, b).alias("b"))


@benchmark("dedup")
def bench_dedup(context: BenchmarkContext) -> Figures:
    scale = min(context.scale, 0.05)
    threshold = float(context.options.get("threshold", DEFAULT_THRESHOLD))
    population = generate_people(Config(scale=scale, duplicates=DUPLICATE_RATE))
    villages = population.households.select("household_id", "village_code")
    persons = population.people.join(villages, on="household_id", how="left").select(COLUMNS)
    with timed() as watch:
        found = find_duplicates(persons, threshold)
    truth = _ordered(population.duplicate_pairs)
    hits = _ordered(found).join(truth, on=["a", "b"], how="semi").height
    return {
        "scale": scale,
        "persons": persons.height,
        "planted_pairs": truth.height,
        "pairs_found": found.height,
        "precision": hits / max(found.height, 1),
        "recall": hits / max(truth.height, 1),
        "seconds": watch.seconds,
        "persons_per_second": persons.height / max(watch.seconds, 1e-9),
        "peak_memory_mb": peak_memory_mb(),
    }
