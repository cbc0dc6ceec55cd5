"""The dashboard and the API count "eligible, not enrolled" as the briefs do: each person
once, and each scheme's line names its unit (persons, or households for a scheme that
enrols households). One implementation (``laosp.indicators.gaps``) behind all three.

The tiny registry of ``tests/reports/test_left_out.py``, written to the database (SQLite
and PostgreSQL), worked out by hand at 30/06/2025:

- HA, poor, in Nong (1306, Savannakhet), nobody enrolled: A1 (man, 1980), A2 (woman,
  1998), A3 (girl born 15/01/2025). NHI: A1, A2, A3; MECG (under 12 months, a pilot
  district): A3; CCT (a poor household of province 13 with a child under 24 months): HA.
- HB in Chanthabouly (0101): B1 (man, 1990, employed, informal; his sector "services",
  a code the database accepts) enrolled nowhere: NHI and NSSF voluntary; B2 (woman,
  1992) enrolled in NHI: on no list, covered.

Lines "eligible, not enrolled": NHI 4 persons (1306: 3, 0101: 1), MECG 1 person (1306),
NSSF voluntary 1 person (0101), CCT 1 household (1306). No cover at all: A1, A2, A3 in
1306, B1 in 0101. Persons left out, each once: A1, A2, A3, B1 = 4 (Savannakhet and
district 1306: 3; Vientiane Capital and district 0101: 1) — not the 7 rows of the lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from laosp.access.roles import Role
from laosp.access.users import create_user
from laosp.config import Settings
from laosp.db import unit_of_work
from laosp.models import Enrolment, Household, Person
from laosp.rules.pack import load_pack
from laosp.server import create_app
from tests.api.conftest import PASSWORD, SECRET, bearer
from tests.indicators.registry_builder import RegistryBuilder
from tests.reports.test_left_out import tiny_registry
from tests.web.test_pages import _cells, sign_in

AT = "2025-06-30"
NOT_ENROLLED = "eligible_not_enrolled"
#: (gap, scheme, unit, district): count — by hand, see the module's docstring.
ROWS = {
    ("uncovered", None, "person", "0101"): 1,
    ("uncovered", None, "person", "1306"): 3,
    (NOT_ENROLLED, "nhi", "person", "0101"): 1,
    (NOT_ENROLLED, "nhi", "person", "1306"): 3,
    (NOT_ENROLLED, "mecg", "person", "1306"): 1,
    (NOT_ENROLLED, "nssf_voluntary", "person", "0101"): 1,
    (NOT_ENROLLED, "cct", "household", "1306"): 1,
}
#: The national lines (gap, scheme, unit): count.
LINES = {
    ("uncovered", None, "person"): 4,
    (NOT_ENROLLED, "nhi", "person"): 4,
    (NOT_ENROLLED, "mecg", "person"): 1,
    (NOT_ENROLLED, "nssf_voluntary", "person"): 1,
    (NOT_ENROLLED, "cct", "household"): 1,
}
UNIT_WORDS = {
    "en": {"person": "Persons", "household": "Households"},
    "lo": {"person": "ຄົນ", "household": "ຄົວເຮືອນ"},
}


def registry() -> RegistryBuilder:
    """The tiny registry, B1's sector a code of the data dictionary (the rules read
    only that he is employed and informal)."""
    built = tiny_registry()
    for row in built.persons:
        if row["person_id"] == "B1":
            row["sector"] = "services"
    return built


def write(engine: Engine, built: RegistryBuilder) -> None:
    persons = [{**row, "name_fold": row["name_key"]} for row in built.persons]
    with engine.begin() as connection:
        for model, rows in (
            (Household, built.households),
            (Person, persons),
            (Enrolment, built.enrolments),
        ):
            connection.execute(insert(model.__table__), rows)  # type: ignore[arg-type]


@pytest.fixture
def client(engine: Engine, db_url: str) -> Iterator[TestClient]:
    write(engine, registry())
    with unit_of_work(engine) as session:
        create_user(session, "central", PASSWORD, Role.central_officer)
        create_user(session, "analyst", PASSWORD, Role.analyst)
        create_user(session, "savannakhet", PASSWORD, Role.provincial_officer, province="13")
    app = create_app(Settings(database_url=db_url, secret_key=SECRET))
    with TestClient(app) as test_client:
        yield test_client
    app.state.laosp.engine.dispose()


def test_api_counts_each_person_once_and_names_each_lines_unit(client: TestClient) -> None:
    body = client.get(f"/api/gaps?date={AT}", headers=bearer(client, "central")).json()
    rows = {(r["gap"], r["scheme"], r["unit"], r["district"]): r["count"] for r in body["rows"]}
    assert rows == ROWS
    cct = next(r for r in body["rows"] if r["scheme"] == "cct")
    assert (cct["unit_name_en"], cct["unit_name_lo"]) == ("Households", "ຄົວເຮືອນ")
    headline = body["left_out"]
    assert (headline["gap"], headline["unit"], headline["count"]) == (NOT_ENROLLED, "person", 4)
    assert (headline["unit_name_en"], headline["unit_name_lo"]) == ("Persons", "ຄົນ")
    by_district = {r["district"]: r["count"] for r in body["left_out_by_district"]}
    assert by_district == {"0101": 1, "1306": 3}


def test_api_hides_small_counts_of_persons_from_an_analyst(client: TestClient) -> None:
    body = client.get(f"/api/gaps?date={AT}", headers=bearer(client, "analyst")).json()
    assert (body["left_out"]["count"], body["left_out"]["suppressed"]) == (4, False)
    by_district = {r["district"]: r["count"] for r in body["left_out_by_district"]}
    assert by_district == {"0101": None, "1306": 3}  # 1 person: below the threshold of 3


def _headline_text(html: str) -> str:
    paragraph = html.split('<p id="left-out"')[1].split("</p>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", paragraph.split(">", 1)[1]).split())


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_overview_shows_persons_once_and_each_lines_unit(client: TestClient, lang: str) -> None:
    sign_in(client, "central")
    client.get(f"/lang/{lang}")
    data = client.get(f"/overview.json?date={AT}").json()
    assert data["left_out"]["count"] == 4
    assert data["left_out"]["unit"] == "person"
    assert {(r["gap"], r["scheme"], r["unit"]): r["count"] for r in data["left_behind"]} == LINES
    html = client.get(f"/overview?date={AT}").text
    words = {
        "en": "Persons eligible for at least one scheme and not enrolled in it (each person "
        "once): 4 Persons",
        "lo": "ຄົນທີ່ມີສິດຢ່າງໜ້ອຍໜຶ່ງໂຄງການ ແຕ່ຍັງບໍ່ໄດ້ລົງທະບຽນ (ນັບແຕ່ລະຄົນພຽງເທື່ອດຽວ): 4 ຄົນ",
    }
    assert _headline_text(html) == words[lang]
    units = UNIT_WORDS[lang]
    cct = load_pack().schemes["cct"].label(lang)
    nhi = load_pack().schemes["nhi"].label(lang)
    lines = {(row[1], row[2], row[3]) for row in _cells(html, "left-behind-table")}
    assert (cct, "1", units["household"]) in lines
    assert (nhi, "4", units["person"]) in lines
    assert len(lines) == 5


def test_province_page_counts_its_own_persons_once(client: TestClient) -> None:
    sign_in(client, "central")
    client.get("/lang/en")
    data = client.get(f"/province/13.json?date={AT}").json()
    assert data["left_out"]["count"] == 3
    lines = {(r["gap"], r["scheme"], r["unit"]): r["count"] for r in data["left_behind"]}
    assert lines == {
        ("uncovered", None, "person"): 3,
        (NOT_ENROLLED, "nhi", "person"): 3,
        (NOT_ENROLLED, "mecg", "person"): 1,
        (NOT_ENROLLED, "cct", "household"): 1,
    }
    html = client.get(f"/province/13?date={AT}").text
    assert _headline_text(html).endswith(": 3 Persons")


@pytest.mark.parametrize(
    ("query", "persons", "lines"),
    [
        ("", 4, 7),  # A1, A2, A3, B1; the scheme lines: 4 + 1 + 1 + 1 = 7
        ("province=13", 3, 5),  # A1, A2, A3; NHI 3, MECG 1, CCT 1 (a household)
        ("district=1306", 3, 5),
        ("district=0101", 1, 2),  # B1; NHI 1, NSSF voluntary 1
    ],
)
def test_gaps_page_headline_of_its_area(
    client: TestClient, query: str, persons: int, lines: int
) -> None:
    sign_in(client, "central")
    client.get("/lang/en")
    data = client.get(f"/gaps.json?date={AT}&{query}").json()
    assert data["left_out"]["count"] == persons
    assert data["units"]["cct"] == "household"
    assert data["units"]["nhi"] == "person"
    scheme_lines = [row["count"] for row in data["left_behind"] if row["gap"] == NOT_ENROLLED]
    assert sum(scheme_lines) == lines
    html = client.get(f"/gaps?date={AT}&{query}").text
    assert _headline_text(html).endswith(f": {persons} Persons")


def test_gaps_table_names_the_unit_of_each_scheme_column(client: TestClient) -> None:
    sign_in(client, "savannakhet")
    client.get("/lang/lo")
    html = client.get(f"/gaps?date={AT}").text
    header = html.split('id="gap-counts"')[1].split("</thead>")[0]
    cct = header.split('data-column="cct"')[1].split("</th>")[0]
    assert 'data-unit="household"' in cct
    assert "ຄົວເຮືອນ" in cct
    nhi = header.split('data-column="nhi"')[1].split("</th>")[0]
    assert 'data-unit="person"' in nhi
