"""Migration 0008 on a registry that already has grievances (a database taken down to
0007): they keep their data, stand at the first level, unassigned and without a due date
(never overdue); down again, the new columns go."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import Engine, inspect, select, text

from laosp import migrate
from laosp.models import Grievance


def _downgrade(engine: Engine, revision: str) -> None:
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_existing_grievances_stand_at_the_first_level_without_a_due_date(
    engine: Engine,
) -> None:
    _downgrade(engine, "0007")
    assert "due_on" not in {c["name"] for c in inspect(engine).get_columns("grievances")}
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO households (household_id, district_code) VALUES ('H1', '1703')")
        )
        connection.execute(
            text(
                "INSERT INTO grievances (household_id, category, description, status, "
                "opened_on) VALUES ('H1', 'payment', 'late', 'open', '2024-02-01')"
            )
        )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(
            select(
                Grievance.category, Grievance.opened_on, Grievance.due_on,
                Grievance.assigned_to, Grievance.escalation_level, Grievance.escalated_on,
            )
        ).one()  # fmt: skip
    assert tuple(row) == ("payment", dt.date(2024, 2, 1), None, None, 0, None)
    _downgrade(engine, "0007")
    columns = {c["name"] for c in inspect(engine).get_columns("grievances")}
    assert not columns & {"due_on", "assigned_to", "escalation_level", "escalated_on"}
    migrate.upgrade(engine)
