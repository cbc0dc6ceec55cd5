"""Shapes of registry data going in and out (``shared/spec/registry.md``).

The Pydantic models check types, code lists and ranges, all taken from the data
dictionary (``laosp.reference.dictionary``): a code outside a field's list is refused
with the field's labels (``must be one of F, M (Sex / ເພດ)``). The rules that relate several
fields or records (a head per household, employment details, mothers, dates) live in
``laosp.registry.validation`` so that every problem is reported, not only the first.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from laosp.reference import dictionary as dd

MAX_BIGINT = dd.MAX_KIP
#: Deepest nesting of objects and lists inside ``extra``.
MAX_EXTRA_DEPTH = 16
#: C0 controls but tab and line breaks, DEL, C1 controls: refused in text by the API and
#: the importers alike (a pattern for Python's ``re`` and for Polars).
CONTROL_CHARACTERS = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]"
#: Control characters and lone surrogates: PostgreSQL cannot store NUL, neither database
#: a lone surrogate, and no officer can read the others.
_NOT_PLAIN = re.compile(rf"{CONTROL_CHARACTERS}|[\ud800-\udfff]")
#: What no text inside ``extra`` may hold (line breaks and tabs are allowed there).
_NOT_STORABLE = re.compile("[\x00\ud800-\udfff]")
NOT_PLAIN_REASON = "must not contain control characters (such as NUL) or lone surrogates"
NOT_STORABLE_REASON = "must not contain NUL characters or lone surrogates"


def plain_text(value: str) -> str:
    """``value`` when both databases can store it and a screen can show it."""
    if _NOT_PLAIN.search(value):
        raise ValueError(NOT_PLAIN_REASON)
    return value


def storable_json(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` when both databases can store it as JSON: no NUL or lone surrogate in a
    key or a text, no NaN or infinity, at most ``MAX_EXTRA_DEPTH`` levels deep (walked
    without recursion, so any depth is refused cleanly)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list) and depth > MAX_EXTRA_DEPTH:
            raise ValueError(f"must not nest objects or lists deeper than {MAX_EXTRA_DEPTH}")
        if isinstance(item, dict):
            for key, inner in item.items():
                if _NOT_STORABLE.search(key):
                    raise ValueError(f"a key {NOT_STORABLE_REASON}")
                pending.append((inner, depth + 1))
        elif isinstance(item, list):
            pending.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, str) and _NOT_STORABLE.search(item):
            raise ValueError(NOT_STORABLE_REASON)
        elif isinstance(item, float) and not math.isfinite(item):
            raise ValueError("must not contain NaN or infinite numbers")
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date_only(value: Any) -> Any:
    """Refuse a date written other than ``YYYY-MM-DD`` before Pydantic reads it (it would
    take a number, or text such as ``0``, as seconds since 1970)."""
    if isinstance(value, dt.date):
        return value
    if not (isinstance(value, str) and _ISO_DATE.fullmatch(value.strip())):
        raise ValueError("must be a date (YYYY-MM-DD)")
    return value.strip()


PlainText = AfterValidator(plain_text)


def _one_of(name: str) -> AfterValidator:
    """The check that a value is one of person field ``name``'s codes."""
    field = dd.person(name)

    def check(value: str) -> str:
        if value not in field.codes:
            raise ValueError(dd.codes_reason(field))
        return value

    return AfterValidator(check)


def _enum(name: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(dd.person(name).codes)})


def _default(name: str, entity: dd.Entity = dd.PERSON) -> Any:
    """The default of field ``name``, from the data dictionary."""
    return dd.field(entity, name).default


def _bounds(name: str) -> Any:
    field = dd.person(name)
    return Field(ge=field.low, le=field.high)


