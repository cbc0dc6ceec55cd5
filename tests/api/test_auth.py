"""Sign-in, hashed passwords, audit of logins and changes, the secret key."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from laosp.config import Settings
from laosp.db import make_engine, unit_of_work
from laosp.models import AuditEvent, User
from laosp.server import MissingSecretKey, create_app
from tests.api.conftest import PASSWORD, bearer

PERSON_ENDPOINTS = (
    "/api/registry/persons?name=x",
    "/api/registry/persons/EX-VT-0001-1",
    "/api/registry/households/EX-VT-0001",
    "/api/gaps/list",
    "/search.json?q=x",
    "/household/EX-VT-0001.json",
    "/gaps.json",
    "/overview.json",
)


def _events(db_url: str, action: str) -> list[tuple[str, str | None]]:
    engine = make_engine(db_url)
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.entity_id).where(AuditEvent.action == action)
        ).all()
    engine.dispose()
    return [(actor, entity_id) for actor, entity_id in rows]


def test_refuses_to_start_without_a_secret_key(seeded_url: str) -> None:
    with pytest.raises(MissingSecretKey):
        create_app(Settings(database_url=seeded_url, secret_key=None))
    with pytest.raises(MissingSecretKey):
        create_app(Settings(database_url=seeded_url, secret_key="short"))


@pytest.mark.parametrize("path", PERSON_ENDPOINTS)
def test_unauthenticated_requests_get_401(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401


def test_a_forged_token_gets_401(client: TestClient) -> None:
    headers = {"Authorization": "Bearer eyJ1IjoiYWRtaW4ifQ.forged.signature"}
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_passwords_are_stored_as_argon2_hashes(client: TestClient, seeded_url: str) -> None:
    engine = make_engine(seeded_url)
    with unit_of_work(engine) as session:
        hashes = list(session.scalars(select(User.password_hash)))
    engine.dispose()
    assert hashes
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_logins_are_audited(client: TestClient, seeded_url: str) -> None:
    bearer(client, "vientiane")
    wrong = client.post("/api/auth/token", data={"username": "vientiane", "password": "nope!!!!"})
    assert wrong.status_code == 401
    assert ("vientiane", "vientiane") in _events(seeded_url, "login")
    assert ("vientiane", "vientiane") in _events(seeded_url, "login_failed")
    assert client.get("/api/auth/me", headers=bearer(client, "vientiane")).json() == {
        "username": "vientiane",
        "role": "district_officer",
        "province_code": "01",
        "district_code": "0101",
    }


def test_user_creation_is_admin_only_and_audited(client: TestClient, seeded_url: str) -> None:
    body = {"username": "new-officer", "role": "analyst"}
    denied = client.post("/api/auth/users", json=body, headers=bearer(client, "central"))
    assert denied.status_code == 403
    prepared = client.post("/api/auth/users", json=body, headers=bearer(client, "admin"))
    assert prepared.status_code == 202
    request_id = prepared.json()["id"]
    approved = client.post(f"/api/requests/{request_id}/approve", headers=bearer(client, "admin2"))
    assert approved.status_code == 200, approved.text
    assert ("admin2", "new-officer") in _events(seeded_url, "create")


def test_a_change_through_the_api_is_audited(client: TestClient, seeded_url: str) -> None:
    household = {
        "household_id": "API-0101-1",
        "district_code": "0101",
        "members": [
            {
                "person_id": "API-0101-1-1",
                "relationship": "head",
                "given_name": "ສົມສັກ",
                "family_name": "ວົງສາ",
                "sex": "M",
                "birth_date": "1980-01-01",
            }
        ],
    }
    headers = bearer(client, "vientiane")
    response = client.post("/api/registry/households", json=household, headers=headers)
    assert response.status_code == 201, response.text
    assert ("vientiane", "API-0101-1") in _events(seeded_url, "create")
    elsewhere = {**household, "household_id": "API-1301-1", "district_code": "1301"}
    assert (
        client.post("/api/registry/households", json=elsewhere, headers=headers).status_code == 403
    )
    assert client.get("/api/registry/persons/API-0101-1-1", headers=headers).status_code == 200
