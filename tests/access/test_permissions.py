"""The permission table: the one in docs/SECURITY.md is the one the code uses, and it
says what the ministry decided (written out here by hand, not read from the code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from laosp.access.permissions import (
    PERMISSIONS,
    Action,
    Forbidden,
    Reach,
    SameUser,
    allows,
    area_of,
    require,
    require_checker,
)
from laosp.access.roles import Principal, Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "SECURITY.md"

ADMIN = Principal("ada", Role.admin)
CENTRAL = Principal("chan", Role.central_officer)
CENTRAL_2 = Principal("khamla", Role.central_officer)
PROVINCIAL = Principal("phet", Role.provincial_officer, province_code="13")
DISTRICT = Principal("dao", Role.district_officer, province_code="01", district_code="0101")
ANALYST = Principal("ana", Role.analyst)
AUDITOR = Principal("odi", Role.auditor)


def _doc_table() -> dict[str, dict[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- permission-table -->")[1].split("<!-- /permission-table -->")[0]
    rows = [line for line in block.strip().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")][1:]
    table = {}
    for line in rows[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        table[cells[0].strip("`")] = dict(zip(header, cells[1:], strict=True))
    return table


def test_the_documented_table_is_the_table_in_force() -> None:
    words = {Reach.area: "area", Reach.national: "national"}
    code = {
        action.value: {role.value: words.get(row.get(role), "–") for role in Role}  # type: ignore[arg-type]
        for action, row in PERMISSIONS.items()
    }
    assert _doc_table() == code
    assert set(PERMISSIONS) == set(Action)


# (principal, action, district or None, allowed) — the decisions of docs/SECURITY.md
DECISIONS = [
    (DISTRICT, Action.register, "0101", True),
    (DISTRICT, Action.register, "0102", False),
    (DISTRICT, Action.read_persons, "1301", False),
    (PROVINCIAL, Action.read_persons, "1301", True),
    (PROVINCIAL, Action.read_persons, "1401", False),
    (PROVINCIAL, Action.read_identifiers, "1301", False),
    (DISTRICT, Action.read_identifiers, "0101", True),
    (CENTRAL, Action.read_identifiers, "1703", True),
    (ADMIN, Action.read_identifiers, "0101", False),
    (ADMIN, Action.register, "0101", False),
    (ADMIN, Action.prepare_cycle, None, False),
    (CENTRAL, Action.prepare_cycle, None, True),
    (PROVINCIAL, Action.prepare_cycle, None, False),
    (DISTRICT, Action.approve_identity, "0101", False),
    (PROVINCIAL, Action.approve_identity, "1301", True),
    (DISTRICT, Action.handle_grievance, "0101", False),
    (DISTRICT, Action.open_grievance, "0101", True),
    (ANALYST, Action.read_persons, None, False),
    (ANALYST, Action.read_aggregates, None, True),
    (ANALYST, Action.read_small_cells, None, False),
    (ANALYST, Action.clear_cache, None, False),
    (AUDITOR, Action.read_audit, None, True),
    (AUDITOR, Action.enrol, "0101", False),
    (AUDITOR, Action.read_persons, None, False),
    (CENTRAL, Action.read_audit, None, False),
    (CENTRAL, Action.manage_users, None, False),
    (ADMIN, Action.manage_users, None, True),
    (ADMIN, Action.clear_cache, None, True),
]


@pytest.mark.parametrize(("principal", "action", "district", "allowed"), DECISIONS)
def test_each_decision(
    principal: Principal, action: Action, district: str | None, allowed: bool
) -> None:
    assert allows(principal, action, district) is allowed
    if allowed:
        require(principal, action, district)
    else:
        with pytest.raises(Forbidden):
            require(principal, action, district)


def test_no_role_may_approve_its_own_work() -> None:
    require_checker(CENTRAL_2, Action.approve_cycle, maker="chan")
    with pytest.raises(SameUser):
        require_checker(CENTRAL, Action.approve_cycle, maker="chan")
    with pytest.raises(Forbidden):  # the right person, the wrong role
        require_checker(DISTRICT, Action.approve_cycle, maker="chan")


def test_an_officer_without_an_area_recorded_may_do_nothing_anywhere() -> None:
    lost = Principal("lost", Role.district_officer)  # no district recorded
    assert area_of(lost).nowhere
    assert not allows(lost, Action.register)
    assert allows(lost, Action.read_aggregates)
