"""Chart scales shared by the dashboard's SVG charts and the briefs' PDF charts."""

from __future__ import annotations

import math


def axis_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values (steps of 1, 2, 2.5 or 5 × 10^k) spanning ``low``
    to ``high``, so that no two labels read the same."""
    if high <= low:
        return [low]
    raw = (high - low) / (count - 1)
    if raw < 1e-300:  # a span too small for decimal steps: the two ends are the ticks
        return [low, high]
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [index * step for index in range(first, last + 1)]
