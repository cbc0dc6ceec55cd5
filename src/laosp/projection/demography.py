"""Turn a scenario's demographic assumptions into cohort-component inputs and run them."""

from __future__ import annotations

import numpy as np

from laosp.projection.base_population import BaseTable
from laosp.projection.cohort import (
    DemographicInputs,
    PopulationProjection,
    fertility_pattern,
    migration_pattern,
    project_cohorts,
)
from laosp.projection.lifetable import survival_for_e0
from laosp.projection.paths import along
from laosp.projection.scenario import Demography


def demographic_inputs(spec: Demography, years: range, base: BaseTable) -> DemographicInputs:
    steps = range(years.start, years.stop - 1)
    e0 = np.stack(
        [along(spec.mortality.e0_female, steps), along(spec.mortality.e0_male, steps)], axis=1
    )
    survival = survival_for_e0(e0)
    tfr = along(spec.fertility.tfr, steps)
    asfr = tfr[:, None] * fertility_pattern(spec.fertility.mean_age)[None, :]
    female_share = np.full(len(steps), 1.0 / (1.0 + spec.fertility.sex_ratio_at_birth))
    totals = base.counts.sum(axis=(1, 2))
    province_share = totals / totals.sum()
    per_sex = migration_pattern()[None, None, :] * 0.5
    net = along(spec.migration.net_per_year, steps)
    migration = net[:, None, None, None] * province_share[None, :, None, None] * per_sex[None]
    migration = np.broadcast_to(migration, (len(steps), *base.counts.shape)).copy()
    return DemographicInputs(
        survival=survival.by_age,
        birth_survival=survival.births,
        asfr=asfr,
        female_birth_share=female_share,
        migration=migration,
    )


def project_population(spec: Demography, years: range, base: BaseTable) -> PopulationProjection:
    return project_cohorts(base.counts, demographic_inputs(spec, years, base))
