"""Least privilege on personal data (#12): identifiers masked for roles that do not need
them, refusals that tell nothing about other areas, small cells suppressed for analysts
and auditors, and every read of named personal data in the audit trail."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from laosp.api.aggregates import suppress_small_cells, suppress_small_frame
from laosp.config import Settings
from laosp.db import make_engine, unit_of_work
from laosp.models import AuditEvent
from tests.api.conftest import bearer
from tests.api.more_users import add_capital

HOUSEHOLDS = "/api/registry/households"
HEAD = "/api/registry/persons/EX-VT-0001-1"
#: The example head of household EX-VT-0001 (district 0101) has both identifiers.
NATIONAL_ID = "0101-780614-001"
PHONE = "+856 20 5551 0101"
#: 15 characters, the last 3 kept; 17 characters, the last 2 kept.
MASKED_ID = "••••••••••••001"
MASKED_PHONE = "•••••••••••••••01"
TAKEN = (
    "this household id is already taken: choose another id / ລະຫັດຄົວເຮືອນນີ້ຖືກໃຊ້ແລ້ວ: ກະລຸນາເລືອກລະຫັດອື່ນ"
)
NO_MOTHER = "no person with this id is registered"


def household(household_id: str = "VT-NEW", district: str = "0101", **head: Any) -> dict[str, Any]:
    member = {
        "person_id": f"{household_id}-1",
        "relationship": "head",
        "given_name": "Bounmy",
        "family_name": "Sengsouk",
        "sex": "F",
        "birth_date": "1980-02-03",
        **head,
    }
    return {"household_id": household_id, "district_code": district, "members": [member]}


@pytest.fixture(autouse=True)
def capital(settings: Settings) -> str:
    return add_capital(settings)


def events(settings: Settings, action: str) -> list[AuditEvent]:
    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as session:
        found = list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )
        session.expunge_all()
    engine.dispose()
    return found


# --- masking -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "national_id", "phone"),
    [
        ("central", NATIONAL_ID, PHONE),  # read_identifiers nationally
        ("vientiane", NATIONAL_ID, PHONE),  # read_identifiers in district 0101
        ("capital", MASKED_ID, MASKED_PHONE),  # provincial officer of 01: names only
        ("admin", MASKED_ID, MASKED_PHONE),
    ],
)
def test_identifiers_are_masked_for_roles_without_read_identifiers(
    client: TestClient, username: str, national_id: str, phone: str
) -> None:
    headers = bearer(client, username)
    person = client.get(HEAD, headers=headers).json()
    assert (person["national_id"], person["phone"]) == (national_id, phone)
    [head] = [
        member
        for member in client.get(f"{HOUSEHOLDS}/EX-VT-0001", headers=headers).json()["members"]
        if member["person_id"] == "EX-VT-0001-1"
    ]
    assert (head["national_id"], head["phone"]) == (national_id, phone)
    page = client.get("/household/EX-VT-0001.json", headers=headers).json()
    [shown] = [m for m in page["household"]["members"] if m["person_id"] == "EX-VT-0001-1"]
    assert (shown["national_id"], shown["phone"]) == (national_id, phone)
    if national_id != NATIONAL_ID:
        html = client.get("/household/EX-VT-0001", headers=headers).text
        assert NATIONAL_ID not in html
        assert PHONE not in html


def test_analysts_and_auditors_see_no_person(client: TestClient) -> None:
    for username in ("analyst", "auditor"):
        assert client.get(HEAD, headers=bearer(client, username)).status_code == 403


# --- refusals that tell nothing about other areas ------------------------------------


def test_a_household_id_taken_elsewhere_answers_the_same_whatever_it_holds(
    client: TestClient,
) -> None:
    headers = bearer(client, "vientiane")
    # EX-SV-0002 is registered in Savannakhet (1301); before, this was a 403 while a
    # free id gave 201: an existence oracle, and identical data gave "unchanged"
    answers = [
        client.post(HOUSEHOLDS, json=household("EX-SV-0002"), headers=headers),
        client.post(f"{HOUSEHOLDS}?update=true", json=household("EX-SV-0002"), headers=headers),
        client.post(HOUSEHOLDS, json=household("EX-SV-0002", sex="M"), headers=headers),
    ]
    for answer in answers:
        assert (answer.status_code, answer.json()) == (409, {"detail": f"household_id: {TAKEN}"})
    # nothing of the Savannakhet household was changed
    other = client.get(f"{HOUSEHOLDS}/EX-SV-0002", headers=bearer(client, "central")).json()
    assert other["district_code"] == "1301"
    assert [m["given_name"] for m in other["members"]] == ["Souksavanh", "Noy", "Manivone"]
    free = client.post(HOUSEHOLDS, json=household("VT-FREE"), headers=headers)
    assert free.status_code == 201, free.text


def test_reading_outside_the_area_answers_like_a_missing_record(client: TestClient) -> None:
    headers = bearer(client, "vientiane")
    elsewhere = client.get(f"{HOUSEHOLDS}/EX-SV-0002", headers=headers)
    missing = client.get(f"{HOUSEHOLDS}/NO-SUCH", headers=headers)
    assert (elsewhere.status_code, elsewhere.json()) == (404, {"detail": "no household EX-SV-0002"})
    assert (missing.status_code, missing.json()) == (404, {"detail": "no household NO-SUCH"})


def test_a_422_names_no_household_of_another_area(client: TestClient) -> None:
    headers = bearer(client, "vientiane")
    body = household("VT-NEW")
    body["members"][0]["person_id"] = "EX-SV-0002-1"  # registered in Savannakhet
    answer = client.post(HOUSEHOLDS, json=body, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {
            "field": "members[0].person_id",
            "value": "EX-SV-0002-1",
            "reason": "is already registered in another household / ລົງທະບຽນຢູ່ໃນຄົວເຮືອນອື່ນແລ້ວ",
        }
    ]
    assert 'EX-SV-0002"' not in answer.text
    assert "EX-SV-0002 " not in answer.text


@pytest.mark.parametrize(
    "mother",
    [
        "EX-SV-0002-1",  # a man in Savannakhet: the sex check must not tell
        "EX-SV-0002-2",  # a woman in Savannakhet
        "NOBODY-1",  # nobody
    ],
)
def test_a_mother_outside_the_area_is_refused_like_one_that_does_not_exist(
    client: TestClient, mother: str
) -> None:
    body = household("VT-KID")
    body["members"].append(
        {
            "person_id": "VT-KID-2",
            "relationship": "child",
            "given_name": "Noy",
            "family_name": "Sengsouk",
            "sex": "F",
            "birth_date": "2015-05-05",
            "mother_id": mother,
        }
    )
    answer = client.post(HOUSEHOLDS, json=body, headers=bearer(client, "vientiane"))
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {"field": "members[1].mother_id", "value": mother, "reason": NO_MOTHER}
    ]


def test_a_national_officer_still_gets_the_mothers_sex_checked(client: TestClient) -> None:
    body = household("NAT-KID")
    body["members"].append(
        {
            "person_id": "NAT-KID-2",
            "relationship": "child",
            "given_name": "Noy",
            "family_name": "Sengsouk",
            "sex": "F",
            "birth_date": "2015-05-05",
            "mother_id": "EX-SV-0002-1",
        }
    )
    answer = client.post(HOUSEHOLDS, json=body, headers=bearer(client, "central"))
    assert [p["reason"] for p in answer.json()["detail"]] == ["the mother must be a woman (sex F)"]
    body["members"][1]["mother_id"] = "EX-SV-0002-2"
    assert client.post(HOUSEHOLDS, json=body, headers=bearer(client, "central")).status_code == 201


def test_only_registering_roles_write(client: TestClient) -> None:
    for username in ("admin", "analyst", "auditor"):
        answer = client.post(HOUSEHOLDS, json=household(), headers=bearer(client, username))
        assert answer.status_code == 403, username
    outside = client.post(
        HOUSEHOLDS, json=household(district="1301"), headers=bearer(client, "vientiane")
    )
    assert outside.status_code == 403


# --- small cells ---------------------------------------------------------------------


def _row(rows: list[dict[str, Any]], indicator: str, **where: str) -> dict[str, Any]:
    [row] = [
        row
        for row in rows
        if row["indicator"] == indicator and all(row.get(k) == v for k, v in where.items())
    ]
    return row


def test_small_cells_are_suppressed_for_analysts_and_auditors(client: TestClient) -> None:
    # district 0102 gets its first household: two persons, a cell of 2
    body = household("XT-0001", "0102")
    body["members"].append(
        {
            "person_id": "XT-0001-2",
            "relationship": "child",
            "given_name": "Noy",
            "family_name": "Sengsouk",
            "sex": "F",
            "birth_date": "2015-05-05",
        }
    )
    created = client.post(HOUSEHOLDS, json=body, headers=bearer(client, "central"))
    assert created.status_code == 201, created.text
    central = client.get("/api/indicators?by=district", headers=bearer(client, "central")).json()
    whole = _row(central["rows"], "sdg131.at_least_one", district="0102")
    assert (whole["denominator"], whole["suppressed"]) == (2, False)
    assert whole["numerator"] is not None
    for username in ("analyst", "auditor"):
        seen = client.get("/api/indicators?by=district", headers=bearer(client, username)).json()
        row = _row(seen["rows"], "sdg131.at_least_one", district="0102")
        assert (row["numerator"], row["denominator"], row["ratio"], row["suppressed"]) == (
            None,
            None,
            None,
            True,
        )
        # district 0101 has 3 persons: at the threshold, shown
        row = _row(seen["rows"], "sdg131.at_least_one", district="0101")
        assert (row["denominator"], row["suppressed"]) == (3, False)
        # the country (6 example households of 20 persons, and these 2)
        national = client.get("/api/indicators", headers=bearer(client, username)).json()
        row = _row(national["rows"], "sdg131.at_least_one")
        assert (row["denominator"], row["suppressed"]) == (22, False)
        counts = client.get("/api/gaps", headers=bearer(client, username)).json()["rows"]
        small = [row for row in counts if row["district"] == "0102"]
        assert small
        assert all(row["count"] is None and row["suppressed"] for row in small)
        # the gaps page of the province: a row per district
        assert "&lt; 3" in client.get("/gaps?province=01", headers=bearer(client, username)).text
        page = client.get("/province/01.json", headers=bearer(client, username)).json()
        [place] = [place for place in page["places"] if place["code"] == "0102"]
        assert place["indicators"]["sdg131.at_least_one"]["denominator"] is None
    assert "&lt; 3" not in client.get("/gaps?province=01", headers=bearer(client, "central")).text
    officer = client.get("/api/gaps", headers=bearer(client, "central")).json()["rows"]
    assert [row["count"] for row in officer if row["district"] == "0102"]
    assert all(
        1 <= row["count"] <= 2 and not row["suppressed"]
        for row in officer
        if row["district"] == "0102"
    )


# --- reads in the audit trail --------------------------------------------------------


def test_reads_and_exports_of_named_data_are_audited(
    client: TestClient, settings: Settings
) -> None:
    headers = bearer(client, "vientiane")
    before = len(events(settings, "read"))
    assert client.get(HEAD, headers=headers).status_code == 200
    assert client.get(f"{HOUSEHOLDS}/EX-VT-0001", headers=headers).status_code == 200
    hits = client.get("/api/registry/persons?name=ສົມພອນ", headers=headers).json()["items"]
    assert [hit["person_id"] for hit in hits] == ["EX-VT-0001-1"]
    assert client.get("/household/EX-VT-0001.json", headers=headers).status_code == 200
    # refused and missing reads write nothing
    assert client.get(f"{HOUSEHOLDS}/EX-SV-0002", headers=headers).status_code == 404
    assert client.get(HEAD, headers=bearer(client, "analyst")).status_code == 403
    reads = events(settings, "read")[before:]
    assert [(e.actor, e.entity, e.entity_id, e.district_code) for e in reads] == [
        ("vientiane", "person", "EX-VT-0001-1", "0101"),
        ("vientiane", "household", "EX-VT-0001", "0101"),
        ("vientiane", "search", None, "0101"),
        ("vientiane", "household", "EX-VT-0001", "0101"),
    ]
    assert reads[2].changes == {"count": 1, "ids": ["EX-VT-0001-1"]}
    assert all("ສົມພອນ" not in str(e.changes) for e in reads)
    exports = len(events(settings, "export"))
    listed = client.get("/api/gaps/list?format=csv", headers=headers)
    assert listed.status_code == 200
    [export] = events(settings, "export")[exports:]
    assert (export.actor, export.entity, export.district_code) == ("vientiane", "gap_list", "0101")
    assert export.changes is not None
    rows = listed.content.decode("utf-8-sig").splitlines()[1:]
    assert export.changes["count"] == len(rows)
    assert export.changes["format"] == "csv"


def test_suppression_of_indicator_rows_and_counts_worked_by_hand() -> None:
    rows: list[dict[str, Any]] = [
        {"indicator": "a", "numerator": 1, "denominator": 10, "ratio": 0.1},
        {"indicator": "b", "numerator": 0, "denominator": 2, "ratio": 0.0},
        {"indicator": "c", "numerator": 0, "denominator": 10, "ratio": 0.0},
        {"indicator": "d", "numerator": 3, "denominator": 3, "ratio": 1.0},
        {"indicator": "gini", "numerator": None, "denominator": 2, "ratio": 0.3},
        {"gap": "uncovered", "count": 2},
        {"gap": "uncovered", "count": 0},
    ]
    assert suppress_small_cells(rows, 3) == [
        {"indicator": "a", "numerator": None, "denominator": 10, "ratio": None, "suppressed": True},
        {"indicator": "b", "numerator": None, "denominator": None, "ratio": None,
         "suppressed": True},
        {"indicator": "c", "numerator": 0, "denominator": 10, "ratio": 0.0, "suppressed": False},
        {"indicator": "d", "numerator": 3, "denominator": 3, "ratio": 1.0, "suppressed": False},
        {"indicator": "gini", "numerator": None, "denominator": None, "ratio": None,
         "suppressed": True},
        {"gap": "uncovered", "count": None, "suppressed": True},
        {"gap": "uncovered", "count": 0, "suppressed": False},
    ]  # fmt: skip
    table = pl.DataFrame(rows[:5])
    assert suppress_small_frame(table, 3).to_dicts() == [
        {k: v for k, v in row.items() if k != "suppressed"}
        for row in suppress_small_cells(rows[:5], 3)
    ]
    counts = pl.DataFrame({"gap": ["uncovered", "uncovered"], "count": [2, 0]})
    assert suppress_small_frame(counts, 3)["count"].to_list() == [None, 0]


def test_the_brief_an_analyst_downloads_has_its_small_cells_blank(client: TestClient) -> None:
    for username in ("analyst", "central"):
        brief = client.get("/reports/coverage.xlsx?lang=en", headers=bearer(client, username))
        assert brief.status_code == 200, (username, brief.text)
