"""Cross-site request forgery: a state-changing request signed in by the session cookie,
and the sign-in form, must send the ``laosp_csrf`` cookie's value back; bearer requests
need not."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from laosp.api.csrf import CSRF_COOKIE, CSRF_FIELD, TOKEN_SHAPE
from laosp.api.deps import SESSION_COOKIE
from tests.api.conftest import PASSWORD, bearer
from tests.api.csrf import CSRF_HEADER, csrf_header, csrf_token, with_csrf

REFUSED_EN = "missing or wrong CSRF token"
REFUSED_LO = "ແບບຟອມນີ້ໝົດອາຍຸ"
REFRESH = "/api/indicators/refresh"


def _refused(answer: httpx.Response) -> None:
    assert answer.status_code == 403
    detail = answer.json()["detail"]
    assert REFUSED_EN in detail
    assert REFUSED_LO in detail


def _sign_in_by_cookie(client: TestClient, username: str) -> None:
    form = with_csrf(client, {"username": username, "password": PASSWORD})
    answer = client.post("/login", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert client.cookies.get(SESSION_COOKIE)


def test_the_first_answer_sets_a_random_token_the_page_repeats(client: TestClient) -> None:
    page = client.get("/login")
    token = client.cookies.get(CSRF_COOKIE)
    assert token is not None
    assert TOKEN_SHAPE.match(token)
    assert f'name="{CSRF_FIELD}" value="{token}"' in page.text
    set_cookie = page.headers["set-cookie"]
    assert "SameSite=strict" in set_cookie
    assert "HttpOnly" not in set_cookie
    # kept, not replaced, on the next answers
    client.get("/login")
    assert client.cookies.get(CSRF_COOKIE) == token
    other = TestClient(client.app)
    other.get("/login")
    assert other.cookies.get(CSRF_COOKIE) != token


def test_the_sign_in_form_without_the_token_is_refused(client: TestClient) -> None:
    csrf_token(client)
    answer = client.post(
        "/login", data={"username": "admin", "password": PASSWORD}, follow_redirects=False
    )
    _refused(answer)
    assert not client.cookies.get(SESSION_COOKIE)
    forged = {"username": "admin", "password": PASSWORD, CSRF_FIELD: "x" * 43}
    _refused(client.post("/login", data=forged, follow_redirects=False))
    _sign_in_by_cookie(client, "admin")


def test_a_token_in_the_form_without_the_cookie_is_refused(client: TestClient) -> None:
    """A forged form can carry a token, but not set the cookie of our site."""
    token = csrf_token(client)
    client.cookies.delete(CSRF_COOKIE)
    form = {"username": "admin", "password": PASSWORD, CSRF_FIELD: token}
    _refused(client.post("/login", data=form, follow_redirects=False))


def test_a_cookie_signed_in_post_needs_the_token(client: TestClient) -> None:
    _sign_in_by_cookie(client, "admin")
    _refused(client.post(REFRESH))
    _refused(client.post(REFRESH, headers={CSRF_HEADER: "not-the-token"}))
    assert client.post(REFRESH, headers=csrf_header(client)).status_code == 204
    # the dashboard's own forms: the hidden field
    _refused(client.post("/refresh?next=/overview", follow_redirects=False))
    answer = client.post(
        "/refresh?next=/overview", data=with_csrf(client, {}), follow_redirects=False
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/overview")
    _refused(client.post("/logout", follow_redirects=False))
    assert client.get("/api/auth/me").status_code == 200
    answer = client.post("/logout", data=with_csrf(client, {}), follow_redirects=False)
    assert answer.status_code == 303


def test_a_json_post_with_the_cookie_needs_the_header(client: TestClient) -> None:
    _sign_in_by_cookie(client, "admin")
    user = {"username": "newbie", "role": "analyst"}
    _refused(client.post("/api/auth/users", json=user))
    answer = client.post("/api/auth/users", json=user, headers=csrf_header(client))
    assert answer.status_code < 300, answer.text  # created, or put up for approval


def test_bearer_requests_need_no_token(client: TestClient) -> None:
    admin = bearer(client, "admin")
    assert client.cookies.get(SESSION_COOKIE) is None
    assert client.post(REFRESH, headers=admin).status_code == 204


def test_bearer_wins_over_a_cookie_without_token(client: TestClient) -> None:
    """With a bearer header the cookie is not what signs the request in."""
    _sign_in_by_cookie(client, "analyst")
    admin = bearer(client, "admin")
    assert client.post(REFRESH, headers=admin).status_code == 204


def test_a_post_signed_in_by_nothing_is_still_asked_to_sign_in(client: TestClient) -> None:
    assert client.post(REFRESH).status_code == 401


def test_signing_in_and_out_renews_the_token(client: TestClient) -> None:
    before = csrf_token(client)
    _sign_in_by_cookie(client, "admin")
    signed_in = client.cookies.get(CSRF_COOKIE)
    assert signed_in is not None
    assert signed_in != before
    _refused(client.post(REFRESH, headers={CSRF_HEADER: before}))
    assert client.post(REFRESH, headers={CSRF_HEADER: signed_in}).status_code == 204
    client.post("/logout", data={CSRF_FIELD: signed_in}, follow_redirects=False)
    assert client.cookies.get(CSRF_COOKIE) not in (None, before, signed_in)
