"""Macro-economic paths: nominal GDP, price and wage indices, government spending, LAK/USD."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from laosp.projection.paths import along, compound
from laosp.projection.scenario import Indexation, Macro

Array = NDArray[np.float64]


@dataclass(frozen=True)
class MacroPaths:
    """Per projection year (base year first); indices are 1 in the base year."""

    gdp_nominal: Array
    gdp_real_growth: Array
    cpi_index: Array
    wage_index: Array
    government_expenditure: Array
    exchange_rate: Array

    def index(self, indexation: Indexation) -> Array:
        if indexation == "cpi":
            return self.cpi_index
        if indexation == "wages":
            return self.wage_index
        return np.ones_like(self.cpi_index)


def macro_paths(spec: Macro, years: range) -> MacroPaths:
    real = along(spec.gdp_real_growth.value, years)
    deflator = along(spec.gdp_deflator_growth.value, years)
    cpi = along(spec.cpi_inflation.value, years)
    real_wages = along(spec.real_wage_growth.value, years)
    gdp = along(spec.gdp_nominal_base.value, years)[0] * compound((1 + real) * (1 + deflator) - 1)
    return MacroPaths(
        gdp_nominal=gdp,
        gdp_real_growth=real,
        cpi_index=compound(cpi),
        wage_index=compound((1 + cpi) * (1 + real_wages) - 1),
        government_expenditure=gdp * along(spec.government_expenditure_share.value, years),
        exchange_rate=along(spec.exchange_rate.value, years),
    )
