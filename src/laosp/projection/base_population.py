"""Base populations [province, sex, age]: illustrative, from a table, or from the registry.

The illustrative base is a stable-population shape (survivors of a life table with
e0 = 68, a growth rate of 1.5 % a year) scaled so the broad age groups match the given
shares exactly; each age is split by the female share and each province gets its 2015
census share of every cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from numpy.typing import NDArray

from laosp.projection.cohort import AGES
from laosp.projection.lifetable import person_years, survivors_for
from laosp.projection.scenario import BasePopulation, IllustrativeBase, TableRow
from laosp.reference.admin_units import provinces

Array = NDArray[np.float64]
NATIONAL = ("LA",)
SEX_INDEX = {"F": 0, "M": 1}


@dataclass(frozen=True)
class BaseTable:
    """Population at the start of the base year, with the province codes of axis 0."""

    counts: Array
    province_codes: tuple[str, ...]


def province_shares() -> tuple[tuple[str, ...], Array]:
    rows = provinces()
    counts = np.array([row.population_2015 for row in rows], dtype=np.float64)
    return tuple(row.code for row in rows), counts / counts.sum()


def illustrative_base(spec: IllustrativeBase) -> BaseTable:
    years_lived = person_years(survivors_for(np.array(0.25)))[:AGES].copy()
    years_lived[-1] = person_years(survivors_for(np.array(0.25)))[AGES - 1 :].sum()
    ages = np.arange(AGES, dtype=np.float64)
    shape = years_lived * np.exp(-0.015 * ages)
    targets = ((0, 15, spec.share_0_14), (15, 65, spec.share_15_64), (65, AGES, spec.share_65_plus))
    national = np.empty(AGES)
    for low, high, share in targets:
        national[low:high] = shape[low:high] / shape[low:high].sum() * share * spec.total
    by_sex = np.stack([national * spec.female_share, national * (1 - spec.female_share)])
    if not spec.by_province:
        return BaseTable(by_sex[None, :, :], NATIONAL)
    codes, shares = province_shares()
    return BaseTable(shares[:, None, None] * by_sex[None, :, :], codes)


def table_base(rows: list[TableRow]) -> BaseTable:
    frame = pl.DataFrame([row.model_dump() for row in rows], infer_schema_length=None)
    if frame["province"].null_count() == frame.height:
        frame = frame.with_columns(pl.lit(NATIONAL[0]).alias("province"))
    return _scatter(frame)


def registry_base(persons: pl.DataFrame, at: date) -> BaseTable:
    """Aggregate registry persons (``birth_date``, ``sex``, ``district_code``) into
    province × sex × completed age at ``at`` (100 and older in the last age)."""
    birth = pl.col("birth_date")
    before_birthday = (birth.dt.month() > at.month) | (
        (birth.dt.month() == at.month) & (birth.dt.day() > at.day)
    )
    age = pl.lit(at.year) - birth.dt.year() - before_birthday.cast(pl.Int32)
    frame = (
        persons.filter(birth <= at)
        .select(
            province=pl.col("district_code").str.slice(0, 2),
            sex=pl.col("sex"),
            age=age.clip(0, AGES - 1),
        )
        .group_by("province", "sex", "age")
        .agg(count=pl.len().cast(pl.Float64))
    )
    return _scatter(frame)


def _scatter(frame: pl.DataFrame) -> BaseTable:
    known, _ = province_shares()
    present = set(frame["province"].unique().to_list())
    codes = NATIONAL if present == set(NATIONAL) else known
    unknown = present - set(codes)
    if unknown:
        raise ValueError(f"unknown province codes in the base population: {sorted(unknown)}")
    index = {code: i for i, code in enumerate(codes)}
    counts = np.zeros((len(codes), 2, AGES))
    p = frame["province"].replace_strict(index, return_dtype=pl.Int64).to_numpy()
    s = frame["sex"].replace_strict(SEX_INDEX, return_dtype=pl.Int64).to_numpy()
    a = frame["age"].clip(0, AGES - 1).cast(pl.Int64).to_numpy()
    np.add.at(counts, (p, s, a), frame["count"].cast(pl.Float64).to_numpy())
    return BaseTable(counts, codes)


def base_for(spec: BasePopulation, registry: BaseTable | None = None) -> BaseTable:
    if spec.kind == "illustrative" and spec.illustrative is not None:
        return illustrative_base(spec.illustrative)
    if spec.kind == "table" and spec.table is not None:
        return table_base(spec.table)
    if registry is None:
        raise ValueError("this scenario takes its base population from the registry: give one")
    return registry
