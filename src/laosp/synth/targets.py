"""Calibration targets of the synthetic population (``shared/spec/synthetic.md``),
as data: what the report compares and the check enforces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["count", "share", "value"]


@dataclass(frozen=True, slots=True)
class Target:
    """One calibration target. ``count`` targets are national figures multiplied by the
    scale; ``share`` targets are fractions; ``tolerance`` is relative for counts and
    values, absolute (in fractions, 0.01 = 1 point) for shares."""

    key: str
    label: str
    kind: Kind
    value: float
    tolerance: float
    source: str


LSB = "Lao Statistics Bureau, census 2015"
LFS = "Labour Force Survey 2022 (ministry's report)"
ILO = "ILO country profile"

TARGETS: tuple[Target, ...] = (
    Target("persons", "persons", "count", 7_800_000, 0.02, "UN World Population Prospects 2024"),
    Target("households", "households", "count", 1_660_000, 0.02, "7.8 M / mean size 4.7"),
    Target("household_size", "mean household size", "value", 4.7, 0.02, "LSIS II 2017, LECS 6"),
    Target("districts", "districts with households", "value", 148, 0.0, LSB),
    Target(
        "province_share_gap", "largest gap to a census province share", "share", 0.0, 0.005, LSB
    ),
    Target("age_0_14", "aged 0-14", "share", 0.31, 0.01, "LSB 2022, UN 2024"),
    Target("age_15_64", "aged 15-64", "share", 0.645, 0.01, "LSB 2022, UN 2024"),
    Target("age_65", "aged 65+", "share", 0.045, 0.01, "LSB 2022, UN 2024"),
    Target("female", "female", "share", 0.499, 0.005, LSB),
    Target("urban", "persons in urban areas", "share", 0.33, 0.01, LSB),
    Target("poor", "persons in poor households", "share", 0.183, 0.01, "LECS 6 (2018/19)"),
    Target("employed", "employed persons", "count", 2_100_000, 0.02, LFS),
    Target("unemployed", "unemployed persons", "count", 60_000, 0.05, LFS),
    Target("agriculture", "employed in agriculture", "share", 0.49, 0.01, LFS),
    Target("industry", "employed in industry", "share", 0.12, 0.01, LFS),
    Target("services", "employed in services", "share", 0.39, 0.01, LFS),
    Target("informal", "informal share of employment (ILO definition)", "share", 0.864, 0.015, ILO),
    Target("insured", "social security insured (active members)", "count", 354_000, 0.02, ILO),
    Target("insured_voluntary", "of which voluntary", "count", 27_000, 0.05, ILO),
    Target("infants", "infants under 12 months", "count", 160_000, 0.02, "crude birth rate"),
    Target("pregnant", "pregnant women", "count", 120_000, 0.02, "3/4 of annual births"),
    Target("severe_disability", "severe disability", "share", 0.028, 0.002, "illustrative"),
    Target("pensioners", "old-age pensioners paid", "count", 60_000, 0.05, "illustrative"),
    Target(
        "pensioners_capital", "pensioners in Vientiane Capital", "share", 0.55, 0.05, "illustrative"
    ),
    Target("nhi", "persons enrolled in health insurance", "share", 0.945, 0.005, "NHI coverage"),
    Target("female_monks", "monks who are female", "value", 0, 0.0, "invariant"),
)

#: Figures the generator aims at that are not reported as checks.
PUBLIC_EMPLOYEES = 165_000
MILITARY_POLICE = 25_000
FORMAL_PRIVATE_EMPLOYEES = 173_000
INFORMAL_EMPLOYEES = 330_000
FORMAL_EMPLOYERS = 18_600
PUBLIC_TAKE_UP = 0.95
PRIVATE_TAKE_UP = 0.5
MONKS = 30_000


def target(key: str) -> Target:
    for item in TARGETS:
        if item.key == key:
            return item
    raise KeyError(key)
