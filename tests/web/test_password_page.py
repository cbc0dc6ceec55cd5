"""A user whose password was reset signs in on the dashboard and is taken to the password
page, where nothing else opens until they chose their own; any user may change theirs."""

from __future__ import annotations

from fastapi.testclient import TestClient

from laosp.access.users import reset_password
from laosp.db import make_engine, unit_of_work
from tests.api.conftest import PASSWORD
from tests.api.csrf import with_csrf


def _sign_in(client: TestClient, username: str, password: str) -> str:
    answer = client.post(
        "/login",
        data=with_csrf(client, {"username": username, "password": password}),
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def test_a_reset_password_leads_to_the_password_page_first(
    client: TestClient, seeded_url: str
) -> None:
    engine = make_engine(seeded_url)
    with unit_of_work(engine) as session:
        one_time = reset_password(session, "central", actor="admin")
    engine.dispose()
    assert _sign_in(client, "central", one_time) == "/password"
    held = client.get("/overview", follow_redirects=False)
    assert (held.status_code, held.headers["location"]) == (303, "/password")
    page = client.get("/password")
    assert page.status_code == 200
    assert "choose your own" in page.text or "ຕັ້ງລະຫັດຂອງທ່ານເອງ" in page.text
    form = {"old_password": one_time, "new_password": "short"}
    refused = client.post("/password", data=with_csrf(client, form), follow_redirects=False)
    assert refused.status_code == 422
    form = {"old_password": one_time, "new_password": "my very own passphrase"}
    done = client.post("/password", data=with_csrf(client, form), follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/overview")
    assert client.get("/overview").status_code == 200


def test_the_password_form_needs_the_anti_forgery_token(client: TestClient) -> None:
    _sign_in(client, "analyst", PASSWORD)
    form = {"old_password": PASSWORD, "new_password": "my very own passphrase"}
    assert client.post("/password", data=form).status_code == 403
    changed = client.post("/password", data=with_csrf(client, form), follow_redirects=False)
    assert changed.status_code == 303


def test_signed_out_the_password_page_asks_to_sign_in(client: TestClient) -> None:
    answer = client.get("/password", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")
