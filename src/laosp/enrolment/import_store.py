"""The database side of an enrolment import: the registered persons, households and
enrolments of the units in the file (``IN`` lists in chunks), and the bulk writes —
Core ``executemany`` in chunks in the caller's transaction, never ORM objects per row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from laosp.models import AuditEvent, Enrolment, Household, Person

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


def _read(session: Session, columns: list[Any], key: Any, values: pl.Series) -> list[Any]:
    rows: list[Any] = []
    for chunk in _chunks(_distinct(values)):
        rows.extend(session.execute(select(*columns).where(key.in_(chunk))).all())
    return rows


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


def enrolments_of(
    session: Session, person_ids: pl.Series, household_ids: pl.Series
) -> pl.DataFrame:
    """Every registered enrolment of these persons and households (any scheme)."""
    e = ENROLMENTS.c
    columns = [
        e.id,
        e.scheme,
        e.person_id,
        e.household_id,
        e.status,
        e.start_date,
        e.end_date,
    ]
    rows = _read(session, columns, e.person_id, person_ids)
    rows += _read(session, columns, e.household_id, household_ids)
    return pl.DataFrame(
        [(r[0], r[1], r[2] if r[2] is not None else r[3], *r[4:]) for r in rows],
        schema=ENROLMENT_SCHEMA,
        orient="row",
    )


def insert_enrolments(session: Session, new: pl.DataFrame) -> pl.Series:
    """Insert ``new`` (``scheme, person_id, household_id, status, start_date,
    end_date``); the ids given, in the order of the rows."""
    statement = insert(ENROLMENTS).returning(ENROLMENTS.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    records = new.select(
        "scheme", "person_id", "household_id", "status", "start_date", "end_date"
    ).to_dicts()
    for chunk in _chunks(records):
        ids.extend(session.scalars(statement, list(chunk)).all())
    return pl.Series("enrolment_id", ids, dtype=pl.Int64)


def update_statuses(session: Session, changed: pl.DataFrame) -> None:
    """Set ``status`` and ``end_date`` of the enrolments ``enrolment_id``."""
    statement = (
        update(ENROLMENTS)
        .where(ENROLMENTS.c.id == bindparam("_id"))
        .values(status=bindparam("_status"), end_date=bindparam("_end"))
    )
    records = changed.select(
        pl.col("enrolment_id").alias("_id"),
        pl.col("status").alias("_status"),
        pl.col("end_date").alias("_end"),
    ).to_dicts()
    for chunk in _chunks(records):
        session.execute(statement, list(chunk))


def insert_audit(session: Session, events: pl.DataFrame) -> None:
    """``events``: ``actor, action, entity, entity_id, changes`` (a struct: a JSON
    object), one ``audit_events`` row each."""
    for chunk in _chunks(events.to_dicts()):
        session.execute(insert(AUDIT), list(chunk))
