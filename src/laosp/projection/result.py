"""What a projection returns: per scheme, the NHI fund, the totals, as arrays per year."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from laosp.projection.cohort import PopulationProjection
from laosp.projection.macro import MacroPaths
from laosp.projection.scenario import Scenario

Array = NDArray[np.float64]
Money = NDArray[np.int64]
SOURCES = ("contributions", "copayments", "domestic", "external")


@dataclass(frozen=True)
class SchemeResult:
    code: str
    name: str
    name_lo: str
    kind: str
    eligible: Array
    take_up: Array
    beneficiaries: Array
    annual_benefit: Array
    cost: Money
    contributors: Array
    contributions: Money
    contribution_subsidy: Money
    to_nhi: Money
    financing: dict[str, Money] = field(default_factory=dict)


@dataclass(frozen=True)
class FundResult:
    """The health insurance fund: revenue against expenditure (LAK)."""

    members: Array
    expenditure: Money
    government_transfer: Money
    copayments: Money
    contributions: Money
    revenue: Money
    balance: Money
    closing_transfer: Money
    balance_after_transfer: Money


@dataclass(frozen=True)
class ProjectionResult:
    scenario: Scenario
    years: NDArray[np.int64]
    province_codes: tuple[str, ...]
    population: PopulationProjection
    macro: MacroPaths
    schemes: dict[str, SchemeResult]
    fund: FundResult | None

    def total(self, attribute: str) -> Money:
        zero = np.zeros(len(self.years), dtype=np.int64)
        return sum((getattr(s, attribute) for s in self.schemes.values()), zero)

    @property
    def spending(self) -> Money:
        return self.total("cost")

    def financing(self, source: str) -> Money:
        zero = np.zeros(len(self.years), dtype=np.int64)
        return sum((s.financing[source] for s in self.schemes.values()), zero)

    @property
    def government_budget(self) -> Money:
        """Domestic financing of benefits plus contribution subsidies paid to the funds."""
        return self.financing("domestic") + self.total("contribution_subsidy")

    def summary(self) -> pl.DataFrame:
        """One row per year: population, GDP, spending and its financing, ratios, NHI."""
        spending = self.spending
        macro = self.macro
        columns: dict[str, Any] = {
            "year": self.years,
            "population": self.population.population.sum(axis=(1, 2, 3)),
            "gdp_lak": macro.gdp_nominal,
            "government_expenditure_lak": macro.government_expenditure,
            "spending_lak": spending,
            "spending_usd": spending / macro.exchange_rate,
            "spending_pct_gdp": 100 * spending / macro.gdp_nominal,
            "spending_pct_government": 100 * spending / macro.government_expenditure,
        }
        for source in SOURCES:
            columns[f"financed_{source}_lak"] = self.financing(source)
        columns["contribution_subsidy_lak"] = self.total("contribution_subsidy")
        columns["government_budget_lak"] = self.government_budget
        if self.fund is not None:
            columns["nhi_balance_lak"] = self.fund.balance
            columns["nhi_closing_transfer_lak"] = self.fund.closing_transfer
        return pl.DataFrame(columns)

    def schemes_frame(self) -> pl.DataFrame:
        """One row per scheme and year."""
        frames = []
        for s in self.schemes.values():
            columns: dict[str, Any] = {
                "scheme": s.code,
                "year": self.years,
                "eligible": s.eligible,
                "take_up": s.take_up,
                "beneficiaries": s.beneficiaries,
                "annual_benefit_lak": s.annual_benefit,
                "cost_lak": s.cost,
                "cost_usd": s.cost / self.macro.exchange_rate,
                "cost_pct_gdp": 100 * s.cost / self.macro.gdp_nominal,
                "cost_pct_government": 100 * s.cost / self.macro.government_expenditure,
                "contributors": s.contributors,
                "contributions_lak": s.contributions,
                "contribution_subsidy_lak": s.contribution_subsidy,
            }
            for source in SOURCES:
                columns[f"financed_{source}_lak"] = s.financing[source]
            frames.append(pl.DataFrame(columns))
        return pl.concat(frames) if frames else pl.DataFrame()

    def fund_frame(self) -> pl.DataFrame:
        if self.fund is None:
            return pl.DataFrame()
        f = self.fund
        return pl.DataFrame(
            {
                "year": self.years,
                "members": f.members,
                "expenditure_lak": f.expenditure,
                "government_transfer_lak": f.government_transfer,
                "copayments_lak": f.copayments,
                "contributions_lak": f.contributions,
                "revenue_lak": f.revenue,
                "balance_lak": f.balance,
                "closing_transfer_lak": f.closing_transfer,
                "balance_after_transfer_lak": f.balance_after_transfer,
            }
        )
