"""The database side of an enrolment import: the registered persons, households and
enrolments of the units in the file, and the bulk writes, in the caller's transaction,
never ORM objects per row.

SQLite: ``IN`` lists of 5,000 ids (each an index lookup) and Core ``executemany``.
PostgreSQL: the file's ids are copied into a temporary table and joined (one scan or
index join per read, where 5,000-id ``IN`` lists each scanned the table), and the rows
are written with ``COPY`` (CSV written by Polars).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
import psycopg
from sqlalchemy import (
    String,
    Table,
    bindparam,
    cast,
    column,
    func,
    insert,
    select,
    table,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from laosp.access.audit_trail import transaction_id
from laosp.enrolment.errors import ChangedDuringImport, EnrolledDuringImport
from laosp.enrolment.transitions import OPEN_ENROLMENT
from laosp.models import AuditEvent, Enrolment, Household, Person
from laosp.registry.errors import ConcurrentChange
from laosp.registry.import_columns import ROW

PERSONS: Table = Person.__table__  # type: ignore[assignment]
HOUSEHOLDS: Table = Household.__table__  # type: ignore[assignment]
ENROLMENTS: Table = Enrolment.__table__  # type: ignore[assignment]
AUDIT: Table = AuditEvent.__table__  # type: ignore[assignment]
#: ids per ``IN`` list (SQLite allows 32,766 parameters) and rows per ``executemany``
CHUNK = 5_000

PERSON_SCHEMA = {"person_id": pl.String, "household_id": pl.String, "national_id": pl.String}
ENROLMENT_SCHEMA = {
    "enrolment_id": pl.Int64,
    "scheme": pl.String,
    "unit_id": pl.String,
    "status": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
}


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _distinct(values: pl.Series) -> list[str]:
    return values.drop_nulls().unique().sort().to_list()


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _copy(session: Session, name: str, frame: pl.DataFrame) -> None:
    """``COPY name (frame's columns) FROM STDIN`` of ``frame`` as CSV (empty = NULL)."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    statement = f"COPY {name} ({', '.join(frame.columns)}) FROM STDIN (FORMAT csv)"
    with cursor.copy(statement) as copy:
        for start in range(0, frame.height, 50_000):
            copy.write(frame.slice(start, 50_000).write_csv(include_header=False))
    cursor.close()


KEYS = table("_laosp_import_keys", column("k", String))


def _read(
    session: Session, columns: list[Any], key: Any, values: pl.Series, *, lock: bool = False
) -> list[Any]:
    """The rows (``columns``) whose ``key`` is one of ``values``; with ``lock``, locked
    ``FOR UPDATE`` in ``key`` order on PostgreSQL (SQLite ignores it)."""
    wanted = _distinct(values)
    if not wanted:
        return []
    if _postgres(session):
        session.execute(
            text("CREATE TEMPORARY TABLE IF NOT EXISTS _laosp_import_keys (k text) ON COMMIT DROP")
        )
        session.execute(text("TRUNCATE _laosp_import_keys"))
        _copy(session, "_laosp_import_keys", pl.DataFrame({"k": wanted}))
        session.execute(text("ANALYZE _laosp_import_keys"))
        query = select(*columns).join_from(key.table, KEYS, key == KEYS.c.k)
        if lock:
            query = query.order_by(key).with_for_update(of=key.table)
        return list(session.execute(query).all())
    rows: list[Any] = []
    for chunk in _chunks(wanted):
        rows.extend(session.execute(select(*columns).where(key.in_(chunk))).all())
    return rows


def lock_units(session: Session, person_ids: pl.Series, household_ids: pl.Series) -> None:
    """Lock the rows of these persons and households until commit, as ``enrol`` locks
    its unit's: an enrolment of one of them by someone else waits for the import, or
    the import for it, and then sees what it wrote (PostgreSQL; SQLite serialises
    writers and ``insert_enrolments`` checks again after its insert)."""
    _read(session, [PERSONS.c.person_id], PERSONS.c.person_id, person_ids, lock=True)
    _read(session, [HOUSEHOLDS.c.household_id], HOUSEHOLDS.c.household_id, household_ids, lock=True)


def persons_by(session: Session, column: str, values: pl.Series) -> pl.DataFrame:
    """Registered persons whose ``column`` (``person_id`` or ``national_id``) is one
    of ``values``: ``person_id, household_id, national_id``."""
    columns = [PERSONS.c.person_id, PERSONS.c.household_id, PERSONS.c.national_id]
    rows = _read(session, columns, PERSONS.c[column], values)
    return pl.DataFrame([tuple(r) for r in rows], schema=PERSON_SCHEMA, orient="row")


def households_in(session: Session, values: pl.Series) -> pl.Series:
    """The ids of ``values`` that are registered households."""
    rows = _read(session, [HOUSEHOLDS.c.household_id], HOUSEHOLDS.c.household_id, values)
    return pl.Series("household_id", [r[0] for r in rows], dtype=pl.String)


def household_districts(session: Session, household_ids: pl.Series) -> pl.DataFrame:
    """``_unit_household, _district``: the district of each of these households."""
    columns = [HOUSEHOLDS.c.household_id, HOUSEHOLDS.c.district_code]
    rows = _read(session, columns, HOUSEHOLDS.c.household_id, household_ids)
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"_unit_household": pl.String, "_district": pl.String},
        orient="row",
    )


