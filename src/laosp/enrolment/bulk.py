"""Enrol everyone eligible and not enrolled in one district: a bulk change, so a change
request (``access.approvals``, kind ``enrolment_import`` with source ``eligible``)
applied when another user approves it.

``prepare`` counts the persons (or households, for a household scheme) of the district
the rules engine finds eligible for the scheme at the date and who have no enrolment
that would clash (an open one, one ending on or after the date, or one starting that
day), and submits the request when there are any. ``apply``, in the checker's
transaction, selects them again as they are then (the registry may have changed) and
writes their enrolments in bulk, as whole columns (one evaluation of the district, one
anti-join, bulk inserts of the enrolments, their first status periods and their audit
events), never a loop per person. The enrolments are written ``active``: the approval of
the request by a second user is the approval each enrolment would otherwise need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from laosp.access import approvals
from laosp.access.permissions import Action, require
from laosp.access.roles import Principal
from laosp.enrolment import import_requests
from laosp.enrolment.dates import check_date
from laosp.enrolment.import_store import insert_audit, insert_enrolments, lock_units
from laosp.enrolment.service import operational_scheme
from laosp.enrolment.transitions import OPEN_ENROLMENT
from laosp.enrolment.units import read_units
from laosp.models import ChangeRequest, Enrolment, Household, Person
from laosp.registry.errors import FieldError, ValidationFailed
from laosp.registry.history import open_statuses
from laosp.rules.engine import evaluate
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Pack, Scheme

#: ``payload["source"]`` of a bulk enrolment request (an import has none).
SOURCE = "eligible"
#: The status the approved enrolments are written with.
APPROVED_STATUS = "active"


@dataclass(frozen=True, slots=True)
class BulkPrepared:
    count: int
    #: ``None`` when no one is eligible and not enrolled (nothing submitted).
    request: approvals.RequestRead | None


def is_bulk(request: ChangeRequest) -> bool:
    return request.kind == import_requests.KIND and request.payload.get("source") == SOURCE


def candidates(
    session: Session, pack: Pack, scheme: Scheme, district: str, on: dt.date
) -> pl.Series:
    """The ids of the units of ``district`` eligible for ``scheme`` at ``on`` and with no
    enrolment in it that clashes, sorted."""
    test = scheme.eligibility
    by_household = scheme.unit == HOUSEHOLD
    key = "household_id" if by_household else "person_id"
    persons, households = read_units(
        session, select(Household.household_id).where(Household.district_code == district)
    )
    if test is None:
        frame = households if by_household else persons
        eligible = frame[key]
    else:
        result = evaluate(pack, persons, households, on, [test.output])
        frame = result.households if by_household else result.persons
        eligible = frame.filter(test.expr())[key]
    unit = Enrolment.household_id if by_household else Enrolment.person_id
    in_district = (
        select(Household.household_id).where(Household.district_code == district)
        if by_household
        else select(Person.person_id)
        .join(Household, Household.household_id == Person.household_id)
        .where(Household.district_code == district)
    )
    clashing = session.scalars(
        select(unit).where(
            Enrolment.scheme == scheme.code,
            unit.in_(in_district),
            or_(
                Enrolment.status.in_(OPEN_ENROLMENT),
                Enrolment.end_date >= on,
                Enrolment.start_date == on,
            ),
        )
    ).all()
    taken = pl.Series(key, list(clashing), dtype=pl.String)
    return eligible.filter(~eligible.is_in(taken.implode())).unique().sort()


def _checked(pack: Pack, scheme: str, district: str, on: dt.date, today: dt.date | None) -> Scheme:
    check_date("date", on, today)
    chosen = operational_scheme(pack, scheme)
    if not chosen.in_force(on):
        raise ValidationFailed(
            [FieldError("date", on.isoformat(), f"{chosen.code} is not in force at this date")]
        )
    return chosen


def prepare(
    session: Session,
    pack: Pack,
    maker: Principal,
    *,
    scheme: str,
    district: str,
    on: dt.date,
    today: dt.date | None = None,
) -> BulkPrepared:
    """Count who would be enrolled and submit the request (``Forbidden`` outside the
    maker's area; ``ValidationFailed`` for a scheme or date that cannot be enrolled)."""
    require(maker, Action.import_enrolments, district)
    chosen = _checked(pack, scheme, district, on, today)
    count = candidates(session, pack, chosen, district, on).len()
    if count == 0:
        return BulkPrepared(0, None)
    payload: dict[str, Any] = {
        "source": SOURCE,
        "scheme": chosen.code,
        "district": district,
        "date": on.isoformat(),
        "count": count,
    }
    summary = (
        f"enrol everyone eligible for {chosen.code} in district {district} from "
        f"{on.isoformat()}: {count} {'households' if chosen.unit == HOUSEHOLD else 'persons'}"
    )
    request = approvals.submit(
        session, maker, import_requests.KIND, summary=summary, payload=payload,
        district_code=district,
    )  # fmt: skip
    return BulkPrepared(count, request)


def apply(
    session: Session, pack: Pack, request: ChangeRequest, checker: Principal
) -> dict[str, Any]:
    """Enrol, in the checker's transaction, those eligible and not enrolled now."""
    payload = request.payload
    chosen = operational_scheme(pack, str(payload["scheme"]))
    district = str(payload["district"])
    on = dt.date.fromisoformat(str(payload["date"]))
    units = candidates(session, pack, chosen, district, on)
    by_household = chosen.unit == HOUSEHOLD
    empty = pl.Series([], dtype=pl.String)
    lock_units(session, empty if by_household else units, units if by_household else empty)
    units = candidates(session, pack, chosen, district, on)  # as they are once locked
    if units.len():
        _write(session, chosen, units, on, request, checker)
    return {
        "scheme": chosen.code,
        "district": district,
        "date": on.isoformat(),
        "enrolled": units.len(),
        "prepared_count": payload.get("count"),
    }


def _write(
    session: Session,
    scheme: Scheme,
    units: pl.Series,
    on: dt.date,
    request: ChangeRequest,
    checker: Principal,
) -> None:
    by_household = scheme.unit == HOUSEHOLD
    none = pl.lit(None, pl.String)
    new = pl.DataFrame({"unit_id": units}).select(
        pl.lit(scheme.code).alias("scheme"),
        (none if by_household else pl.col("unit_id")).alias("person_id"),
        (pl.col("unit_id") if by_household else none).alias("household_id"),
        pl.lit(APPROVED_STATUS).alias("status"),
        pl.lit(on).alias("start_date"),
        pl.lit(None, pl.Date).alias("end_date"),
    )
    stored = insert_enrolments(session, new).filter(
        (pl.col("scheme") == scheme.code) & (pl.col("start_date") == on)
    )
    open_statuses(session, stored["enrolment_id"].to_list())
    events = stored.select(
        pl.lit(checker.username).alias("actor"),
        pl.lit("create").alias("action"),
        pl.lit("enrolment").alias("entity"),
        pl.col("enrolment_id").cast(pl.String).alias("entity_id"),
        pl.struct(
            pl.col("scheme"),
            (none if by_household else pl.col("unit_id")).alias("person_id"),
            (pl.col("unit_id") if by_household else none).alias("household_id"),
            pl.col("status"),
            pl.lit(on.isoformat()).alias("start_date"),
            pl.lit(SOURCE).alias("source"),
            pl.lit(request.id).alias("request"),
            pl.lit(request.made_by).alias("prepared_by"),
            pl.lit(checker.username).alias("approved_by"),
        ).alias("changes"),
    )
    insert_audit(session, events)
