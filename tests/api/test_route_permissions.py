"""Route by route, which users the permission table lets through (any answer but 401 and
403) and which it refuses (403). The expectations are written here by hand from
docs/SECURITY.md; every route of the API must be listed, so a new route cannot skip
the table."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from laosp.access.roles import Role
from laosp.access.users import create_user
from laosp.db import make_engine, unit_of_work
from tests.api.conftest import PASSWORD, USERS, bearer

EVERYONE = frozenset(USERS)
ADMINS = frozenset({"admin", "admin2"})
NAMED = frozenset({"admin", "admin2", "central", "vientiane", "savannakhet"})  # read_persons
OFFICERS = frozenset({"central", "vientiane", "savannakhet"})  # export_named
AUDIT = frozenset({"admin", "admin2", "auditor"})
CENTRAL = frozenset({"central"})  # payment cycles, dues of a month: national work

HOUSEHOLD = {
    "household_id": "PERM-0101-1",
    "district_code": "0101",
    "members": [
        {
            "person_id": "PERM-0101-1-1",
            "relationship": "head",
            "given_name": "ທອງ",
            "family_name": "ສີ",
            "sex": "F",
            "birth_date": "1985-03-04",
        }
    ],
}

#: (method, route as OpenAPI names it, concrete path, JSON body, the users let through)
ROUTES: list[tuple[str, str, str, dict[str, Any] | None, frozenset[str]]] = [
    ("GET", "/api/auth/me", "/api/auth/me", None, EVERYONE),
    ("GET", "/api/auth/users", "/api/auth/users", None, ADMINS),
    ("POST", "/api/auth/users", "/api/auth/users", {"username": "x-new", "role": "analyst"},
     ADMINS),
    ("PUT", "/api/auth/users/{username}/role", "/api/auth/users/spare/role",
     {"username": "spare", "role": "analyst"}, ADMINS),
    ("POST", "/api/auth/users/{username}/disable", "/api/auth/users/spare/disable", None, ADMINS),
    ("POST", "/api/auth/users/{username}/{operation}", "/api/auth/users/spare/enable", None,
     ADMINS),
    ("GET", "/api/registry/persons", "/api/registry/persons", None, NAMED),
    ("GET", "/api/registry/households/{household_id}", "/api/registry/households/EX-VT-0001",
     None, NAMED),
    ("GET", "/api/registry/persons/{person_id}", "/api/registry/persons/EX-VT-0001-1", None,
     NAMED),
    ("POST", "/api/registry/households", "/api/registry/households", HOUSEHOLD,
     frozenset({"central", "vientiane"})),
    ("GET", "/api/indicators", "/api/indicators", None, EVERYONE),
    ("POST", "/api/indicators/refresh", "/api/indicators/refresh", None, ADMINS),
    ("GET", "/api/gaps", "/api/gaps", None, EVERYONE),
    ("GET", "/api/gaps/list", "/api/gaps/list", None, OFFICERS),
    ("GET", "/api/projection/scenarios", "/api/projection/scenarios", None, EVERYONE),
    ("GET", "/api/projection", "/api/projection", None, EVERYONE),
    ("GET", "/reports/coverage.{fmt}", "/reports/coverage.xlsx", None, EVERYONE),
    ("POST", "/api/rules/diff", "/api/rules/diff", {"changes": {}}, EVERYONE),
    ("GET", "/api/requests", "/api/requests", None, EVERYONE),
    ("GET", "/api/audit", "/api/audit", None, AUDIT),
    ("POST", "/api/enrolments", "/api/enrolments", {"scheme": "nhi", "unit_id": "EX-VT-0001-1"},
     OFFICERS),
    ("GET", "/api/enrolments", "/api/enrolments", None, NAMED),
    ("GET", "/api/enrolments/{enrolment_id}", "/api/enrolments/1", None, NAMED),
    ("POST", "/api/enrolments/{enrolment_id}/status", "/api/enrolments/1/status",
     {"status": "exited", "expected": "pending", "reason": "test"}, OFFICERS),
    ("POST", "/api/enrolments/bulk", "/api/enrolments/bulk",
     {"scheme": "nhi", "district": "1301"}, frozenset({"central", "savannakhet"})),
    ("GET", "/api/persons/{person_id}/explanation", "/api/persons/EX-VT-0001-1/explanation",
     None, NAMED),
    ("GET", "/api/parameters", "/api/parameters", None, EVERYONE),
    ("GET", "/api/audit/verify", "/api/audit/verify", None, AUDIT),
    ("POST", "/api/cycles", "/api/cycles", {"scheme": "mecg", "period": "2024-03"}, CENTRAL),
    ("GET", "/api/cycles", "/api/cycles", None, CENTRAL),
    ("GET", "/api/cycles/{cycle_id}", "/api/cycles/1", None, CENTRAL),
    ("GET", "/api/cycles/{cycle_id}/payments", "/api/cycles/1/payments", None, CENTRAL),
    ("POST", "/api/cycles/{cycle_id}/approve", "/api/cycles/999/approve", None, CENTRAL),
    ("POST", "/api/cycles/{cycle_id}/pay", "/api/cycles/999/pay", {}, CENTRAL),
    ("POST", "/api/cycles/{cycle_id}/close", "/api/cycles/999/close", None, CENTRAL),
    ("POST", "/api/contributions/dues", "/api/contributions/dues",
     {"scheme": "nssf_private", "period": "2024-04"}, CENTRAL),
    ("POST", "/api/contributions/{contribution_id}/pay", "/api/contributions/999/pay",
     {"amount": 1}, OFFICERS),
    ("GET", "/api/contributions", "/api/contributions", None, OFFICERS),
    ("GET", "/api/grievances/categories", "/api/grievances/categories", None, EVERYONE),
    ("POST", "/api/grievances", "/api/grievances",
     {"category": "payment", "description": "late", "household_id": "EX-VT-0001"}, OFFICERS),
    ("GET", "/api/grievances", "/api/grievances", None, OFFICERS),
    ("GET", "/api/grievances/{grievance_id}", "/api/grievances/1", None, OFFICERS),
    ("POST", "/api/grievances/{grievance_id}/assign", "/api/grievances/1/assign",
     {"assigned_to": "central"}, frozenset({"central", "savannakhet"})),
    ("POST", "/api/grievances/{grievance_id}/escalate", "/api/grievances/1/escalate", None,
     frozenset({"central", "savannakhet"})),
    ("POST", "/api/grievances/{grievance_id}/resolve", "/api/grievances/1/resolve",
     {"resolution": "paid"}, frozenset({"central", "savannakhet"})),
    ("POST", "/api/grievances/{grievance_id}/reject", "/api/grievances/1/reject",
     {"resolution": "duplicate"}, frozenset({"central", "savannakhet"})),
]  # fmt: skip

#: Routes whose gate is tested elsewhere: signing in and out, one's own password
#: (tests/api/test_auth.py, test_sessions_and_users.py), deciding requests (every kind's
#: maker-checker tests).
ELSEWHERE = {
    ("POST", "/api/auth/token"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/password"),
    ("POST", "/api/requests/{request_id}/approve"),
    ("POST", "/api/requests/{request_id}/reject"),
}


def test_every_route_is_in_the_table(client: TestClient) -> None:
    served = {
        (method.upper(), path)
        for path, operations in client.app.openapi()["paths"].items()  # type: ignore[attr-defined]
        for method in operations
    }
    listed = {(method, route) for method, route, *_ in ROUTES} | ELSEWHERE
    assert served == listed


def test_each_route_lets_through_exactly_the_roles_of_the_table(
    client: TestClient, seeded_url: str
) -> None:
    engine = make_engine(seeded_url)
    with unit_of_work(engine) as session:
        create_user(session, "spare", PASSWORD, Role.analyst)
    engine.dispose()
    headers = {username: bearer(client, username) for username in USERS}
    wrong = []
    for method, route, path, body, allowed in ROUTES:
        for username in sorted(USERS):
            answer = client.request(method, path, json=body, headers=headers[username])
            let_through = answer.status_code not in (401, 403)
            if let_through != (username in allowed):
                wrong.append((method, route, username, answer.status_code, answer.text[:120]))
    assert wrong == []
