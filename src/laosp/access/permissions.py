"""The permission table: which role may do which action, and where.

One table decides for the API, the dashboard and the CLI alike. A role either may not
do an action, may do it in its own area (its district or province), or everywhere.
``docs/SECURITY.md`` prints this table; ``tests/access/test_permissions.py`` keeps the
two equal.
"""

from __future__ import annotations

from enum import StrEnum

from laosp.access.roles import EVERYWHERE, NOWHERE, Area, Principal, Role, home_area


class Action(StrEnum):
    """What a user may be allowed to do (``docs/SECURITY.md`` explains each)."""

    read_persons = "read_persons"
    read_identifiers = "read_identifiers"
    export_named = "export_named"
    register = "register"
    correct_identity = "correct_identity"
    approve_identity = "approve_identity"
    enrol = "enrol"
    approve_enrolment = "approve_enrolment"
    import_enrolments = "import_enrolments"
    approve_enrolment_import = "approve_enrolment_import"
    prepare_cycle = "prepare_cycle"
    approve_cycle = "approve_cycle"
    pay_cycle = "pay_cycle"
    record_contributions = "record_contributions"
    open_grievance = "open_grievance"
    handle_grievance = "handle_grievance"
    read_aggregates = "read_aggregates"
    read_small_cells = "read_small_cells"
    clear_cache = "clear_cache"
    manage_users = "manage_users"
    approve_users = "approve_users"
    read_audit = "read_audit"


class Reach(StrEnum):
    area = "own area"
    national = "national"


A, N = Reach.area, Reach.national
admin, central, provincial, district, analyst, auditor = (
    Role.admin, Role.central_officer, Role.provincial_officer, Role.district_officer,
    Role.analyst, Role.auditor,
)  # fmt: skip

#: role × action × area. An action a role is not listed for is refused.
PERMISSIONS: dict[Action, dict[Role, Reach]] = {
    Action.read_persons: {central: N, provincial: A, district: A, admin: N},
    Action.read_identifiers: {central: N, district: A},
    Action.export_named: {central: N, provincial: A, district: A},
    Action.register: {central: N, provincial: A, district: A},
    Action.correct_identity: {central: N, provincial: A, district: A},
    Action.approve_identity: {central: N, provincial: A},
    Action.enrol: {central: N, provincial: A, district: A},
    Action.approve_enrolment: {central: N, provincial: A},
    Action.import_enrolments: {central: N, provincial: A, district: A},
    Action.approve_enrolment_import: {central: N, provincial: A},
    Action.prepare_cycle: {central: N},
    Action.approve_cycle: {central: N},
    Action.pay_cycle: {central: N},
    Action.record_contributions: {central: N, provincial: A, district: A},
    Action.open_grievance: {central: N, provincial: A, district: A},
    Action.handle_grievance: {central: N, provincial: A},
    Action.read_aggregates: dict.fromkeys(Role, N),
    Action.read_small_cells: {central: N, provincial: N, district: N, admin: N},
    Action.clear_cache: {admin: N},
    Action.manage_users: {admin: N},
    Action.approve_users: {admin: N},
    Action.read_audit: {auditor: N, admin: N},
}

#: Work prepared under the first action is approved under the second, by another user.
CHECKED_BY: dict[Action, Action] = {
    Action.prepare_cycle: Action.approve_cycle,
    Action.enrol: Action.approve_enrolment,
    Action.import_enrolments: Action.approve_enrolment_import,
    Action.correct_identity: Action.approve_identity,
    Action.manage_users: Action.approve_users,
}


class Forbidden(Exception):  # noqa: N818 (reads as the condition)
    """The principal may not do ``action`` (there, or at all)."""

    def __init__(self, action: Action, message: str | None = None) -> None:
        super().__init__(
            message
            or f"your role may not {action.value.replace('_', ' ')} here / ບົດບາດຂອງທ່ານບໍ່ມີສິດເຮັດສິ່ງນີ້"
        )
        self.action = action


class SameUser(Forbidden):
    """The checker is the maker: the same user can never prepare and approve."""

    def __init__(self, action: Action) -> None:
        super().__init__(
            action,
            "you prepared this yourself: another user must approve it / "
            "ທ່ານເປັນຜູ້ກະກຽມເອງ: ຜູ້ອື່ນຕ້ອງເປັນຜູ້ອະນຸມັດ",
        )


def reach(principal: Principal, action: Action) -> Area:
    """Where ``principal`` may do ``action``: nowhere, their own area or everywhere."""
    granted = PERMISSIONS[action].get(principal.role)
    if granted is None:
        return NOWHERE
    return EVERYWHERE if granted is Reach.national else home_area(principal)


def allows(principal: Principal, action: Action, district_code: str | None = None) -> bool:
    """Whether ``principal`` may do ``action`` somewhere (``district_code`` None) or in
    that district."""
    area = reach(principal, action)
    if district_code is None:
        return not area.nowhere
    return area.contains(district_code)


def require(principal: Principal, action: Action, district_code: str | None = None) -> None:
    """Raise ``Forbidden`` unless ``allows(principal, action, district_code)``."""
    if not allows(principal, action, district_code):
        raise Forbidden(action)


def require_checker(
    principal: Principal, action: Action, maker: str | None, district_code: str | None = None
) -> None:
    """``require`` for the approving ``action``, and never by the ``maker``."""
    require(principal, action, district_code)
    if maker is not None and maker == principal.username:
        raise SameUser(action)


def area_of(principal: Principal) -> Area:
    """The area of named persons and households ``principal`` may read."""
    return reach(principal, Action.read_persons)
