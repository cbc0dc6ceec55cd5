"""The grievance API: open (backdated: overdue at once), the queue and its overdue list,
assign, escalate, resolve; categories from the pack; area scoping; clear 4xx answers."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from laosp.config import Settings
from tests.api.conftest import bearer
from tests.api.test_privacy import events

TODAY = dt.date.today()


def _open(client: TestClient, who: str, days_ago: int = 20, **extra: object) -> dict[str, object]:
    body = {
        "category": "payment",
        "description": "not paid for two months",
        "household_id": "EX-VT-0001",
        "received_on": (TODAY - dt.timedelta(days=days_ago)).isoformat(),
        **extra,
    }
    response = client.post("/api/grievances", json=body, headers=bearer(client, who))
    assert response.status_code == 201, response.text
    opened: dict[str, object] = response.json()
    return opened


def test_categories_come_from_the_pack_in_both_languages(client: TestClient) -> None:
    answer = client.get("/api/grievances/categories", headers=bearer(client, "vientiane"))
    assert answer.status_code == 200
    payment = next(c for c in answer.json()["categories"] if c["code"] == "payment")
    assert payment == {
        "code": "payment",
        "name": "Payment late, missing or wrong",
        "name_lo": "ການຈ່າຍເງິນຊັກຊ້າ, ບໍ່ໄດ້ຮັບ ຫຼື ບໍ່ຖືກຕ້ອງ",
        "days": 15,
    }
    assert [lv["code"] for lv in answer.json()["levels"]] == ["district", "province", "central"]


def test_open_backdated_is_overdue_escalate_and_resolve(client: TestClient) -> None:
    opened = _open(client, "vientiane", days_ago=20)  # payment: 15 days → 5 days over
    assert opened["due_on"] == (TODAY - dt.timedelta(days=5)).isoformat()
    assert (opened["overdue"], opened["days_overdue"]) == (True, 5)
    assert (opened["district_code"], opened["escalation_level"]) == ("0101", "district")
    on_time = _open(client, "vientiane", days_ago=3)
    assert (on_time["overdue"], on_time["days_overdue"]) == (False, 0)
    central = bearer(client, "central")
    overdue = client.get("/api/grievances?overdue=true", headers=central).json()
    assert ([g["id"] for g in overdue["items"]], overdue["total"]) == ([opened["id"]], 1)
    everything = client.get("/api/grievances?limit=1&offset=1", headers=central).json()
    assert (everything["total"], everything["limit"], everything["offset"]) == (2, 1, 1)
    assert [g["id"] for g in everything["items"]] == [on_time["id"]]
    gid = opened["id"]
    assigned = client.post(
        f"/api/grievances/{gid}/assign", json={"assigned_to": "central"}, headers=central
    )
    assert assigned.json()["assigned_to"] == "central"
    mine = client.get("/api/grievances?mine=true", headers=central).json()
    assert [g["id"] for g in mine["items"]] == [gid]
    escalated = client.post(f"/api/grievances/{gid}/escalate", headers=central)
    assert escalated.status_code == 200, escalated.text
    assert (escalated.json()["escalation_level"], escalated.json()["assigned_to"]) == (
        "province",
        None,
    )
    resolved = client.post(
        f"/api/grievances/{gid}/resolve", json={"resolution": "paid on 1 March"}, headers=central
    )
    assert (resolved.json()["status"], resolved.json()["overdue"]) == ("resolved", False)
    again = client.post(f"/api/grievances/{gid}/escalate", headers=central)
    assert again.status_code == 409


def test_bad_input_gets_a_clear_422(client: TestClient) -> None:
    officer = bearer(client, "vientiane")
    body = {"category": "noise", "description": "x", "household_id": "EX-VT-0001"}
    refused = client.post("/api/grievances", json=body, headers=officer)
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["detail"]] == ["category"]
    future = (TODAY + dt.timedelta(days=1)).isoformat()
    refused = client.post(
        "/api/grievances", json={**body, "category": "payment", "received_on": future},
        headers=officer,
    )  # fmt: skip
    assert [(p["field"], p["value"]) for p in refused.json()["detail"]] == [("date", future)]
    listed = client.get("/api/grievances?status=lost", headers=officer)
    assert listed.status_code == 422
    listed = client.get("/api/grievances?category=noise", headers=officer)
    assert listed.status_code == 422


def test_an_officer_of_another_area_sees_nothing(client: TestClient) -> None:
    opened = _open(client, "vientiane")
    savannakhet = bearer(client, "savannakhet")
    assert client.get(f"/api/grievances/{opened['id']}", headers=savannakhet).status_code == 404
    assert client.get("/api/grievances", headers=savannakhet).json()["total"] == 0
    escalate = client.post(f"/api/grievances/{opened['id']}/escalate", headers=savannakhet)
    assert escalate.status_code == 404
    # a district officer opens grievances but never handles them
    vientiane = bearer(client, "vientiane")
    assert (
        client.post(f"/api/grievances/{opened['id']}/escalate", headers=vientiane).status_code
        == 403
    )
    # nor opens one about a household elsewhere (it is not named there)
    body = {"category": "payment", "description": "x", "household_id": "EX-SV-0002"}
    elsewhere = client.post("/api/grievances", json=body, headers=vientiane)
    assert elsewhere.status_code == 422
    analyst = bearer(client, "analyst")
    assert client.get("/api/grievances", headers=analyst).status_code == 403


def test_the_grievances_of_a_household_and_its_members(client: TestClient) -> None:
    about_household = _open(client, "vientiane")
    about_member = _open(client, "vientiane", household_id=None, person_id="EX-VT-0001-2")
    central = bearer(client, "central")
    listed = client.get("/api/grievances?household=EX-VT-0001", headers=central).json()
    assert sorted(g["id"] for g in listed["items"]) == [about_household["id"], about_member["id"]]
    assert client.get("/api/grievances?household=EX-AT-0003", headers=central).json() == {
        "items": [], "total": 0, "limit": 50, "offset": 0,
    }  # fmt: skip


def test_reading_grievances_is_audited_by_ids(client: TestClient, settings: Settings) -> None:
    opened = _open(client, "vientiane")
    officer = bearer(client, "central")
    assert client.get(f"/api/grievances/{opened['id']}", headers=officer).status_code == 200
    assert client.get("/api/grievances", headers=officer).status_code == 200
    reads = [e for e in events(settings, "read") if e.entity == "grievance"]
    assert [(e.actor, e.entity_id) for e in reads] == [
        ("central", str(opened["id"])),
        ("central", None),  # the queue: its ids, never the descriptions
    ]
    assert reads[0].district_code == "0101"
    assert str(opened["id"]) in str(reads[1].changes)
    assert "not paid" not in str(reads[1].changes)
