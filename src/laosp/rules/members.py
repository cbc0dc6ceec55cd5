"""Household totals over members: sums, any, all and counts of a person column.

Persons are given as each one's row in the household frame (``size`` for a person whose
household is not in the frame: an extra bin that is dropped). Registers list a
household's members together, so the rows usually come sorted: then each household's
members are one slice and ``np.add.reduceat`` adds the slices in whole integers;
otherwise ``np.bincount`` adds by row (in floats, exact for whole kip below 2**53).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class Members:
    rows: np.ndarray  # each person's household row
    size: int  # households
    starts: np.ndarray | None  # sorted rows: where each household's slice begins
    groups: np.ndarray | None  # ... and whose slice it is

    @classmethod
    def of(cls, rows: pl.Series, size: int) -> Members:
        array = rows.fill_null(size).to_numpy()
        if len(array) and bool((array[1:] >= array[:-1]).all()):
            starts = np.flatnonzero(np.diff(array, prepend=-1))
            return cls(array, size, starts, array[starts])
        return cls(array, size, None, None)

    def total(self, values: pl.Series) -> np.ndarray:
        """Per household, the sum of ``values`` (numbers or true/false; null counts 0)."""
        if values.dtype == pl.Boolean:
            values = values.cast(pl.Int64)
        if self.starts is not None and self.groups is not None and values.dtype.is_integer():
            sums = np.add.reduceat(values.fill_null(0).cast(pl.Int64).to_numpy(), self.starts)
            total = np.zeros(self.size + 1, dtype=np.int64)
            total[self.groups] = sums
            return total[: self.size]
        weights = values.cast(pl.Float64).fill_null(0).to_numpy()
        return np.bincount(self.rows, weights=weights, minlength=self.size + 1)[: self.size]

    def aggregate(self, function: str, values: pl.Series, kind: str) -> pl.Series:
        """``function`` (sum, any, all, count) of ``values`` per household."""
        if function == "all":
            return pl.Series(self.total(~values) == 0)
        total = self.total(values)
        if function == "any":
            return pl.Series(total > 0)
        if kind == "float":
            return pl.Series(total.astype(np.float64))
        return pl.Series(np.rint(total).astype(np.int64) if total.dtype.kind == "f" else total)
