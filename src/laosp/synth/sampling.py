"""Vectorised sampling helpers: exact counts drawn with weights, no loops over rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

Array = npt.NDArray[Any]


def pick(rng: np.random.Generator, weights: Array, k: int) -> npt.NDArray[np.bool_]:
    """A mask of exactly ``k`` rows (fewer if fewer have a positive weight), drawn
    without replacement with probability proportional to ``weights``
    (Efraimidis–Spirakis keys: the ``k`` largest ``log(u) / w``)."""
    w = np.asarray(weights, dtype=np.float64)
    u: npt.NDArray[np.float64] = rng.random(size=(len(w),))
    mask = np.zeros(w.shape[0], dtype=np.bool_)
    positive = w > 0
    k = min(int(k), int(positive.sum()))
    if k <= 0:
        return mask
    keys: npt.NDArray[np.float64] = np.full(w.shape[0], -np.inf)
    keys[positive] = np.log(np.maximum(u[positive], 1e-300)) / w[positive]
    mask[np.argpartition(-keys, k - 1)[:k]] = True
    return mask


def pick_by_total(
    rng: np.random.Generator, weights: Array, sizes: Array, total: int
) -> npt.NDArray[np.bool_]:
    """A mask of rows (households) drawn with ``weights`` until their ``sizes`` (persons)
    add up to ``total``: the share of persons is hit, not the share of households."""
    w = np.asarray(weights, dtype=np.float64)
    u = rng.random(w.shape[0])
    keys = np.where(w > 0, np.log(np.maximum(u, 1e-300)) / np.where(w > 0, w, 1.0), -np.inf)
    order = np.argsort(-keys, kind="stable")
    reached = np.cumsum(np.asarray(sizes)[order]) <= total
    mask = np.zeros(w.shape[0], dtype=np.bool_)
    mask[order[reached & np.isfinite(keys[order])]] = True
    return mask


def apportion(total: int, shares: Array) -> npt.NDArray[np.int64]:
    """Split ``total`` into whole parts proportional to ``shares`` (largest remainder)."""
    s = np.asarray(shares, dtype=np.float64)
    exact = total * s / s.sum()
    base = np.floor(exact).astype(np.int64)
    short = total - int(base.sum())
    if short > 0:
        base[np.argsort(-(exact - base), kind="stable")[:short]] += 1
    result: npt.NDArray[np.int64] = base
    return result


def assign_counts(rng: np.random.Generator, labels: Array, counts: Array) -> Array:
    """A random permutation of ``labels[i]`` repeated ``counts[i]`` times."""
    values = np.repeat(np.asarray(labels), np.asarray(counts))
    return rng.permutation(values)


def coded(codes: Array, labels: Sequence[str | None], name: str = "") -> pl.Series:
    """A string column from integer ``codes`` into ``labels`` (fast: no Python strings
    per row)."""
    return pl.Series(name, list(labels), dtype=pl.String).gather(np.asarray(codes, dtype=np.int64))
