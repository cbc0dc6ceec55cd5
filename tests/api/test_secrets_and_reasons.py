"""422 answers never show a secret, and give the reason that applies to the route."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.api.csrf import csrf_header

USERS = "/api/auth/users"
PASSWORD_CHANGE = "/api/auth/password"
SECRET = "Hunter2-very-secret"
HIDDEN = "(hidden / ເຊື່ອງໄວ້)"
PROVINCE_REASON = "must be a province code of two digits PP"


def problems(answer: httpx.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 422, answer.text
    detail: list[dict[str, Any]] = answer.json()["detail"]
    return detail


def user(**fields: Any) -> dict[str, Any]:
    return {"username": "newbie", "role": "analyst", **fields}


def change(**fields: Any) -> dict[str, Any]:
    return {"old_password": "correct horse battery", "new_password": "long enough", **fields}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (change(new_password=SECRET + "\x00"), "new_password"),
        (change(new_password=SECRET * 60), "new_password"),
        (change(old_password=SECRET * 60), "old_password"),
    ],
)
def test_a_new_password_is_never_echoed(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    answer = client.post(PASSWORD_CHANGE, json=body, headers=bearer(client, "analyst"))
    found = {p["field"]: p for p in problems(answer)}
    assert found[field]["value"] == HIDDEN
    assert SECRET not in answer.text


def test_a_body_echoed_whole_hides_its_password(client: TestClient) -> None:
    body = {"new_password": SECRET}  # no old password: the body is the value
    answer = client.post(PASSWORD_CHANGE, json=body, headers=bearer(client, "analyst"))
    [problem] = problems(answer)
    assert (problem["field"], problem["reason"]) == ("old_password", "required")
    assert SECRET not in answer.text


@pytest.mark.parametrize("path", ["/api/auth/token", "/login"])
@pytest.mark.parametrize("password", [SECRET + "\x00", SECRET * 60])
def test_sign_in_never_echoes_the_password(client: TestClient, path: str, password: str) -> None:
    answer = client.post(
        path, data={"username": "admin", "password": password}, headers=csrf_header(client)
    )
    assert answer.status_code == 422
    assert SECRET not in answer.text
    if path == "/login":  # the dashboard's form: the styled error page, the value hidden
        assert answer.headers["content-type"].startswith("text/html")
        assert HIDDEN in answer.text
        return
    [problem] = problems(answer)
    assert (problem["field"], problem["value"]) == ("password", HIDDEN)


def test_a_short_password_is_too_short(client: TestClient) -> None:
    answer = client.post(
        PASSWORD_CHANGE, json=change(new_password="x"), headers=bearer(client, "analyst")
    )
    assert [(p["field"], p["value"], p["reason"]) for p in problems(answer)] == [
        ("new_password", HIDDEN, "is too short: at least 8 characters")
    ]


def test_an_unknown_field_of_a_user_has_no_hint_about_extra(client: TestClient) -> None:
    answer = client.post(USERS, json=user(colour="red"), headers=bearer(client, "admin"))
    assert [(p["field"], p["reason"]) for p in problems(answer)] == [
        ("colour", "unknown field / ບໍ່ຮູ້ຈັກຊ່ອງນີ້")
    ]


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (user(role="district_officer"), "district_code", "a district_officer needs a district"),
        (user(role="provincial_officer"), "province_code", "a provincial_officer needs a province"),
        (
            user(role="provincial_officer", province_code="01", district_code="0101"),
            "district_code",
            "a provincial_officer has a province, not a district",
        ),
        (user(province_code="13"), "province_code", "a analyst sees the whole country"),
    ],
)
def test_a_users_area_is_refused_in_the_apis_words(
    client: TestClient, body: dict[str, Any], field: str, reason: str
) -> None:
    answer = client.post(USERS, json=body, headers=bearer(client, "admin"))
    [problem] = problems(answer)
    assert problem["field"] == field
    assert problem["value"] == body.get(field)
    assert problem["reason"].startswith(reason)
    assert "--" not in answer.text


@pytest.mark.parametrize("province", ["%00", "%22", "1", "ab", "1%20"])
@pytest.mark.parametrize("path", ["/reports/coverage.xlsx", "/reports/coverage.pdf"])
def test_a_province_that_is_not_two_digits_says_so(
    client: TestClient, path: str, province: str
) -> None:
    answer = client.get(f"{path}?province={province}", headers=bearer(client, "admin"))
    [problem] = problems(answer)
    assert problem["field"] == "province"
    assert problem["reason"].startswith(PROVINCE_REASON)
