"""Persons and households, scoped to the principal's area (``laosp.api.access``).

A person or household outside the area answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Query, status

from laosp.api.access import OutsideArea, area_of, scoped_filters
from laosp.api.deps import PersonViewerDep, SessionDep, StateDep
from laosp.api.errors import documented
from laosp.api.params import DistrictCode, IdInPath, ProvinceCode, SearchText
from laosp.registry import service
from laosp.registry.errors import NotFoundError
from laosp.registry.schemas import (
    AddOutcome,
    HouseholdDetail,
    HouseholdWithMembers,
    PersonHit,
    PersonRead,
)

router = APIRouter(prefix="/api/registry", tags=["registry"], responses=documented(401, 403, 422))

OUTSIDE = "outside your area / ຢູ່ນອກເຂດຂອງທ່ານ"


def _not_found(entity: str, entity_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"no {entity} {entity_id}")


def search_persons(
    session: SessionDep,
    principal: PersonViewerDep,
    name: str | None,
    district: str | None,
    province: str | None,
    limit: int,
) -> list[PersonHit]:
    """The search of the API and of the dashboard, within the principal's area."""
    try:
        district, province = scoped_filters(area_of(principal), district, province)
    except OutsideArea:
        raise HTTPException(status.HTTP_403_FORBIDDEN, OUTSIDE) from None
    return service.search(
        session, name=name, district_code=district, province_code=province, limit=limit
    )


@router.get("/persons", response_model=list[PersonHit])
def persons(
    session: SessionDep,
    principal: PersonViewerDep,
    name: Annotated[SearchText | None, Query(description="Lao script or romanised")] = None,
    district: DistrictCode = None,
    province: ProvinceCode = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[PersonHit]:
    """Search persons by name, district and province (within your area)."""
    return search_persons(session, principal, name, district, province, limit)


def household_in_area(
    session: SessionDep, principal: PersonViewerDep, household_id: str
) -> HouseholdDetail:
    try:
        household = service.get_household(session, household_id)
    except NotFoundError:
        raise _not_found("household", household_id) from None
    if not area_of(principal).contains(household.district_code):
        raise _not_found("household", household_id)
    return household


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
    return found


@router.post(
    "/households",
    response_model=AddOutcome,
    status_code=status.HTTP_201_CREATED,
    responses=documented(400, 409, 413),
)
def add_household(
    session: SessionDep,
    state: StateDep,
    principal: PersonViewerDep,
    body: Annotated[HouseholdWithMembers, Body(description="a household with its members")],
    update: bool = False,
) -> AddOutcome:
    """Register (or with ``update=true`` change) a household in your area; audited. At
    most ``max_members_per_household`` members and ``max_extra_bytes`` of ``extra``
    each (settings)."""
    area = area_of(principal)
    if not area.contains(body.district_code):
        raise HTTPException(status.HTTP_403_FORBIDDEN, OUTSIDE)
    try:
        existing = service.get_household(session, body.household_id)
    except NotFoundError:
        existing = None
    if existing is not None and not area.contains(existing.district_code):
        raise HTTPException(status.HTTP_403_FORBIDDEN, OUTSIDE)
    return service.add_household(
        session, body, actor=principal.username, update=update, limits=state.limits
    )
