"""The enrolment API: enrol, list, change status with maker–checker and compare-and-set,
bulk enrolment of the eligible as a change request, explanations and parameters.

Expected values are worked out by hand from the example households and the pack:
``EX-AT-0003-2`` (Sanamxay 1703, pregnant in month 5) qualifies for the Mother and
Early Childhood Grant (pilot districts 1703, 1705, 1306; from the 4th month), 150,000
kip a month paid every 2 months (mecg.yaml, since 18/06/2021); her husband and her
daughter (born 10/01/2024: 34 months on 01/12/2026, not under 12) do not.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from laosp.access.roles import Role
from laosp.access.users import create_user
from laosp.config import Settings
from laosp.db import make_engine, unit_of_work
from tests.api.conftest import PASSWORD, bearer

ON = "2026-12-01"
MOTHER = "EX-AT-0003-2"
#: extra users: a district officer of Sanamxay, a provincial officer of Attapeu, a
#: second central officer
EXTRA = {
    "sanamxay": (Role.district_officer, None, "1703"),
    "attapeu": (Role.provincial_officer, "17", None),
    "central2": (Role.central_officer, None, None),
}


@pytest.fixture
def api(settings: Settings, client: TestClient) -> TestClient:
    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as session:
        for name, (role, province, district) in EXTRA.items():
            create_user(session, name, PASSWORD, role, province=province, district=district)
    engine.dispose()
    return client


def _enrol(client: TestClient, who: str, unit: str, scheme: str = "mecg") -> dict[str, Any]:
    answer = client.post(
        "/api/enrolments",
        json={"scheme": scheme, "unit_id": unit, "date": ON},
        headers=bearer(client, who),
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _status(
    client: TestClient, who: str, enrolment: object, status: str, expected: str, **extra: str
) -> tuple[int, Any]:
    answer = client.post(
        f"/api/enrolments/{enrolment}/status",
        json={"status": status, "expected": expected, "date": ON, **extra},
        headers=bearer(client, who),
    )
    return answer.status_code, answer.json()


def test_enrol_then_another_user_approves(api: TestClient) -> None:
    made = _enrol(api, "sanamxay", MOTHER)
    assert {k: made[k] for k in ("scheme", "person_id", "household_id", "status")} == {
        "scheme": "mecg",
        "person_id": MOTHER,
        "household_id": "EX-AT-0003",
        "status": "pending",
    }
    assert made["enrolled_by"] == "sanamxay"
    assert made["district_code"] == "1703"
    assert made["scheme_name_en"] == "Mother and Early Childhood Grant"
    assert made["scheme_name_lo"] == "ເງິນອຸດໜູນແມ່ ແລະ ເດັກອ່ອນ"
    assert (made["given_name"], made["family_name"]) == ("ຄຳລາ", "ແສງສຸລິນ")
    # a district officer may enrol, not approve
    code, body = _status(api, "sanamxay", made["id"], "active", "pending")
    assert code == 403
    assert "approve enrolment" in str(body["detail"])
    code, body = _status(api, "attapeu", made["id"], "active", "pending")
    assert code == 200, body
    assert body["status"] == "active"
    assert body["enrolled_by"] == "sanamxay"


def test_the_maker_never_approves(api: TestClient) -> None:
    made = _enrol(api, "attapeu", MOTHER)
    code, body = _status(api, "attapeu", made["id"], "active", "pending")
    assert code == 403
    assert "another user must approve" in str(body["detail"])
    shown = api.get(f"/api/enrolments/{made['id']}", headers=bearer(api, "attapeu"))
    assert shown.json()["status"] == "pending"
    assert _status(api, "central", made["id"], "active", "pending")[0] == 200


def test_a_status_change_needs_a_reason_and_the_status_seen(api: TestClient) -> None:
    made = _enrol(api, "sanamxay", MOTHER)
    code, body = _status(api, "sanamxay", made["id"], "exited", "pending")
    assert code == 422
    assert body["detail"][0]["field"] == "reason"
    assert _status(api, "central", made["id"], "active", "pending")[0] == 200
    # a client that still shows "pending" is refused: someone changed it meanwhile
    code, body = _status(api, "sanamxay", made["id"], "exited", "pending", reason="moved")
    assert code == 409
    assert "expected 'pending', found 'active'" in str(body["detail"])
    code, body = _status(api, "sanamxay", made["id"], "suspended", "active", reason="moved")
    assert (code, body["status"]) == (200, "suspended")
    # an illegal transition
    code, body = _status(api, "sanamxay", made["id"], "pending", "suspended", reason="x")
    assert code == 409
    assert "cannot change status from 'suspended' to 'pending'" in str(body["detail"])


def test_two_concurrent_approvals_one_wins(api: TestClient) -> None:
    made = _enrol(api, "sanamxay", MOTHER)
    headers = {who: bearer(api, who) for who in ("central", "attapeu")}
    codes: list[int] = []
    start = threading.Barrier(2)

    def approve(who: str) -> None:
        start.wait()
        answer = api.post(
            f"/api/enrolments/{made['id']}/status",
            json={"status": "active", "expected": "pending", "date": ON},
            headers=headers[who],
        )
        codes.append(answer.status_code)

    threads = [threading.Thread(target=approve, args=(who,)) for who in headers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [200, 409]
    listed = api.get("/api/enrolments?scheme=mecg", headers=headers["central"]).json()
    assert [(i["id"], i["status"]) for i in listed["items"]] == [(made["id"], "active")]


def test_refusals_name_nothing_outside_the_area(api: TestClient) -> None:
    # the Vientiane district officer: the Sanamxay mother is "not registered" to them
    answer = api.post(
        "/api/enrolments",
        json={"scheme": "mecg", "unit_id": MOTHER, "date": ON},
        headers=bearer(api, "vientiane"),
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {"field": "person_id", "value": MOTHER, "reason": "is not a registered person"}
    ]
    made = _enrol(api, "sanamxay", MOTHER)
    hidden = api.get(f"/api/enrolments/{made['id']}", headers=bearer(api, "vientiane"))
    assert hidden.status_code == 404
    # not eligible: why, in the 422
    refused = api.post(
        "/api/enrolments",
        json={"scheme": "mecg", "unit_id": "EX-AT-0003-1", "date": ON},
        headers=bearer(api, "sanamxay"),
    )
    assert refused.status_code == 422
    assert "is not eligible for mecg" in refused.json()["detail"][0]["reason"]
    bad = api.post(
        "/api/enrolments",
        json={"scheme": "social_pension", "unit_id": MOTHER, "date": ON},
        headers=bearer(api, "sanamxay"),
    )
    assert bad.status_code == 422
    assert "proposed scheme" in bad.json()["detail"][0]["reason"]
    assert (
        api.post(
            "/api/enrolments",
            json={"scheme": "mecg", "unit_id": MOTHER},
            headers=bearer(api, "analyst"),
        ).status_code
        == 403
    )


def test_the_list_filters_paginates_and_counts(api: TestClient) -> None:
    _enrol(api, "sanamxay", MOTHER)
    _enrol(api, "central", "EX-AT-0003-1", "nhi")
    _enrol(api, "central", "EX-VT-0001-1", "nhi")
    central = bearer(api, "central")
    page = api.get("/api/enrolments?limit=2", headers=central).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (3, 2, 0, 2)
    rest = api.get("/api/enrolments?limit=2&offset=2", headers=central).json()
    assert [i["person_id"] for i in rest["items"]] == [MOTHER]  # newest first
    nhi = api.get("/api/enrolments?scheme=nhi&district=1703", headers=central).json()
    assert [i["person_id"] for i in nhi["items"]] == ["EX-AT-0003-1"]
    # the district officer sees their district only
    own = api.get("/api/enrolments", headers=bearer(api, "sanamxay")).json()
    assert own["total"] == 2
    outside = api.get("/api/enrolments?district=0101", headers=bearer(api, "sanamxay"))
    assert outside.status_code == 403
    for query, field in (("scheme=bogus", "scheme"), ("status=asleep", "status")):
        answer = api.get(f"/api/enrolments?{query}", headers=central)
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["field"] == field


def test_bulk_enrolment_waits_for_another_user(api: TestClient) -> None:
    maker = bearer(api, "sanamxay")
    answer = api.post(
        "/api/enrolments/bulk", json={"scheme": "mecg", "district": "1703", "date": ON},
        headers=maker,
    )  # fmt: skip
    assert answer.status_code == 202, answer.text
    assert answer.json()["count"] == 1  # the mother only (see the module's docstring)
    request_id = answer.json()["request_id"]
    checker = bearer(api, "attapeu")
    assert api.get("/api/enrolments", headers=checker).json()["total"] == 0
    assert api.post(f"/api/requests/{request_id}/approve", headers=maker).status_code == 403
    decided = api.post(f"/api/requests/{request_id}/approve", headers=checker)
    assert decided.status_code == 200, decided.text
    assert decided.json()["result"]["enrolled"] == 1
    listed = api.get("/api/enrolments", headers=checker).json()
    assert [(i["person_id"], i["status"], i["enrolled_by"]) for i in listed["items"]] == [
        (MOTHER, "active", "attapeu")
    ]
    again = api.post(
        "/api/enrolments/bulk", json={"scheme": "mecg", "district": "1703", "date": ON},
        headers=maker,
    )  # fmt: skip
    assert (again.status_code, again.json()) == (200, {"count": 0, "request_id": None})
    outside = api.post(
        "/api/enrolments/bulk", json={"scheme": "mecg", "district": "0101", "date": ON},
        headers=maker,
    )  # fmt: skip
    assert outside.status_code == 403


def _register_elder(client: TestClient) -> None:
    household = {
        "household_id": "ELDER-1",
        "district_code": "0101",
        "members": [
            {
                "person_id": "ELDER-1-1",
                "relationship": "head",
                "given_name": "ສີ",
                "family_name": "ວົງສາ",
                "sex": "F",
                "birth_date": "1959-03-10",
            }
        ],
    }
    answer = client.post(
        "/api/registry/households", json=household, headers=bearer(client, "vientiane")
    )
    assert answer.status_code == 201, answer.text


def test_why_a_person_aged_67_gets_the_social_pension(api: TestClient) -> None:
    _register_elder(api)
    # born 10/03/1959: 67 full years on 01/06/2026; the pension is from 65 (since 01/01/2026)
    answer = api.get(
        "/api/persons/ELDER-1-1/explanation?scheme=social_pension&date=2026-06-01",
        headers=bearer(api, "vientiane"),
    )
    assert answer.status_code == 200, answer.text
    (why,) = answer.json()["explanations"]
    assert (why["eligible"], why["amount"], why["payment_every_months"]) == (True, 300_000, 1)
    assert why["summary"] == {"en": "Eligible on 01/06/2026", "lo": "ມີສິດ ໃນວັນທີ 01/06/2026"}
    (condition,) = why["conditions"]
    assert condition["met"] is True
    assert condition["text"] == {
        "en": "Age (years): 67 — needs at least 65",
        "lo": "ອາຍຸ (ປີ): 67 — ຕ້ອງ ຢ່າງໜ້ອຍ 65",
    }
    (age_min,) = condition["parameters"]
    assert (age_min["name"], age_min["value"], age_min["since"]) == (
        "social_pension.age_min",
        65,
        "2026-01-01",
    )
    assert age_min["reference"] == "NSPS proposed universal social pension at 65"
    (amount,) = why["amount_parameters"]
    assert (amount["value"], amount["since"]) == (300_000, "2026-01-01")
    # before the pack's first value the scheme is not in force
    before = api.get(
        "/api/persons/ELDER-1-1/explanation?scheme=social_pension&date=2025-06-01",
        headers=bearer(api, "vientiane"),
    ).json()["explanations"][0]
    assert (before["in_force"], before["eligible"], before["amount"]) == (False, False, None)
    # another district's officer: no such person
    assert (
        api.get("/api/persons/ELDER-1-1/explanation", headers=bearer(api, "sanamxay")).status_code
        == 404
    )


def test_why_the_mother_qualifies_for_the_grant(api: TestClient) -> None:
    answer = api.get(
        f"/api/persons/{MOTHER}/explanation?scheme=mecg&date={ON}",
        headers=bearer(api, "central"),
    )
    (why,) = answer.json()["explanations"]
    assert (why["eligible"], why["amount"], why["payment_every_months"]) == (True, 150_000, 2)
    district, either = why["conditions"]
    assert district["text"]["en"] == "District: Sanamxay — needs one of Sanamxay, Phouvong, Nong"
    assert district["parameters"][0]["since"] == "2021-06-18"
    assert either["met"] is True
    assert "Month of pregnancy: 5 — needs at least 4" in either["text"]["en"]
    # every scheme when none is named: the household scheme (CCT) for her household
    every = api.get(
        f"/api/persons/{MOTHER}/explanation?date={ON}", headers=bearer(api, "central")
    ).json()["explanations"]
    units = {e["scheme"]: e["unit_id"] for e in every}
    assert units["cct"] == "EX-AT-0003"
    assert units["nhi"] == MOTHER


def test_parameters_at_a_date(api: TestClient) -> None:
    central = bearer(api, "central")
    page = api.get("/api/parameters?date=2026-06-01&scheme=social_pension", headers=central)
    assert page.status_code == 200
    by_name = {p["name"]: p for p in page.json()["items"]}
    assert by_name["social_pension.age_min"]["value"] == 65
    assert by_name["social_pension.benefit_monthly"]["since"] == "2026-01-01"
    earlier = api.get("/api/parameters?date=2025-06-01&scheme=social_pension", headers=central)
    assert earlier.json()["total"] == 0
    mecg = api.get("/api/parameters?date=2026-06-01&scheme=mecg", headers=central).json()
    assert {p["name"] for p in mecg["items"]} >= {"mecg.benefit_monthly", "mecg.districts"}
    assert api.get("/api/parameters?scheme=bogus", headers=central).status_code == 422