def enrolments_of(
    session: Session, person_ids: pl.Series, household_ids: pl.Series, schemes: pl.Series
) -> pl.DataFrame:
    """The registered enrolments of these persons and households in ``schemes``. Dates
    are read as text and parsed by Polars (SQLite's date conversion is per value). The
    schemes are filtered here, not in SQL: with ``scheme IN`` SQLite picks the
    ``(scheme, person_id, start_date)`` index and scans a scheme per chunk (13× slower)."""
    e = ENROLMENTS.c
    columns = [
        e.id,
        e.scheme,
        func.coalesce(e.person_id, e.household_id),
        e.status,
        cast(e.start_date, String),
        cast(e.end_date, String),
    ]
    rows = _read(session, columns, e.person_id, person_ids)
    rows += _read(session, columns, e.household_id, household_ids)
    text_schema = {**ENROLMENT_SCHEMA, "start_date": pl.String, "end_date": pl.String}
    frame = pl.DataFrame([tuple(r) for r in rows], schema=text_schema, orient="row")
    return frame.filter(pl.col("scheme").is_in(schemes.unique().implode())).with_columns(
        pl.col("start_date", "end_date").str.to_date("%Y-%m-%d")
    )


def insert_enrolments(session: Session, new: pl.DataFrame) -> pl.DataFrame:
    """Insert ``new`` (``scheme, person_id, household_id, status, start_date,
    end_date``) and return the registered enrolments of its units (``enrolments_of``).
    No ``RETURNING``: SQLite would then insert one row per statement; the ids are read
    back by the unique ``(scheme, unit, start_date)``.

    ``EnrolledDuringImport`` when someone else registered one of these enrolments, or
    another open enrolment of one of these units in the scheme, after the import read
    them: the caller's transaction writes nothing, and running the import again
    decides on what is registered then."""
    rows = new.select("scheme", "person_id", "household_id", "status", "start_date", "end_date")
    try:
        if _postgres(session):
            _copy(session, "enrolments", rows)
        else:
            for chunk in _chunks(rows.to_dicts()):
                session.execute(insert(ENROLMENTS), list(chunk))
    except (IntegrityError, psycopg.IntegrityError):
        raise EnrolledDuringImport([]) from None
    stored = enrolments_of(session, new["person_id"], new["household_id"], new["scheme"])
    twice = (
        stored.filter(pl.col("status").is_in(OPEN_ENROLMENT))
        .group_by("unit_id", "scheme")
        .agg(pl.len().alias("open"))
        .filter(pl.col("open") > 1)
        .sort("unit_id", "scheme")
    )
    if twice.height:
        raise EnrolledDuringImport(
            [f"{unit} in {scheme}" for unit, scheme in twice.select("unit_id", "scheme").rows()]
        )
    return stored


