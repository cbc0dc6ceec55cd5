"""The cohort-component projection: ageing alone, and the accounting identity."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from laosp.projection.base_population import illustrative_base
from laosp.projection.cohort import AGES, DemographicInputs, project_cohorts
from laosp.projection.demography import project_population
from laosp.projection.loading import load_scenario
from laosp.projection.scenario import Fertility, Migration, Mortality
from tests.projection.conftest import PACK


def _still_inputs(steps: int, shape: tuple[int, int, int]) -> DemographicInputs:
    return DemographicInputs(
        survival=np.ones((steps, 2, AGES)),
        birth_survival=np.ones((steps, 2)),
        asfr=np.zeros((steps, AGES)),
        female_birth_share=np.full(steps, 0.5),
        migration=np.zeros((steps, *shape)),
    )


def test_without_births_deaths_or_migration_the_population_only_ages() -> None:
    base = np.random.default_rng(7).uniform(0, 1000, size=(3, 2, AGES))
    steps = 12
    projection = project_cohorts(base, _still_inputs(steps, base.shape))
    population = projection.population
    for year in range(steps):
        before, after = population[year], population[year + 1]
        assert np.array_equal(after[..., 1 : AGES - 1], before[..., : AGES - 2])
        assert np.allclose(after[..., -1], before[..., -2] + before[..., -1], rtol=1e-15)
        assert np.all(after[..., 0] == 0)
    assert np.isclose(population[-1].sum(), base.sum(), rtol=1e-12)
    assert np.all(projection.births == 0)
    assert np.all(projection.deaths == 0)


def test_the_open_age_group_accumulates() -> None:
    base = np.zeros((1, 2, AGES))
    base[0, :, 95] = 10.0
    population = project_cohorts(base, _still_inputs(20, base.shape)).population
    assert population[20, 0, 0, -1] == 10.0
    assert population[20].sum() == 20.0


@settings(max_examples=40, deadline=None)
@given(
    tfr=st.floats(0.0, 7.0),
    e0_female=st.floats(25.0, 92.0),
    e0_male=st.floats(25.0, 92.0),
    migration=st.floats(-3_000_000.0, 500_000.0),
    mean_age=st.floats(22.0, 34.0),
)
def test_births_minus_deaths_plus_migration_is_the_change(
    tfr: float, e0_female: float, e0_male: float, migration: float, mean_age: float
) -> None:
    default = load_scenario("lao_default", PACK)
    spec = default.demography.model_copy(
        update={
            "fertility": Fertility(tfr=tfr, mean_age=mean_age, source="test"),
            "mortality": Mortality(e0_female=e0_female, e0_male=e0_male, source="test"),
            "migration": Migration(net_per_year=migration, source="test"),
        }
    )
    assert spec.base.illustrative is not None
    base = illustrative_base(spec.base.illustrative)
    projection = project_population(spec, range(2025, 2041), base)
    totals = projection.population.sum(axis=(1, 2, 3))
    flows = (projection.births - projection.deaths + projection.migration).sum(axis=(1, 2))
    assert np.allclose(np.diff(totals), flows, rtol=0, atol=1e-6 * totals.max())
    assert np.all(projection.population >= 0)
    assert np.all(projection.deaths >= 0)
    assert np.all(projection.births >= 0)
