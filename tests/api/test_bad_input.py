"""Bad input gets a 4xx naming the field or parameter, never a 500, and writes nothing."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from laosp.api.downloads import attachment
from laosp.config import Settings
from laosp.db import make_engine, unit_of_work
from laosp.models import AuditEvent, Household, Person
from tests.api.conftest import bearer
from tests.api.csrf import csrf_header

HOUSEHOLDS = "/api/registry/households"
NUL = "must not contain control characters (such as NUL) or lone surrogates"
RANGE = "must be a date from 1900-01-01 to 2100-12-31"
#: Every route that takes a reference date, with its other parameters.
DATED = (
    "/api/indicators",
    "/api/gaps",
    "/api/gaps/list",
    "/reports/coverage.xlsx",
    "/overview.json",
    "/overview",
    "/province/13.json",
    "/province/13",
    "/gaps.json?district=0101",
    "/gaps?district=0101",
)


def household(**fields: Any) -> dict[str, Any]:
    """A valid household of one head in Vientiane Capital (district 0101)."""
    head = {
        "person_id": "T1-1",
        "relationship": "head",
        "given_name": "Bounmy",
        "family_name": "Sengsouk",
        "sex": "M",
        "birth_date": "1980-02-03",
    }
    head.update(fields.pop("head", {}))
    return {"household_id": "T1", "district_code": "0101", "members": [head], **fields}


def counts(settings: Settings) -> tuple[int | None, ...]:
    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as session:
        found = tuple(
            session.scalar(select(func.count()).select_from(table))
            for table in (Household, Person, AuditEvent)
        )
    engine.dispose()
    return found


def problems(response: Any) -> list[dict[str, Any]]:
    """The problems of a 422: the API's JSON, or the rows of a page's styled error page
    (``field``, ``value`` and the reason in the reader's language)."""
    assert response.status_code == 422, response.text
    if response.headers["content-type"].startswith("text/html"):
        rows = re.findall(
            r'<tr data-field="([^"]*)" data-value="([^"]*)"><td>.*?</td><td>.*?</td><td>(.*?)</td>',
            response.text,
            re.S,
        )
        return [
            {"field": field, "value": html.unescape(value), "reason": html.unescape(reason)}
            for field, value, reason in rows
        ]
    detail: list[dict[str, Any]] = response.json()["detail"]
    return detail


def test_a_future_birth_date_is_a_422_with_the_date_as_text(
    client: TestClient, settings: Settings
) -> None:
    officer = bearer(client, "central")
    before = counts(settings)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    answer = client.post(HOUSEHOLDS, json=household(head={"birth_date": tomorrow}), headers=officer)
    assert {
        "field": "members[0].birth_date",
        "value": tomorrow,
        "reason": "is in the future",
    } in problems(answer)
    assert counts(settings) == before


@pytest.mark.parametrize(
    ("head", "field", "reason"),
    [
        ({"given_name": "Boun\x00my"}, "members[0].given_name", NUL),
        ({"family_name": "Seng\x07souk"}, "members[0].family_name", NUL),
        ({"birth_date": 0}, "members[0].birth_date", "must be a date (YYYY-MM-DD)"),
        (
            {"extra": {"note": "a\x00b"}},
            "members[0].extra",
            "must not contain NUL characters or lone surrogates",
        ),
    ],
)
def test_text_a_database_cannot_store_is_a_422_naming_the_field(
    client: TestClient, settings: Settings, head: dict[str, Any], field: str, reason: str
) -> None:
    officer = bearer(client, "central")
    before = counts(settings)
    answer = client.post(HOUSEHOLDS, json=household(head=head), headers=officer)
    assert [(p["field"], p["reason"]) for p in problems(answer)] == [(field, reason)]
    assert counts(settings) == before


def test_a_lone_surrogate_in_a_name_is_a_422_and_echoed_escaped(
    client: TestClient, settings: Settings
) -> None:
    officer = bearer(client, "central")
    before = counts(settings)
    text = json.dumps(household()).replace("Bounmy", "Boun\\ud800my")  # JSON may say so
    answer = client.post(
        HOUSEHOLDS, content=text, headers={**officer, "Content-Type": "application/json"}
    )
    [problem] = problems(answer)
    assert (problem["field"], problem["reason"]) == ("members[0].given_name", NUL)
    assert problem["value"] == "Boun\\ud800my"
    assert counts(settings) == before


def test_the_household_post_is_typed(client: TestClient, settings: Settings) -> None:
    officer = bearer(client, "central")
    before = counts(settings)
    answer = client.post(HOUSEHOLDS, json=household(colour="red"), headers=officer)
    assert ("colour", "unknown field (put additional data under 'extra')") in [
        (p["field"], p["reason"]) for p in problems(answer)
    ]
    schema = client.get("/openapi.json").json()
    body = schema["paths"][HOUSEHOLDS]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == "#/components/schemas/HouseholdWithMembers"
    assert counts(settings) == before
    created = client.post(HOUSEHOLDS, json=household(), headers=officer)
    assert created.status_code == 201, created.text
    assert created.json() == {"household_id": "T1", "action": "created", "members": 1}


def test_members_and_extra_are_bounded_by_the_settings(
    client: TestClient, settings: Settings
) -> None:
    officer = bearer(client, "central")
    before = counts(settings)
    members = [
        {**household()["members"][0], "person_id": f"T1-{i}", "relationship": "child"}
        for i in range(51)
    ]
    members[0]["relationship"] = "head"
    too_many = client.post(HOUSEHOLDS, json=household(members=members), headers=officer)
    [problem] = problems(too_many)
    assert (problem["field"], problem["value"]) == ("members", 51)
    assert "at most 50 members (setting max_members_per_household)" in problem["reason"]
    # a 50 MB extra was stored twice (row and audit event); now 8192 bytes of JSON at most:
    # {"note":"<8183 x>"} is 9 + 8183 + 2 = 8194 bytes
    big = client.post(HOUSEHOLDS, json=household(extra={"note": "x" * 8183}), headers=officer)
    [problem] = problems(big)
    assert (problem["field"], problem["value"]) == ("extra", "8194 bytes")
    assert "at most 8192 bytes as JSON (setting max_extra_bytes)" in problem["reason"]
    assert counts(settings) == before
    fits = client.post(HOUSEHOLDS, json=household(extra={"note": "x" * 8181}), headers=officer)
    assert fits.status_code == 201, fits.text


def test_a_date_outside_the_range_is_a_422_naming_it_and_the_range(client: TestClient) -> None:
    officer = bearer(client, "central")
    client.cookies.set("laosp_lang", "en")  # the pages' error pages in English
    for date in ("0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"):
        for path in DATED:
            joiner = "&" if "?" in path else "?"
            [problem] = problems(client.get(f"{path}{joiner}date={date}", headers=officer))
            assert (problem["field"], problem["value"]) == ("date", date), path
            assert problem["reason"].startswith(RANGE), path


def test_a_date_that_is_not_yyyy_mm_dd_is_a_422(client: TestClient) -> None:
    admin = bearer(client, "admin")
    for date in ("0", "-1.5e-199", "1700000000", "2024-1-1", "2024-01-01T00:00"):
        answer = client.get("/api/indicators", params={"date": date}, headers=admin)
        assert [(p["field"], p["reason"]) for p in problems(answer)] == [
            ("date", "must be a date (YYYY-MM-DD)")
        ], date


def test_the_edges_of_the_date_range_are_served(client: TestClient) -> None:
    admin = bearer(client, "admin")
    for date in ("1900-01-01", "2100-12-31"):
        answer = client.get(f"/api/indicators?date={date}", headers=admin)
        assert answer.status_code == 200, answer.text
        assert answer.json()["date"] == date


def test_an_unknown_district_is_a_422_on_the_gap_list(client: TestClient) -> None:
    officer = bearer(client, "central")
    for district in ("ວຽງຈັນ", '0101"; filename="evil.exe', "01", "9999", "0101\x00"):
        for fmt in ("json", "csv"):
            answer = client.get(
                "/api/gaps/list", params={"district": district, "format": fmt}, headers=officer
            )
            [problem] = problems(answer)
            assert problem["field"] == "district"
            assert problem["reason"].startswith("must be one of the 148 district codes")


def test_downloads_name_one_file(client: TestClient) -> None:
    officer = bearer(client, "central")
    listed = client.get("/api/gaps/list?district=0101&format=csv&date=2025-01-01", headers=officer)
    assert listed.status_code == 200
    assert listed.headers["content-disposition"] == (
        'attachment; filename="gaps-0101-2025-01-01.csv"; '
        "filename*=UTF-8''gaps-0101-2025-01-01.csv"
    )
    brief = client.get("/reports/coverage.xlsx?date=2025-01-01&lang=en", headers=officer)
    assert brief.status_code == 200
    assert brief.headers["content-disposition"].count("filename=") == 1


@given(st.text(max_size=40))
def test_a_content_disposition_holds_exactly_the_name(name: str) -> None:
    header = attachment(name)["Content-Disposition"]
    header.encode("latin-1")  # an HTTP header Starlette can send
    fallback, exact = header.removeprefix('attachment; filename="').split("\"; filename*=UTF-8''")
    assert all(" " <= ch <= "~" and ch not in '"\\%' for ch in fallback)
    assert all(ch.isalnum() or ch in "%-._~" for ch in exact)
    assert unquote(exact, errors="backslashreplace") == name.encode(
        "utf-8", "backslashreplace"
    ).decode("utf-8")


#: A path or query parameter a database cannot look up, or outside its code list.
UNSERVABLE = (
    ("/api/registry/households/EX%00VT", "household_id"),
    ("/api/registry/persons/EX%00VT", "person_id"),
    ("/household/EX%00VT.json", "household_id"),
    ("/household/EX%00VT", "household_id"),
    ("/api/registry/persons?name=Boun%00my", "name"),
    ("/search.json?q=Boun%00my", "q"),
    ("/api/registry/persons?province=99", "province"),
    ("/reports/coverage.xlsx?province=1%00", "province"),
    ("/gaps.json?district=99", "district"),
    ("/api/gaps/list?scheme=a%00b", "scheme"),
)


def test_path_and_query_parameters_are_checked(client: TestClient) -> None:
    officer = bearer(client, "central")
    for path, field in UNSERVABLE:
        assert [p["field"] for p in problems(client.get(path, headers=officer))] == [field], path


def test_sign_in_refuses_a_nul_in_the_username(client: TestClient, settings: Settings) -> None:
    before = counts(settings)
    for path in ("/api/auth/token", "/login"):
        answer = client.post(
            path,
            data={"username": "ad\x00min", "password": "whatever"},
            headers=csrf_header(client),
        )
        assert [(p["field"], p["reason"]) for p in problems(answer)] == [("username", NUL)]
    assert counts(settings) == before


def test_a_new_user_is_checked_field_by_field(client: TestClient) -> None:
    admin = bearer(client, "admin")
    bad = {"username": "a\x00b", "role": "district_officer"}
    assert [p["field"] for p in problems(client.post("/api/auth/users", json=bad, headers=admin))]
    bad = {"username": "newbie", "role": "x", "district_code": "99"}
    fields = {p["field"] for p in problems(client.post("/api/auth/users", json=bad, headers=admin))}
    assert fields == {"role", "district_code"}
    taken = {"username": "central", "role": "analyst"}
    answer = client.post("/api/auth/users", json=taken, headers=admin)
    assert answer.status_code == 409
    assert "already exists" in answer.json()["detail"]
