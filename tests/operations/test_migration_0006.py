"""Migration 0006 on a registry that already has enrolments (a database taken down to
0005): each gets one status period, its current status from its start date."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import Engine, select, text

from laosp import migrate
from laosp.models import EnrolmentStatusHistory


def _downgrade(engine: Engine, revision: str) -> None:
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_existing_enrolments_get_their_current_status_as_a_period(engine: Engine) -> None:
    _downgrade(engine, "0005")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO households (household_id, district_code) VALUES ('H1', '1703')")
        )
        connection.execute(
            text(
                "INSERT INTO persons (person_id, household_id, relationship, given_name, "
                "family_name, name_key, sex, birth_date) VALUES ('P1', 'H1', 'head', 'A', "
                "'B', 'a b', 'F', '1990-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO enrolments (scheme, person_id, status, start_date, end_date) "
                "VALUES ('nhi', 'P1', 'active', '2024-02-01', NULL), "
                "('mecg', 'P1', 'exited', '2023-05-01', '2023-12-31')"
            )
        )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        periods = connection.execute(
            select(
                EnrolmentStatusHistory.status,
                EnrolmentStatusHistory.valid_from,
                EnrolmentStatusHistory.valid_to,
            ).order_by(EnrolmentStatusHistory.valid_from)
        ).all()
    assert [tuple(p) for p in periods] == [
        ("exited", dt.date(2023, 5, 1), None),
        ("active", dt.date(2024, 2, 1), None),
    ]
