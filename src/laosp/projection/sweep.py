"""Sensitivity: run a scenario under a grid of assumption values, in parallel, and report
the spread (min / median / max) of the key outputs per year."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from laosp.projection.engine import run_projection
from laosp.projection.loading import ScenarioError, apply_overrides, link, validate
from laosp.rules.pack import Pack

KEY_OUTPUTS = (
    "spending_lak",
    "spending_pct_gdp",
    "government_budget_lak",
    "financed_external_lak",
    "nhi_closing_transfer_lak",
)
Variant = dict[str, float]


@dataclass(frozen=True)
class Axis:
    key: str
    values: tuple[float, ...]


def parse_axis(text: str) -> Axis:
    """``key=low:high:count`` (evenly spaced) or ``key=v1,v2,...``."""
    key, sep, spec = text.partition("=")
    if not sep or not key or not spec:
        raise ScenarioError(f"--vary {text}: expected KEY=LOW:HIGH:COUNT or KEY=V1,V2,...")
    try:
        if ":" in spec:
            low, high, count = spec.split(":")
            values = tuple(float(v) for v in np.linspace(float(low), float(high), int(count)))
        else:
            values = tuple(float(v) for v in spec.split(","))
    except ValueError as error:
        raise ScenarioError(f"--vary {text}: {error}") from None
    return Axis(key.strip(), values)


def grid(axes: Sequence[Axis]) -> list[Variant]:
    keys = [axis.key for axis in axes]
    return [
        dict(zip(keys, combo, strict=True))
        for combo in itertools.product(*(a.values for a in axes))
    ]


def key_outputs(
    raw: Mapping[str, Any], variant: Variant, end_year: int | None
) -> NDArray[np.float64]:
    """[output, year] for one variant (the outputs of ``KEY_OUTPUTS``)."""
    scenario = validate(apply_overrides(dict(raw), variant, "variant"), f"variant {variant}")
    summary = run_projection(scenario, end_year=end_year).summary()
    columns = [
        summary[c] if c in summary.columns else pl.Series([0] * summary.height) for c in KEY_OUTPUTS
    ]
    return np.stack([c.cast(pl.Float64).to_numpy() for c in columns])


def _run_chunk(
    raw: Mapping[str, Any], chunk: list[Variant], end_year: int | None
) -> NDArray[np.float64]:
    return np.stack([key_outputs(raw, variant, end_year) for variant in chunk])


@dataclass(frozen=True)
class SweepResult:
    years: NDArray[np.int64]
    variants: list[Variant]
    outputs: NDArray[np.float64]  # [variant, output, year]

    def spread(self) -> pl.DataFrame:
        """Per output and year: min, median, max over the variants."""
        frames = [
            pl.DataFrame(
                {
                    "output": name,
                    "year": self.years,
                    "min": self.outputs[:, i, :].min(axis=0),
                    "median": np.median(self.outputs[:, i, :], axis=0),
                    "max": self.outputs[:, i, :].max(axis=0),
                }
            )
            for i, name in enumerate(KEY_OUTPUTS)
        ]
        return pl.concat(frames)


def run_sweep(
    raw: Mapping[str, Any],
    variants: list[Variant],
    pack: Pack,
    end_year: int | None = None,
    workers: int = 2,
) -> SweepResult:
    """Run every variant of ``raw`` (its pack schemes' facts from ``pack``); with
    ``workers`` > 1 in that many processes, in chunks."""
    if not variants:
        raise ScenarioError("a sweep needs at least one variant")
    raw = link(dict(raw), pack, "sweep")
    key_outputs(raw, variants[0], end_year)  # fail early, in this process, on a bad key
    if workers <= 1:
        outputs = _run_chunk(raw, variants, end_year)
    else:
        size = max(1, -(-len(variants) // (workers * 4)))
        chunks = [variants[i : i + size] for i in range(0, len(variants), size)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = pool.map(_run_chunk, [raw] * len(chunks), chunks, [end_year] * len(chunks))
            outputs = np.concatenate(list(parts))
    scenario = validate(dict(raw), "sweep")
    last = end_year or scenario.scenario.end_year
    years = np.arange(scenario.scenario.base_year, last + 1, dtype=np.int64)
    return SweepResult(years=years, variants=variants, outputs=outputs)
