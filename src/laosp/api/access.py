"""Who may see what: roles and geographic scope, decided in one place.

``area_of`` is the one function that scopes rows: every query for persons or households
asks it which area the principal may see. An analyst sees aggregates only and no area
of named persons at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    central_officer = "central_officer"
    provincial_officer = "provincial_officer"
    district_officer = "district_officer"
    analyst = "analyst"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated user of a request."""

    username: str
    role: Role
    province_code: str | None = None
    district_code: str | None = None


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


def area_of(principal: Principal) -> Area:
    """The area of named persons and households ``principal`` may see."""
    if principal.role in (Role.admin, Role.central_officer):
        return EVERYWHERE
    if principal.role is Role.provincial_officer and principal.province_code:
        return Area(province_code=principal.province_code)
    if principal.role is Role.district_officer and principal.district_code:
        return Area(district_code=principal.district_code)
    return NOWHERE


def may_see_persons(principal: Principal) -> bool:
    return not area_of(principal).nowhere


def may_manage_users(principal: Principal) -> bool:
    return principal.role is Role.admin


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
