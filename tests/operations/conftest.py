"""A few households for the operations tests, registered through the registry service.

At 2025-03-01: ``P2`` (pregnant, month 5) and ``P4`` (born 2024-12-15) in Sanamxay
(1703) qualify for MECG; household ``HC`` (poor, Luang Prabang, a baby) for CCT;
``HX`` in Vientiane Capital qualifies for neither; ``PW`` is a formal private employee
earning 3,000,000 kip a month.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from laosp.models import AuditEvent
from laosp.registry.service import add_household
from laosp.rules.pack import Pack, load_pack

AT = dt.date(2025, 3, 1)


def person(person_id: str, relationship: str, sex: str, birth: str, **extra: Any) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "relationship": relationship,
        "given_name": "Test",
        "family_name": person_id,
        "sex": sex,
        "birth_date": birth,
        **extra,
    }


HOUSEHOLDS: list[dict[str, Any]] = [
    {
        "household_id": "HM",
        "district_code": "1703",
        "members": [
            person("P1", "head", "M", "1996-03-02"),
            person("P2", "spouse", "F", "2000-05-05", pregnant=True, pregnancy_month=5),
            person("P3", "child", "M", "2020-01-10", mother_id="P2"),
            person("P4", "child", "F", "2024-12-15", mother_id="P2"),
        ],
    },
    {
        "household_id": "HC",
        "district_code": "0601",
        "poor": True,
        "members": [
            person("C1", "head", "F", "1995-01-01"),
            person("C2", "child", "M", "2024-10-01", mother_id="C1"),
        ],
    },
    {
        "household_id": "HX",
        "district_code": "0101",
        "members": [
            person(
                "PW",
                "head",
                "M",
                "1985-06-01",
                employment_status="employed",
                employment_type="employee",
                employer_type="private",
                formal=True,
                sector="services",
                earnings_monthly=3_000_000,
            ),
            person("PX", "spouse", "F", "1990-02-02"),
        ],
    },
]


@pytest.fixture(scope="session")
def pack() -> Pack:
    return load_pack()


def register(session: Session, households: list[dict[str, Any]] | None = None) -> None:
    for household in households if households is not None else HOUSEHOLDS:
        add_household(session, household, today=dt.date(2025, 6, 1))
    session.flush()


@pytest.fixture
def people(session: Session) -> Session:
    """``session`` with the households above registered."""
    register(session)
    return session


def audit_count(session: Session, entity: str, entity_id: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    return int(session.scalar(query) or 0)
