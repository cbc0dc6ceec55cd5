"""Households: how many, where (province by census share, every district), size,
village, urban and poor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from laosp.reference.admin_units import districts, provinces
from laosp.synth.sampling import Array, apportion, assign_counts, pick_by_total
from laosp.synth.targets import target

#: Household sizes 1..11 (LSIS II / LECS 6 shape; mean 4.71).
SIZE_PMF = np.array(
    [0.045, 0.10, 0.155, 0.20, 0.185, 0.13, 0.08, 0.05, 0.028, 0.016, 0.011], dtype=np.float64
)

#: Urban share of persons by province (census 2015 shape; illustrative where not published).
URBAN_RATE = {
    "01": 0.80, "02": 0.16, "03": 0.22, "04": 0.20, "05": 0.23, "06": 0.26, "07": 0.14,
    "08": 0.28, "09": 0.24, "10": 0.30, "11": 0.25, "12": 0.24, "13": 0.24, "14": 0.14,
    "15": 0.21, "16": 0.24, "17": 0.23, "18": 0.18,
}  # fmt: skip

#: Relative poverty weight by province (LECS 6 headcounts: remote north and south highest).
POOR_WEIGHT = {
    "01": 0.15, "02": 1.7, "03": 1.2, "04": 1.5, "05": 1.0, "06": 1.1, "07": 1.7,
    "08": 0.6, "09": 1.2, "10": 0.5, "11": 0.7, "12": 0.9, "13": 1.1, "14": 1.8,
    "15": 2.0, "16": 0.6, "17": 1.4, "18": 1.2,
}  # fmt: skip

VILLAGE_STEMS = (
    "ໂພນສະຫວັນ", "ນາໄຊ", "ດອນແດງ", "ໜອງບົວ", "ຫ້ວຍຊາຍ", "ນາທອງ", "ໂພນໄຊ", "ທົ່ງມັງ",
    "ນາເລົ່າ", "ຫາດຊາຍ", "ໂນນສະຫວ່າງ", "ນາຄູນ", "ປາກຊັນ", "ໜອງແຫ້ວ", "ໂພນທັນ", "ນາແກ",
    "ດົງໂດກ", "ຫ້ວຍຫົງ", "ນາດີ", "ຊຽງດາ", "ໂພນແພງ", "ທາດຫຼວງ", "ນາຫາຍ", "ສີບຸນເຮືອງ",
)  # fmt: skip

HOUSEHOLDS_PER_VILLAGE = 150


@dataclass(frozen=True)
class Households:
    frame: pl.DataFrame  # the households table's columns + size, province_code
    size: Array
    province_index: Array  # index into ``provinces()``


def household_count(scale: float) -> int:
    persons = target("persons").value * scale
    mean = float((SIZE_PMF * np.arange(1, SIZE_PMF.size + 1)).sum())
    return max(round(persons / mean), len(districts()))


def make_households(rng: np.random.Generator, scale: float, at: dt.date) -> Households:
    count = household_count(scale)
    size = assign_counts(rng, np.arange(1, SIZE_PMF.size + 1), apportion(count, SIZE_PMF))
    province_rows = provinces()
    province_codes = np.array([row.code for row in province_rows])
    per_province = apportion(count, np.array([row.population_2015 for row in province_rows]))
    district_rows = districts()
    district_codes = np.array([row.code for row in district_rows])
    district_province = np.array([row.province_code for row in district_rows])
    # every district gets at least one household, the rest by random weights in a province
    district_counts = np.zeros(len(district_rows), dtype=np.int64)
    for p, code in enumerate(province_codes):  # 18 provinces, not persons
        members = np.flatnonzero(district_province == code)
        floor = min(per_province[p], members.size)
        weights = rng.gamma(4.0, 1.0, members.size)
        district_counts[members] = 1 if floor == members.size else 0
        district_counts[members] += apportion(
            int(per_province[p] - district_counts[members].sum()), weights
        )
    district_index = np.repeat(np.arange(len(district_rows)), district_counts)
    province_of = {code: i for i, code in enumerate(province_codes)}
    province_index = np.array([province_of[code] for code in district_province])[district_index]

    urban_rate = np.array([URBAN_RATE[c] for c in province_codes])[province_index]
    urban_odds = urban_rate / (1 - urban_rate)
    total_persons = int(size.sum())
    urban = pick_by_total(rng, urban_odds, size, round(target("urban").value * total_persons))
    poor_weight = np.array([POOR_WEIGHT[c] for c in province_codes])[province_index]
    poor_weight = poor_weight * np.where(urban, 0.35, 1.4) * (1 + 0.06 * np.maximum(size - 4, 0))
    poor = pick_by_total(rng, poor_weight, size, round(target("poor").value * total_persons))

    villages_in_district = np.maximum(1, np.ceil(district_counts / HOUSEHOLDS_PER_VILLAGE))
    village_number = 1 + np.floor(rng.random(count) * villages_in_district[district_index]).astype(
        np.int64
    )
    stem = (district_index * 7 + village_number * 13) % len(VILLAGE_STEMS)
    registered_days = rng.integers(0, 3650, count)
    codes = pl.Series("district_code", district_codes[district_index])
    frame = (
        pl.DataFrame(
            {
                "household_id": pl.Series(np.arange(1, count + 1)).cast(pl.String).str.zfill(8),
                "district_code": codes,
                "village_number": village_number,
                "village_name": pl.Series(np.array(VILLAGE_STEMS)[stem]),
                "urban": urban,
                "poor": poor,
                "registered_days": registered_days,
                "size": size,
            }
        )
        .with_columns(
            household_id=pl.lit("SYN-H") + pl.col("household_id"),
            village_code=pl.col("district_code")
            + pl.col("village_number").cast(pl.String).str.zfill(3),
            village_name=pl.lit("ບ້ານ") + pl.col("village_name"),
            registered_on=pl.lit(at) - pl.duration(days=pl.col("registered_days")),
            province_code=pl.col("district_code").str.slice(0, 2),
        )
        .drop("village_number", "registered_days")
    )
    return Households(frame=frame, size=size, province_index=province_index)
