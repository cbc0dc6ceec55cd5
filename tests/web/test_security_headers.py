"""Security headers on every answer: pages, API, errors, static files; no-store on
answers that name persons; pages that a strict Content-Security-Policy lets work."""

from __future__ import annotations

import re
from importlib import resources

import httpx
import pytest
from fastapi.testclient import TestClient

from laosp.api.csrf import CSRF_COOKIE, CSRF_FIELD
from tests.api.conftest import PASSWORD, bearer
from tests.api.csrf import with_csrf

ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def _sign_in(client: TestClient, username: str) -> None:
    form = with_csrf(client, {"username": username, "password": PASSWORD})
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def _secured(answer: httpx.Response) -> None:
    for name, value in ALWAYS.items():
        assert answer.headers.get(name) == value, (answer.url, name)
    policy = {
        part.strip().split(" ", 1)[0]: part.strip()
        for part in answer.headers["content-security-policy"].split(";")
    }
    assert policy["default-src"] == "default-src 'self'", answer.url
    assert policy["frame-ancestors"] == "frame-ancestors 'none'", answer.url
    assert "script-src" not in policy  # falls back to 'self': no inline script
    assert "style-src" not in policy


def test_pages_api_and_errors_carry_the_headers(client: TestClient) -> None:
    anonymous = [
        client.get("/login"),
        client.get("/static/style.css"),
        client.get("/api/auth/me"),  # 401
        client.get("/overview", follow_redirects=False),  # 303 to the login
        client.get("/no/such/page"),  # 404
        client.post("/login", data={"username": "admin", "password": "x"}),  # 403 (CSRF)
    ]
    assert [a.status_code for a in anonymous] == [200, 200, 401, 303, 404, 403]
    admin = bearer(client, "admin")
    signed_in = [
        client.get("/api/indicators", headers=admin),
        client.get("/api/registry/persons?name=Somphone", headers=admin),
        client.get("/api/indicators?date=not-a-date", headers=admin),  # 422
    ]
    assert [a.status_code for a in signed_in] == [200, 200, 422]
    _sign_in(client, "central")
    pages = [client.get(path) for path in ("/overview", "/gaps", "/projection", "/search")]
    assert [a.status_code for a in pages] == [200] * 4
    for answer in anonymous + signed_in + pages:
        _secured(answer)


def test_answers_naming_persons_are_not_stored(client: TestClient) -> None:
    officer = bearer(client, "central")
    named = [
        "/api/registry/persons?name=Somphone",
        "/api/registry/households/EX-VT-0001",
        "/api/registry/persons/EX-VT-0001-1",
        "/api/gaps/list?district=0101&format=csv",
        "/gaps.json",
        "/search.json?q=Somphone",
        "/household/EX-VT-0001.json",
    ]
    for path in named:
        answer = client.get(path, headers=officer)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers["cache-control"] == "no-store", path
    _sign_in(client, "vientiane")
    for path in ("/gaps", "/search?q=ສົມພອນ", "/household/EX-VT-0001", "/login"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["cache-control"] == "no-store", path


def test_aggregates_may_be_kept_privately(client: TestClient) -> None:
    analyst = bearer(client, "analyst")
    for path in ("/api/indicators", "/api/indicators?by=district", "/overview.json"):
        answer = client.get(path, headers=analyst)
        assert answer.status_code == 200, path
        assert answer.headers["cache-control"] == "private, no-cache", path
    # an error is never kept, aggregate or not
    refused = client.get("/api/indicators?by=village", headers=analyst)
    assert (refused.status_code, refused.headers["cache-control"]) == (422, "no-store")


@pytest.mark.parametrize("username", ["admin", "vientiane", "analyst"])
def test_pages_need_no_inline_script_or_style(client: TestClient, username: str) -> None:
    """What the policy forbids is not there to be blocked."""
    _sign_in(client, username)
    paths = ["/overview", "/province/01", "/gaps", "/projection", "/rules/diff"]
    if username != "analyst":
        paths += ["/search?q=ສົມພອນ", "/household/EX-VT-0001"]
    for path in paths:
        html = client.get(path).text
        assert "<script" not in html, path
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html), path
        assert not re.search(r"(src|href)=\"(https?:)?//", html), path


def test_every_post_form_carries_the_token(client: TestClient) -> None:
    """Each page's forms carry the token of the cookie the client holds (a new one after
    the sign-in)."""
    pages = [(client.get("/login").text, client.cookies.get(CSRF_COOKIE))]
    _sign_in(client, "admin")
    pages += [
        (client.get(path).text, client.cookies.get(CSRF_COOKIE))
        for path in ("/overview", "/province/01", "/gaps")
    ]
    assert pages[0][1] != pages[1][1]
    forms = [
        (form, token)
        for html, token in pages
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S)
    ]
    assert len(forms) == 1 + 3 + 2  # sign-in; sign-out on each page; refresh on two
    for form, token in forms:
        assert f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">' in form


def test_the_refresh_button_is_shown_to_admins_only(client: TestClient) -> None:
    _sign_in(client, "analyst")
    assert 'id="refresh"' not in client.get("/overview").text
    client.cookies.clear()
    _sign_in(client, "admin")
    assert 'id="refresh"' in client.get("/overview").text


def test_every_post_form_of_the_templates_has_the_hidden_field() -> None:
    """Also the forms of pages this module does not render."""
    templates = resources.files("laosp.web").joinpath("templates")
    posted = 0
    for template in templates.iterdir():
        text = template.read_text(encoding="utf-8")
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", text, re.S):
            posted += 1
            assert (
                '<input type="hidden" name="{{ csrf_field }}" value="{{ csrf_token }}">' in form
            ), template.name
    # sign-in, sign-out, refresh, password change and the officers' forms (enrolment,
    # grievances, cycles, contributions, requests, registration): at least one each
    assert posted >= 4 + 6
