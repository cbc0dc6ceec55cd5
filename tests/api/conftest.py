"""A small registry (the example households) with one user per role, and an app on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from laosp.access.roles import Role
from laosp.access.users import create_user
from laosp.config import Settings
from laosp.db import make_engine, unit_of_work
from laosp.demo import load_examples
from laosp.server import create_app

SECRET = "a-test-secret-key-of-some-length"
PASSWORD = "correct horse battery"
#: username: (role, province, district); the example households are in districts 0101
#: (Vientiane Capital), 1301 (Savannakhet), 1703, 0201, 0601 and 1601.
USERS: dict[str, tuple[Role, str | None, str | None]] = {
    "admin": (Role.admin, None, None),
    "admin2": (Role.admin, None, None),
    "auditor": (Role.auditor, None, None),
    "central": (Role.central_officer, None, None),
    "vientiane": (Role.district_officer, None, "0101"),
    "savannakhet": (Role.provincial_officer, "13", None),
    "analyst": (Role.analyst, None, None),
}


def seed(db_url: str) -> None:
    engine = make_engine(db_url)
    with unit_of_work(engine) as session:
        load_examples(session)
        for username, (role, province, district) in USERS.items():
            create_user(session, username, PASSWORD, role, province=province, district=district)
    engine.dispose()


@pytest.fixture
def seeded_url(db_url: str) -> str:
    seed(db_url)
    return db_url


@pytest.fixture
def settings(seeded_url: str) -> Settings:
    return Settings(database_url=seeded_url, secret_key=SECRET)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client
    app.state.laosp.engine.dispose()


def bearer(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
