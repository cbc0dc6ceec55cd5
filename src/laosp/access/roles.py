"""Roles, the principal of a request or command, and geographic areas.

What each role may do, and where, is the permission table (``access.permissions``);
``area_of`` is the area of named persons a principal may read.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from laosp.models import User


class Role(StrEnum):
    admin = "admin"
    central_officer = "central_officer"
    provincial_officer = "provincial_officer"
    district_officer = "district_officer"
    analyst = "analyst"
    auditor = "auditor"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated user of a request or a command."""

    username: str
    role: Role
    province_code: str | None = None
    district_code: str | None = None


def user_principal(user: User) -> Principal:
    """The principal a user row signs in as."""
    return Principal(user.username, Role(user.role), user.province_code, user.district_code)


@dataclass(frozen=True, slots=True)
class Area:
    """Where a principal may see named persons: ``everywhere``, a province, a district,
    or ``nowhere``."""

    everywhere: bool = False
    province_code: str | None = None
    district_code: str | None = None

    @property
    def nowhere(self) -> bool:
        return not self.everywhere and self.province_code is None and self.district_code is None

    def contains(self, district_code: str) -> bool:
        if self.everywhere:
            return True
        if self.district_code is not None:
            return district_code == self.district_code
        if self.province_code is not None:
            return district_code[:2] == self.province_code
        return False

    def contains_province(self, province_code: str) -> bool:
        """Whether every district of ``province_code`` is inside the area."""
        return self.everywhere or self.province_code == province_code


NOWHERE = Area()
EVERYWHERE = Area(everywhere=True)


def home_area(principal: Principal) -> Area:
    """The area a principal works in: their district, else their province; nowhere
    when neither is recorded (never the whole country by omission). National reach is
    the permission table's business."""
    if principal.district_code:
        return Area(district_code=principal.district_code)
    if principal.province_code:
        return Area(province_code=principal.province_code)
    return NOWHERE


class OutsideArea(Exception):  # noqa: N818 (reads as a condition)
    """A filter asks for places outside the principal's area."""


def scoped_filters(
    area: Area, district_code: str | None, province_code: str | None
) -> tuple[str | None, str | None]:
    """The ``(district, province)`` filters of a query for persons, narrowed to ``area``;
    ``OutsideArea`` when the asked filters leave it."""
    if area.nowhere:
        raise OutsideArea
    if area.everywhere:
        return district_code, province_code
    if district_code is not None and not area.contains(district_code):
        raise OutsideArea
    if area.district_code is not None:
        if province_code not in (None, area.district_code[:2]):
            raise OutsideArea
        return area.district_code, None
    if province_code not in (None, area.province_code):
        raise OutsideArea
    return district_code, area.province_code
