"""``GET /reports/coverage.pdf|.xlsx``: signed-in users only; a provincial or district
officer gets their own province's brief and no other."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.api.csrf import with_csrf
from tests.reports.helpers import pdf_text, sheets, squeezed

XLSX = "/reports/coverage.xlsx?lang=en&date=2025-06-30"


def test_a_brief_needs_signing_in(client: TestClient) -> None:
    assert client.get("/reports/coverage.pdf").status_code == 401
    assert client.get(XLSX).status_code == 401


def test_national_pdf_for_the_central_officer(client: TestClient) -> None:
    response = client.get(
        "/reports/coverage.pdf?lang=lo&date=2025-06-30", headers=bearer(client, "central")
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "coverage-national-2025-06-30-lo.pdf" in response.headers["content-disposition"]
    text = squeezed(pdf_text(response.content))
    assert squeezed("ທົ່ວປະເທດ") in text
    assert "30/06/2025" in text


def test_provincial_officer_gets_their_province_only(client: TestClient) -> None:
    headers = bearer(client, "savannakhet")  # province 13
    response = client.get(XLSX, headers=headers)
    assert response.status_code == 200
    assert "coverage-13-" in response.headers["content-disposition"]
    book = sheets(response.content)
    assert list(book)[2] == "Coverage by district"
    assert {code[:2] for code in book["Coverage by district"]["Code"]} == {"13"}
    assert {code[:2] for code in book["Left behind"]["Code"].drop_nulls()} <= {"13"}
    assert "Province Savannakhet" in book["About"]["Value"].to_list()
    assert client.get(XLSX + "&province=01", headers=headers).status_code == 403
    assert client.get(XLSX + "&province=13", headers=headers).status_code == 200


def test_district_officer_gets_their_province(client: TestClient) -> None:
    headers = bearer(client, "vientiane")  # district 0101
    response = client.get(XLSX, headers=headers)
    assert response.status_code == 200
    assert "coverage-01-" in response.headers["content-disposition"]
    assert client.get(XLSX + "&province=13", headers=headers).status_code == 403


def test_analyst_may_choose_any_province_but_not_a_made_up_one(client: TestClient) -> None:
    headers = bearer(client, "analyst")
    assert client.get(XLSX + "&province=13", headers=headers).status_code == 200
    assert client.get(XLSX + "&province=99", headers=headers).status_code == 404
    assert client.get("/reports/coverage.doc", headers=headers).status_code == 422


def test_overview_links_to_the_brief(client: TestClient) -> None:
    client.cookies.set("laosp_session", "")
    form = {"username": "admin", "password": "correct horse battery"}
    client.post("/login", data=with_csrf(client, form))
    page = client.get("/overview?date=2025-06-30").text
    assert 'href="/reports/coverage.pdf?lang=lo&amp;date=2025-06-30"' in page
    assert 'href="/reports/coverage.xlsx?lang=lo&amp;date=2025-06-30"' in page
