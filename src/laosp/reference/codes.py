"""Code lists of the registry (``shared/spec/registry.md``): one place, used by the
database constraints, the validators, the importers and the rules engine."""

from __future__ import annotations

RELATIONSHIPS = ("head", "spouse", "child", "parent", "sibling", "grandchild", "other")
SEXES = ("F", "M")
BIRTH_DATE_PRECISIONS = ("day", "month", "year")
DISABILITIES = ("none", "moderate", "severe")
EMPLOYMENT_STATUSES = ("employed", "unemployed", "inactive")
EMPLOYMENT_TYPES = ("employee", "employer", "own_account", "contributing_family")
EMPLOYER_TYPES = ("private", "public", "military_police")
SECTORS = ("agriculture", "industry", "services")
FACILITY_LEVELS = ("health_centre", "district", "provincial", "central")
ENROLMENT_STATUSES = ("pending", "active", "suspended", "exited")
PAYMENT_STATUSES = ("scheduled", "paid", "failed", "cancelled")
GRIEVANCE_STATUSES = ("open", "in_review", "resolved", "rejected")
SP_FUNCTIONS = (
    "old_age",
    "disability",
    "survivors",
    "sickness",
    "maternity",
    "employment_injury",
    "unemployment",
    "health",
    "children",
    "social_assistance",
)
#: The coded person columns and their values, as the registry snapshot types them (a
#: ``pl.Enum`` each) and the rules engine reads them; "" leads the values of the columns
#: the registry leaves empty where they do not apply.
PERSON_CODED_COLUMNS: dict[str, tuple[str, ...]] = {
    "relationship": RELATIONSHIPS,
    "sex": SEXES,
    "birth_date_precision": BIRTH_DATE_PRECISIONS,
    "disability": DISABILITIES,
    "employment_status": EMPLOYMENT_STATUSES,
    "employment_type": ("", *EMPLOYMENT_TYPES),
    "employer_type": ("", *EMPLOYER_TYPES),
    "sector": ("", *SECTORS),
    "facility_level": FACILITY_LEVELS,
}
ROLES = ("admin", "central_officer", "provincial_officer", "district_officer", "analyst")
