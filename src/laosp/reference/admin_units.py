"""The 18 provinces and 148 districts of Lao PDR, shipped as package data.

Facts from ``shared/reference`` (Lao Statistics Bureau codes, census 2015 counts; the
sources are listed in ``docs/DATA_SOURCES.md``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class ProvinceRow:
    code: str
    iso_code: str
    name_en: str
    name_lo: str
    population_2015: int


@dataclass(frozen=True, slots=True)
class DistrictRow:
    code: str
    province_code: str
    name_en: str
    name_lo: str
    name_en_alt: str | None


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("laosp.reference").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def provinces() -> tuple[ProvinceRow, ...]:
    return tuple(
        ProvinceRow(
            code=row["province_code"],
            iso_code=row["iso_code"],
            name_en=row["name_en"],
            name_lo=row["name_lo"],
            population_2015=int(row["population_2015"]),
        )
        for row in _rows("lao_provinces.csv")
    )


@cache
def districts() -> tuple[DistrictRow, ...]:
    return tuple(
        DistrictRow(
            code=row["district_code"],
            province_code=row["province_code"],
            name_en=row["name_en"],
            name_lo=row["name_lo"],
            name_en_alt=row["name_en_alt"] or None,
        )
        for row in _rows("lao_districts.csv")
    )


@cache
def district_codes() -> frozenset[str]:
    return frozenset(row.code for row in districts())


@cache
def province_codes() -> frozenset[str]:
    return frozenset(row.code for row in provinces())
