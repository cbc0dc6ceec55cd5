"""The cohort-component projection by province × sex × single age (0..100+).

Each year: the population at the start of the year survives one year of age (the open
group 100+ accumulates), women aged x bear children at ``asfr[x]`` over their average
exposure in the year, newborns survive to age 0 at the year's end, and net migrants
arrive at the end of the year (never more emigrants than there are persons in a cell).
Sex index 0 is female, 1 male.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
AGES = 101
FEMALE, MALE = 0, 1


@dataclass(frozen=True)
class DemographicInputs:
    """Rates of each step (year t → t+1), the step on the first axis.

    survival [step, sex, age]; birth_survival [step, sex]; asfr [step, age];
    female_birth_share [step]; migration [step, province, sex, age] (net persons).
    """

    survival: Array
    birth_survival: Array
    asfr: Array
    female_birth_share: Array
    migration: Array

    @property
    def steps(self) -> int:
        return int(self.asfr.shape[0])


@dataclass(frozen=True)
class PopulationProjection:
    """population [year, province, sex, age] at the start of each year; the flows of each
    step [step, province, sex]."""

    population: Array
    births: Array
    deaths: Array
    migration: Array


def project_cohorts(base: Array, inputs: DemographicInputs) -> PopulationProjection:
    provinces, sexes, ages = base.shape
    steps = inputs.steps
    population = np.empty((steps + 1, provinces, sexes, ages))
    births = np.empty((steps, provinces, sexes))
    deaths = np.empty((steps, provinces, sexes))
    migration = np.empty((steps, provinces, sexes))
    population[0] = base
    sex_split = np.stack([inputs.female_birth_share, 1 - inputs.female_birth_share], axis=1)
    for step in range(steps):
        start = population[step]
        staying = start * inputs.survival[step][None, :, :]
        survived = np.zeros_like(start)
        survived[..., 1:] = staying[..., :-1]
        survived[..., -1] += staying[..., -1]
        exposure = 0.5 * (start[:, FEMALE, :] + survived[:, FEMALE, :])
        born = (exposure @ inputs.asfr[step])[:, None] * sex_split[step][None, :]
        newborns = born * inputs.birth_survival[step][None, :]
        survived[..., 0] = newborns
        net = inputs.migration[step]
        effective = np.maximum(net, -survived)
        population[step + 1] = survived + effective
        births[step] = born
        deaths[step] = (start - staying).sum(axis=-1) + (born - newborns)
        migration[step] = effective.sum(axis=-1)
    return PopulationProjection(population, births, deaths, migration)


def fertility_pattern(mean_age: float, shape: float = 5.0) -> Array:
    """Age pattern of fertility (sums to 1 over ages 15..49): a gamma density from 14.5."""
    ages = np.arange(AGES, dtype=np.float64) + 0.5 - 14.5
    scale = (mean_age - 14.5) / shape
    density = np.where(ages > 0, np.abs(ages) ** (shape - 1) * np.exp(-ages / scale), 0.0)
    density[:15] = 0.0
    density[50:] = 0.0
    return np.asarray(density / density.sum(), dtype=np.float64)


def migration_pattern() -> Array:
    """Age profile of net migrants (sums to 1): mostly young adults, some children."""
    ages = np.arange(AGES, dtype=np.float64)
    profile = np.exp(-(((ages - 24.0) / 7.0) ** 2)) + 0.15 * np.exp(-(((ages - 4.0) / 5.0) ** 2))
    return np.asarray(profile / profile.sum(), dtype=np.float64)
