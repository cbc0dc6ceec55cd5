"""Browsing the audit trail: events by actor, record, place, action and date, newest
first, a page at a time with the total count (one SQL query a page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from laosp.access.audit_trail import record
from laosp.access.permissions import Action, require
from laosp.access.roles import Principal
from laosp.models import AuditEvent

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000


@dataclass(frozen=True)
class AuditFilters:
    """What to look for; every filter left ``None`` is not applied. ``since`` and
    ``until`` are days, both included (UTC)."""

    actor: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    district_code: str | None = None
    province_code: str | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One event as the auditor reads it."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    district_code: str | None
    changes: dict[str, Any] | None
    txn: str | None


@dataclass(frozen=True)
class AuditPage:
    total: int
    limit: int
    offset: int
    events: list[AuditEntry]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def conditions(filters: AuditFilters) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``filters``."""
    found: list[ColumnElement[bool]] = []
    if filters.actor is not None:
        found.append(AuditEvent.actor == filters.actor)
    if filters.entity is not None:
        found.append(AuditEvent.entity == filters.entity)
    if filters.entity_id is not None:
        found.append(AuditEvent.entity_id == filters.entity_id)
    if filters.district_code is not None:
        found.append(AuditEvent.district_code == filters.district_code)
    if filters.province_code is not None:
        # district codes are PPDD: the province is their first two digits
        found.append(func.substr(AuditEvent.district_code, 1, 2) == filters.province_code)
    if filters.action is not None:
        found.append(AuditEvent.action == filters.action)
    if filters.since is not None:
        found.append(AuditEvent.at >= _midnight(filters.since))
    if filters.until is not None and filters.until < dt.date.max:
        found.append(AuditEvent.at < _midnight(filters.until + dt.timedelta(days=1)))
    return found


def _page_query(filters: AuditFilters, limit: int, offset: int) -> Select[Any]:
    """The page, each row carrying the total: a subquery counted once (a window count
    would carry every matching row, ``changes`` and all, through the sort)."""
    where = conditions(filters)
    total = select(func.count()).select_from(AuditEvent).where(*where).scalar_subquery()
    return (
        select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.actor,
            AuditEvent.action,
            AuditEvent.entity,
            AuditEvent.entity_id,
            AuditEvent.district_code,
            AuditEvent.changes,
            AuditEvent.txn,
            total.label("total"),
        )
        .where(*where)
        .order_by(AuditEvent.id.desc())  # ids grow with time; the primary key's index
        .limit(limit)
        .offset(offset)
    )


def described(filters: AuditFilters) -> dict[str, str]:
    """The filters given, as text (for the audit event of a reading)."""
    return {name: str(value) for name, value in asdict(filters).items() if value is not None}


def browse(
    session: Session,
    principal: Principal,
    filters: AuditFilters,
    *,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> AuditPage:
    """A page of the events matching ``filters``, newest first, with how many match in
    all; ``Forbidden`` unless the principal may read the audit trail. The reading is
    audited too: events can hold personal data (the changes of an identity)."""
    require(principal, Action.read_audit)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    rows = session.execute(_page_query(filters, limit, offset)).all()
    if rows:
        total = int(rows[0].total)
    elif offset == 0:
        total = 0
    else:  # a page past the end: the window count has no row to ride on
        count = select(func.count()).select_from(AuditEvent).where(*conditions(filters))
        total = session.execute(count).scalar_one()
    events = [AuditEntry(*row[:-1]) for row in rows]
    record(
        session,
        actor=principal.username,
        action="read",
        entity="audit_events",
        entity_id=None,
        changes={"filters": described(filters), "offset": offset, "shown": len(events)},
    )
    return AuditPage(total=total, limit=limit, offset=offset, events=events)
