"""Through a real database (SQLite and PostgreSQL): write the reference registry with
SQL, read the columnar snapshot, compute the indicators and a gap list."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, insert

from laosp.indicators.engine import compute_indicators
from laosp.indicators.frames import from_snapshot
from laosp.indicators.gaps import gap_list
from laosp.models import BenefitPayment, Contribution, Enrolment, Household, Person
from laosp.registry.snapshot import load_snapshot
from laosp.rules.pack import load_pack
from tests.indicators.registry_builder import AT, RegistryBuilder, reference_registry
from tests.indicators.test_engine import EXPECTED_NATIONAL, values


def _write(engine: Engine, registry: RegistryBuilder) -> None:
    persons: list[dict[str, Any]] = [
        {**row, "name_fold": row["name_key"]} for row in registry.persons
    ]
    with engine.begin() as connection:
        for model, rows in (
            (Household, registry.households),
            (Person, persons),
            (Enrolment, registry.enrolments),
            (Contribution, registry.contributions),
            (BenefitPayment, registry.payments),
        ):
            connection.execute(insert(model.__table__), rows)  # type: ignore[arg-type]


@pytest.mark.slow
def test_indicators_from_the_database(engine: Engine) -> None:
    _write(engine, reference_registry())
    snapshot = load_snapshot(
        engine,
        ("persons", "households", "enrolments", "contributions", "benefit_payments"),
        include=("given_name", "family_name"),
    )
    frames = from_snapshot(snapshot)
    pack = load_pack()
    assert values(compute_indicators(frames, AT, pack=pack)) == EXPECTED_NATIONAL
    listed = gap_list(
        frames,
        AT,
        None,
        pack=pack,
    )
    assert set(listed["person_id"]) == {"P6", "P12", "P14", "P15"}
