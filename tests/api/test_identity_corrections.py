"""Maker–checker for who a person is (#12): an update changing a registered person's
given or family name, birth date, sex or national id waits for another user with
``approve_identity``; other updates apply at once."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from laosp.config import Settings
from laosp.db import make_engine, unit_of_work
from laosp.demo import example_households
from laosp.models import AuditEvent, ChangeRequest
from tests.api.conftest import bearer
from tests.api.more_users import add_capital

HOUSEHOLDS = "/api/registry/households"
UPDATE = f"{HOUSEHOLDS}?update=true"
HEAD = "/api/registry/persons/EX-VT-0001-1"


def example(household_id: str) -> dict[str, Any]:
    """The example household as the demo registers it."""
    [found] = [h for h in example_households() if h["household_id"] == household_id]
    return copy.deepcopy(found)


def renamed(given_name: str) -> dict[str, Any]:
    body = example("EX-VT-0001")
    body["members"][0]["given_name"] = given_name
    return body


@pytest.fixture(autouse=True)
def capital(settings: Settings) -> str:
    return add_capital(settings)


def person_events(settings: Settings, person_id: str) -> list[tuple[str, str, Any]]:
    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.changes)
            .where(AuditEvent.entity == "person", AuditEvent.entity_id == person_id)
            .where(AuditEvent.action == "update")
            .order_by(AuditEvent.id)
        ).all()
    engine.dispose()
    return [(row[0], row[1], row[2]) for row in rows]


def request_row(settings: Settings, request_id: int) -> tuple[str, str, str | None, str | None]:
    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as session:
        request = session.get(ChangeRequest, request_id)
        assert request is not None
        found = (request.kind, request.status, request.district_code, request.checked_by)
    engine.dispose()
    return found


def test_a_name_correction_waits_for_a_second_person(
    client: TestClient, settings: Settings
) -> None:
    officer = bearer(client, "vientiane")
    answer = client.post(UPDATE, json=renamed("Somphone"), headers=officer)
    assert answer.status_code == 202, answer.text
    pending = answer.json()
    request_id = pending["request_id"]
    assert pending == {
        "request_id": request_id,
        "status": "pending",
        "household_id": "EX-VT-0001",
        "identity_fields": {"EX-VT-0001-1": ["given_name"]},
    }
    assert request_row(settings, request_id) == ("identity_correction", "pending", "0101", None)
    # nothing changed yet
    assert client.get(HEAD, headers=officer).json()["given_name"] == "ສົມພອນ"
    assert person_events(settings, "EX-VT-0001-1") == []
    # the maker cannot approve (a district officer has no approve_identity either)
    refused = client.post(f"/api/requests/{request_id}/approve", headers=officer)
    assert refused.status_code == 403
    # a provincial officer of another province cannot either
    elsewhere = bearer(client, "savannakhet")
    assert client.post(f"/api/requests/{request_id}/approve", headers=elsewhere).status_code == 403
    # the provincial officer of Vientiane Capital sees it and approves: applied
    checker = bearer(client, "capital")
    assert request_id in [r["id"] for r in client.get("/api/requests", headers=checker).json()]
    approved = client.post(f"/api/requests/{request_id}/approve", headers=checker)
    assert approved.status_code == 200, approved.text
    assert approved.json()["result"] == {
        "household_id": "EX-VT-0001",
        "action": "updated",
        "members": 3,
    }
    assert client.get(HEAD, headers=officer).json()["given_name"] == "Somphone"
    assert request_row(settings, request_id) == (
        "identity_correction",
        "approved",
        "0101",
        "capital",
    )
    assert person_events(settings, "EX-VT-0001-1") == [
        ("capital", "update", {"given_name": ["ສົມພອນ", "Somphone"]})
    ]
    # approving again changes nothing
    again = client.post(f"/api/requests/{request_id}/approve", headers=checker)
    assert again.status_code == 409
    assert len(person_events(settings, "EX-VT-0001-1")) == 1


def test_the_maker_never_approves_their_own_correction(client: TestClient) -> None:
    central = bearer(client, "central")
    answer = client.post(UPDATE, json=renamed("Somphone"), headers=central)
    assert answer.status_code == 202
    request_id = answer.json()["request_id"]
    own = client.post(f"/api/requests/{request_id}/approve", headers=central)
    assert own.status_code == 403
    assert "another user must approve it" in own.json()["detail"]
    assert client.get(HEAD, headers=central).json()["given_name"] == "ສົມພອນ"


def test_every_identity_field_is_held_and_others_apply_at_once(
    client: TestClient, settings: Settings
) -> None:
    officer = bearer(client, "vientiane")
    changes = {
        "family_name": "Phommasone",
        "birth_date": "1978-06-15",
        "sex": "F",
        "national_id": "0101-780615-001",
    }
    for name, value in changes.items():
        body = example("EX-VT-0001")
        body["members"][0][name] = value
        answer = client.post(UPDATE, json=body, headers=officer)
        assert answer.status_code == 202, (name, answer.text)
        assert answer.json()["identity_fields"] == {"EX-VT-0001-1": [name]}
    # a phone number and a village name are not identity: applied at once
    body = example("EX-VT-0001")
    body["members"][0]["phone"] = "+856 20 5551 9999"
    body["village_name"] = "ບ້ານ ໃໝ່"
    applied = client.post(UPDATE, json=body, headers=officer)
    assert (applied.status_code, applied.json()["action"]) == (201, "updated")
    head = client.get(HEAD, headers=officer).json()
    assert (head["phone"], head["family_name"]) == ("+856 20 5551 9999", "ພົມມະສອນ")
    # without ?update the changed data is the usual conflict, not a request
    plain = client.post(HOUSEHOLDS, json=renamed("Somphone"), headers=officer)
    assert plain.status_code == 409
