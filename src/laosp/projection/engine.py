"""Run a scenario: population, labour, macro, every scheme, the NHI fund, financing."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from laosp.projection.base_population import BaseTable, base_for
from laosp.projection.cohort import PopulationProjection
from laosp.projection.demography import project_population
from laosp.projection.fund import health_fund
from laosp.projection.labour import group_shares
from laosp.projection.macro import macro_paths
from laosp.projection.result import ProjectionResult, SchemeResult
from laosp.projection.scenario import Demography, Scenario
from laosp.projection.schemes import Setting, cost_scheme, finance


@lru_cache(maxsize=8)
def _cached_population(
    demography_json: str, start: int, stop: int
) -> tuple[PopulationProjection, tuple[str, ...]]:
    spec = Demography.model_validate_json(demography_json)
    base = base_for(spec.base)
    return project_population(spec, range(start, stop), base), base.province_codes


def population_for(
    scenario: Scenario, registry: BaseTable | None = None
) -> tuple[PopulationProjection, tuple[str, ...]]:
    """The projected population; variants sharing their demography reuse one run."""
    years = scenario.years
    if scenario.demography.base.kind == "registry":
        base = base_for(scenario.demography.base, registry)
        return project_population(scenario.demography, years, base), base.province_codes
    key = scenario.demography.model_dump_json()
    return _cached_population(key, years.start, years.stop)


def run_projection(
    scenario: Scenario, registry: BaseTable | None = None, end_year: int | None = None
) -> ProjectionResult:
    if end_year is not None:
        info = scenario.scenario.model_copy(update={"end_year": end_year})
        scenario = scenario.model_copy(update={"scenario": info})
    years = scenario.years
    population, codes = population_for(scenario, registry)
    setting = Setting(
        years=years,
        population=population.population,
        province_codes=codes,
        labour=group_shares(scenario.labour),
        macro=macro_paths(scenario.macro, years),
    )
    costed = {
        code: cost_scheme(code, scheme, setting)
        for code, scheme in scenario.schemes.items()
        if scheme.enabled
    }
    zero = np.zeros(len(years), dtype=np.int64)
    routed = sum((r.to_nhi for r in costed.values()), zero)
    schemes: dict[str, SchemeResult] = {}
    fund = None
    for code, result in costed.items():
        scheme = scenario.schemes[code]
        if scheme.health is not None:
            fund = health_fund(result, scheme.health, setting.macro, routed)
            schemes[code] = finance(result, scheme, years, routed, fund.copayments)
        else:
            own = result.contributions - result.to_nhi
            schemes[code] = finance(result, scheme, years, own, zero)
    return ProjectionResult(
        scenario=scenario,
        years=np.arange(years.start, years.stop, dtype=np.int64),
        province_codes=codes,
        population=population,
        macro=setting.macro,
        schemes=schemes,
        fund=fund,
    )
