"""History and decision receipts: enrolment status periods, the earlier values of the
person and household fields the rules read, and one receipt per enrolment decision and
payment (``laosp.models.history``, ``laosp.models.receipt``).

Backfill: each existing enrolment gets one status period, its current status from its
start date (what happened before this migration is not known); persons and households
get no history rows (their current values hold since registration).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _person_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("household_id", sa.String(length=64), nullable=False),
        sa.Column("relationship", sa.String(length=12), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("birth_date_precision", sa.String(length=5), nullable=False),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("mother_id", sa.String(length=64), nullable=True),
        sa.Column("pregnant", sa.Boolean(), nullable=False),
        sa.Column("pregnancy_month", sa.Integer(), nullable=True),
        sa.Column("disability", sa.String(length=8), nullable=False),
        sa.Column("monk", sa.Boolean(), nullable=False),
        sa.Column("employment_status", sa.String(length=10), nullable=False),
        sa.Column("employment_type", sa.String(length=20), nullable=True),
        sa.Column("employer_type", sa.String(length=16), nullable=True),
        sa.Column("formal", sa.Boolean(), nullable=False),
        sa.Column("sector", sa.String(length=12), nullable=True),
        sa.Column("earnings_monthly", sa.BigInteger(), nullable=False),
        sa.Column("declared_income_monthly", sa.BigInteger(), nullable=False),
        sa.Column("nssf_contribution_months", sa.Integer(), nullable=False),
        sa.Column("cct_compliant", sa.Boolean(), nullable=False),
        sa.Column("facility_level", sa.String(length=14), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "enrolment_status_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_enrolment_status_history_enrolment_id_enrolments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_status_history")),
    )
    op.create_index(
        "ix_enrolment_status_history_enrolment",
        "enrolment_status_history",
        ["enrolment_id", "valid_from"],
    )
    op.execute(
        "INSERT INTO enrolment_status_history (enrolment_id, status, valid_from, valid_to) "
        "SELECT id, status, start_date, NULL FROM enrolments"
    )
    op.create_table(
        "person_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=False),
        *_person_columns(),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.person_id"],
            name=op.f("fk_person_history_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_history")),
    )
    op.create_index("ix_person_history_person", "person_history", ["person_id", "valid_to"])
    op.create_table(
        "household_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("district_code", sa.String(length=4), nullable=False),
        sa.Column("village_code", sa.String(length=7), nullable=True),
        sa.Column("urban", sa.Boolean(), nullable=False),
        sa.Column("poor", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.household_id"],
            name=op.f("fk_household_history_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_history")),
    )
    op.create_index(
        "ix_household_history_household", "household_history", ["household_id", "valid_to"]
    )
    op.create_table(
        "decision_receipts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column(
            "decided_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("reference_date", sa.Date(), nullable=False),
        sa.Column("pack_digest", sa.String(length=64), nullable=False),
        sa.Column("pack_name", sa.String(length=255), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "kind IN ('enrolment', 'payment')", name=op.f("ck_decision_receipts_kind_code")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_receipts")),
    )
    op.create_index("ix_decision_receipts_subject", "decision_receipts", ["kind", "subject_id"])


def downgrade() -> None:
    for index, table in (
        ("ix_decision_receipts_subject", "decision_receipts"),
        ("ix_household_history_household", "household_history"),
        ("ix_person_history_person", "person_history"),
        ("ix_enrolment_status_history_enrolment", "enrolment_status_history"),
    ):
        op.drop_index(index, table_name=table)
        op.drop_table(table)
