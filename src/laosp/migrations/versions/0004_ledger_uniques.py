"""Ledger uniques: one cycle per scheme and code, one payment per enrolment, month and
function, one contribution per enrolment and month (re-running changes nothing).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNIQUES = (
    ("uq_payment_cycles_scheme_code", "payment_cycles", ["scheme", "code"]),
    (
        "uq_benefit_payments_enrolment_period_function",
        "benefit_payments",
        ["enrolment_id", "period", "function"],
    ),
    ("uq_contributions_enrolment_period", "contributions", ["enrolment_id", "period"]),
)


def upgrade() -> None:
    for name, table, columns in UNIQUES:
        op.create_index(name, table, columns, unique=True)


def downgrade() -> None:
    for name, table, _ in reversed(UNIQUES):
        op.drop_index(name, table_name=table)
