"""Person search at national scale: persons.name_latin (the cross-script key) and
indexes that serve substring search.

* ``persons.name_latin`` = ``names.name_latin(given, family)``, backfilled here (SQLite:
  one ``UPDATE`` calling the function registered on the connection; PostgreSQL: the keys
  of the distinct name pairs in a temporary table, then one ``UPDATE ... FROM``).
* PostgreSQL: the ``pg_trgm`` extension and GIN trigram indexes on ``name_key``,
  ``name_fold`` and ``name_latin``. ``pg_trgm`` is a trusted extension (PostgreSQL 13+): a
  role with ``CREATE`` on the database may create it; otherwise a DBA must run
  ``CREATE EXTENSION pg_trgm`` first (the migration stops with that message).
* SQLite (3.34+): the FTS5 table ``persons_search`` with the ``trigram`` tokenizer over
  the three keys, with ``persons`` as its external content (by rowid), kept in step by
  triggers on insert, delete and update of the keys. On an older SQLite no index is made
  and search scans (as before).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import lru_cache

import sqlalchemy as sa
from alembic import op

from laosp.registry.names import name_latin

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_INDEXES = (
    ("ix_persons_name_key_trgm", "name_key"),
    ("ix_persons_name_fold_trgm", "name_fold"),
    ("ix_persons_name_latin_trgm", "name_latin"),
)
#: the FTS5 table and its triggers (also used by the SQLite bulk loader)
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE persons_search USING fts5(name_key, name_fold, name_latin, "
    "content='persons', content_rowid='rowid', tokenize='trigram')"
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER persons_search_insert AFTER INSERT ON persons BEGIN "
    "INSERT INTO persons_search(rowid, name_key, name_fold, name_latin) "
    "VALUES (new.rowid, new.name_key, new.name_fold, new.name_latin); END",
    "CREATE TRIGGER persons_search_delete AFTER DELETE ON persons BEGIN "
    "INSERT INTO persons_search(persons_search, rowid, name_key, name_fold, name_latin) "
    "VALUES ('delete', old.rowid, old.name_key, old.name_fold, old.name_latin); END",
    "CREATE TRIGGER persons_search_update AFTER UPDATE OF name_key, name_fold, name_latin "
    "ON persons BEGIN "
    "INSERT INTO persons_search(persons_search, rowid, name_key, name_fold, name_latin) "
    "VALUES ('delete', old.rowid, old.name_key, old.name_fold, old.name_latin); "
    "INSERT INTO persons_search(rowid, name_key, name_fold, name_latin) "
    "VALUES (new.rowid, new.name_key, new.name_fold, new.name_latin); END",
)
SQLITE_TRIGGER_NAMES = ("persons_search_insert", "persons_search_delete", "persons_search_update")
PG_EXTENSION_HELP = (
    "migration 0005 needs the PostgreSQL extension pg_trgm, and this database role may "
    "not create it. Ask the database administrator to run, in this database: "
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;  then run the migration again."
)


def sqlite_has_trigram() -> bool:
    return sqlite3.sqlite_version_info >= (3, 34, 0)


def _backfill_sqlite(connection: sa.Connection) -> None:
    key = lru_cache(maxsize=200_000)(name_latin)
    raw = connection.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    raw.create_function("laosp_name_latin", 2, key, deterministic=True)
    connection.exec_driver_sql(
        "UPDATE persons SET name_latin = laosp_name_latin(given_name, family_name)"
    )


def _backfill_postgres(connection: sa.Connection) -> None:
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE name_latin_keys (given_name TEXT, family_name TEXT, "
        "name_latin TEXT, PRIMARY KEY (given_name, family_name)) ON COMMIT DROP"
    )
    pairs = connection.exec_driver_sql(
        "SELECT DISTINCT given_name, family_name FROM persons"
    ).fetchall()
    insert = sa.text("INSERT INTO name_latin_keys VALUES (:g, :f, :k)")
    for start in range(0, len(pairs), 10_000):
        batch = pairs[start : start + 10_000]
        connection.execute(insert, [{"g": g, "f": f, "k": name_latin(g, f)} for g, f in batch])
    connection.exec_driver_sql(
        "UPDATE persons p SET name_latin = k.name_latin FROM name_latin_keys k "
        "WHERE p.given_name = k.given_name AND p.family_name = k.family_name"
    )


def _pg_trgm(connection: sa.Connection) -> None:
    installed = connection.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"
    ).first()
    if installed:
        return
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as error:
        raise RuntimeError(f"{PG_EXTENSION_HELP} ({error.orig})") from error


def upgrade() -> None:
    connection = op.get_bind()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        _pg_trgm(connection)  # first: fail before any long work
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_latin", sa.String(length=520), nullable=True))
    if dialect == "postgresql":
        _backfill_postgres(connection)
        op.execute("SET LOCAL maintenance_work_mem = '512MB'")  # GIN builds sort in memory
        for name, column in TRIGRAM_INDEXES:
            op.execute(f"CREATE INDEX {name} ON persons USING gin ({column} gin_trgm_ops)")
    elif dialect == "sqlite":
        _backfill_sqlite(connection)
        if sqlite_has_trigram():
            op.execute(SQLITE_FTS)
            op.execute("INSERT INTO persons_search(persons_search) VALUES ('rebuild')")
            for trigger in SQLITE_TRIGGERS:
                op.execute(trigger)


def downgrade() -> None:
    connection = op.get_bind()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        for name, _ in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    elif dialect == "sqlite":
        for trigger in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS persons_search")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("name_latin")
