"""persons.name_fold: a second search key that folds variants of Lao romanisation.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from laosp.registry.names import roman_fold

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_fold", sa.String(length=260), nullable=True))
        batch_op.create_index("ix_persons_name_fold", ["name_fold"], unique=False)
    persons = sa.table(
        "persons",
        sa.column("person_id", sa.String),
        sa.column("given_name", sa.String),
        sa.column("family_name", sa.String),
        sa.column("name_fold", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(persons.c.person_id, persons.c.given_name, persons.c.family_name)
    )
    folds = [
        {"pid": person_id, "fold": roman_fold(f"{given} {family}")}
        for person_id, given, family in rows
    ]
    if folds:
        connection.execute(
            persons.update()
            .where(persons.c.person_id == sa.bindparam("pid"))
            .values(name_fold=sa.bindparam("fold")),
            folds,
        )


def downgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index("ix_persons_name_fold")
        batch_op.drop_column("name_fold")
