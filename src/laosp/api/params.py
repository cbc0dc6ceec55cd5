"""Parameters shared by the API and the dashboard, checked at the edge.

Each refuses what the code behind it cannot serve with a 422 that names the parameter
and says what is accepted: reference dates outside the range the analytics compute,
place codes outside the code lists, identifiers and texts a database cannot store.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query
from pydantic import AfterValidator, StringConstraints

from laosp.access.passwords import MAX_LENGTH
from laosp.reference.admin_units import district_codes, province_codes
from laosp.reference.dates import DATE_RANGE, in_reference_range
from laosp.registry.schemas import IsoDate, PlainText


def known_district(value: str) -> str:
    if value not in district_codes():
        raise ValueError(
            f"must be one of the {len(district_codes())} district codes PPDD / ຕ້ອງເປັນລະຫັດເມືອງ"
        )
    return value


def blank_or_district(value: str | None) -> str | None:
    """A dashboard form's district: blank (``None``) or a known code."""
    return known_district(value) if value else None


def known_province(value: str) -> str:
    if value not in province_codes():
        raise ValueError(
            f"must be one of the {len(province_codes())} province codes PP / ຕ້ອງເປັນລະຫັດແຂວງ"
        )
    return value


def blank_or_province(value: str | None) -> str | None:
    """A dashboard form's province: blank (``None``) or a known code."""
    return known_province(value) if value else None


ReferenceDate = Annotated[
    Annotated[IsoDate, AfterValidator(in_reference_range)] | None,
    Query(description=f"reference date, {DATE_RANGE} (default today)"),
]
DistrictCode = Annotated[
    Annotated[str, AfterValidator(known_district)] | None,
    Query(description="district code PPDD", pattern=r"^[0-9]{4}$"),
]
ProvinceCode = Annotated[
    Annotated[str, AfterValidator(known_province)] | None,
    Query(description="province code PP", pattern=r"^[0-9]{2}$"),
]
#: A search text (a name in Lao script or romanised).
SearchText = Annotated[str, StringConstraints(max_length=120), PlainText]
#: The sign-in form's fields (the API's token and the dashboard's login).
LoginUsername = Annotated[str, Form(min_length=1, max_length=64), PlainText]
LoginPassword = Annotated[str, Form(min_length=1, max_length=MAX_LENGTH), PlainText]
#: The identifier of a household or person in a path.
IdInPath = Annotated[str, Path(min_length=1, max_length=64), PlainText]
