"""The pages of payment cycles, contributions and the requests queue: forms signed in
by the session cookie (with the anti-forgery token), names and kip as Lao and English
readers write them, the API's words for bad input, maker and checker two people.

Totals as worked out in tests/api/test_cycles.py: two MECG beneficiaries in Sanamxay at
150,000 kip a month, 2 months a cycle: 2 × 2 × 150,000 = 600,000 kip (Lao
``600.000 ກີບ``, English ``600,000 LAK``); social security dues of 2,800,000 kip
earnings at 5.5 % + 6.0 %: 322,000 kip.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from laosp.access import user_admin
from laosp.access.roles import Principal, Role
from laosp.db import make_engine, unit_of_work
from laosp.enrolment import bulk
from laosp.rules.pack import load_pack
from tests.api.conftest import PASSWORD
from tests.api.csrf import with_csrf
from tests.api.test_cycles import add_central, enrol


def sign_in(client: TestClient, username: str, lang: str = "lo") -> TestClient:
    """A browser of its own for ``username`` on the same app, signed in by cookie."""
    browser = TestClient(client.app)
    browser.cookies.set("laosp_lang", lang)
    form = with_csrf(browser, {"username": username, "password": PASSWORD})
    answer = browser.post("/login", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return browser


def post(browser: TestClient, path: str, form: dict[str, str] | None = None) -> Response:
    answer: Response = browser.post(
        path, data=with_csrf(browser, form or {}), follow_redirects=False
    )
    return answer


@pytest.fixture
def officers(client: TestClient, seeded_url: str) -> Iterator[tuple[TestClient, TestClient]]:
    enrol(seeded_url, "mecg", "EX-AT-0003-2", "EX-AT-0003-3")
    add_central(seeded_url, "central2")
    maker, checker = sign_in(client, "central", "en"), sign_in(client, "central2", "lo")
    yield maker, checker
    maker.close()
    checker.close()


def test_create_approve_pay_on_the_pages(officers: tuple[TestClient, TestClient]) -> None:
    maker, checker = officers
    page = maker.get("/cycles")
    assert page.status_code == 200, page.text
    assert '<option value="mecg"' in page.text
    assert ">Mother and Early Childhood Grant</option>" in page.text
    assert "Social security" not in page.text  # only the schemes that pay
    assert '<option value="nhi"' not in page.text

    created = maker.post(
        "/cycles", data=with_csrf(maker, {"scheme": "mecg", "period": "2024-03"}),
        follow_redirects=False,
    )  # fmt: skip
    assert created.status_code == 303, created.text
    location = created.headers["location"]
    cycle_id = int(location.rsplit("/", 1)[1])

    mine = maker.get(location)
    assert "600,000 LAK" in mine.text
    assert "Prepared, waiting for approval" in mine.text
    assert "Sanamxay" in mine.text
    assert 'id="approve-by-another"' in mine.text
    assert 'id="cycle-approve"' not in mine.text
    refused = maker.post(
        f"/cycles/{cycle_id}/approve", data=with_csrf(maker, {}), follow_redirects=False
    )
    assert refused.status_code == 403
    assert "another user must approve it" in refused.text
    assert 'id="form-messages"' in refused.text

    theirs = checker.get(location)
    assert "600.000 ກີບ" in theirs.text  # Lao groups thousands with a dot
    assert "ເງິນອຸດໜູນແມ່ ແລະ ເດັກອ່ອນ" in theirs.text
    assert 'id="cycle-approve"' in theirs.text
    approved = checker.post(
        f"/cycles/{cycle_id}/approve", data=with_csrf(checker, {}), follow_redirects=False
    )
    assert approved.status_code == 303, approved.text

    payable = maker.get(location)
    assert payable.text.count('name="failed"') == 2  # a box to tick for each payment
    failed = min(p["id"] for p in maker.get(f"/cycles/{cycle_id}.json").json()["payments"]["items"])
    paid = maker.post(
        f"/cycles/{cycle_id}/pay",
        data=with_csrf(maker, {"paid_on": "2024-03-05", "failed": str(failed)}),
        follow_redirects=False,
    )
    assert paid.status_code == 303, paid.text
    after = maker.get(location)
    assert re.search(r'id="cycle-paid">300,000 LAK<', after.text)  # one of two, 2 × 150,000
    assert 'id="cycle-outstanding">0 LAK<' in after.text
    assert 'data-status="failed"' in after.text
    assert 'data-status="paid"' in after.text
    assert "05/03/2024" in after.text  # the date paid, DD/MM/YYYY

    again = maker.post(
        f"/cycles/{cycle_id}/pay", data=with_csrf(maker, {"paid_on": "2024-03-06"}),
        follow_redirects=False,
    )  # fmt: skip
    assert again.status_code == 409
    assert "cannot change status from &#39;paid&#39; to &#39;paid&#39;" in again.text
    data = maker.get(f"/cycles/{cycle_id}.json").json()
    assert (data["cycle"]["amounts"]["paid"], data["cycle"]["amounts"]["failed"]) == (
        300_000, 300_000,
    )  # fmt: skip
    assert {p["paid_on"] for p in data["payments"]["items"]} == {"2024-03-05", None}


def test_a_bad_form_is_shown_again_with_the_apis_words(
    officers: tuple[TestClient, TestClient],
) -> None:
    maker, _ = officers
    misaligned = maker.post(
        "/cycles", data=with_csrf(maker, {"scheme": "mecg", "period": "2024-04"}),
        follow_redirects=False,
    )  # fmt: skip
    assert misaligned.status_code == 422
    assert "pays every 2 months" in misaligned.text
    assert 'value="2024-04"' in misaligned.text  # what was typed is kept
    blank = maker.post(
        "/cycles", data=with_csrf(maker, {"scheme": "", "period": "2024-03"}),
        follow_redirects=False,
    )  # fmt: skip
    assert blank.status_code == 422
    assert 'data-field="scheme"' in blank.text
    api_words = maker.post("/api/cycles", json={"period": "2024-03"},
                           headers={"X-CSRF-Token": maker.cookies["laosp_csrf"]})  # fmt: skip
    assert api_words.json()["detail"][0]["reason"] in blank.text


def test_lists_paginate_with_totals(officers: tuple[TestClient, TestClient]) -> None:
    maker, _ = officers
    for period in ("2024-03", "2024-05", "2024-07"):
        form = {"scheme": "mecg", "period": period}
        assert post(maker, "/cycles", form).status_code == 303
    first = maker.get("/cycles?limit=2")
    assert 'data-total="3"' in first.text
    assert first.text.count('<tr data-id="') == 2
    assert "offset=2" in first.text
    assert maker.get("/cycles.json?limit=2&offset=2").json()["total"] == 3
    assert len(maker.get("/cycles.json?limit=2&offset=2").json()["items"]) == 1


def test_contributions_page_records_and_pays(client: TestClient, seeded_url: str) -> None:
    enrol(seeded_url, "nssf_private", "EX-SV-0002-1")
    central, province = sign_in(client, "central"), sign_in(client, "savannakhet", "en")
    page = central.get("/contributions")
    assert page.status_code == 200, page.text
    assert "ປະກັນສັງຄົມ, ພາກເອກະຊົນ" in page.text
    recorded = post(central, "/contributions/dues", {"scheme": "nssf_private", "period": "2024-04"})
    assert recorded.status_code == 303
    listed = province.get("/contributions")
    assert 'id="dues-form"' not in listed.text  # dues of a month are national work
    assert province.get("/cycles").status_code == 403  # cycles are national work
    assert 'id="nav-cycles"' not in listed.text
    assert "322,000 LAK" in listed.text
    assert "Souksavanh Keomany" in listed.text
    row = province.get("/contributions.json").json()["items"][0]
    too_much = post(
        province, f"/contributions/{row['id']}/pay", {"amount": "400000", "paid_on": "2024-04-20"}
    )
    assert too_much.status_code == 422
    assert "322,000 kip still owed" in too_much.text
    paid = post(
        province, f"/contributions/{row['id']}/pay", {"amount": "100000", "paid_on": "2024-04-20"}
    )
    assert paid.status_code == 303
    after = central.get("/contributions?owed=partial")
    assert "222.000 ກີບ" in after.text  # still owed
    assert central.get("/contributions.json?owed=partial").json()["amount_paid"] == 100_000
    analyst = sign_in(client, "analyst")
    assert analyst.get("/contributions").status_code == 403
    for browser in (central, province, analyst):
        browser.close()


def test_requests_queue_describes_and_decides(client: TestClient, seeded_url: str) -> None:
    engine = make_engine(seeded_url)
    maker = Principal("admin", Role.admin)
    with unit_of_work(engine) as session:
        created = user_admin.prepare(
            session, maker, "create", "newofficer", role=Role.district_officer, district="1703"
        )
        reset = user_admin.prepare(session, maker, "reset_password", "analyst")
    engine.dispose()
    own, other = sign_in(client, "admin", "en"), sign_in(client, "admin2", "en")
    assert f'data-id="{created.id}"' not in own.get("/requests").text  # never one's own
    queue = other.get("/requests")
    assert queue.status_code == 200, queue.text
    assert "Create the user newofficer as District officer (Sanamxay)" in queue.text
    assert "Reset the password of analyst" in queue.text
    assert "User administration" in queue.text
    lao = other.get("/requests.json").json()
    assert lao["total"] == 2
    assert lao["items"][0]["description_lo"].startswith("ສ້າງຜູ້ໃຊ້ newofficer")

    approved = post(other, f"/requests/{created.id}/approve")
    assert approved.status_code == 200
    assert 'id="request-password"' in approved.text
    rejected = post(other, f"/requests/{reset.id}/reject", {"reason": "asked by phone only"})
    assert rejected.status_code == 303
    assert other.get("/requests.json").json()["total"] == 0
    twice = post(other, f"/requests/{reset.id}/approve")
    assert twice.status_code == 409
    assert "already rejected" in twice.text
    for browser in (own, other):
        browser.close()


def test_a_bulk_enrolment_reads_in_words_and_is_applied(
    client: TestClient, seeded_url: str
) -> None:
    add_central(seeded_url, "central2")
    engine = make_engine(seeded_url)
    with unit_of_work(engine) as session:
        prepared = bulk.prepare(
            session, load_pack(), Principal("central", Role.central_officer), scheme="mecg",
            district="1703", on=dt.date(2024, 3, 1),
        )  # fmt: skip
    engine.dispose()
    assert prepared.request is not None
    checker = sign_in(client, "central2", "en")
    queue = checker.get("/requests")
    assert (
        "Enrol everyone eligible for Mother and Early Childhood Grant in Sanamxay from "
        "01/03/2024: 2 persons"
    ) in queue.text
    lao = checker.get("/requests.json").json()["items"][0]["description_lo"]
    assert lao == ("ລົງທະບຽນທຸກຄົນທີ່ມີສິດໄດ້ຮັບ ເງິນອຸດໜູນແມ່ ແລະ ເດັກອ່ອນ ໃນ ສະໜາມໄຊ ນັບແຕ່ວັນທີ 01/03/2024: 2 ຄົນ")
    done = post(checker, f"/requests/{prepared.request.id}/approve")
    assert done.status_code == 303
    assert done.headers["location"] == f"/requests?decided={prepared.request.id}&outcome=approved"
    assert f'data-id="{prepared.request.id}"' in checker.get(done.headers["location"]).text
    checker.close()
