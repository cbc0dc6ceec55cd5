"""Shapes of registry data going in and out (``shared/spec/registry.md``).

The Pydantic models check types, code lists and ranges; the rules that relate several
fields or records (a head per household, employment details, mothers, dates) live in
``laosp.registry.validation`` so that every problem is reported, not only the first.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Relationship = Literal["head", "spouse", "child", "parent", "sibling", "grandchild", "other"]
Sex = Literal["F", "M"]
DatePrecision = Literal["day", "month", "year"]
Disability = Literal["none", "moderate", "severe"]
EmploymentStatus = Literal["employed", "unemployed", "inactive"]
EmploymentType = Literal["employee", "employer", "own_account", "contributing_family"]
EmployerType = Literal["private", "public", "military_police"]
Sector = Literal["agriculture", "industry", "services"]
FacilityLevel = Literal["health_centre", "district", "provincial", "central"]

MAX_BIGINT = 2**63 - 1
Identifier = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^\S+$")
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Kip = Annotated[int, Field(ge=0, le=MAX_BIGINT)]
Country = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=16)
]


def _drop_blanks(data: Any) -> Any:
    """Treat ``null`` and empty strings as "not given", so defaults apply (CSV cells)."""
    if isinstance(data, dict):
        return {key: value for key, value in data.items() if value is not None and value != ""}
    return data


def _blank_to_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: (None if value == "" else value) for key, value in data.items()}
    return data


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HouseholdFields(_Input):
    district_code: Code
    village_code: Code | None = None
    village_name: Name | None = None
    urban: bool = False
    poor: bool = False
    registered_on: dt.date | None = None
    extra: dict[str, Any] | None = None


class HouseholdCreate(HouseholdFields):
    household_id: Identifier

    _blanks = model_validator(mode="before")(_drop_blanks)


class HouseholdUpdate(_Input):
    """Fields to change; a field left out keeps its value, ``null`` clears it."""

    district_code: Code | None = None
    village_code: Code | None = None
    village_name: Name | None = None
    urban: bool | None = None
    poor: bool | None = None
    registered_on: dt.date | None = None
    extra: dict[str, Any] | None = None

    _blanks = model_validator(mode="before")(_blank_to_none)


class HouseholdRead(HouseholdCreate):
    province_code: str


class PersonFields(_Input):
    relationship: Relationship
    given_name: Name
    family_name: Name
    sex: Sex
    birth_date: dt.date
    birth_date_precision: DatePrecision = "day"
    national_id: ShortText | None = None
    phone: ShortText | None = None
    nationality: Country = "LA"
    mother_id: Identifier | None = None
    pregnant: bool = False
    pregnancy_month: Annotated[int, Field(ge=1, le=9)] | None = None
    disability: Disability = "none"
    monk: bool = False
    employment_status: EmploymentStatus = "inactive"
    employment_type: EmploymentType | None = None
    employer_type: EmployerType | None = None
    formal: bool = False
    sector: Sector | None = None
    earnings_monthly: Kip = 0
    declared_income_monthly: Kip = 0
    nssf_contribution_months: Annotated[int, Field(ge=0, le=1200)] = 0
    cct_compliant: bool = True
    facility_level: FacilityLevel = "district"
    extra: dict[str, Any] | None = None


class PersonCreate(PersonFields):
    """A person; ``household_id`` may be left out inside a household's ``members``."""

    person_id: Identifier
    household_id: Identifier | None = None

    _blanks = model_validator(mode="before")(_drop_blanks)


class PersonUpdate(_Input):
    """Fields to change; a field left out keeps its value, ``null`` clears it."""

    relationship: Relationship | None = None
    given_name: Name | None = None
    family_name: Name | None = None
    sex: Sex | None = None
    birth_date: dt.date | None = None
    birth_date_precision: DatePrecision | None = None
    national_id: ShortText | None = None
    phone: ShortText | None = None
    nationality: Country | None = None
    mother_id: Identifier | None = None
    pregnant: bool | None = None
    pregnancy_month: Annotated[int, Field(ge=1, le=9)] | None = None
    disability: Disability | None = None
    monk: bool | None = None
    employment_status: EmploymentStatus | None = None
    employment_type: EmploymentType | None = None
    employer_type: EmployerType | None = None
    formal: bool | None = None
    sector: Sector | None = None
    earnings_monthly: Kip | None = None
    declared_income_monthly: Kip | None = None
    nssf_contribution_months: Annotated[int, Field(ge=0, le=1200)] | None = None
    cct_compliant: bool | None = None
    facility_level: FacilityLevel | None = None
    extra: dict[str, Any] | None = None

    _blanks = model_validator(mode="before")(_blank_to_none)


class PersonRead(PersonFields):
    person_id: str
    household_id: str


class HouseholdWithMembers(HouseholdCreate):
    """The input shape ``{"household_id": ..., "district_code": ..., "members": [...]}``."""

    members: list[PersonCreate] = Field(default_factory=list)


class HouseholdDetail(HouseholdRead):
    """A household as read back, with its members (head first)."""

    members: list[PersonRead] = Field(default_factory=list)


class PersonHit(BaseModel):
    """One search result: a person and where their household is."""

    model_config = ConfigDict(frozen=True)

    person_id: str
    household_id: str
    given_name: str
    family_name: str
    sex: str
    birth_date: dt.date
    relationship: str
    district_code: str
    province_code: str
    village_name: str | None


class AddOutcome(BaseModel):
    """What ``add_household`` did: ``created``, ``unchanged`` or ``updated``."""

    model_config = ConfigDict(frozen=True)

    household_id: str
    action: Literal["created", "unchanged", "updated"]
    members: int
