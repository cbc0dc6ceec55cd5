"""The audit trail for auditors: browse the events, verify the seals."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, StringConstraints, field_validator

from laosp.access import audit_log
from laosp.access.audit_trail import verify
from laosp.api.deps import AuditorDep, SessionDep
from laosp.api.errors import documented
from laosp.api.params import DistrictCode, ProvinceCode
from laosp.registry.schemas import IsoDate, PlainText

router = APIRouter(prefix="/api/audit", tags=["audit"], responses=documented(401, 403))

Name = Annotated[str | None, Query(max_length=64), PlainText]
Word = Annotated[str | None, Query(max_length=32), PlainText]
Day = Annotated[IsoDate | None, Query(description="a day YYYY-MM-DD (UTC), included")]


def audit_filters(
    actor: Name = None,
    entity: Word = None,
    entity_id: Name = None,
    district: DistrictCode = None,
    province: ProvinceCode = None,
    action: Word = None,
    since: Day = None,
    until: Day = None,
) -> audit_log.AuditFilters:
    """The filters of the query string (shared by the API and the dashboard page)."""
    return audit_log.AuditFilters(
        actor=actor or None,
        entity=entity or None,
        entity_id=entity_id or None,
        district_code=district or None,
        province_code=province or None,
        action=action or None,
        since=since,
        until=until,
    )


FiltersDep = Annotated[audit_log.AuditFilters, Depends(audit_filters)]
Limit = Annotated[int, Query(ge=1, le=audit_log.MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]


class AuditEventOut(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    district_code: str | None
    changes: dict[str, Any] | None
    txn: str | None

    @field_validator("at")
    @classmethod
    def in_utc(cls, moment: dt.datetime) -> dt.datetime:
        """UTC on both backends (SQLite hands back the UTC time without its zone)."""
        return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class AuditPageOut(BaseModel):
    total: int
    limit: int
    offset: int
    events: list[AuditEventOut]


class VerificationOut(BaseModel):
    intact: bool
    seals: int
    events: int
    head_hash: Annotated[str, StringConstraints(min_length=64, max_length=64)]
    problems: list[str]


def page_of(
    session: SessionDep, principal: AuditorDep, filters: FiltersDep, limit: int, offset: int
) -> AuditPageOut:
    page = audit_log.browse(session, principal, filters, limit=limit, offset=offset)
    return AuditPageOut(
        total=page.total,
        limit=page.limit,
        offset=page.offset,
        events=[AuditEventOut.model_validate(event, from_attributes=True) for event in page.events],
    )


@router.get("", response_model=AuditPageOut)
def events(
    session: SessionDep,
    principal: AuditorDep,
    filters: FiltersDep,
    limit: Limit = audit_log.DEFAULT_LIMIT,
    offset: Offset = 0,
) -> AuditPageOut:
    """Audit events newest first, filtered by actor, record (entity, entity_id), place
    (district or province), action and days (since, until), a page at a time with the
    total that match (auditor or administrator)."""
    return page_of(session, principal, filters, limit, offset)


@router.get("/verify", response_model=VerificationOut)
def verification(session: SessionDep, _principal: AuditorDep) -> VerificationOut:
    """Recompute the seal chain: intact, or each problem found (a changed, deleted or
    unsealed event, a missing seal). Reads every event: seconds on a large trail."""
    found = verify(session.connection())
    return VerificationOut(
        intact=found.intact,
        seals=found.seals,
        events=found.events,
        head_hash=found.head_hash,
        problems=found.problems,
    )
