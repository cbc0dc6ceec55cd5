"""The grievance queue: a due date per grievance (the date it was received plus the days
of its category in the policy pack), the officer it is assigned to, its escalation level
(0 = the first level of the pack's ``grievances.yaml``) and the date of its last
escalation. Grievances opened before have no due date (never overdue).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("grievances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("assigned_to", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("escalation_level", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("escalated_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_grievances_assigned_to_users"), "users", ["assigned_to"], ["username"]
        )
        batch_op.create_index(batch_op.f("ix_grievances_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_grievances_assigned_to"), ["assigned_to"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("grievances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grievances_assigned_to"))
        batch_op.drop_index(batch_op.f("ix_grievances_due_on"))
        batch_op.drop_constraint(batch_op.f("fk_grievances_assigned_to_users"), type_="foreignkey")
        batch_op.drop_column("escalated_on")
        batch_op.drop_column("escalation_level")
        batch_op.drop_column("assigned_to")
        batch_op.drop_column("due_on")
