"""Writing the registry's history (``laosp.models.history``), in the caller's
transaction, in whole statements: an ``INSERT ... SELECT`` copies the values a change
is about to replace, so every path that changes a record (the API, the service, a file
import) records the same thing and a refused change records nothing.

Dates are effective dates: a person's or household's values change on the day the
change is made (``today`` at the edge); an enrolment's status on the date the officer
gives (``on``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import polars as pl
from sqlalchemy import Table, bindparam, func, insert, literal, select, update
from sqlalchemy.orm import Session

from laosp.models import (
    Enrolment,
    EnrolmentStatusHistory,
    Household,
    HouseholdHistory,
    Person,
    PersonHistory,
)
from laosp.models.history import HOUSEHOLD_HISTORY_FIELDS, PERSON_HISTORY_FIELDS
from laosp.registry.errors import FieldError, ValidationFailed

CHUNK = 5_000
STATUS_HISTORY: Table = EnrolmentStatusHistory.__table__  # type: ignore[assignment]


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _record(
    session: Session,
    source: Any,
    history: Any,
    key: str,
    fields: Sequence[str],
    ids: Iterable[str],
    on: dt.date,
) -> None:
    """Copy the current ``fields`` of the records ``ids`` as a period ending ``on``,
    starting where the record's last recorded period ended (NULL: since it was
    registered)."""
    wanted = sorted(set(ids))
    own_key = getattr(source, key)
    last_end = (
        select(func.max(history.valid_to)).where(getattr(history, key) == own_key).scalar_subquery()
    )
    columns = [key, "valid_from", "valid_to", *fields]
    for chunk in _chunks(wanted):
        query = select(
            own_key,
            last_end,
            literal(on, type_=history.valid_to.type),
            *(getattr(source, name) for name in fields),
        ).where(own_key.in_(chunk))
        session.execute(insert(history).from_select(columns, query))


def record_persons(session: Session, person_ids: Iterable[str], on: dt.date) -> None:
    """Keep the rule fields of ``person_ids`` as they are before a change dated ``on``
    (call it before the ``UPDATE``)."""
    _record(session, Person, PersonHistory, "person_id", PERSON_HISTORY_FIELDS, person_ids, on)


def record_households(session: Session, household_ids: Iterable[str], on: dt.date) -> None:
    """As ``record_persons``, for the household fields the rules read."""
    _record(
        session,
        Household,
        HouseholdHistory,
        "household_id",
        HOUSEHOLD_HISTORY_FIELDS,
        household_ids,
        on,
    )


def touches(changes: Iterable[str], fields: Sequence[str]) -> bool:
    return any(name in fields for name in changes)


def status_since(session: Session, enrolment_id: int) -> dt.date | None:
    """The day the enrolment's current status began (its open period)."""
    return session.scalar(
        select(EnrolmentStatusHistory.valid_from).where(
            EnrolmentStatusHistory.enrolment_id == enrolment_id,
            EnrolmentStatusHistory.valid_to.is_(None),
        )
    )


def check_status_date(session: Session, enrolment_id: int, on: dt.date) -> None:
    """A status change may not be dated before the current status began: the periods
    would overlap (``ValidationFailed``, nothing written)."""
    since = status_since(session, enrolment_id)
    if since is not None and on < since:
        raise ValidationFailed(
            [
                FieldError(
                    "date",
                    on.isoformat(),
                    f"is before the current status began ({since.isoformat()}); "
                    "ວັນທີກ່ອນສະຖານະປັດຈຸບັນເລີ່ມ",
                )
            ]
        )


def open_status(session: Session, enrolment_id: int, status: str, on: dt.date) -> None:
    """The first status period of an enrolment just inserted."""
    session.execute(
        insert(EnrolmentStatusHistory).values(
            enrolment_id=enrolment_id, status=status, valid_from=on, valid_to=None
        )
    )


def move_status(session: Session, enrolment_id: int, status: str, on: dt.date) -> None:
    """Close the open status period on ``on`` and open one of ``status`` from ``on``
    (after the compare-and-set that changed the enrolment)."""
    move_statuses(
        session,
        pl.DataFrame({"enrolment_id": [enrolment_id], "status": [status], "on": [on]}),
    )


def move_statuses(session: Session, moves: pl.DataFrame) -> None:
    """``moves``: ``enrolment_id, status, on`` — one close and one open per row, as two
    ``executemany`` statements."""
    if not moves.height:
        return
    h = STATUS_HISTORY.c
    close = (
        update(STATUS_HISTORY)
        .where(h.enrolment_id == bindparam("_id"), h.valid_to.is_(None))
        .values(valid_to=bindparam("_on"))
    )
    rows = moves.select(
        pl.col("enrolment_id").cast(pl.Int64).alias("_id"),
        pl.col("status").alias("_status"),
        pl.col("on").alias("_on"),
    ).to_dicts()
    opened = [
        {"enrolment_id": r["_id"], "status": r["_status"], "valid_from": r["_on"], "valid_to": None}
        for r in rows
    ]
    for chunk in _chunks(rows):
        session.execute(close, list(chunk))
    for chunk in _chunks(opened):
        session.execute(insert(STATUS_HISTORY), list(chunk))


def open_statuses(session: Session, enrolment_ids: Sequence[int]) -> None:
    """The first status period (from the start date) of enrolments just inserted in
    bulk, those of ``enrolment_ids`` that have none yet: one ``INSERT ... SELECT``."""
    has_period = select(EnrolmentStatusHistory.id).where(
        EnrolmentStatusHistory.enrolment_id == Enrolment.id
    )
    for chunk in _chunks(sorted(set(enrolment_ids))):
        query = select(Enrolment.id, Enrolment.status, Enrolment.start_date).where(
            Enrolment.id.in_(chunk), ~has_period.exists()
        )
        session.execute(
            insert(EnrolmentStatusHistory).from_select(
                ["enrolment_id", "status", "valid_from"], query
            )
        )