def update_statuses(session: Session, changed: pl.DataFrame) -> None:
    """Set ``status`` and ``end_date`` of the enrolments ``enrolment_id`` whose status is
    still ``_db_status``, the one the import read (compare-and-set). When another session
    changed any of them meanwhile, ``ChangedDuringImport`` names each (file row, status
    read, status found) and the caller's transaction writes nothing. PostgreSQL locks the
    rows while it checks them; the conditional ``UPDATE`` guards SQLite's short window."""
    overtaken = _overtaken(session, changed)
    if overtaken:
        raise ChangedDuringImport(overtaken)
    e = ENROLMENTS.c
    statement = (
        update(ENROLMENTS)
        .where(e.id == bindparam("_id"), e.status == bindparam("_expected"))
        .values(status=bindparam("_status"), end_date=bindparam("_end"))
    )
    records = changed.select(
        pl.col("enrolment_id").alias("_id"),
        pl.col("_db_status").alias("_expected"),
        pl.col("status").alias("_status"),
        pl.col("end_date").alias("_end"),
    ).to_dicts()
    written = 0
    for chunk in _chunks(records):
        written += session.execute(statement, list(chunk)).rowcount  # type: ignore[attr-defined]
    if written != len(records):
        raise ChangedDuringImport([], len(records) - written)


def _overtaken(session: Session, changed: pl.DataFrame) -> list[ConcurrentChange]:
    """The enrolments of ``changed`` whose status is no longer ``_db_status``, the one
    the import read (locked ``FOR UPDATE`` on PostgreSQL; SQLite ignores it), compared
    as whole columns; a conflict object only for those."""
    e = ENROLMENTS.c
    found = [
        tuple(row)
        for chunk in _chunks(changed["enrolment_id"].to_list())
        for row in session.execute(select(e.id, e.status).where(e.id.in_(chunk)).with_for_update())
    ]
    now = pl.DataFrame(found, schema={"enrolment_id": pl.Int64, "_found": pl.String}, orient="row")
    columns = ["enrolment_id", "_db_status", "_found", *([ROW] if ROW in changed.columns else [])]
    overtaken = (
        changed.with_columns(pl.col("enrolment_id").cast(pl.Int64))
        .join(now, on="enrolment_id", how="left")
        .filter(pl.col("_found").ne_missing(pl.col("_db_status")))
        .select(columns)
    )
    return [
        ConcurrentChange(
            f"enrolment (file row {row[ROW]})" if ROW in row else "enrolment",
            row["enrolment_id"],
            row["_db_status"],
            row["_found"],
        )
        for row in overtaken.iter_rows(named=True)
    ]


def insert_audit(session: Session, events: pl.DataFrame) -> None:
    """``events``: ``actor, action, entity, entity_id, changes`` (a struct), one
    ``audit_events`` row each, of the session's audit transaction (sealed at commit);
    ``changes`` is encoded as JSON by Polars (the JSON column reads it back as the
    object)."""
    rows = events.with_columns(
        pl.col("changes").struct.json_encode(), txn=pl.lit(transaction_id(session))
    )
    if _postgres(session):
        _copy(session, "audit_events", rows)
        return
    statement = insert(AUDIT).values(
        actor=bindparam("actor"),
        action=bindparam("action"),
        entity=bindparam("entity"),
        entity_id=bindparam("entity_id"),
        changes=bindparam("changes", type_=String),  # already JSON text
        txn=bindparam("txn"),
    )
    for chunk in _chunks(rows.to_dicts()):
        session.execute(statement, list(chunk))
