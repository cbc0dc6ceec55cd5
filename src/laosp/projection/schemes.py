"""Cost one scheme: beneficiaries, annual benefit, cost, contributions, financing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from laosp.projection.costing import products, rap_costs, split
from laosp.projection.eligibility import eligible_per_year
from laosp.projection.macro import MacroPaths
from laosp.projection.paths import along
from laosp.projection.result import SOURCES, SchemeResult
from laosp.projection.scenario import LabourGroup, Scheme

Array = NDArray[np.float64]
Money = NDArray[np.int64]


@dataclass(frozen=True)
class Setting:
    """What every scheme is costed against."""

    years: range
    population: Array
    province_codes: tuple[str, ...]
    labour: dict[LabourGroup, Array]
    macro: MacroPaths

    def active(self, scheme: Scheme) -> Array:
        return np.array([1.0 if scheme.active(y) else 0.0 for y in self.years])


def annual_benefit(scheme: Scheme, setting: Setting) -> Array:
    """LAK a year per beneficiary (per member for a health scheme), indexed since base."""
    if scheme.health is not None:
        h = scheme.health
        base = h.capitation_per_member + h.admissions_per_member * h.case_payment
        return base * setting.macro.cpi_index
    assert scheme.benefit is not None
    per_year = along(scheme.benefit.amount, setting.years)
    per_year = per_year * (12 if scheme.benefit.per == "month" else 1)
    return per_year * setting.macro.index(scheme.benefit.indexation)


def _contributions(scheme: Scheme, setting: Setting) -> tuple[Array, Money, Money, Money]:
    spec = scheme.contributions
    zero = np.zeros(len(setting.years), dtype=np.int64)
    if spec is None:
        return np.zeros(len(setting.years)), zero, zero, zero
    eligible = eligible_per_year(
        spec.contributors, setting.years, setting.population, setting.province_codes, setting.labour
    )
    contributors = eligible * along(spec.take_up.value, setting.years) * setting.active(scheme)
    earnings = spec.insured_earnings_monthly * 12 * setting.macro.wage_index
    received = products(contributors, earnings, np.full(len(contributors), spec.rate))
    subsidy_share = (
        along(spec.subsidy_share.value, setting.years)
        if spec.subsidy_share
        else np.zeros(len(eligible))
    )
    subsidy, _ = split(received, subsidy_share)
    to_nhi, _ = split(received, np.full(len(received), spec.to_nhi_share))
    return contributors, received, subsidy, to_nhi


def cost_scheme(code: str, scheme: Scheme, setting: Setting) -> SchemeResult:
    years = setting.years
    eligible = eligible_per_year(
        scheme.eligibility, years, setting.population, setting.province_codes, setting.labour
    )
    take_up = along(scheme.take_up.value, years) * setting.active(scheme)
    benefit = annual_benefit(scheme, setting)
    cost = rap_costs(eligible, take_up, benefit, along(scheme.admin_rate.value, years))
    contributors, received, subsidy, to_nhi = _contributions(scheme, setting)
    return SchemeResult(
        code=code,
        name=scheme.name,
        name_lo=scheme.name_lo,
        kind=scheme.kind,
        eligible=eligible,
        take_up=take_up,
        beneficiaries=eligible * take_up,
        annual_benefit=benefit,
        cost=cost,
        contributors=contributors,
        contributions=received,
        contribution_subsidy=subsidy,
        to_nhi=to_nhi,
    )


def finance(
    result: SchemeResult,
    scheme: Scheme,
    years: range,
    contributions: Money,
    copayments: Money,
) -> SchemeResult:
    """Who pays the cost: contributions first, then co-payments, the rest split between
    external partners (the scheme's external-share path) and the domestic budget."""
    from_contributions = np.minimum(result.cost, np.maximum(contributions, 0))
    from_copayments = np.minimum(result.cost - from_contributions, np.maximum(copayments, 0))
    rest = result.cost - from_contributions - from_copayments
    external, domestic = split(rest, along(scheme.financing.external_share, years))
    financing = dict(
        zip(SOURCES, (from_contributions, from_copayments, domestic, external), strict=True)
    )
    return SchemeResult(**{**result.__dict__, "financing": financing})
