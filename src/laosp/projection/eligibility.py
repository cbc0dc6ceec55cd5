"""Eligible persons per year: declarative cell rules on the projected population, or a
number given in the scenario (aggregate mode)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from laosp.projection.base_population import NATIONAL, province_shares
from laosp.projection.cohort import AGES
from laosp.projection.paths import along
from laosp.projection.scenario import Eligibility, LabourGroup

Array = NDArray[np.float64]
SEX_INDEX = {"F": 0, "M": 1}


def cell_mask(
    rule: Eligibility,
    province_codes: tuple[str, ...],
    labour: dict[LabourGroup, Array],
) -> Array:
    """The eligible share of each cell [province, sex, age] (before the rule's ``share``)."""
    mask = np.ones((len(province_codes), 2, AGES))
    if rule.age is not None:
        ages = np.arange(AGES)
        mask *= ((ages >= rule.age[0]) & (ages <= rule.age[1]))[None, None, :]
    if rule.sex is not None:
        mask *= (np.arange(2) == SEX_INDEX[rule.sex])[None, :, None]
    if rule.provinces is not None:
        mask *= _province_weight(rule.provinces, province_codes)[:, None, None]
    if rule.labour is not None:
        mask *= labour[rule.labour][None, :, :]
    return mask


def _province_weight(wanted: list[str], province_codes: tuple[str, ...]) -> Array:
    """1 for the provinces named; on a national base, their 2015 census share."""
    known, shares = province_shares()
    unknown = set(wanted) - set(known)
    if unknown:
        raise ValueError(f"eligibility names unknown provinces {sorted(unknown)}")
    if province_codes == NATIONAL:
        return np.array([shares[np.isin(np.array(known), np.array(wanted))].sum()])
    return np.isin(np.array(province_codes), np.array(wanted)).astype(np.float64)


def eligible_per_year(
    rule: Eligibility,
    years: range,
    population: Array,
    province_codes: tuple[str, ...],
    labour: dict[LabourGroup, Array],
) -> Array:
    """Eligible persons each year; ``population`` is [year, province, sex, age]."""
    if rule.eligible is not None:
        return along(rule.eligible, years)
    mask = cell_mask(rule, province_codes, labour)
    counted = np.einsum("tpsa,psa->t", population, mask)
    return np.asarray(counted * along(rule.share, years), dtype=np.float64)


def eligible_by_province(
    rule: Eligibility,
    years: range,
    population: Array,
    province_codes: tuple[str, ...],
    labour: dict[LabourGroup, Array],
) -> Array:
    """Eligible persons [year, province] of a cell rule (not an aggregate one)."""
    mask = cell_mask(rule, province_codes, labour)
    counted = np.einsum("tpsa,psa->tp", population, mask)
    return np.asarray(counted * along(rule.share, years)[:, None], dtype=np.float64)
