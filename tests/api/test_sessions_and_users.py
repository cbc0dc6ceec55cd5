"""Sign-out ends a session on the server; disabling ends all of a user's sessions;
passwords are changed and reset; sign-in is throttled per user and per address; user
administration is prepared by one admin and approved by another."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from laosp.config import Settings
from laosp.db import make_engine, unit_of_work
from laosp.models import AuditEvent, ChangeRequest, User
from laosp.server import create_app
from tests.api.conftest import PASSWORD, SECRET, bearer

ME = "/api/auth/me"


def _sign_in(client: TestClient, username: str, password: str) -> httpx.Response:
    return client.post("/api/auth/token", data={"username": username, "password": password})


def _count(db_url: str, action: str, entity_id: str) -> int:
    engine = make_engine(db_url)
    with unit_of_work(engine) as session:
        found = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.entity_id == entity_id)
        )
    engine.dispose()
    return int(found or 0)


def test_a_token_is_refused_after_logout(client: TestClient) -> None:
    headers = bearer(client, "central")
    other = bearer(client, "central")
    assert client.get(ME, headers=headers).status_code == 200
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get(ME, headers=headers).status_code == 401
    # only that session ended
    assert client.get(ME, headers=other).status_code == 200


def test_disabling_a_user_ends_every_session_at_once(client: TestClient, seeded_url: str) -> None:
    officer = bearer(client, "vientiane")
    assert client.get(ME, headers=officer).status_code == 200
    disabled = client.post("/api/auth/users/vientiane/disable", headers=bearer(client, "admin"))
    assert disabled.status_code == 200
    assert disabled.json()["active"] is False
    assert client.get(ME, headers=officer).status_code == 401
    assert _sign_in(client, "vientiane", PASSWORD).status_code == 401
    assert _count(seeded_url, "disable", "vientiane") == 1
    # enabling waits for a second admin
    prepared = client.post("/api/auth/users/vientiane/enable", headers=bearer(client, "admin"))
    assert prepared.status_code == 202
    assert _sign_in(client, "vientiane", PASSWORD).status_code == 401
    request_id = prepared.json()["id"]
    client.post(f"/api/requests/{request_id}/approve", headers=bearer(client, "admin2"))
    assert _sign_in(client, "vientiane", PASSWORD).status_code == 200


def test_an_admin_cannot_disable_themself(client: TestClient) -> None:
    answer = client.post("/api/auth/users/admin/disable", headers=bearer(client, "admin"))
    assert answer.status_code == 422


def test_changing_ones_password_ends_the_other_sessions(client: TestClient) -> None:
    first, second = bearer(client, "analyst"), bearer(client, "analyst")
    body = {"old_password": PASSWORD, "new_password": "a brand new passphrase"}
    assert client.post("/api/auth/password", json=body, headers=first).status_code == 204
    assert client.get(ME, headers=first).status_code == 200
    assert client.get(ME, headers=second).status_code == 401
    assert _sign_in(client, "analyst", PASSWORD).status_code == 401
    assert _sign_in(client, "analyst", "a brand new passphrase").status_code == 200


def test_a_wrong_old_password_changes_nothing(client: TestClient, seeded_url: str) -> None:
    headers = bearer(client, "analyst")
    body = {"old_password": "not my password", "new_password": "a brand new passphrase"}
    answer = client.post("/api/auth/password", json=body, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "old_password"
    assert _sign_in(client, "analyst", PASSWORD).status_code == 200
    assert _count(seeded_url, "password_change_failed", "analyst") == 1


def test_user_administration_needs_a_second_admin(client: TestClient, seeded_url: str) -> None:
    admin, admin2 = bearer(client, "admin"), bearer(client, "admin2")
    body = {"username": "new-officer", "role": "district_officer", "district_code": "1301"}
    prepared = client.post("/api/auth/users", json=body, headers=admin)
    assert prepared.status_code == 202
    request_id = prepared.json()["id"]
    assert prepared.json()["status"] == "pending"
    # nothing exists yet; the maker cannot approve; an officer cannot either
    assert _sign_in(client, "new-officer", "whatever it is").status_code == 401
    own = client.post(f"/api/requests/{request_id}/approve", headers=admin)
    assert own.status_code == 403
    assert "another user must approve" in own.json()["detail"]
    officer = client.post(f"/api/requests/{request_id}/approve", headers=bearer(client, "central"))
    assert officer.status_code == 403
    listed = client.get("/api/requests", headers=admin2).json()
    assert [r["id"] for r in listed] == [request_id]
    assert client.get("/api/requests", headers=admin).json() == []  # not one's own
    approved = client.post(f"/api/requests/{request_id}/approve", headers=admin2)
    assert approved.status_code == 200
    password = approved.json()["result"]["password"]
    again = client.post(f"/api/requests/{request_id}/approve", headers=bearer(client, "admin"))
    assert again.status_code in (403, 409)
    # the first password works once, for changing it only
    token = _sign_in(client, "new-officer", password).json()
    assert token["must_change_password"] is True
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get(ME, headers=headers).status_code == 401
    assert "change your password" in client.get(ME, headers=headers).json()["detail"]
    body = {"old_password": password, "new_password": "my own good passphrase"}
    assert client.post("/api/auth/password", json=body, headers=headers).status_code == 204
    assert client.get(ME, headers=headers).json()["district_code"] == "1301"
    engine = make_engine(seeded_url)
    with unit_of_work(engine) as session:
        request = session.get(ChangeRequest, request_id)
        assert request is not None
        assert (request.made_by, request.checked_by, request.status) == (
            "admin", "admin2", "approved",
        )  # fmt: skip
        stored = session.scalar(select(User.password_hash).where(User.username == "new-officer"))
    engine.dispose()
    assert stored is not None
    assert password not in stored


def test_a_password_reset_is_approved_by_another_admin(client: TestClient) -> None:
    officer = bearer(client, "savannakhet")
    prepared = client.post(
        "/api/auth/users/savannakhet/reset-password", headers=bearer(client, "admin2")
    )
    assert prepared.status_code == 202
    assert client.get(ME, headers=officer).status_code == 200  # not yet
    request_id = prepared.json()["id"]
    approved = client.post(f"/api/requests/{request_id}/approve", headers=bearer(client, "admin"))
    password = approved.json()["result"]["password"]
    assert client.get(ME, headers=officer).status_code == 401
    assert _sign_in(client, "savannakhet", PASSWORD).status_code == 401
    assert _sign_in(client, "savannakhet", password).json()["must_change_password"] is True


def test_a_rejected_request_changes_nothing(client: TestClient) -> None:
    body = {"username": "vientiane", "role": "analyst"}
    prepared = client.put(
        "/api/auth/users/vientiane/role", json=body, headers=bearer(client, "admin")
    )
    request_id = prepared.json()["id"]
    rejected = client.post(
        f"/api/requests/{request_id}/reject",
        json={"reason": "no"},
        headers=bearer(client, "admin2"),
    )
    assert rejected.json()["request"]["status"] == "rejected"
    assert client.get(ME, headers=bearer(client, "vientiane")).json()["role"] == "district_officer"


@pytest.fixture
def strict(seeded_url: str) -> Settings:
    return Settings(
        database_url=seeded_url,
        secret_key=SECRET,
        signin_max_failures_per_user=3,
        signin_max_failures_per_address=5,
    )


def test_sign_in_is_locked_after_failures_of_one_user(strict: Settings) -> None:
    app = create_app(strict)
    with TestClient(app) as client:
        for _ in range(3):
            assert _sign_in(client, "central", "wrong password").status_code == 401
        locked = _sign_in(client, "central", PASSWORD)  # the right one, too late
        assert locked.status_code == 429
        assert int(locked.headers["Retry-After"]) > 0
        assert _sign_in(client, "analyst", PASSWORD).status_code == 200  # others go on
    app.state.laosp.engine.dispose()


def test_sign_in_is_locked_after_failures_from_one_address(strict: Settings) -> None:
    app = create_app(strict)
    with TestClient(app) as client:
        for username in ("central", "analyst", "admin", "admin2", "auditor"):
            assert _sign_in(client, username, "wrong password").status_code == 401
        assert _sign_in(client, "vientiane", PASSWORD).status_code == 429
    app.state.laosp.engine.dispose()


def test_a_success_starts_the_users_count_again(strict: Settings) -> None:
    app = create_app(strict)
    with TestClient(app) as client:
        for _ in range(2):
            _sign_in(client, "central", "wrong password")
        assert _sign_in(client, "central", PASSWORD).status_code == 200
        for _ in range(2):
            _sign_in(client, "central", "wrong password")
        assert _sign_in(client, "central", PASSWORD).status_code == 200
    app.state.laosp.engine.dispose()
