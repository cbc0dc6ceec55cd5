from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from laosp.projection.base_population import illustrative_base, registry_base
from laosp.projection.loading import load_scenario
from tests.projection.conftest import PACK


def test_illustrative_base_matches_the_national_targets() -> None:
    spec = load_scenario("lao_default", PACK).demography.base.illustrative
    assert spec is not None
    base = illustrative_base(spec)
    counts = base.counts
    total = counts.sum()
    by_age = counts.sum(axis=(0, 1))
    assert len(base.province_codes) == 18
    assert np.isclose(total, 7_800_000)
    assert np.isclose(by_age[:15].sum() / total, 0.31)
    assert np.isclose(by_age[65:].sum() / total, 0.045)
    assert np.isclose(counts[:, 0].sum() / total, 0.499)
    vientiane = counts[0].sum() / total
    assert 0.1 < vientiane < 0.14


def test_registry_persons_aggregate_by_province_sex_and_completed_age() -> None:
    persons = pl.DataFrame(
        {
            "birth_date": [date(2000, 1, 1), date(2000, 7, 2), date(1900, 1, 1), date(2026, 1, 1)],
            "sex": ["F", "M", "F", "M"],
            "district_code": ["0101", "1703", "1703", "0101"],
        }
    )
    base = registry_base(persons, date(2025, 7, 1))
    assert base.counts.sum() == 3
    assert base.counts[0, 0, 25] == 1
    assert base.counts[16, 1, 24] == 1
    assert base.counts[16, 0, 100] == 1
