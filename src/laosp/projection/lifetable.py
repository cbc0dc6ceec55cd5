"""Life tables consistent with a life expectancy: a Brass relational logit model.

The standard table comes from a Siler hazard (infant, constant and senescent terms)
whose e0 is about 70 years. A target e0 is met by moving the Brass level ``alpha`` (slope
``beta`` = 1): ``logit(1 - l(x)) = alpha + logit_s(1 - l_s(x))``, with ``alpha`` found by
bisection, all targets (years × sexes) at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

TABLE_MAX_AGE = 110
OPEN_AGE = 100
INFANT_SEPARATION = 0.15  # share of the first year lived by infants who die (a0)
_SILER = {"a1": 0.045, "b1": 1.6, "a2": 0.0012, "a3": 0.000035, "b3": 0.092}


def standard_survivors() -> Array:
    """l_s(x), x = 0..110, from the Siler cumulative hazard."""
    ages = np.arange(TABLE_MAX_AGE + 1, dtype=np.float64)
    s = _SILER
    cumulative = (
        s["a1"] / s["b1"] * (1 - np.exp(-s["b1"] * ages))
        + s["a2"] * ages
        + s["a3"] / s["b3"] * (np.exp(s["b3"] * ages) - 1)
    )
    return np.asarray(np.exp(-cumulative), dtype=np.float64)


def _standard_logit() -> Array:
    survivors = standard_survivors()[1:]
    return np.asarray(0.5 * np.log((1 - survivors) / survivors), dtype=np.float64)


def survivors_for(alpha: Array) -> Array:
    """l(x), x = 0..110, for Brass levels ``alpha`` (any shape; ages on the last axis)."""
    logit = alpha[..., None] + _standard_logit()
    later = 1.0 / (1.0 + np.exp(2.0 * logit))
    ones = np.ones((*alpha.shape, 1))
    return np.concatenate([ones, later], axis=-1)


def person_years(survivors: Array) -> Array:
    """L(x), x = 0..110 (the last is the open interval, taken as l(110))."""
    closed = 0.5 * (survivors[..., :-1] + survivors[..., 1:])
    infant = survivors[..., 1] + INFANT_SEPARATION * (survivors[..., 0] - survivors[..., 1])
    closed[..., 0] = infant
    return np.concatenate([closed, survivors[..., -1:]], axis=-1)


def life_expectancy(alpha: Array) -> Array:
    return np.asarray(person_years(survivors_for(alpha)).sum(axis=-1), dtype=np.float64)


def calibrate_alpha(e0: Array, iterations: int = 60) -> Array:
    """The Brass level of each target life expectancy (e0 falls as alpha rises)."""
    low = np.full(e0.shape, -4.0)
    high = np.full(e0.shape, 4.0)
    for _ in range(iterations):
        middle = 0.5 * (low + high)
        too_long = life_expectancy(middle) > e0
        low = np.where(too_long, middle, low)
        high = np.where(too_long, high, middle)
    return np.asarray(0.5 * (low + high), dtype=np.float64)


@dataclass(frozen=True)
class Survival:
    """Projection survival ratios: ``by_age[..., x]`` carries age x to x+1 over a year
    (x = 99 into the open group 100+, x = 100 keeps 100+); ``births`` carries a newborn
    to age 0 at the year's end."""

    by_age: Array
    births: Array


def survival_for_e0(e0: Array) -> Survival:
    """Survival ratios (ages 0..100) for life expectancies of any shape."""
    years_lived = person_years(survivors_for(calibrate_alpha(e0)))
    total = np.cumsum(years_lived[..., ::-1], axis=-1)[..., ::-1]  # T(x)
    by_age = np.empty((*e0.shape, OPEN_AGE + 1))
    by_age[..., : OPEN_AGE - 1] = years_lived[..., 1:OPEN_AGE] / years_lived[..., : OPEN_AGE - 1]
    by_age[..., OPEN_AGE - 1] = total[..., OPEN_AGE] / total[..., OPEN_AGE - 1]
    by_age[..., OPEN_AGE] = total[..., OPEN_AGE + 1] / total[..., OPEN_AGE]
    return Survival(by_age=by_age, births=years_lived[..., 0])
