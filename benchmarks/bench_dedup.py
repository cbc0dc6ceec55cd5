"""Deduplication quality and speed on a synthetic population with planted duplicates
(``laosp.synth``: 2 % of persons copied with spelling variants, typos and date slips).

``python -m benchmarks dedup --scale 1.0 [--option threshold=0.85] [--option cap=500]``

The population is generated in a child process and handed over as Parquet, so that
``peak_memory_mb`` is that of deduplication alone (the persons frame and the work on
it), not of the generator (``generation_peak_memory_mb``, the child's peak).
"""

from __future__ import annotations

import multiprocessing
import resource
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import polars as pl

from benchmarks.registry import BenchmarkContext, Figures, benchmark, peak_memory_mb, timed
from laosp.registry.dedup import COLUMNS, DEFAULT_THRESHOLD, deduplicate
from laosp.registry.dedup_blocking import MAX_BLOCK
from laosp.rules.pack import load_pack
from laosp.synth.population import Config, generate_people

DUPLICATE_RATE = 0.02


def _ordered(frame: pl.DataFrame) -> pl.DataFrame:
    a, b = pl.col("person_id"), pl.col("duplicate_id")
    return frame.select(pl.min_horizontal(a, b).alias("a"), pl.max_horizontal(a, b).alias("b"))


def _generate(scale: float, directory: str) -> float:
    """Write ``persons.parquet`` and ``truth.parquet``; the child's peak memory (MiB)."""
    population = generate_people(Config(scale=scale, duplicates=DUPLICATE_RATE), load_pack())
    villages = population.households.select("household_id", "village_code")
    persons = population.people.join(villages, on="household_id", how="left").select(COLUMNS)
    persons.write_parquet(Path(directory) / "persons.parquet")
    _ordered(population.duplicate_pairs).write_parquet(Path(directory) / "truth.parquet")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@benchmark("dedup")
def bench_dedup(context: BenchmarkContext) -> Figures:
    threshold = float(context.options.get("threshold", DEFAULT_THRESHOLD))
    cap = int(context.options.get("cap", MAX_BLOCK))
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as directory:
        with timed() as generation, ProcessPoolExecutor(1, mp_context=spawn) as child:
            generation_peak = child.submit(_generate, context.scale, directory).result()
        persons = pl.read_parquet(Path(directory) / "persons.parquet")
        truth = pl.read_parquet(Path(directory) / "truth.parquet")
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
        "peak_memory_mb": peak_memory_mb(),
    }
