"""Separation of duties and an audit trail that shows tampering: the ``auditor`` role,
server-side sessions, sign-in attempts, change requests (maker–checker), the maker and
checker of payment cycles, a forced password change, and audit seals.

Backfill: the events already written become one sealed transaction (``0007-backfill``);
from here on the audit tables are append-only: a trigger refuses UPDATE and DELETE on
both backends (and TRUNCATE on PostgreSQL), whoever the database user is.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from laosp.access.audit_trail import GENESIS, chain_hash

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = "'admin', 'central_officer', 'provincial_officer', 'district_officer', 'analyst'"
NEW_ROLES = OLD_ROLES + ", 'auditor'"
BACKFILL = "0007-backfill"
APPEND_ONLY = ("audit_events", "audit_seals")


def _append_only() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION laosp_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'the audit trail is append-only (%)', TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION laosp_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION laosp_append_only()"
            )
        return
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only ({table})'); END"
            )


def _drop_append_only() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION laosp_append_only()")
        return
    for table in APPEND_ONLY:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER {table}_no_{verb}")


def _seal_backfill() -> None:
    connection = op.get_bind()
    connection.execute(sa.text("UPDATE audit_events SET txn = :txn"), {"txn": BACKFILL})
    events = sa.table(
        "audit_events",
        sa.column("id", sa.Integer()), sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor", sa.String()), sa.column("action", sa.String()),
        sa.column("entity", sa.String()), sa.column("entity_id", sa.String()),
        sa.column("changes", sa.JSON()), sa.column("district_code", sa.String()),
    )  # fmt: skip
    rows = connection.execute(sa.select(*events.c).order_by(events.c.id))
    digest, count = chain_hash(GENESIS, rows)
    if count:
        connection.execute(
            sa.text(
                "INSERT INTO audit_seals (seq, txn, events, prev_hash, hash, sealed_at) "
                "VALUES (1, :txn, :events, :prev, :hash, :at)"
            ),
            {"txn": BACKFILL, "events": count, "prev": GENESIS, "hash": digest,
             "at": dt.datetime.now(dt.UTC)},
        )  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("role_code", type_="check")
        batch.create_check_constraint("role_code", f"role IN ({NEW_ROLES})")
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("payment_cycles") as batch:
        batch.add_column(sa.Column("created_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("approved_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("txn", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("district_code", sa.String(length=4), nullable=True))
        batch.create_index("ix_audit_events_txn", ["txn"])
        batch.create_index("ix_audit_events_actor", ["actor"])
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('web', 'api', 'cli', 'service')", name=op.f("ck_user_sessions_kind_code")
        ),
        sa.ForeignKeyConstraint(
            ["username"], ["users.username"], name=op.f("fk_user_sessions_username_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    op.create_index("ix_user_sessions_username", "user_sessions", ["username"])
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
    )
    op.create_index("ix_sign_in_attempts_username_at", "sign_in_attempts", ["username", "at"])
    op.create_index("ix_sign_in_attempts_address_at", "sign_in_attempts", ["address", "at"])
    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("summary", sa.String(length=400), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attachment", sa.LargeBinary(), nullable=True),
        sa.Column("district_code", sa.String(length=4), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("made_by", sa.String(length=64), nullable=False),
        sa.Column(
            "made_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("checked_by", sa.String(length=64), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=400), nullable=True),
        sa.CheckConstraint(
            "kind IN ('enrolment_import', 'identity_correction', 'user_admin')",
            name=op.f("ck_change_requests_kind_code"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_change_requests_status_code"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
    )
    op.create_index("ix_change_requests_status", "change_requests", ["status"])
    op.create_table(
        "audit_seals",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("txn", sa.String(length=32), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_seals")),
        sa.UniqueConstraint("txn", name=op.f("uq_audit_seals_txn")),
    )
    _seal_backfill()
    _append_only()


def downgrade() -> None:
    _drop_append_only()
    op.drop_table("audit_seals")
    op.drop_index("ix_change_requests_status", table_name="change_requests")
    op.drop_table("change_requests")
    op.drop_index("ix_sign_in_attempts_address_at", table_name="sign_in_attempts")
    op.drop_index("ix_sign_in_attempts_username_at", table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
    op.drop_index("ix_user_sessions_username", table_name="user_sessions")
    op.drop_table("user_sessions")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_index("ix_audit_events_actor")
        batch.drop_index("ix_audit_events_txn")
        batch.drop_column("district_code")
        batch.drop_column("txn")
    with op.batch_alter_table("payment_cycles") as batch:
        batch.drop_column("approved_by")
        batch.drop_column("created_by")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
        batch.drop_constraint("role_code", type_="check")
        batch.create_check_constraint("role_code", f"role IN ({OLD_ROLES})")
