"""Dashboard pages: sign-in by cookie, language, and each page against its JSON twin."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from laosp.presentation.i18n import Formatter
from tests.api.conftest import PASSWORD
from tests.api.csrf import with_csrf

LO = Formatter("lo")
EN = Formatter("en")


def sign_in(client: TestClient, username: str) -> None:
    response = client.post(
        "/login",
        data=with_csrf(client, {"username": username, "password": PASSWORD}),
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_formats_in_each_language() -> None:
    assert LO.kip(1234567) == "1.234.567 ກີບ"
    assert EN.kip(1234567) == "1,234,567 LAK"
    assert LO.percent(0.4531) == "45,3%"
    assert EN.percent(0.4531) == "45.3%"
    assert LO.date("2026-03-07") == EN.date("2026-03-07") == "07/03/2026"


def test_pages_need_a_session(client: TestClient) -> None:
    response = client.get("/overview", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    wrong = client.post(
        "/login", data=with_csrf(client, {"username": "admin", "password": "wrong password"})
    )
    assert wrong.status_code == 401
    assert "ຊື່ຜູ້ໃຊ້ ຫຼື ລະຫັດຜ່ານບໍ່ຖືກຕ້ອງ" in wrong.text


def test_lao_is_the_default_and_english_a_click_away(client: TestClient) -> None:
    sign_in(client, "central")
    assert "ພາບລວມ" in client.get("/overview").text
    client.get("/lang/en?next=/overview")
    page = client.get("/overview").text
    assert "Overview" in page
    assert "ພາບລວມ" not in page.split("<main>")[1]


def _cells(html: str, table_id: str) -> list[list[str]]:
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


@pytest.mark.parametrize("lang", ["lo", "en"])
def test_overview_matches_its_json_twin(client: TestClient, lang: str) -> None:
    sign_in(client, "central")
    client.get(f"/lang/{lang}")
    text = Formatter(lang)  # type: ignore[arg-type]
    data = client.get("/overview.json").json()
    html = client.get("/overview").text
    assert "<svg" in html
    national = _cells(html, "national-table")
    assert [row[1:] for row in national] == [
        [
            text.number(r["numerator"]),
            text.number(r["denominator"]),
            text.number(r["ratio"], 3)
            if r["indicator"].startswith("sdg1042.")
            else text.percent(r["ratio"]),
        ]
        for r in data["national"]
    ]
    # the headline indicators, then unemployment and inequality (SDG 8.5.2, 10.4.2)
    assert [r["indicator"] for r in data["national"]][-3:] == [
        "sdg852.unemployment_rate",
        "sdg1042.gini_before",
        "sdg1042.gini_after",
    ]
    table = _cells(html, "coverage-table")
    headline = [item["id"] for item in data["headline"]]
    expected = []
    for place in data["places"]:
        cells = [place["indicators"].get(key) for key in headline]
        ratios = [text.percent(cell["ratio"]) if cell else "—" for cell in cells]
        expected.append([text.pair(place["name_en"], place["name_lo"]), *ratios])
    assert table == expected
    left = _cells(html, "left-behind-table")
    assert [row[2] for row in left] == [text.number(r["count"]) for r in data["left_behind"]]


def test_province_page_matches_its_json_twin(client: TestClient) -> None:
    sign_in(client, "central")
    data = client.get("/province/13.json").json()
    html = client.get("/province/13").text
    assert data["province"]["name_lo"] in html
    names = [row[0] for row in _cells(html, "coverage-table")]
    assert names == [place["name_lo"] for place in data["places"]]
    assert client.get("/province/99.json").status_code == 404


def test_gaps_page_named_list_only_inside_the_area(client: TestClient) -> None:
    sign_in(client, "vientiane")
    own = client.get("/gaps.json?district=0101").json()
    assert own["named"] is not None
    html = client.get("/gaps?district=0101").text
    for row in own["named"]["items"]:
        assert f"{row['given_name']} {row['family_name']}" in html
    assert 'id="gap-counts"' not in html  # under the named list, no table of counts
    other = client.get("/gaps.json?district=1301").json()
    assert other["named"] is None
    csv = client.get("/api/gaps/list?district=0101&format=csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    xlsx = client.get("/api/gaps/list?district=0101&format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_projection_page_matches_its_json_twin(client: TestClient) -> None:
    sign_in(client, "analyst")
    data = client.get("/projection.json?policy=child_grant_u3").json()
    html = client.get("/projection?policy=child_grant_u3").text
    rows = _cells(html, "projection-table")
    assert [row[0] for row in rows] == [str(y["year"]) for y in data["default"]["years"]]
    assert rows[-1][0] == "2040"
    last_default, last_policy = data["default"]["years"][-1], data["policy"]["years"][-1]
    assert rows[-1][1] == LO.billions(last_default["spending_lak"])
    assert rows[-1][5] == LO.number(last_policy["spending_pct_gdp"], 2) + "%"
    assert html.count("<polyline") == 4
    assert client.get("/projection.json?policy=nope").status_code == 404


def test_search_and_household_pages(client: TestClient) -> None:
    sign_in(client, "vientiane")
    data = client.get("/search.json?q=ສົມພອນ").json()
    assert [hit["person_id"] for hit in data["items"]] == ["EX-VT-0001-1"]
    html = client.get("/search?q=ສົມພອນ").text
    assert "ສົມພອນ ພົມມະສອນ" in html
    assert client.get("/search.json?q=Souksavanh").json()["items"] == []  # another district
    household = client.get("/household/EX-VT-0001.json").json()["household"]
    page = client.get("/household/EX-VT-0001").text
    for member in household["members"]:
        assert member["given_name"] in page
    assert client.get("/household/EX-SV-0002").status_code == 404


def test_analyst_sees_no_search(client: TestClient) -> None:
    sign_in(client, "analyst")
    assert client.get("/search?q=x").status_code == 403
    assert "ຄົ້ນຫາທະບຽນ" not in client.get("/overview").text
