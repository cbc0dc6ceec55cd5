"""Load the 18 provinces and 148 districts.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import sqlalchemy as sa
from alembic import op

from laosp.reference.admin_units import districts, provinces

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    meta = sa.MetaData()
    province_table = sa.Table("provinces", meta, autoload_with=op.get_bind())
    district_table = sa.Table("districts", meta, autoload_with=op.get_bind())
    op.bulk_insert(province_table, [asdict(row) for row in provinces()])
    op.bulk_insert(district_table, [asdict(row) for row in districts()])


def downgrade() -> None:
    op.execute("DELETE FROM districts")
    op.execute("DELETE FROM provinces")
