"""GET /api/audit: the auditor and the administrator browse the trail by actor, record,
place, action and days, a page at a time with the right total; other roles are refused.
GET /api/audit/verify: the seals of the whole trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from laosp.access.audit_trail import transaction_id
from laosp.config import Settings
from laosp.db import make_engine, unit_of_work
from laosp.models import AuditEvent
from tests.api.conftest import bearer

UTC = dt.UTC
#: (actor, action, entity, entity_id, district, at), written in this order.
EVENTS = [
    ("t-ana", "update", "household", "t-h1", "1703", dt.datetime(2026, 1, 10, 9, 0, tzinfo=UTC)),
    ("t-ana", "update", "household", "t-h2", "1703", dt.datetime(2026, 2, 15, 10, 0, tzinfo=UTC)),
    ("t-ana", "create", "household", "t-h3", "1301", dt.datetime(2026, 3, 20, 8, 0, tzinfo=UTC)),
    ("t-bua", "update", "person", "t-p1", "0101", dt.datetime(2026, 2, 15, 23, 30, tzinfo=UTC)),
    ("t-bua", "open", "grievance", "t-g1", None, dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
]


@pytest.fixture
def audited(settings: Settings, client: TestClient) -> TestClient:
    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as session:
        txn = transaction_id(session)
        for actor, action, entity, entity_id, district, at in EVENTS:
            session.add(
                AuditEvent(
                    at=at, actor=actor, action=action, entity=entity, entity_id=entity_id,
                    district_code=district, changes={"n": entity_id}, txn=txn,
                )
            )  # fmt: skip
    engine.dispose()
    return client


def listed(client: TestClient, user: str, **query: Any) -> dict[str, Any]:
    response = client.get("/api/audit", params=query, headers=bearer(client, user))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [event["entity_id"] for event in body["events"]]


@pytest.mark.parametrize("user", ["auditor", "admin"])
def test_filters(audited: TestClient, user: str) -> None:
    ana = listed(audited, user, actor="t-ana")
    assert (ana["total"], ids(ana)) == (3, ["t-h3", "t-h2", "t-h1"])  # newest first
    first = ana["events"][0]
    assert first["action"] == "create"
    assert first["district_code"] == "1301"
    assert first["changes"] == {"n": "t-h3"}
    assert dt.datetime.fromisoformat(first["at"]) == EVENTS[2][5]
    assert ids(listed(audited, user, actor="t-ana", province="17")) == ["t-h2", "t-h1"]
    assert ids(listed(audited, user, actor="t-ana", district="1301")) == ["t-h3"]
    assert ids(listed(audited, user, actor="t-ana", action="create")) == ["t-h3"]
    assert ids(listed(audited, user, entity="household", entity_id="t-h2")) == ["t-h2"]
    assert ids(listed(audited, user, entity="grievance", actor="t-bua")) == ["t-g1"]
    february = listed(audited, user, since="2026-02-01", until="2026-02-28")
    assert (february["total"], ids(february)) == (2, ["t-p1", "t-h2"])
    one_day = listed(audited, user, since="2026-02-15", until="2026-02-15")
    assert ids(one_day) == ["t-p1", "t-h2"]  # both ends of the day are in it
    assert ids(listed(audited, user, until="2026-01-31")) == ["t-h1"]
    assert listed(audited, user, actor="nobody") == {
        "total": 0, "limit": 50, "offset": 0, "events": [],
    }  # fmt: skip


def test_pages_carry_the_total(audited: TestClient) -> None:
    pages = [listed(audited, "auditor", actor="t-ana", limit=2, offset=o) for o in (0, 2, 4)]
    assert [(p["total"], p["limit"], p["offset"]) for p in pages] == [(3, 2, 0), (3, 2, 2),
                                                                       (3, 2, 4)]  # fmt: skip
    assert [ids(p) for p in pages] == [["t-h3", "t-h2"], ["t-h1"], []]


def test_the_total_counts_every_event(audited: TestClient, settings: Settings) -> None:
    headers = bearer(audited, "auditor")  # signing in is audited too: before the count
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    engine.dispose()
    body = audited.get("/api/audit", params={"limit": 1}, headers=headers).json()
    assert body["total"] == count
    assert count > len(EVENTS)  # the seeded users and households were audited too


def test_other_roles_are_refused(audited: TestClient) -> None:
    for user in ("vientiane", "savannakhet", "central", "analyst"):
        headers = bearer(audited, user)
        for path in ("/api/audit", "/api/audit/verify"):
            response = audited.get(path, headers=headers)
            assert response.status_code == 403, (user, response.text)
            assert "ບົດບາດ" in response.json()["detail"]


def test_signed_out_is_401(audited: TestClient) -> None:
    assert audited.get("/api/audit").status_code == 401
    assert audited.get("/api/audit/verify").status_code == 401


BAD_FILTERS = [
    {"district": "9999"},
    {"province": "1"},
    {"since": "2026-02-30"},
    {"until": "yesterday"},
    {"limit": "0"},
    {"limit": "1001"},
    {"offset": "-1"},
    {"actor": "x" * 65},
]


def test_bad_filters_are_422(audited: TestClient) -> None:
    headers = bearer(audited, "auditor")
    for query in BAD_FILTERS:
        response = audited.get("/api/audit", params=query, headers=headers)
        assert response.status_code == 422, (query, response.text)
        name = next(iter(query))
        assert name in response.text


def test_far_days_are_served(audited: TestClient) -> None:
    body = listed(audited, "auditor", since="0001-01-01", until="9999-12-31", actor="t-bua")
    assert body["total"] == 2


def test_verify(audited: TestClient, settings: Settings) -> None:
    headers = bearer(audited, "auditor")
    response = audited.get("/api/audit/verify", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    engine.dispose()
    assert body["intact"] is True
    assert body["problems"] == []
    assert body["events"] == count
    assert body["seals"] >= 2  # the seed's transaction and this test's
    assert len(body["head_hash"]) == 64


def test_reading_the_trail_is_audited(audited: TestClient) -> None:
    listed(audited, "auditor", actor="t-ana", province="17", limit=1)
    body = listed(audited, "admin", actor="auditor", action="read")
    assert body["total"] == 1
    event = body["events"][0]
    assert (event["entity"], event["entity_id"]) == ("audit_events", None)
    assert event["changes"] == {
        "filters": {"actor": "t-ana", "province_code": "17"}, "offset": 0, "shown": 1,
    }  # fmt: skip