Relationship = Annotated[str, _one_of("relationship"), _enum("relationship")]
Sex = Annotated[str, _one_of("sex"), _enum("sex")]
DatePrecision = Annotated[str, _one_of("birth_date_precision"), _enum("birth_date_precision")]
Disability = Annotated[str, _one_of("disability"), _enum("disability")]
EmploymentStatus = Annotated[str, _one_of("employment_status"), _enum("employment_status")]
EmploymentType = Annotated[str, _one_of("employment_type"), _enum("employment_type")]
EmployerType = Annotated[str, _one_of("employer_type"), _enum("employer_type")]
Sector = Annotated[str, _one_of("sector"), _enum("sector")]
FacilityLevel = Annotated[str, _one_of("facility_level"), _enum("facility_level")]
PregnancyMonth = Annotated[int, _bounds("pregnancy_month")]
ContributionMonths = Annotated[int, _bounds("nssf_contribution_months")]
#: A date given as ``YYYY-MM-DD`` (or a ``date``).
IsoDate = Annotated[dt.date, BeforeValidator(iso_date_only)]
Identifier = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=dd.TEXT_LENGTHS["id"], pattern=r"^\S+$"
    ),
    PlainText,
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=dd.TEXT_LENGTHS["name"]),
    PlainText,
]
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16), PlainText
]
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=dd.TEXT_LENGTHS["short"]),
    PlainText,
]
Kip = Annotated[int, _bounds("earnings_monthly")]
Country = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=16),
    PlainText,
]
#: Additional data of a household or person (its size is bounded by
#: ``Settings.max_extra_bytes``, checked in ``laosp.registry.validation``).
Extra = Annotated[dict[str, Any], AfterValidator(storable_json)]


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
    urban: bool = _default("urban", dd.HOUSEHOLD)
    poor: bool = _default("poor", dd.HOUSEHOLD)
    registered_on: IsoDate | None = None
    extra: Extra | None = None


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
    registered_on: IsoDate | None = None
    extra: Extra | None = None

    _blanks = model_validator(mode="before")(_blank_to_none)


class HouseholdRead(HouseholdCreate):
    province_code: str


class PersonFields(_Input):
    relationship: Relationship
    given_name: Name
    family_name: Name
    sex: Sex
    birth_date: IsoDate
    birth_date_precision: DatePrecision = _default("birth_date_precision")
    national_id: ShortText | None = None
    phone: ShortText | None = None
    nationality: Country = _default("nationality")
    mother_id: Identifier | None = None
    pregnant: bool = _default("pregnant")
    pregnancy_month: PregnancyMonth | None = None
    disability: Disability = _default("disability")
    monk: bool = _default("monk")
    employment_status: EmploymentStatus = _default("employment_status")
    employment_type: EmploymentType | None = None
    employer_type: EmployerType | None = None
    formal: bool = _default("formal")
    sector: Sector | None = None
    earnings_monthly: Kip = _default("earnings_monthly")
    declared_income_monthly: Kip = _default("declared_income_monthly")
    nssf_contribution_months: ContributionMonths = _default("nssf_contribution_months")
    cct_compliant: bool = _default("cct_compliant")
    facility_level: FacilityLevel = _default("facility_level")
    extra: Extra | None = None


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
    birth_date: IsoDate | None = None
    birth_date_precision: DatePrecision | None = None
    national_id: ShortText | None = None
    phone: ShortText | None = None
    nationality: Country | None = None
    mother_id: Identifier | None = None
    pregnant: bool | None = None
    pregnancy_month: PregnancyMonth | None = None
    disability: Disability | None = None
    monk: bool | None = None
    employment_status: EmploymentStatus | None = None
    employment_type: EmploymentType | None = None
    employer_type: EmployerType | None = None
    formal: bool | None = None
    sector: Sector | None = None
    earnings_monthly: Kip | None = None
    declared_income_monthly: Kip | None = None
    nssf_contribution_months: ContributionMonths | None = None
    cct_compliant: bool | None = None
    facility_level: FacilityLevel | None = None
    extra: Extra | None = None

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


class PendingCorrection(BaseModel):
    """An update that changes who a person is, waiting for a second person's approval
    (``POST /api/requests/{request_id}/approve``): nothing was changed yet."""

    model_config = ConfigDict(frozen=True)

    request_id: int
    status: Literal["pending"] = "pending"
    household_id: str
    #: ``person_id → the identity fields the update changes``.
    identity_fields: dict[str, list[str]]
