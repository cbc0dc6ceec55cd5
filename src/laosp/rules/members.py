"""Household totals over members: sums, any, all and counts of a person column.

Persons are given as each one's row in the household frame (``size`` for a person whose
household is not in the frame: an extra bin that is dropped). ``np.bincount`` adds by
row in one pass; its float sums of whole kip are exact below 2**53 (9 × 10**15 kip).
Slice sums over sorted rows (``np.add.reduceat``, differences of a cumulative sum) were
tried in development profiling and were slower.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class Members:
    rows: np.ndarray  # each person's household row
    size: int  # households

    @classmethod
    def of(cls, rows: pl.Series, size: int) -> Members:
        return cls(rows.fill_null(size).to_numpy(), size)

    def total(self, values: pl.Series) -> np.ndarray:
        """Per household, the sum of ``values`` (numbers or true/false; null counts 0)."""
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
            return pl.Series(total)
        return pl.Series(np.rint(total).astype(np.int64))
