"""Access by role and geography: district and province officers see their area only;
an analyst sees aggregates and never a named person."""

from __future__ import annotations

from fastapi.testclient import TestClient

from laosp.access.permissions import area_of
from laosp.access.roles import Area, Principal, Role
from tests.api.conftest import bearer

VIENTIANE_PERSON = "/api/registry/persons/EX-VT-0001-1"
SAVANNAKHET_PERSON = "/api/registry/persons/EX-SV-0002-1"


def test_area_of_each_role() -> None:
    assert area_of(Principal("a", Role.admin)).everywhere
    assert area_of(Principal("c", Role.central_officer)).everywhere
    assert area_of(Principal("p", Role.provincial_officer, "13")) == Area(province_code="13")
    district = area_of(Principal("d", Role.district_officer, "01", "0101"))
    assert district.contains("0101")
    assert not district.contains("0102")
    assert area_of(Principal("x", Role.analyst)).nowhere


def test_district_officer_sees_own_district_only(client: TestClient) -> None:
    headers = bearer(client, "vientiane")
    assert client.get(VIENTIANE_PERSON, headers=headers).status_code == 200
    assert client.get(SAVANNAKHET_PERSON, headers=headers).status_code == 404
    assert client.get("/api/registry/households/EX-SV-0002", headers=headers).status_code == 404
    other = client.get("/api/registry/persons?district=1301", headers=headers)
    assert other.status_code == 403
    hits = client.get("/api/registry/persons?name=", headers=headers).json()["items"]
    assert hits
    assert {hit["district_code"] for hit in hits} == {"0101"}
    listed = client.get("/api/gaps/list", headers=headers).json()["rows"]
    assert {row["district"] for row in listed} <= {"0101"}
    assert client.get("/api/gaps/list?district=1301", headers=headers).status_code == 403


def test_provincial_officer_sees_own_province(client: TestClient) -> None:
    headers = bearer(client, "savannakhet")
    assert client.get(SAVANNAKHET_PERSON, headers=headers).status_code == 200
    assert client.get(VIENTIANE_PERSON, headers=headers).status_code == 404
    hits = client.get("/api/registry/persons", headers=headers).json()["items"]
    assert {hit["province_code"] for hit in hits} == {"13"}


def test_central_officer_sees_everything(client: TestClient) -> None:
    headers = bearer(client, "central")
    for path in (VIENTIANE_PERSON, SAVANNAKHET_PERSON):
        assert client.get(path, headers=headers).status_code == 200
    hits = client.get("/api/registry/persons", headers=headers).json()["items"]
    assert len({hit["district_code"] for hit in hits}) == 6


def test_analyst_gets_aggregates_but_no_names(client: TestClient) -> None:
    headers = bearer(client, "analyst")
    for path in (
        VIENTIANE_PERSON,
        "/api/registry/persons?name=Souksavanh",
        "/api/registry/households/EX-VT-0001",
        "/api/gaps/list",
        "/search.json?q=Souksavanh",
        "/household/EX-VT-0001.json",
    ):
        assert client.get(path, headers=headers).status_code == 403, path
    indicators = client.get("/api/indicators?by=province", headers=headers)
    assert indicators.status_code == 200
    assert {row["province"] for row in indicators.json()["rows"]} >= {"01", "13"}
    counts = client.get("/api/gaps", headers=headers).json()["rows"]
    assert counts
    # counts and names only: a gap, a scheme and the unit it counts, in words
    fields = {"gap", "scheme", "scheme_name_en", "scheme_name_lo", "district", "count"}
    units = {"unit", "unit_name_en", "unit_name_lo"}
    assert all(set(row) == fields | units | {"suppressed"} for row in counts)
    page = client.get("/gaps.json?district=0101", headers=headers).json()
    assert page["named"] is None
    assert page["may_see_names"] is False
    text = client.get("/overview.json", headers=headers).text
    assert "Souksavanh" not in text
    assert "EX-VT-0001" not in text
    projection = client.get("/api/projection", headers=headers)
    assert projection.status_code == 200
    assert projection.json()["default"]["years"][-1]["year"] == 2040
