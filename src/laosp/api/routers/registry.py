"""Persons and households, scoped to the principal's area (``laosp.access.roles``).

A person or household outside the area answers 404, as if it did not exist; a refused
write names nothing outside it. National ids and phones are masked for roles without
``read_identifiers`` there; every read of a named record is audited. An update that
changes who a person is waits for a second person (202 and a change request).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from laosp.access.permissions import Action, Forbidden, area_of, reach
from laosp.access.roles import OutsideArea, Principal, scoped_filters
from laosp.api.deps import PersonViewerDep, SessionDep, StateDep, allowed_to
from laosp.api.errors import documented
from laosp.api.params import DistrictCode, IdInPath, ProvinceCode, SearchText
from laosp.registry import service
from laosp.registry.errors import NotFoundError
from laosp.registry.schemas import (
    AddOutcome,
    HouseholdDetail,
    HouseholdWithMembers,
    PendingCorrection,
    PersonHit,
    PersonRead,
)
from laosp.registry.service import IdentityCorrection

router = APIRouter(prefix="/api/registry", tags=["registry"], responses=documented(401, 403, 422))

OUTSIDE = "outside your area / ຢູ່ນອກເຂດຂອງທ່ານ"


def _not_found(entity: str, entity_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"no {entity} {entity_id}")


class PersonPage(BaseModel):
    """One page of a search: ``limit`` persons after the first ``offset`` of ``total``."""

    items: list[PersonHit]
    total: int
    limit: int
    offset: int


def search_persons(
    session: SessionDep,
    principal: PersonViewerDep,
    name: str | None,
    district: str | None,
    province: str | None,
    limit: int,
    offset: int = 0,
) -> PersonPage:
    """The search of the API and of the dashboard, within the principal's area: one page
    and the count of every match."""
    try:
        district, province = scoped_filters(area_of(principal), district, province)
    except OutsideArea:
        raise HTTPException(status.HTTP_403_FORBIDDEN, OUTSIDE) from None
    hits = service.search(
        session, name=name, district_code=district, province_code=province, limit=limit,
        offset=offset,
    )  # fmt: skip
    total = service.search_total(session, name=name, district_code=district, province_code=province)
    service.record_read(
        session, principal, "search", [hit.person_id for hit in hits], district,
        details={"province": province} if province else None,
    )  # fmt: skip
    return PersonPage(items=hits, total=total, limit=limit, offset=offset)


@router.get("/persons", response_model=PersonPage)
def persons(
    session: SessionDep,
    principal: PersonViewerDep,
    name: Annotated[SearchText | None, Query(description="Lao script or romanised")] = None,
    district: DistrictCode = None,
    province: ProvinceCode = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PersonPage:
    """Search persons by name, district and province (within your area): ``limit`` of
    them after the first ``offset``, and the ``total`` found."""
    return search_persons(session, principal, name, district, province, limit, offset)


def household_in_area(
    session: SessionDep, principal: PersonViewerDep, household_id: str
) -> HouseholdDetail:
    """The household as ``principal`` may see it (404 outside their area); the read is
    audited (the API and the dashboard alike)."""
    try:
        household = service.get_household(session, household_id)
    except NotFoundError:
        raise _not_found("household", household_id) from None
    if not area_of(principal).contains(household.district_code):
        raise _not_found("household", household_id)
    service.record_read(session, principal, "household", household_id, household.district_code)
    return service.household_shown_to(principal, household)


@router.get("/households/{household_id}", response_model=HouseholdDetail, responses=documented(404))
def household(
    household_id: IdInPath, session: SessionDep, principal: PersonViewerDep
) -> HouseholdDetail:
    """A household with its members."""
    return household_in_area(session, principal, household_id)


@router.get("/persons/{person_id}", response_model=PersonRead, responses=documented(404))
def person(person_id: IdInPath, session: SessionDep, principal: PersonViewerDep) -> PersonRead:
    try:
        found = service.get_person(session, person_id)
        home = service.get_household(session, found.household_id)
    except NotFoundError:
        raise _not_found("person", person_id) from None
    if not area_of(principal).contains(home.district_code):
        raise _not_found("person", person_id)
    service.record_read(session, principal, "person", person_id, home.district_code)
    return service.person_shown_to(principal, found, home.district_code)


RegistrarDep = Annotated[Principal, allowed_to(Action.register)]


@router.post(
    "/households",
    response_model=AddOutcome,
    status_code=status.HTTP_201_CREATED,
    responses={
        **documented(400, 409, 413),
        202: {"model": PendingCorrection, "description": "An identity correction waits"},
    },
)
def add_household(
    session: SessionDep,
    state: StateDep,
    principal: RegistrarDep,
    body: Annotated[HouseholdWithMembers, Body(description="a household with its members")],
    update: bool = False,
) -> AddOutcome | JSONResponse:
    """Register (or with ``update=true`` change) a household in your area; audited. At
    most ``max_members_per_household`` members and ``max_extra_bytes`` of ``extra``
    each (settings). A household id already used outside your area answers 409 (the
    same whatever that household holds). An update changing a person's given or family
    name, birth date, sex or national id is not applied: it answers 202 with a change
    request that another user with ``approve_identity`` approves."""
    if not reach(principal, Action.register).contains(body.district_code):
        raise HTTPException(status.HTTP_403_FORBIDDEN, OUTSIDE)
    try:
        return service.add_household(
            session, body, actor=principal.username, update=update, limits=state.limits,
            area=reach(principal, Action.register),
        )  # fmt: skip
    except IdentityCorrection as correction:
        payload = body.model_dump(mode="json", exclude_unset=True)
        try:
            request = service.submit_correction(session, principal, payload, correction)
        except Forbidden as error:
            raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from None
        pending = PendingCorrection(
            request_id=request.id, household_id=correction.household_id,
            identity_fields=correction.fields,
        )  # fmt: skip
        return JSONResponse(pending.model_dump(mode="json"), status.HTTP_202_ACCEPTED)
