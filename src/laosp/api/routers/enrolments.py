"""Enrolments: enrol, list, show, change status (maker–checker for the approval), bulk
enrolment of the eligible of one district (a change request), the explanation of a
decision and the pack's parameters at a date.

Everything named is scoped to the principal's area: an enrolment or person outside it
answers 404, a unit outside it is refused as not registered (the answer names nothing
outside the area). Making a pending enrolment active needs ``approve_enrolment`` and is
never done by the user who enrolled (403); a status change names the status the client
saw (``expected``): when someone else changed it meanwhile, 409 and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from laosp.access.permissions import Action, Forbidden, area_of, reach, require
from laosp.access.roles import OutsideArea, Principal, scoped_filters
from laosp.api.deps import PersonViewerDep, PrincipalDep, SessionDep, StateDep, allowed_to
from laosp.api.errors import documented
from laosp.api.params import DistrictCode, IdInPath, ProvinceCode, ReferenceDate
from laosp.enrolment import bulk, districts, queries, service
from laosp.enrolment.errors import NotEligible
from laosp.enrolment.explanation import Explanation, evaluated, explain_scheme
from laosp.enrolment.queries import EnrolmentRow
from laosp.enrolment.transitions import ENROLMENT, TransitionRefused
from laosp.enrolment.units import read_units
from laosp.models import Household
from laosp.registry import service as registry
from laosp.registry.errors import FieldError, NotFoundError, ValidationFailed
from laosp.registry.schemas import PlainText
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Pack, Scheme

router = APIRouter(tags=["enrolments"], responses=documented(401, 403, 422))

OUTSIDE = "outside your area / ຢູ່ນອກເຂດຂອງທ່ານ"
SchemeCode = Annotated[str, StringConstraints(min_length=1, max_length=32), PlainText]
Reason = Annotated[str, StringConstraints(max_length=400), PlainText]
UnitId = Annotated[str, StringConstraints(min_length=1, max_length=64), PlainText]
Status = Literal["pending", "active", "suspended", "exited"]
EnrolerDep = Annotated[Principal, allowed_to(Action.enrol)]
BulkMakerDep = Annotated[Principal, allowed_to(Action.import_enrolments)]


class EnrolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: SchemeCode
    unit_id: UnitId = Field(description="person_id, or household_id for a household scheme")
    date: dt.date | None = Field(None, description="start date (default today)")
    check_eligibility: bool = True


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status
    expected: Status = Field(description="the status you saw: refused (409) if it changed")
    date: dt.date | None = Field(None, description="date of the change (default today)")
    reason: Reason | None = None


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: SchemeCode
    district: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
    date: dt.date | None = Field(None, description="start date (default today)")


class EnrolmentOut(EnrolmentRow):
    scheme_name_en: str
    scheme_name_lo: str


class EnrolmentPage(BaseModel):
    items: list[EnrolmentOut]
    total: int
    limit: int
    offset: int


class BulkOut(BaseModel):
    count: int
    request_id: int | None


class ExplanationsOut(BaseModel):
    person_id: str
    household_id: str
    date: dt.date
    explanations: list[dict[str, Any]]


class ParameterOut(BaseModel):
    name: str
    description: str
    unit: str
    value: Any
    since: dt.date
    reference: str
    status: str


class ParameterPage(BaseModel):
    date: dt.date
    items: list[ParameterOut]
    total: int
    limit: int
    offset: int


def scheme_of(pack: Pack, code: str, field: str = "scheme") -> Scheme:
    """A scheme of the pack (422 naming the pack's codes otherwise)."""
    found = pack.schemes.get(code)
    if found is None:
        reason = f"is not a scheme of the pack ({', '.join(sorted(pack.schemes))})"
        raise ValidationFailed([FieldError(field, code, reason)])
    return found


def shown(pack: Pack, row: EnrolmentRow) -> EnrolmentOut:
    scheme = pack.schemes.get(row.scheme)
    return EnrolmentOut(
        **row.model_dump(),
        scheme_name_en=scheme.label("en") if scheme else row.scheme,
        scheme_name_lo=scheme.label("lo") if scheme else row.scheme,
    )


def _unknown_unit(pack: Pack, scheme: str, unit_id: str) -> ValidationFailed:
    """The service's refusal of an id that is not registered (also given for one
    outside the area: the answer does not tell the two apart)."""
    chosen = pack.schemes.get(scheme)
    if chosen is not None and chosen.unit == HOUSEHOLD:
        return ValidationFailed(
            [FieldError("household_id", unit_id, "is not a registered household")]
        )
    return ValidationFailed([FieldError("person_id", unit_id, "is not a registered person")])


def enrol_unit(session: Session, pack: Pack, principal: Principal, body: EnrolIn) -> EnrolmentOut:
    """Enrol as ``principal`` (the API and the dashboard's form alike)."""
    service.operational_scheme(pack, body.scheme)
    district = districts.of_unit(session, body.unit_id)
    if district is None or not reach(principal, Action.enrol).contains(district):
        raise _unknown_unit(pack, body.scheme, body.unit_id)
    try:
        enrolled = service.enrol(
            session, pack, scheme=body.scheme, unit_id=body.unit_id,
            on=body.date or dt.date.today(), actor=principal.username,
            check_eligibility=body.check_eligibility, today=dt.date.today(),
        )  # fmt: skip
    except NotEligible as error:
        raise ValidationFailed(
            [FieldError("unit_id", body.unit_id, f"is not eligible for {error.scheme}: "
                        f"{error.explanation}")]
        ) from None  # fmt: skip
    row = queries.get_row(session, enrolled.id)
    assert row is not None
    return shown(pack, row)


def _row_in_area(session: Session, principal: Principal, enrolment_id: int) -> EnrolmentRow:
    row = queries.get_row(session, enrolment_id)
    if row is None or not area_of(principal).contains(row.district_code):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no enrolment {enrolment_id}")
    return row


def change_status(
    session: Session, pack: Pack, principal: Principal, enrolment_id: int, body: StatusIn
) -> EnrolmentOut:
    """Change an enrolment's status as ``principal`` (the API and the dashboard)."""
    row = _row_in_area(session, principal, enrolment_id)
    action = service.action_for(body.expected, body.status)
    approval = action is Action.approve_enrolment
    if (
        not approval
        and not (body.reason or "").strip()
        and ENROLMENT.allows(body.expected, body.status)
    ):
        raise ValidationFailed(
            [FieldError("reason", body.reason, "is required: say why the status changes")]
        )
    try:
        require(principal, action, row.district_code)
        service.set_status(
            session, enrolment_id, body.status, on=body.date or dt.date.today(),
            reason=body.reason, actor=principal.username, today=dt.date.today(),
            expected=body.expected,
        )  # fmt: skip
    except Forbidden as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from None
    except TransitionRefused as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    changed = queries.get_row(session, enrolment_id)
    assert changed is not None
    return shown(pack, changed)


@router.post(
    "/api/enrolments",
    response_model=EnrolmentOut,
    status_code=status.HTTP_201_CREATED,
    responses=documented(400, 409, 413),
)
def enrol(
    session: SessionDep, state: StateDep, principal: EnrolerDep,
    body: Annotated[EnrolIn, Body()],
) -> EnrolmentOut:  # fmt: skip
    """Enrol a person (or a household, for a household scheme) of your area in a scheme:
    status ``pending`` until another user with ``approve_enrolment`` makes it active.
    Refused (422) when the rules find the unit not eligible at the date, with why."""
    return enrol_unit(session, state.pack, principal, body)


def _statuses(value: str | None) -> str | None:
    if value is not None and value not in ENROLMENT.statuses:
        raise ValidationFailed(
            [FieldError("status", value, f"must be one of {', '.join(ENROLMENT.statuses)}")]
        )
    return value


def enrolment_page(
    session: Session, pack: Pack, principal: Principal, *, scheme: str | None,
    status_: str | None, district: str | None, province: str | None, limit: int, offset: int,
) -> EnrolmentPage:  # fmt: skip
    """The list of the API and the dashboard, within the principal's area; audited."""
    if scheme is not None:
        scheme_of(pack, scheme)
    _statuses(status_)
    try:
        district, province = scoped_filters(area_of(principal), district, province)
    except OutsideArea:
        raise HTTPException(status.HTTP_403_FORBIDDEN, OUTSIDE) from None
    rows, total = queries.list_enrolments(
        session, area_of(principal), scheme=scheme, status=status_, district=district,
        province=province, limit=limit, offset=offset,
    )  # fmt: skip
    registry.record_read(
        session, principal, "enrolments", [str(r.id) for r in rows], district,
        details={"province": province} if province else None,
    )  # fmt: skip
    return EnrolmentPage(
        items=[shown(pack, r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/api/enrolments", response_model=EnrolmentPage)
def enrolments(
    session: SessionDep,
    state: StateDep,
    principal: PersonViewerDep,
    scheme: Annotated[SchemeCode | None, Query()] = None,
    status_: Annotated[str | None, Query(alias="status", max_length=16)] = None,
    district: DistrictCode = None,
    province: ProvinceCode = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> EnrolmentPage:
    """Enrolments in your area, newest first, filtered by scheme, status, district or
    province; ``total`` counts every match."""
    return enrolment_page(
        session, state.pack, principal, scheme=scheme, status_=status_, district=district,
        province=province, limit=limit, offset=offset,
    )  # fmt: skip


@router.get(
    "/api/enrolments/{enrolment_id}", response_model=EnrolmentOut, responses=documented(404)
)
def enrolment(
    enrolment_id: int,
    session: SessionDep,
    state: StateDep,
    principal: PersonViewerDep,
) -> EnrolmentOut:
    row = _row_in_area(session, principal, enrolment_id)
    registry.record_read(session, principal, "enrolment", str(enrolment_id), row.district_code)
    return shown(state.pack, row)


@router.post(
    "/api/enrolments/{enrolment_id}/status",
    response_model=EnrolmentOut,
    responses=documented(400, 404, 409, 413),
)
def set_status(
    enrolment_id: int,
    session: SessionDep,
    state: StateDep,
    principal: EnrolerDep,
    body: Annotated[StatusIn, Body()],
) -> EnrolmentOut:
    """Change the status (legal transitions only) from ``expected``; a reason is needed
    except for the approval. ``pending`` → ``active`` is the approval: ``approve_enrolment``,
    never by the user who enrolled (403)."""
    return change_status(session, state.pack, principal, enrolment_id, body)


@router.post(
    "/api/enrolments/bulk",
    response_model=BulkOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses={**documented(400, 413), 200: {"model": BulkOut, "description": "No one to enrol"}},
)
def enrol_eligible(
    session: SessionDep, state: StateDep, principal: BulkMakerDep,
    body: Annotated[BulkIn, Body()],
) -> BulkOut | JSONResponse:  # fmt: skip
    """Enrol everyone of one district of your area who is eligible for the scheme at the
    date and not enrolled: a change request (202) that another user approves
    (``POST /api/requests/{id}/approve``); the enrolments are then written active. 200
    with ``count`` 0 when there is no one to enrol."""
    try:
        prepared = bulk.prepare(
            session, state.pack, principal, scheme=body.scheme, district=body.district,
            on=body.date or dt.date.today(), today=dt.date.today(),
        )  # fmt: skip
    except Forbidden:
        raise HTTPException(status.HTTP_403_FORBIDDEN, OUTSIDE) from None
    if prepared.request is None:
        return JSONResponse(BulkOut(count=0, request_id=None).model_dump(), status.HTTP_200_OK)
    return BulkOut(count=prepared.count, request_id=prepared.request.id)


def explanations(
    session: Session, pack: Pack, principal: Principal, person_id: str,
    scheme: str | None, at: dt.date,
) -> ExplanationsOut:  # fmt: skip
    """Why the person (and their household, for household schemes) is eligible or not
    for ``scheme`` (every scheme of the pack when None) at ``at``; 404 outside the area."""
    chosen = [scheme_of(pack, scheme)] if scheme is not None else list(pack.schemes.values())
    try:
        person = registry.get_person(session, person_id)
        home = registry.get_household(session, person.household_id)
    except NotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no person {person_id}") from None
    if not area_of(principal).contains(home.district_code):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no person {person_id}")
    registry.record_read(session, principal, "explanation", person_id, home.district_code)
    persons, households = read_units(
        session,
        select(Household.household_id).where(Household.household_id == person.household_id),
    )
    frames = evaluated(pack, persons, households, person.household_id, at, chosen)
    found: list[Explanation] = [
        explain_scheme(
            pack,
            s,
            persons,
            households,
            person.household_id if s.unit == HOUSEHOLD else person_id,
            at,
            frames,
        )
        for s in chosen
    ]
    return ExplanationsOut(
        person_id=person_id, household_id=person.household_id, date=at,
        explanations=[e.to_dict() | {"scheme_status": pack.schemes[e.scheme].status}
                      for e in found],
    )  # fmt: skip


@router.get(
    "/api/persons/{person_id}/explanation",
    response_model=ExplanationsOut,
    responses=documented(404),
)
def explanation(
    person_id: IdInPath,
    session: SessionDep,
    state: StateDep,
    principal: PersonViewerDep,
    scheme: Annotated[SchemeCode | None, Query()] = None,
    date: ReferenceDate = None,
) -> ExplanationsOut:
    """Why the person is eligible or not for a scheme (every scheme when none is named)
    at the date (default today): each condition in plain words in Lao and English with
    what the registry holds, the parameters with their values, references and the date
    from which each value applies, and the amount for a cash scheme."""
    return explanations(session, state.pack, principal, person_id, scheme, date or dt.date.today())


def parameters_at(pack: Pack, at: dt.date, scheme: str | None) -> list[ParameterOut]:
    prefix = f"{scheme_of(pack, scheme).rules}." if scheme is not None else ""
    found = []
    for name in sorted(pack.parameters):
        if not name.startswith(prefix):
            continue
        parameter = pack.parameters[name]
        value = parameter.value_at(at)
        if value is None:
            continue
        found.append(
            ParameterOut(
                name=name,
                description=parameter.description,
                unit=parameter.unit,
                value=value.value,
                since=value.start,
                reference=value.reference,
                status=value.status,
            )
        )
    return found


@router.get("/api/parameters", response_model=ParameterPage)
def parameters(
    state: StateDep,
    _principal: PrincipalDep,
    date: ReferenceDate = None,
    scheme: Annotated[SchemeCode | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> ParameterPage:
    """The policy pack's parameter values in force at the date (default today), of one
    scheme's rules or all: each with its reference and the date it applies from."""
    at = date or dt.date.today()
    found = parameters_at(state.pack, at, scheme)
    return ParameterPage(
        date=at, items=found[offset : offset + limit], total=len(found), limit=limit,
        offset=offset,
    )  # fmt: skip
