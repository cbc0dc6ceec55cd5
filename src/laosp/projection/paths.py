"""Evaluate assumption paths (a number, or year → value) over the projection years."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from laosp.projection.scenario import Path

Array = NDArray[np.float64]


def along(path: Path, years: range) -> Array:
    """Values per year: linear between the years given, constant outside them."""
    grid = np.arange(years.start, years.stop, dtype=np.float64)
    if isinstance(path, int | float):
        return np.full(grid.shape, float(path))
    known = sorted(path.items())
    xs = np.array([float(year) for year, _ in known])
    ys = np.array([float(value) for _, value in known])
    return np.asarray(np.interp(grid, xs, ys), dtype=np.float64)


def compound(growth: Array) -> Array:
    """Index (base year = 1 exactly) from yearly growth rates; the base year's rate is
    the growth into the base year and is not applied."""
    factors = np.concatenate([[1.0], 1.0 + growth[1:]])
    return np.asarray(np.cumprod(factors), dtype=np.float64)
