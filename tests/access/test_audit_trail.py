"""The audit trail's seals: a sealed chain verifies; an event changed, deleted or added
outside the app, or a seal removed, is reported; the app's own connection cannot change
the trail; concurrent writers and bulk writers are sealed in one chain."""

from __future__ import annotations

import threading
import uuid

import polars as pl
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from laosp.access.audit_trail import GENESIS, record, verify
from laosp.db import make_engine, session_factory, unit_of_work
from laosp.enrolment.import_store import insert_audit
from laosp.models import AuditEvent, AuditSeal


def write(engine: Engine, actor: str, count: int) -> None:
    """One committed transaction of ``count`` events by ``actor``."""
    with unit_of_work(engine) as session:
        for number in range(count):
            record(
                session,
                actor=actor,
                action="update",
                entity="household",
                entity_id=f"{actor}-{number}",
                changes={"size": [number, number + 1]},
                district_code="1703",
            )


@pytest.fixture
def sealed(engine: Engine) -> Engine:
    """Three sealed transactions: 2 events by ana, 1 by bua, 2 by chan (seals 1, 2, 3)."""
    write(engine, "ana", 2)
    write(engine, "bua", 1)
    write(engine, "chan", 2)
    return engine


def problems(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return verify(connection).problems


def unprotected(engine: Engine, statement: str, *, table: str, verb: str) -> None:
    """Run ``statement`` as someone who can lift the append-only trigger: the owner of
    the SQLite file (drops it) or a PostgreSQL superuser (disables it)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
        else:
            connection.execute(text(f"DROP TRIGGER {table}_no_{verb}"))
        connection.execute(text(statement))


def test_a_sealed_chain_is_intact(sealed: Engine) -> None:
    with sealed.connect() as connection:
        found = verify(connection)
        seals = connection.execute(
            select(AuditSeal.seq, AuditSeal.events, AuditSeal.prev_hash, AuditSeal.hash).order_by(
                AuditSeal.seq
            )
        ).all()
    assert found.intact, found.problems
    assert (found.seals, found.events) == (3, 5)
    assert [(seq, events) for seq, events, _, _ in seals] == [(1, 2), (2, 1), (3, 2)]
    assert seals[0].prev_hash == GENESIS
    assert seals[1].prev_hash == seals[0].hash
    assert seals[2].prev_hash == seals[1].hash
    assert found.head_hash == seals[2].hash


def test_a_changed_event_is_reported(sealed: Engine) -> None:
    unprotected(
        sealed,
        "UPDATE audit_events SET actor = 'someone-else' WHERE actor = 'bua'",
        table="audit_events",
        verb="update",
    )
    assert problems(sealed) == ["seal 2: an event was changed since it was sealed"]


def test_changed_changes_are_reported(sealed: Engine) -> None:
    unprotected(
        sealed,
        "UPDATE audit_events SET changes = '{\"size\": [0, 9]}' WHERE entity_id = 'chan-0'",
        table="audit_events",
        verb="update",
    )
    assert problems(sealed) == ["seal 3: an event was changed since it was sealed"]


def test_a_deleted_event_is_reported(sealed: Engine) -> None:
    unprotected(
        sealed,
        "DELETE FROM audit_events WHERE entity_id = 'ana-1'",
        table="audit_events",
        verb="delete",
    )
    assert problems(sealed) == ["seal 1: 2 events were sealed, 1 remain"]


def test_a_deleted_seal_is_reported(sealed: Engine) -> None:
    unprotected(sealed, "DELETE FROM audit_seals WHERE seq = 2", table="audit_seals", verb="delete")
    assert problems(sealed) == [
        "seal 2 is missing (the next is 3)",
        "seal 3 does not follow the seal before it",
        "1 events belong to no seal (written outside the app)",
    ]


def test_an_event_written_outside_the_app_is_reported(sealed: Engine) -> None:
    with sealed.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_events (at, actor, action, entity, entity_id) "
                "VALUES (CURRENT_TIMESTAMP, 'intruder', 'update', 'household', 'h1')"
            )
        )
    assert problems(sealed) == ["1 events belong to no seal (written outside the app)"]


@pytest.mark.parametrize("table", ["audit_events", "audit_seals"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET txn = 'x'", "DELETE FROM {table}"])
def test_the_app_cannot_change_the_trail(sealed: Engine, table: str, statement: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"), sealed.begin() as connection:
        connection.execute(text(statement.format(table=table)))
    assert problems(sealed) == []


@pytest.mark.parametrize("table", ["audit_events", "audit_seals"])
def test_the_app_cannot_truncate_the_trail(sealed: Engine, table: str) -> None:
    if sealed.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    with pytest.raises(DBAPIError, match="append-only"), sealed.begin() as connection:
        connection.execute(text(f"TRUNCATE {table}"))
    assert problems(sealed) == []


def test_concurrent_transactions_chain_one_after_the_other(engine: Engine) -> None:
    """Both transactions have written their events before either commits: without the
    advisory lock both would read the same head and one seal would collide."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    both_written = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def writer(actor: str) -> None:
        try:
            with unit_of_work(engine) as session:
                record(session, actor=actor, action="create", entity="grievance", entity_id=actor)
                both_written.wait()
        except BaseException as error:  # reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(actor,)) for actor in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with engine.connect() as connection:
        found = verify(connection)
        txns = connection.execute(select(func.count()).select_from(AuditSeal)).scalar_one()
    assert found.intact, found.problems
    assert (found.seals, found.events, txns) == (2, 2, 2)


def test_a_rolled_back_transaction_leaves_no_seal(engine: Engine) -> None:
    with session_factory(engine)() as session:
        record(session, actor="ana", action="update", entity="person", entity_id="p1")
        session.rollback()
        record(session, actor="ana", action="update", entity="person", entity_id="p2")
        session.commit()
    with engine.connect() as connection:
        found = verify(connection)
        entity_ids = connection.execute(select(AuditEvent.entity_id)).scalars().all()
    assert found.intact, found.problems
    assert (found.seals, found.events) == (1, 1)
    assert entity_ids == ["p2"]


def test_bulk_audit_rows_are_sealed(engine: Engine) -> None:
    events = pl.DataFrame(
        {
            "actor": ["importer"] * 3,
            "action": ["import"] * 3,
            "entity": ["enrolment"] * 3,
            "entity_id": ["e1", "e2", "e3"],
            "changes": [{"status": "active", "row": n} for n in (1, 2, 3)],
        }
    )
    with unit_of_work(engine) as session:
        insert_audit(session, events)
        record(session, actor="importer", action="import", entity="enrolment_file", entity_id="f")
    with engine.connect() as connection:
        found = verify(connection)
        sealed = connection.execute(select(AuditSeal.events)).scalars().all()
    assert found.intact, found.problems
    assert sealed == [4]
    unprotected(
        engine,
        "UPDATE audit_events SET entity_id = 'e9' WHERE entity_id = 'e2'",
        table="audit_events",
        verb="update",
    )
    assert problems(engine) == ["seal 1: an event was changed since it was sealed"]


def test_a_separate_app_role_cannot_lift_the_protection(sealed: Engine) -> None:
    """docs/SECURITY.md's grants: the app's role can write events, and neither change
    them nor drop or disable the triggers (it does not own the tables)."""
    if sealed.dialect.name != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    role = f"laosp_app_{uuid.uuid4().hex[:8]}"
    with sealed.begin() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN"))
        for grant in (
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_seals FROM {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        ):
            connection.execute(text(grant))
    app = make_engine(sealed.url.set(username=role).render_as_string(hide_password=False))
    try:
        write(app, "dao", 1)
        for statement in (
            "UPDATE audit_events SET actor = 'x'",
            "DELETE FROM audit_seals",
            "TRUNCATE audit_events",
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
            "DROP TRIGGER audit_seals_append_only ON audit_seals",
        ):
            refused = pytest.raises(DBAPIError, match=r"permission denied|must be owner")
            with refused, app.begin() as connection:
                connection.execute(text(statement))
        with app.connect() as connection:
            found = verify(connection)
        assert found.intact, found.problems
        assert (found.seals, found.events) == (4, 6)
    finally:
        app.dispose()
        with sealed.begin() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"DROP ROLE {role}"))
