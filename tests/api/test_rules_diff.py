"""``POST /api/rules/diff`` and the dashboard's ``/rules/diff`` on the example households
(SQLite and PostgreSQL).

Worked by hand: on 30 June 2025, with the MECG grant raised to 200,000 LAK and the
children's age limit to 24 months from 1 June 2025 (7 months this year), household
EX-AT-0003 in Sanamxay (1703, a pilot district) has a mother pregnant in her 5th month
(50,000 more a month) and a daughter born 10 January 2024 (17 months: gains the grant,
200,000 a month): one gainer, one amount changed, 250,000 a month, 1,750,000 this year,
3,000,000 a full year. No other example household is in a pilot district.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.api.csrf import with_csrf

REFORM: dict[str, Any] = {
    "overrides": {"mecg.benefit_monthly": 200_000, "mecg.child_age_months_under": 24},
    "from": "2025-06-01",
    "date": "2025-06-30",
}


def _post(client: TestClient, user: str, **extra: Any) -> Any:
    return client.post("/api/rules/diff", json={**REFORM, **extra}, headers=bearer(client, user))


def test_summary_for_an_analyst(client: TestClient) -> None:
    response = _post(client, "analyst")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["months_this_year"] == 7
    [row] = body["summary"]
    assert row["district_name_lo"] == "ສະໜາມໄຊ"
    assert row["scheme_name_en"] == "Mother and Early Childhood Grant"
    assert (row["gainers"], row["losers"], row["amount_changed"]) == (1, 0, 1)
    assert (row["money_month"], row["money_this_year"], row["money_full_year"]) == (
        250_000,
        1_750_000,
        3_000_000,
    )
    assert "rows" not in body
    assert _post(client, "analyst", list=True).status_code == 403


def test_named_rows_only_inside_the_area(client: TestClient) -> None:
    central = _post(client, "central", list=True)
    assert central.status_code == 200, central.text
    rows = {row["person_id"]: row for row in central.json()["rows"]}
    assert set(rows) == {"EX-AT-0003-2", "EX-AT-0003-3"}
    assert rows["EX-AT-0003-3"]["given_name"] == "ນ້ອຍ"
    assert rows["EX-AT-0003-3"]["change"] == "gains"
    # officers of Vientiane Capital's Chanthabouly and of Savannakhet province: no names
    # from Attapeu, whether they ask for the whole area or for the district itself
    for user in ("vientiane", "savannakhet"):
        mine = _post(client, user, list=True)
        assert mine.status_code == 200, mine.text
        assert mine.json()["rows"] == []
        assert mine.json()["rows_total"] == 0
        assert mine.json()["summary"][0]["gainers"] == 1  # counts are for everyone
        assert _post(client, user, list=True, district="1703").status_code == 403


def test_the_projection_to_2030_carries_the_new_amount(client: TestClient) -> None:
    # the projection reads the grant's amount from the pack: from 2026 (whole years
    # after the 1 June 2025 start) MECG costs 200,000 / 150,000 = 4/3 of the default
    body = _post(client, "analyst", overrides={"mecg.benefit_monthly": 200_000}).json()
    years = {row["year"]: row for row in body["projection"] if row["scheme"] == "mecg"}
    assert set(years) >= {2026, 2027, 2028, 2029, 2030}
    assert max(years) == 2030
    for year in range(2026, 2031):
        assert years[year]["cost_after"] / years[year]["cost_before"] == pytest.approx(
            4 / 3, rel=1e-6
        )
    # an age limit is not an input of the projection: nothing to carry
    age = _post(client, "analyst", overrides={"mecg.child_age_months_under": 24}).json()
    assert age["projection"] == []


def test_district_filter(client: TestClient) -> None:
    body = _post(client, "central", district="0101").json()
    assert body["summary"] == []
    assert body["totals"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"overrides": {"mecg.nope": 1}}, "overrides.mecg.nope"),
        ({"overrides": {"mecg.benefit_monthly": "abc"}}, "overrides.mecg.benefit_monthly"),
        ({"overrides": {"mecg.benefit_monthly": -5}}, "overrides.mecg.benefit_monthly"),
        ({"overrides": {}}, "overrides"),
        ({"from": "2025-02-30"}, "from"),
        ({"date": "2025-05-01"}, "date"),
        ({"district": "9999"}, "district"),
        ({"limit": 0}, "limit"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: TestClient, change: dict[str, Any], field: str
) -> None:
    response = client.post(
        "/api/rules/diff", json={**REFORM, **change}, headers=bearer(client, "analyst")
    )
    assert response.status_code == 422, response.text
    assert field in [problem["field"] for problem in response.json()["detail"]]


def test_sign_in_first(client: TestClient) -> None:
    assert client.post("/api/rules/diff", json=REFORM).status_code == 401


# --- the dashboard page ----------------------------------------------------------------

PAGE = (
    "/rules/diff?parameter=mecg.child_age_months_under&value=24"
    "&from=2025-06-01&date=2025-06-30&district=1703"
)


def _sign_in(client: TestClient, user: str) -> None:
    response = client.post(
        "/login",
        data=with_csrf(client, {"username": user, "password": "correct horse battery"}),
        follow_redirects=False,
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Sanamxay", "Mother and Early Childhood Grant", "150,000 LAK", "ນ້ອຍ"]),
        ("lo", ["ສະໜາມໄຊ", "ເງິນອຸດໜູນແມ່ ແລະ ເດັກອ່ອນ", "150.000 ກີບ", "ໄດ້ຮັບສິດ"]),
    ],
)
def test_page_in_both_languages(client: TestClient, lang: str, words: list[str]) -> None:
    _sign_in(client, "central")
    client.cookies.set("laosp_lang", lang)
    response = client.get(PAGE)
    assert response.status_code == 200, response.text
    for word in words:
        assert word in response.text
    assert 'id="reform-named"' in response.text


def test_page_json_twin_and_errors(client: TestClient) -> None:
    _sign_in(client, "vientiane")
    body = client.get(PAGE.replace("/rules/diff?", "/rules/diff.json?")).json()
    [row] = body["diff"]["summary"]
    assert (row["gainers"], row["money_month"]) == (1, 150_000)
    assert "rows" not in body["diff"]  # 1703 is outside Chanthabouly
    assert "mecg.benefit_monthly" in [p["name"] for p in body["parameters"]]
    bad = client.get("/rules/diff?parameter=mecg.benefit_monthly&value=abc&from=2025-06-01")
    assert bad.status_code == 422
    assert "bad value" in bad.text
    assert client.get("/rules/diff.json?parameter=mecg.nope&value=1").status_code == 422
