"""The API of payment cycles and contributions: totals worked out by hand, maker and
checker two people, paying twice changes nothing, pagination with totals, clear 4xx.

The example registry: in Sanamxay (1703, a MECG pilot district) ``EX-AT-0003-2`` is
pregnant and her daughter ``EX-AT-0003-3`` was born on 2024-01-10, so at 2024-03-01 both
qualify for the Mother and Early Childhood Grant: 150,000 kip a month each
(``mecg.benefit_monthly``), paid every 2 months (``mecg.payment_every_months``). The
cycle 2024-03+2 thus holds 2 payments of 2 × 150,000 = 300,000 kip, 600,000 kip in all.

``EX-SV-0002-1`` (Savannakhet, 1301) is a private employee earning 2,800,000 kip a
month: his social security dues are 5.5 % + 6.0 % of it, 154,000 + 168,000 = 322,000 kip.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from laosp.access.roles import EVERYWHERE, Principal, Role
from laosp.access.users import create_user
from laosp.api.routers import contributions as contributions_api
from laosp.api.routers import cycles as cycles_api
from laosp.db import make_engine, unit_of_work
from laosp.enrolment import service
from laosp.ledger import listing
from laosp.rules.pack import load_pack
from tests.api.conftest import PASSWORD, bearer

AT = dt.date(2024, 3, 1)
MONTHLY = 150_000
PER_PERSON = 2 * MONTHLY  # two months a cycle
TOTAL = 2 * PER_PERSON  # two beneficiaries
DUES = 154_000 + 168_000


def enrol(db_url: str, scheme: str, *units: str, on: dt.date = AT) -> dict[str, int]:
    """Active enrolments of ``units`` in ``scheme`` from ``on`` (set up by the services)."""
    engine = make_engine(db_url)
    ids = {}
    with unit_of_work(engine) as session:
        for unit in units:
            enrolment = service.enrol(session, load_pack(), scheme=scheme, unit_id=unit, on=on)
            service.set_status(session, enrolment.id, "active", on=on)
            ids[unit] = enrolment.id
    engine.dispose()
    return ids


def add_central(db_url: str, username: str) -> None:
    engine = make_engine(db_url)
    with unit_of_work(engine) as session:
        create_user(session, username, PASSWORD, Role.central_officer)
    engine.dispose()


@pytest.fixture
def mecg(seeded_url: str, client: TestClient) -> dict[str, int]:
    """Both MECG beneficiaries enrolled, and a second central officer (the checker)."""
    ids = enrol(seeded_url, "mecg", "EX-AT-0003-2", "EX-AT-0003-3")
    add_central(seeded_url, "central2")
    return ids


def _create(client: TestClient, maker: dict[str, str], period: str = "2024-03") -> int:
    response = client.post("/api/cycles", json={"scheme": "mecg", "period": period}, headers=maker)
    assert response.status_code == 201, response.text
    cycle_id: int = response.json()["id"]
    return cycle_id


def test_create_approve_pay_close_with_totals_by_hand(
    client: TestClient, mecg: dict[str, int]
) -> None:
    maker, checker = bearer(client, "central"), bearer(client, "central2")
    created = client.post(
        "/api/cycles", json={"scheme": "mecg", "period": "2024-03"}, headers=maker
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["code"], body["status"], body["payments"], body["total"]) == (
        "2024-03+2", "open", 2, 600_000,
    )  # fmt: skip
    assert body["total"] == TOTAL
    assert body["scheme_name_en"] == "Mother and Early Childhood Grant"
    assert body["scheme_name_lo"] == "ເງິນອຸດໜູນແມ່ ແລະ ເດັກອ່ອນ"
    cycle_id = body["id"]
    again = client.post("/api/cycles", json={"scheme": "mecg", "period": "2024-03"}, headers=maker)
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["id"] == cycle_id

    refused = client.post(f"/api/cycles/{cycle_id}/approve", headers=maker)
    assert refused.status_code == 403
    assert "another user must approve" in refused.json()["detail"]
    assert client.get(f"/api/cycles/{cycle_id}", headers=maker).json()["status"] == "open"

    approved = client.post(f"/api/cycles/{cycle_id}/approve", headers=checker)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("approved", "central2")

    payments = client.get(f"/api/cycles/{cycle_id}/payments", headers=maker).json()
    assert payments["total"] == 2
    assert sorted(p["amount"] for p in payments["items"]) == [PER_PERSON, PER_PERSON]
    failed_id = next(
        p["id"] for p in payments["items"] if p["enrolment_id"] == mecg["EX-AT-0003-3"]
    )
    paid = client.post(
        f"/api/cycles/{cycle_id}/pay",
        json={"paid_on": "2024-03-05", "failed": [failed_id]},
        headers=maker,
    )
    assert paid.status_code == 200, paid.text
    detail = paid.json()
    assert detail["status"] == "paid"
    assert detail["counts"] == {"scheduled": 0, "paid": 1, "failed": 1, "cancelled": 0}
    assert detail["amounts"] == {
        "payments": 2, "scheduled": 600_000, "paid": 300_000, "failed": 300_000,
        "cancelled": 0, "outstanding": 0,
    }  # fmt: skip
    assert [(d["district_code"], d["name_en"], d["paid"]) for d in detail["districts"]] == [
        ("1703", "Sanamxay", 300_000)
    ]

    twice = client.post(f"/api/cycles/{cycle_id}/pay", json={}, headers=checker)
    assert twice.status_code == 409
    assert "'paid' to 'paid'" in twice.json()["detail"]
    assert client.get(f"/api/cycles/{cycle_id}", headers=maker).json() == detail

    closed = client.post(f"/api/cycles/{cycle_id}/close", headers=checker)
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"


def test_list_paginates_with_totals_and_filters(client: TestClient, mecg: dict[str, int]) -> None:
    maker = bearer(client, "central")
    ids = [_create(client, maker, period) for period in ("2024-03", "2024-05", "2024-07")]
    first = client.get("/api/cycles?limit=2", headers=maker).json()
    assert (first["total"], first["limit"], first["offset"]) == (3, 2, 0)
    assert [c["id"] for c in first["items"]] == [ids[2], ids[1]]  # newest period first
    rest = client.get("/api/cycles?limit=2&offset=2", headers=maker).json()
    assert [c["id"] for c in rest["items"]] == [ids[0]]
    assert rest["items"][0]["total"] == TOTAL
    filtered = client.get("/api/cycles?scheme=mecg&status=open", headers=maker).json()
    assert filtered["total"] == 3
    assert client.get("/api/cycles?scheme=cct", headers=maker).json()["total"] == 0
    assert client.get("/api/cycles?status=paid", headers=maker).json()["total"] == 0
    page = client.get(f"/api/cycles/{ids[0]}/payments?limit=1&offset=1", headers=maker).json()
    assert (page["total"], len(page["items"])) == (2, 1)
    assert page["items"][0]["name"] is not None
    assert page["items"][0]["masked"] is False


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"scheme": "nope", "period": "2024-03"}, "scheme", "is not a scheme of the pack"),
        ({"scheme": "nhi", "period": "2024-03"}, "scheme", "not a cash scheme"),
        ({"scheme": "mecg", "period": "March"}, "period", "YYYY-MM"),
        ({"scheme": "mecg", "period": "2024-04"}, "period", "pays every 2 months"),
        ({"scheme": "mecg", "period": "2099-01"}, "period", "more than 12 months"),
        ({"scheme": "mecg", "period": "2024-03", "x": 1}, "x", "unknown field"),
        ({"period": "2024-03"}, "scheme", "required"),
    ],
)
def test_bad_cycle_input_is_a_clear_422(
    client: TestClient, body: dict[str, object], field: str, words: str
) -> None:
    response = client.post("/api/cycles", json=body, headers=bearer(client, "central"))
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert problem["field"] == field
    assert words in problem["reason"]


def test_refusals_are_clear(client: TestClient, mecg: dict[str, int]) -> None:
    central = bearer(client, "central")
    assert client.get("/api/cycles/999", headers=central).status_code == 404
    assert (
        client.post("/api/cycles/999/approve", headers=bearer(client, "central2")).status_code
        == 404
    )
    cycle_id = _create(client, central)
    early = client.post(f"/api/cycles/{cycle_id}/pay", json={}, headers=central)
    assert early.status_code == 409
    assert "'open' to 'paid'" in early.json()["detail"]
    for user in ("vientiane", "savannakhet", "analyst", "admin"):
        headers = bearer(client, user)
        assert client.get("/api/cycles", headers=headers).status_code == 403
        made = client.post(
            "/api/cycles", json={"scheme": "mecg", "period": "2024-05"}, headers=headers
        )
        assert made.status_code == 403
    assert client.get("/api/cycles?status=done", headers=central).status_code == 422
    assert (
        client.get("/api/cycles?scheme=nope", headers=central).json()["detail"][0]["field"]
        == "scheme"
    )
    client.post(f"/api/cycles/{cycle_id}/approve", headers=bearer(client, "central2"))
    bad = client.post(f"/api/cycles/{cycle_id}/pay", json={"failed": [12345]}, headers=central)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "failed"
    assert client.get(f"/api/cycles/{cycle_id}", headers=central).json()["status"] == "approved"
    future = client.post(
        f"/api/cycles/{cycle_id}/pay", json={"paid_on": "2099-01-01"}, headers=central
    )
    assert future.status_code == 422
    assert future.json()["detail"][0]["field"] == "paid_on"


def test_contributions_record_pay_and_list(client: TestClient, seeded_url: str) -> None:
    ids = enrol(seeded_url, "nssf_private", "EX-SV-0002-1")
    central, province = bearer(client, "central"), bearer(client, "savannakhet")
    dues = {"scheme": "nssf_private", "period": "2024-04"}
    refused = client.post("/api/contributions/dues", json=dues, headers=province)
    assert refused.status_code == 403
    assert "national" in refused.json()["detail"]
    recorded = client.post("/api/contributions/dues", json=dues, headers=central)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json() == {
        "scheme": "nssf_private", "period": "2024-04-01", "recorded": 1, "total": DUES,
        "already": 0,
    }  # fmt: skip
    again = client.post("/api/contributions/dues", json=dues, headers=central).json()
    assert (again["recorded"], again["already"]) == (0, 1)
    listed = client.get("/api/contributions?period=2024-04", headers=province).json()
    assert (listed["total"], listed["amount_due"], listed["amount_paid"]) == (1, DUES, 0)
    row = listed["items"][0]
    assert (row["enrolment_id"], row["district_code"], row["owed"]) == (
        ids["EX-SV-0002-1"], "1301", DUES,
    )  # fmt: skip
    assert row["masked"] is False
    assert row["name"] == "Souksavanh Keomany"
    outside = bearer(client, "vientiane")
    assert client.get("/api/contributions", headers=outside).json()["total"] == 0
    pay = {"amount": 100_000, "paid_on": "2024-04-20"}
    assert (
        client.post(f"/api/contributions/{row['id']}/pay", json=pay, headers=outside).status_code
        == 404
    )
    paid = client.post(f"/api/contributions/{row['id']}/pay", json=pay, headers=province)
    assert paid.status_code == 200, paid.text
    assert (paid.json()["amount_paid"], paid.json()["owed"]) == (100_000, DUES - 100_000)
    too_much = client.post(
        f"/api/contributions/{row['id']}/pay", json={"amount": DUES, "paid_on": "2024-04-21"},
        headers=province,
    )  # fmt: skip
    assert too_much.status_code == 422
    assert "222,000 kip still owed" in too_much.json()["detail"][0]["reason"]
    partial = client.get("/api/contributions?owed=partial", headers=central).json()
    assert (partial["total"], partial["amount_paid"]) == (1, 100_000)
    assert client.get("/api/contributions?owed=paid", headers=central).json()["total"] == 0
    assert client.post("/api/contributions/999/pay", json=pay, headers=central).status_code == 404
    zero = client.post(f"/api/contributions/{row['id']}/pay", json={"amount": 0}, headers=central)
    assert zero.status_code == 422
    assert zero.json()["detail"][0]["field"] == "amount"
    not_dues = client.post(
        "/api/contributions/dues", json={"scheme": "mecg", "period": "2024-04"}, headers=central
    )
    assert not_dues.status_code == 422
    assert "not a contributory scheme" in not_dues.text
    assert client.get("/api/contributions", headers=bearer(client, "analyst")).status_code == 403


def test_payments_and_contributions_name_no_one_to_a_reader_without_persons(
    client: TestClient, seeded_url: str, mecg: dict[str, int]
) -> None:
    """The lists leave names and ids out for a reader who may not read persons there
    (no role that works on cycles today lacks it: the rule is kept for one that would)."""
    cycle_id = _create(client, bearer(client, "central"))
    enrol(seeded_url, "nssf_private", "EX-SV-0002-1")
    client.post(
        "/api/contributions/dues", json={"scheme": "nssf_private", "period": "2024-04"},
        headers=bearer(client, "central"),
    )  # fmt: skip
    analyst = Principal("analyst", Role.analyst)
    engine = make_engine(seeded_url)
    with unit_of_work(engine) as session:
        payments = cycles_api.payments_of(session, analyst, cycle_id, None, 50, 0)
        dues = contributions_api.shown_rows(
            session, analyst,
            listing.list_contributions(
                session, EVERYWHERE, scheme=None, period=None, district=None, state=None,
                limit=50, offset=0,
            )[0],
        )  # fmt: skip
    engine.dispose()
    assert [(p.masked, p.name, p.person_id, p.amount) for p in payments.items] == [
        (True, None, None, PER_PERSON), (True, None, None, PER_PERSON),
    ]  # fmt: skip
    assert [(d.masked, d.name, d.person_id, d.amount_due) for d in dues] == [
        (True, None, None, DUES)
    ]
