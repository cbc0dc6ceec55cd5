"""Persons and households, scoped to the principal's area (``laosp.api.access``).

A person or household outside the area answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, status

from laosp.api.access import OutsideArea, area_of, scoped_filters
from laosp.api.deps import PersonViewerDep, SessionDep
from laosp.registry import service
from laosp.registry.errors import ConflictError, NotFoundError, ValidationFailed
from laosp.registry.schemas import AddOutcome, HouseholdDetail, PersonHit, PersonRead

router = APIRouter(prefix="/api/registry", tags=["registry"])

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
    try:
        return service.search(
            session, name=name, district_code=district, province_code=province, limit=limit
        )
    except ValidationFailed as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, [e.as_dict() for e in error.errors]
        ) from None


@router.get("/persons", response_model=list[PersonHit])
def persons(
    session: SessionDep,
    principal: PersonViewerDep,
    name: Annotated[str | None, Query(description="Lao script or romanised")] = None,
    district: Annotated[str | None, Query(description="district code PPDD")] = None,
    province: Annotated[str | None, Query(description="province code PP")] = None,
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


@router.get("/households/{household_id}", response_model=HouseholdDetail)
def household(
    household_id: str, session: SessionDep, principal: PersonViewerDep
) -> HouseholdDetail:
    """A household with its members."""
    return household_in_area(session, principal, household_id)


@router.get("/persons/{person_id}", response_model=PersonRead)
def person(person_id: str, session: SessionDep, principal: PersonViewerDep) -> PersonRead:
    try:
        found = service.get_person(session, person_id)
        home = service.get_household(session, found.household_id)
    except NotFoundError:
        raise _not_found("person", person_id) from None
    if not area_of(principal).contains(home.district_code):
        raise _not_found("person", person_id)
    return found


@router.post("/households", response_model=AddOutcome, status_code=status.HTTP_201_CREATED)
def add_household(
    session: SessionDep,
    principal: PersonViewerDep,
    body: Annotated[dict[str, Any], Body(description="a household with its members")],
    update: bool = False,
) -> AddOutcome:
    """Register (or with ``update=true`` change) a household in your area; audited."""
    district = body.get("district_code")
    if not isinstance(district, str) or not area_of(principal).contains(district):
        raise HTTPException(status.HTTP_403_FORBIDDEN, OUTSIDE)
    household_id = body.get("household_id")
    if isinstance(household_id, str):
        try:
            existing = service.get_household(session, household_id)
        except NotFoundError:
            existing = None
        if existing is not None and not area_of(principal).contains(existing.district_code):
            raise HTTPException(status.HTTP_403_FORBIDDEN, OUTSIDE)
    try:
        return service.add_household(session, body, actor=principal.username, update=update)
    except ValidationFailed as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, [e.as_dict() for e in error.errors]
        ) from None
    except ConflictError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
