"""RAP costing in exact decimal arithmetic, rounded once to whole kip (halves up).

``cost = eligible × take_up × annual_benefit × (1 + admin_rate)``. Each float enters
as the decimal it was written as (its shortest repr), so 0.6 × 2,393,000 × 4,800 × 1.05
is exactly 7,236,432,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Context, Decimal

import numpy as np
from numpy.typing import NDArray

Money = NDArray[np.int64]
_CONTEXT = Context(prec=60)


def exact(value: float | int) -> Decimal:
    if isinstance(value, int | np.integer):
        return Decimal(int(value))
    return Decimal(repr(float(value)))


def whole_kip(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP, context=_CONTEXT))


def product(*factors: float | int) -> int:
    """The exact product of the factors, rounded to whole kip."""
    total = Decimal(1)
    for factor in factors:
        total = _CONTEXT.multiply(total, exact(factor))
    return whole_kip(total)


def rap_cost(
    eligible: float | int,
    take_up: float,
    annual_benefit: float | int,
    admin_rate: float,
) -> int:
    """The RAP cost of one scheme in one year."""
    loaded = _CONTEXT.add(Decimal(1), exact(admin_rate))
    total = _CONTEXT.multiply(
        _CONTEXT.multiply(
            _CONTEXT.multiply(exact(eligible), exact(take_up)), exact(annual_benefit)
        ),
        loaded,
    )
    return whole_kip(total)


def rap_costs(
    eligible: Sequence[float] | NDArray[np.float64],
    take_up: Sequence[float] | NDArray[np.float64],
    annual_benefit: Sequence[float] | NDArray[np.float64],
    admin_rate: Sequence[float] | NDArray[np.float64],
) -> Money:
    """``rap_cost`` for each year."""
    return np.array(
        [
            rap_cost(float(e), float(t), float(b), float(a))
            for e, t, b, a in zip(eligible, take_up, annual_benefit, admin_rate, strict=True)
        ],
        dtype=np.int64,
    )


def products(*columns: Sequence[float] | NDArray[np.float64]) -> Money:
    """``product`` for each year."""
    return np.array([product(*row) for row in zip(*columns, strict=True)], dtype=np.int64)


def split(amount: Money, share: NDArray[np.float64]) -> tuple[Money, Money]:
    """Split whole-kip amounts into (share part, rest), the parts summing exactly."""
    part = np.array([product(int(a), float(s)) for a, s in zip(amount, share, strict=True)])
    part = part.astype(np.int64)
    return part, amount - part
