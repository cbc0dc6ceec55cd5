"""Code lists of the registry (``shared/spec/registry.md``): one place. The registry's
fields name theirs in ``laosp.reference.dictionary``, from which the database constraints,
the validators, the importers and the rules engine take them."""

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
CYCLE_STATUSES = ("open", "approved", "paid", "closed")
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
ROLES = (
    "admin", "central_officer", "provincial_officer", "district_officer", "analyst", "auditor",
)  # fmt: skip
#: How a session was opened: the dashboard, an API token, the CLI's sign-in, a service
#: token for scheduled jobs.
SESSION_KINDS = ("web", "api", "cli", "service")
#: Changes that wait for a second person (maker–checker).
CHANGE_KINDS = ("enrolment_import", "identity_correction", "user_admin")
CHANGE_STATUSES = ("pending", "approved", "rejected")

#: The code lists outside the registry's fields whose codes a user sees, by the prefix of
#: their labels' keys in the ``codes`` message catalogue (``enrolment_status.active``).
LABELLED: dict[str, tuple[str, ...]] = {
    "enrolment_status": ENROLMENT_STATUSES,
    "payment_status": PAYMENT_STATUSES,
    "cycle_status": CYCLE_STATUSES,
    "grievance_status": GRIEVANCE_STATUSES,
    "sp_function": SP_FUNCTIONS,
    "role": ROLES,
    "change_kind": CHANGE_KINDS,
    "change_status": CHANGE_STATUSES,
}
