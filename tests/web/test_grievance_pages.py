"""The grievance pages: open from a form (backdated: overdue at once), the queue with the
overdue highlighted and its pickers, the detail's actions as forms (post/redirect/get),
the API's words for bad input (422), area scoping, the JSON twins."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient

from tests.api.conftest import PASSWORD
from tests.api.csrf import csrf_header, with_csrf

TODAY = dt.date.today()


def sign_in(client: TestClient, username: str, lang: str = "en") -> None:
    client.cookies.set("laosp_lang", lang)
    response = client.post(
        "/login",
        data=with_csrf(client, {"username": username, "password": PASSWORD}),
        follow_redirects=False,
    )
    assert response.status_code == 303


def _post(client: TestClient, path: str, form: dict[str, str]) -> object:
    return client.post(path, data=with_csrf(client, form), follow_redirects=False)


def _open(client: TestClient, days_ago: int) -> int:
    received = (TODAY - dt.timedelta(days=days_ago)).isoformat()
    form = {"category": "payment", "household_id": "EX-VT-0001", "received_on": received,
            "description": "not paid since March", "scheme": ""}  # fmt: skip
    answer = client.post("/grievances/new", data=with_csrf(client, form), follow_redirects=False)
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/grievances/(\d+)", answer.headers["location"])
    assert found is not None
    return int(found[1])


def test_open_see_overdue_escalate_resolve_in_english(client: TestClient) -> None:
    sign_in(client, "central")
    household = client.get("/household/EX-VT-0001")
    assert 'href="/grievances/new?household=EX-VT-0001"' in household.text
    new = client.get("/grievances/new?household=EX-VT-0001")
    assert new.status_code == 200
    assert 'value="EX-VT-0001"' in new.text
    assert "Payment late, missing or wrong (15 days)" in new.text
    late = _open(client, days_ago=18)  # payment: 15 days → 3 days over
    _open(client, days_ago=1)
    queue = client.get("/grievances?overdue=true")
    assert queue.status_code == 200
    assert queue.text.count('<tr id="grievance-') == 1
    assert f'id="grievance-{late}"' in queue.text
    assert "3 days overdue" in queue.text
    assert "1–1 of 1 grievances" in queue.text
    assert "Vientiane Capital" in queue.text or "Chanthabuly" in queue.text
    of_household = client.get("/grievances?household=EX-VT-0001")
    assert "1–2 of 2 grievances" in of_household.text
    assert 'href="/grievances/new?household=EX-VT-0001"' in of_household.text
    assert "0–0 of 0 grievances" in client.get("/grievances?household=EX-AT-0003").text
    everything = client.get("/grievances?limit=1")
    assert "1–1 of 2 grievances" in everything.text
    assert 'id="grievance-next"' in everything.text
    detail = client.get(f"/grievances/{late}")
    assert "District office" in detail.text
    assert 'id="escalate-submit"' in detail.text
    escalated = _post(client, f"/grievances/{late}/escalate", {})
    assert escalated.status_code == 303  # type: ignore[attr-defined]
    detail = client.get(f"/grievances/{late}")
    assert 'data-level="province"' in detail.text
    assert "Provincial office" in detail.text
    refused = _post(client, f"/grievances/{late}/resolve", {"resolution": ""})
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert 'data-field="resolution"' in refused.text  # type: ignore[attr-defined]
    resolved = _post(client, f"/grievances/{late}/resolve", {"resolution": "paid in full"})
    assert resolved.status_code == 303  # type: ignore[attr-defined]
    detail = client.get(f"/grievances/{late}")
    assert 'data-status="resolved"' in detail.text
    assert "paid in full" in detail.text
    history = re.findall(r'<tr data-action="([a-z]+)">', detail.text)
    assert history == ["create", "escalate", "status"]
    assert "Escalated to: Provincial office" in detail.text
    assert "Status changed to: Resolved" in detail.text
    assert client.get("/grievances.json?overdue=true").json()["total"] == 0
    twin = client.get(f"/grievances/{late}.json").json()
    assert (twin["grievance"]["status"], twin["grievance"]["escalation_level"]) == (
        "resolved",
        "province",
    )


def test_the_queue_in_lao_shows_names_not_codes(client: TestClient) -> None:
    sign_in(client, "central", "lo")
    _open(client, days_ago=20)
    page = client.get("/grievances")
    assert "ການຈ່າຍເງິນຊັກຊ້າ, ບໍ່ໄດ້ຮັບ ຫຼື ບໍ່ຖືກຕ້ອງ" in page.text
    assert "ເກີນກຳນົດ 5 ມື້" in page.text
    assert "ຂັ້ນເມືອງ" in page.text
    assert ">payment<" not in page.text
    assert ">district<" not in page.text


def test_a_bad_form_is_shown_again_with_the_apis_words(client: TestClient) -> None:
    sign_in(client, "vientiane")
    future = (TODAY + dt.timedelta(days=2)).isoformat()
    form = {"category": "noise", "household_id": "EX-VT-0001", "received_on": future,
            "description": "x"}  # fmt: skip
    refused = client.post("/grievances/new", data=with_csrf(client, form))
    assert refused.status_code == 422
    api = client.post("/api/grievances", json=form, headers=csrf_header(client))
    assert api.status_code == 422, api.text
    fields = sorted(p["field"] for p in api.json()["detail"])
    shown = sorted(re.findall(r'<li data-field="([a-z_]+)"', refused.text))
    assert shown == fields == ["category", "date"]
    assert 'value="EX-VT-0001"' in refused.text  # what was typed is kept


def test_another_area_sees_nothing(client: TestClient) -> None:
    sign_in(client, "vientiane")
    gid = _open(client, days_ago=2)
    client.cookies.clear()
    sign_in(client, "savannakhet")
    assert client.get(f"/grievances/{gid}").status_code == 404
    assert client.get("/grievances.json").json()["total"] == 0
    assert _post(client, f"/grievances/{gid}/escalate", {}).status_code == 404  # type: ignore[attr-defined]
    client.cookies.clear()
    sign_in(client, "analyst")
    assert client.get("/grievances").status_code == 403
