"""The registry rows of a few households as rule-engine input frames, read through the
caller's session (so the rows it has written and not yet committed are seen).

One SELECT per table; the households are chosen by a SQL subquery, never a Python loop
over persons. Columns are the fields the rules read (``laosp.rules.fields``).
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from laosp.models import Household, Person
from laosp.rules.fields import HOUSEHOLD_FIELDS, PERSON_FIELDS

_POLARS = {"bool": pl.Boolean, "int": pl.Int64, "str": pl.String, "date": pl.Date}


def _stored(fields: dict[str, Any]) -> list[str]:
    return [name for name, field in fields.items() if not field.derived]


def _schema(keys: list[str], fields: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = dict.fromkeys(keys, pl.String)
    schema.update({name: _POLARS[fields[name].kind] for name in _stored(fields)})
    return schema


def _frame(session: Session, query: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    rows = session.execute(query).all()
    return pl.DataFrame([tuple(row) for row in rows], schema=schema, orient="row")


def read_units(session: Session, household_ids: Select[Any]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(persons, households)`` of the households ``household_ids`` (a one-column
    SELECT) selects."""
    person_columns = [Person.person_id, Person.household_id] + [
        getattr(Person, name) for name in _stored(PERSON_FIELDS)
    ]
    household_columns = [Household.household_id] + [
        getattr(Household, name) for name in _stored(HOUSEHOLD_FIELDS)
    ]
    persons = _frame(
        session,
        select(*person_columns).where(Person.household_id.in_(household_ids)),
        _schema(["person_id", "household_id"], PERSON_FIELDS),
    )
    households = _frame(
        session,
        select(*household_columns).where(Household.household_id.in_(household_ids)),
        _schema(["household_id"], HOUSEHOLD_FIELDS),
    )
    return persons, households
