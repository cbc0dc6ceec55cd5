"""Labour-market groups as shares of each sex × age cell of the population."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from laosp.projection.cohort import AGES
from laosp.projection.scenario import SECTORS, Labour, LabourGroup

Array = NDArray[np.float64]


def participation(spec: Labour) -> Array:
    """Labour-force participation [sex, age] (sex 0 female, 1 male); 0 outside the bands."""
    rates = np.zeros((2, AGES))
    for band in spec.participation:
        low, high = band.age[0], min(band.age[1], AGES - 1)
        rates[0, low : high + 1] = band.female
        rates[1, low : high + 1] = band.male
    return rates


def group_shares(spec: Labour) -> dict[LabourGroup, Array]:
    """The share of each cell [sex, age] in each labour group.

    Employed = participation × (1 − unemployment); informal employment by sector is the
    sector share × the sector's informal share; public employees are formal; the formal
    rest are private employees.
    """
    employed = participation(spec) * (1.0 - spec.unemployment_rate)
    informal_by_sector = {
        s: spec.sector_shares[s] * spec.informal_share_by_sector[s] for s in SECTORS
    }
    informal = sum(informal_by_sector.values())
    return {
        "employed": employed,
        "informal": employed * informal,
        "formal": employed * (1.0 - informal),
        "public_employee": employed * spec.public_share,
        "formal_private": employed * (1.0 - informal - spec.public_share),
        "informal_agriculture": employed * informal_by_sector["agriculture"],
        "informal_non_agriculture": employed * (informal - informal_by_sector["agriculture"]),
    }
