"""The household page (what each member receives, is eligible for and why; enrol from
there), the enrolments list with its approval buttons, and the registration and
correction forms, with their JSON twins.

Hand-worked expectations (see tests/api/test_enrolments.py): on today's date the
Sanamxay mother ``EX-AT-0003-2`` (pregnant, month 5, district 1703) qualifies for the
Mother and Early Childhood Grant, 150,000 kip a month paid every 2 months, values that
apply since 18/06/2021.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from laosp.access.roles import Role
from laosp.access.users import create_user
from laosp.config import Settings
from laosp.db import make_engine, unit_of_work
from tests.api.conftest import PASSWORD, bearer
from tests.api.csrf import with_csrf

MOTHER = "EX-AT-0003-2"


@pytest.fixture
def pages(settings: Settings, client: TestClient) -> TestClient:
    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as session:
        create_user(session, "sanamxay", PASSWORD, Role.district_officer, district="1703")
    engine.dispose()
    return client


def sign_in(client: TestClient, username: str, lang: str = "en") -> None:
    client.cookies.clear()
    client.get(f"/lang/{lang}?next=/login")
    answer = client.post(
        "/login",
        data=with_csrf(client, {"username": username, "password": PASSWORD}),
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_household_page_says_who_may_get_what_and_why(pages: TestClient) -> None:
    sign_in(pages, "sanamxay")
    page = pages.get("/household/EX-AT-0003")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Mother and Early Childhood Grant · 150,000 LAK per month" in text
    assert "District: Sanamxay — needs one of Sanamxay, Phouvong, Nong" in text
    assert "Month of pregnancy: 5 — needs at least 4" in text
    assert "applies since 18/06/2021" in text
    assert "paid every 2 months" in text
    assert f'id="enrol-{MOTHER}-mecg"' in page.text
    # names, not codes
    assert "Spouse" in text
    assert "Female" in text
    twin = pages.get("/household/EX-AT-0003.json").json()
    (mecg,) = [e for e in twin["members"][1]["benefits"]["eligible"] if e["scheme"] == "mecg"]
    assert (mecg["amount"], mecg["eligible"]) == (150_000, True)
    sign_in(pages, "sanamxay", "lo")
    lao = _text(pages.get("/household/EX-AT-0003").text)
    assert "ເງິນອຸດໜູນແມ່ ແລະ ເດັກອ່ອນ · 150.000 ກີບ ຕໍ່ເດືອນ" in lao
    assert "ເມືອງ: ສະໜາມໄຊ — ຕ້ອງ ໜຶ່ງໃນ ສະໜາມໄຊ, ພູວົງ, ນອງ" in lao


def test_enrol_from_the_page_and_another_officer_approves(pages: TestClient) -> None:
    sign_in(pages, "sanamxay")
    form = with_csrf(pages, {"scheme": "mecg", "unit_id": MOTHER})
    answer = pages.post("/household/EX-AT-0003/enrol", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/household/EX-AT-0003?done=enrolled")
    shown = _text(pages.get(answer.headers["location"]).text)
    assert "Enrolled: waiting for another officer's approval" in shown
    assert "Mother and Early Childhood Grant · Waiting for approval" in shown
    mine = pages.get("/enrolments").text
    assert 'id="approve-1"' not in mine  # a district officer does not approve, nor the maker
    sign_in(pages, "central")
    listed = pages.get("/enrolments?status=pending")
    assert 'id="approve-1"' in listed.text
    assert "1–1 of 1" in _text(listed.text)
    decided = pages.post(
        "/enrolments/1/status",
        data=with_csrf(pages, {"status": "active", "expected": "pending", "next": "/enrolments"}),
        follow_redirects=False,
    )
    assert decided.status_code == 303
    assert decided.headers["location"] == "/enrolments?done=approved"
    twin = pages.get("/enrolments.json?scheme=mecg").json()
    assert [(i["id"], i["status"], i["enrolled_by"]) for i in twin["items"]] == [
        (1, "active", "sanamxay")
    ]
    # the same decision again: the status changed meanwhile, the page says so (409)
    again = pages.post(
        "/enrolments/1/status",
        data=with_csrf(pages, {"status": "active", "expected": "pending"}),
    )
    assert again.status_code == 409
    assert "expected 'pending', found 'active'" in unescape(again.text)


def test_a_refused_enrolment_shows_the_apis_message(pages: TestClient) -> None:
    sign_in(pages, "sanamxay")
    form = with_csrf(pages, {"scheme": "bogus", "unit_id": MOTHER})
    answer = pages.post("/household/EX-AT-0003/enrol", data=form)
    api = pages.post(
        "/api/enrolments",
        json={"scheme": "bogus", "unit_id": MOTHER},
        headers=bearer(pages, "sanamxay"),
    )
    assert (answer.status_code, api.status_code) == (422, 422)
    reason = api.json()["detail"][0]["reason"]
    assert reason.startswith("is not a scheme of the pack")
    assert reason in unescape(answer.text)
    other = with_csrf(pages, {"scheme": "nhi", "unit_id": "EX-VT-0001-1"})
    elsewhere = pages.post("/household/EX-AT-0003/enrol", data=other)
    assert elsewhere.status_code == 422
    assert "is not a member of household EX-AT-0003" in elsewhere.text


def _household_form(birth_date: str) -> dict[str, str | list[str]]:
    return {
        "household_id": "NEW-0101-1",
        "district_code": "0101",
        "village_name": "ບ້ານໃໝ່",
        "person_id": ["NEW-0101-1-1", ""],
        "given_name": ["ມາລີ", ""],
        "family_name": ["ສີສະຫວັດ", ""],
        "sex": ["F", ""],
        "birth_date": [birth_date, ""],
        "relationship": ["head", ""],
    }


def test_register_and_correct_with_the_apis_messages(pages: TestClient) -> None:
    sign_in(pages, "vientiane")
    bad = pages.post("/register", data=with_csrf(pages, _household_form("1990-02-31")))  # type: ignore[arg-type]
    assert bad.status_code == 422
    api = pages.post(
        "/api/registry/households",
        json={
            "household_id": "NEW-0101-1",
            "district_code": "0101",
            "village_name": "ບ້ານໃໝ່",
            "members": [
                {
                    "person_id": "NEW-0101-1-1",
                    "given_name": "ມາລີ",
                    "family_name": "ສີສະຫວັດ",
                    "sex": "F",
                    "birth_date": "1990-02-31",
                    "relationship": "head",
                }
            ],
        },
        headers=bearer(pages, "vientiane"),
    )
    assert api.status_code == 422
    (problem,) = api.json()["detail"]
    assert problem["field"] == "members[0].birth_date"
    assert problem["reason"] in unescape(bad.text)
    assert 'data-field="members[0].birth_date"' in bad.text
    made = pages.post(
        "/register",
        data=with_csrf(pages, _household_form("1990-02-28")),  # type: ignore[arg-type]
        follow_redirects=False,
    )
    assert made.status_code == 303
    assert made.headers["location"] == "/household/NEW-0101-1?done=registered"
    # a change of relationship applies at once; a change of name waits for approval
    form = pages.get("/person/NEW-0101-1-1/correct.json").json()["person"]
    assert form["given_name"] == "ມາລີ"
    saved = pages.post(
        "/person/NEW-0101-1-1/correct",
        data=with_csrf(pages, {**_fields(form), "relationship": "head"}),
        follow_redirects=False,
    )
    assert saved.headers["location"] == "/household/NEW-0101-1?done=saved"
    waits = pages.post(
        "/person/NEW-0101-1-1/correct",
        data=with_csrf(pages, {**_fields(form), "given_name": "ມາລີວັນ"}),
        follow_redirects=False,
    )
    assert waits.status_code == 303
    assert re.fullmatch(r"/household/NEW-0101-1\?waiting=\d+", waits.headers["location"])
    shown = _text(pages.get(waits.headers["location"]).text)
    assert "The change of identity is waiting for approval (request" in shown


def _fields(person: dict[str, str]) -> dict[str, str]:
    return {
        k: person[k] for k in ("given_name", "family_name", "sex", "birth_date", "relationship")
    }


def test_bulk_enrolment_from_the_list_page(pages: TestClient) -> None:
    sign_in(pages, "sanamxay")
    assert 'id="bulk-form"' in pages.get("/enrolments").text
    form = {"scheme": "mecg", "district": "1703", "date": "2026-12-01"}
    made = pages.post("/enrolments/bulk", data=with_csrf(pages, form), follow_redirects=False)
    assert made.status_code == 303
    request_id = int(made.headers["location"].rsplit("=", 1)[1])
    shown = _text(pages.get(made.headers["location"]).text)
    assert f"another officer approves it on the Approvals page. Request {request_id}" in shown
    # nothing is enrolled before another user approves (the mother is the one eligible)
    assert pages.get("/enrolments.json").json()["total"] == 0
    outside = pages.post("/enrolments/bulk", data=with_csrf(pages, {**form, "district": "0101"}))
    assert outside.status_code == 403
    assert "outside your area" in outside.text
    sign_in(pages, "central")
    decided = pages.post(f"/api/requests/{request_id}/approve", headers=bearer(pages, "central"))
    assert decided.json()["result"]["enrolled"] == 1
    sign_in(pages, "sanamxay")
    none = pages.post("/enrolments/bulk", data=with_csrf(pages, form))
    assert none.status_code == 200
    assert "No one to enrol: everyone eligible is enrolled already" in _text(none.text)
