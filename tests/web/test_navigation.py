"""Finding one's way (#13): pickers with names, unknown codes refused, the gaps table of
the chosen area only, drill-down national → province → district → village → household,
the map of the provinces, styled error pages in the reader's language, pages of search
results with their counts. Expected values are worked out by hand from the example
households (``laosp/registry/examples/households.json``)."""

from __future__ import annotations

import csv
import re
from importlib import resources
from typing import Any

from fastapi.testclient import TestClient

from laosp.config import Settings
from laosp.presentation.i18n import Formatter
from laosp.server import create_app
from laosp.web.charts import PROVINCE_TILES, map_colour, tile_map
from tests.api.conftest import bearer
from tests.web.test_pages import sign_in

LO = Formatter("lo")
EN = Formatter("en")
#: Seven persons of one family registered in Vientiane Capital (district 0101), village
#: 0101015 (where the example household EX-VT-0001 lives).
FAMILY = "Xaysana"


def register_family(client: TestClient) -> None:
    members: list[dict[str, Any]] = [
        {
            "person_id": f"NAV-0101-1-{n}",
            "relationship": "head" if n == 1 else "child",
            "given_name": f"Given{chr(64 + n)}",
            "family_name": FAMILY,
            "sex": "M" if n % 2 else "F",
            "birth_date": f"{1960 + 5 * n}-01-0{n}",
        }
        for n in range(1, 8)
    ]
    household = {
        "household_id": "NAV-0101-1",
        "district_code": "0101",
        "village_code": "0101015",
        "village_name": "ບ້ານ ຫັດສະດີ",
        "members": members,
    }
    headers = bearer(client, "vientiane")
    response = client.post("/api/registry/households", json=household, headers=headers)
    assert response.status_code == 201, response.text


def rows_of(html: str, table_id: str) -> list[str]:
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    return re.findall(r"<tr[^>]*>.*?</tr>", table.split("<tbody>")[1], re.S)


# --- error pages --------------------------------------------------------------------


def test_an_unknown_page_is_a_styled_page_in_the_readers_language(client: TestClient) -> None:
    sign_in(client, "central")
    client.get("/lang/lo")
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert 'lang="lo"' in page.text
    assert LO("nav.error_404") in page.text
    assert 'id="nav-requests"' in page.text  # signed in: the menu is there
    client.get("/lang/en")
    english = client.get("/no/such/page")
    assert EN("nav.error_404") in english.text
    assert LO("nav.error_404") not in english.text


def test_an_unknown_page_without_a_session_is_styled_too(client: TestClient) -> None:
    page = client.get("/nothing-here")
    assert page.status_code == 404
    assert LO("nav.error_404") in page.text
    assert 'id="nav-requests"' not in page.text


def test_the_api_and_json_twins_keep_json_errors(client: TestClient) -> None:
    headers = bearer(client, "central")
    assert client.get("/api/nothing", headers=headers).json() == {"detail": "Not Found"}
    refused = client.get("/province/99.json", headers=headers)
    assert refused.status_code == 404
    assert refused.json() == {"detail": "no province 99"}
    bad = client.get("/gaps.json?district=9999", headers=headers)
    assert bad.status_code == 422
    assert [problem["field"] for problem in bad.json()["detail"]] == ["district"]


def test_bad_parameter_and_method_pages(client: TestClient) -> None:
    sign_in(client, "central")
    client.get("/lang/en")
    bad = client.get("/gaps?district=9999")
    assert bad.status_code == 422
    assert EN("nav.error_422") in bad.text
    problems = rows_of(bad.text, "error-problems")
    assert len(problems) == 1
    assert EN("district") in problems[0]
    assert "9999" in problems[0]
    assert "ຕ້ອງເປັນລະຫັດເມືອງ" not in problems[0]  # the English half of the reason
    client.get("/lang/lo")
    lao = client.get("/gaps?district=9999")
    assert "ຕ້ອງເປັນລະຫັດເມືອງ" in rows_of(lao.text, "error-problems")[0]
    assert client.get("/province/99").status_code == 404
    client.cookies.delete("laosp_session")
    wrong_method = client.delete("/overview")
    assert wrong_method.status_code == 405
    assert LO("nav.error_405") in wrong_method.text
    assert wrong_method.headers["allow"] == "GET"


# --- search pages -------------------------------------------------------------------


def test_search_pages_count_every_match(client: TestClient) -> None:
    register_family(client)
    sign_in(client, "vientiane")
    client.get("/lang/en")
    first = client.get(f"/search.json?q={FAMILY}&limit=3").json()
    assert (first["total"], first["limit"], first["offset"]) == (7, 3, 0)
    assert len(first["items"]) == 3
    pages = [client.get(f"/search.json?q={FAMILY}&limit=3&offset={o}").json() for o in (3, 6)]
    assert [len(page["items"]) for page in pages] == [3, 1]
    ids = [hit["person_id"] for page in (first, *pages) for hit in page["items"]]
    assert sorted(ids) == [f"NAV-0101-1-{n}" for n in range(1, 8)]
    html = client.get(f"/search?q={FAMILY}&limit=3&offset=3").text
    assert "4–6 of 7" in html
    assert f'href="/search?q={FAMILY}&amp;limit=3"' in html  # previous: the first page
    assert f'href="/search?q={FAMILY}&amp;limit=3&amp;offset=6"' in html
    last = client.get(f"/search?q={FAMILY}&limit=3&offset=6").text
    assert "7–7 of 7" in last
    assert 'rel="next"' not in last
    client.get("/lang/lo")
    assert "1–3 ຈາກທັງໝົດ 7" in client.get(f"/search?q={FAMILY}&limit=3").text


def test_the_registry_search_api_pages_too(client: TestClient) -> None:
    headers = bearer(client, "central")
    # the example households hold 3 + 3 + 3 + 5 + 3 + 3 = 20 persons
    first = client.get("/api/registry/persons?limit=8", headers=headers).json()
    assert (first["total"], first["limit"], first["offset"], len(first["items"])) == (20, 8, 0, 8)
    rest = client.get("/api/registry/persons?limit=8&offset=16", headers=headers).json()
    assert (rest["total"], len(rest["items"])) == (20, 4)
    assert client.get("/api/registry/persons?offset=-1", headers=headers).status_code == 422


# --- pickers and unknown codes --------------------------------------------------------


def _reference(name: str) -> list[dict[str, str]]:
    path = resources.files("laosp.reference").joinpath("data", name)
    return list(csv.DictReader(path.read_text("utf-8").splitlines()))


def _options(html: str, select_id: str) -> list[tuple[str, str]]:
    select = html.split(f'id="{select_id}"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_pickers_list_names_in_the_readers_language(client: TestClient) -> None:
    sign_in(client, "central")
    districts_13 = [row for row in _reference("lao_districts.csv") if row["province_code"] == "13"]
    for lang, column in (("en", "name_en"), ("lo", "name_lo")):
        client.get(f"/lang/{lang}")
        html = client.get("/gaps?province=13").text
        provinces = _options(html, "pick-province")[1:]
        assert provinces == [
            (r["province_code"], r[column]) for r in _reference("lao_provinces.csv")
        ]
        assert _options(html, "pick-district")[1:] == [
            (row["district_code"], row[column]) for row in districts_13
        ]
        assert 'value="13" selected' in html
        schemes = dict(_options(html, "pick-scheme")[1:])
        assert schemes["mecg"] == (
            "Mother and Early Childhood Grant" if lang == "en" else "ເງິນອຸດໜູນແມ່ ແລະ ເດັກອ່ອນ"
        )
        assert schemes["uncovered"] == Formatter(lang)("nav.no_scheme")  # type: ignore[arg-type]
    # a district chooses its province; a changed province drops a district of another
    chosen = client.get("/gaps.json?district=1301").json()["pickers"]
    assert (chosen["province"], chosen["district"]) == ("13", "1301")
    moved = client.get("/gaps.json?province=01&district=1301").json()
    assert (moved["level"], moved["district"], moved["province"]) == ("province", None, "01")


def test_unknown_codes_are_refused_not_answered_with_nobody(client: TestClient) -> None:
    headers = bearer(client, "central")
    for path, field in (
        ("/gaps.json?scheme=nope", "scheme"),
        ("/api/gaps/list?scheme=nope", "scheme"),
        ("/gaps.json?province=99", "province"),
        ("/gaps.json?district=0199", "district"),
        ("/overview.json?indicator=nope", "indicator"),
    ):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 422, path
        assert [problem["field"] for problem in answer.json()["detail"]] == [field], path
    for path in ("/district/9999.json", "/village/0101999.json", "/village/x.json"):
        assert client.get(path, headers=headers).status_code == 404, path
    sign_in(client, "central")
    page = client.get("/gaps?scheme=nope")
    assert page.status_code == 422
    assert 'data-field="scheme"' in page.text
    assert client.get("/district/9999").status_code == 404
    assert LO("nav.error_404") in client.get("/village/0101999").text


# --- the gaps table of the chosen area ------------------------------------------------


def test_gaps_show_the_table_of_the_chosen_area(client: TestClient) -> None:
    sign_in(client, "central")
    national = client.get("/gaps").text
    assert len(rows_of(national, "gap-counts")) == 18  # the provinces
    assert 'href="/gaps?province=13"' in national
    in_13 = len([row for row in _reference("lao_districts.csv") if row["province_code"] == "13"])
    province = client.get("/gaps?province=13").text
    assert len(rows_of(province, "gap-counts")) == in_13
    assert 'href="/gaps?district=1301"' in province
    only_mecg = client.get("/gaps.json?scheme=mecg").json()["table"]
    assert [column["id"] for column in only_mecg["columns"]] == ["mecg"]


def test_under_a_district_only_its_named_list(client: TestClient) -> None:
    sign_in(client, "vientiane")
    data = client.get("/gaps.json?district=0101").json()
    html = client.get("/gaps?district=0101").text
    assert 'id="gap-counts"' not in html  # no table of the country, nor of the district
    named = rows_of(html, "named-table")
    assert len(named) == len(data["named"]["items"]) == min(50, data["named"]["total"])
    # every row of the page: the named list's and the district's few gap lines (one
    # per scheme and one of the uncovered, at most), each table with its heading
    summary = rows_of(html, "left-behind-table")
    assert len(summary) <= 1 + len(data["pickers"]["schemes"])
    assert html.count("<tr") == len(named) + len(summary) + 2
    # a district outside the officer's area: its one row of counts, no names; nobody
    # of household EX-SV-0002 (3 persons) is enrolled in anything: 3 uncovered
    other = client.get("/gaps?district=1301").text
    [row] = rows_of(other, "gap-counts")
    assert 'data-column="uncovered"' in other
    assert re.findall(r'data-count="(\d+)"', row)[0] == "3"
    assert 'id="named-table"' not in other


# --- drill-down -----------------------------------------------------------------------


def _link(html: str, prefix: str) -> str:
    """The first link of ``html`` to an address starting with ``prefix``."""
    found = re.search(rf'href="({re.escape(prefix)}[^"]*)"', html)
    assert found is not None, prefix
    return found.group(1)


def test_drill_down_from_the_country_to_a_household(client: TestClient) -> None:
    sign_in(client, "central")
    client.get("/lang/en")
    overview = client.get("/overview").text
    assert _link(overview, "/province/13") == "/province/13"
    province = client.get("/province/13").text
    assert _link(province, "/district/") == "/district/1301"  # the first of its districts
    district = client.get("/district/1301")
    assert district.status_code == 200
    assert "Kaysone Phomvihane" in district.text
    assert 'href="/province/13"' in district.text  # the way back up
    # village 1301042 of the example household EX-SV-0002: 1 household of 3 persons,
    # none of them covered by anything, and each eligible for some scheme
    [village_row] = rows_of(district.text, "village-table")
    assert re.findall(r'data-count="(\d+)"', village_row) == ["1", "3", "3", "3"]
    assert _link(district.text, "/village/") == "/village/1301042"
    villages = client.get("/district/1301.json").json()["villages"]
    assert (villages["total"], villages["limit"], villages["offset"]) == (1, 50, 0)
    assert "1–1 of 1" in district.text
    village = client.get("/village/1301042")
    assert village.status_code == 200
    assert "Ban Nakae" in village.text
    assert _link(village.text, "/household/") == "/household/EX-SV-0002"
    assert client.get("/household/EX-SV-0002").status_code == 200
    twin = client.get("/village/1301042.json").json()
    assert twin["households"]["total"] == 1
    assert twin["households"]["items"][0]["household_id"] == "EX-SV-0002"


def test_a_village_names_its_households_only_to_who_may_read_persons_there(
    client: TestClient,
) -> None:
    register_family(client)  # village 0101015: now 2 households, 3 + 7 persons
    sign_in(client, "vientiane")
    client.get("/lang/en")
    own = client.get("/village/0101015?limit=1").text
    assert "1–1 of 2" in own
    assert len(rows_of(own, "household-table")) == 1
    second = client.get("/village/0101015.json?limit=1&offset=1").json()["households"]
    assert [h["household_id"] for h in second["items"]] == ["NAV-0101-1"]
    assert (second["items"][0]["members"], second["items"][0]["given_name"]) == (7, "GivenA")
    counts = client.get("/village/0101015.json").json()["counts"]
    assert (counts["households"]["count"], counts["persons"]["count"]) == (2, 10)
    elsewhere = client.get("/village/1301042.json").json()  # outside the district
    assert (elsewhere["may_see_households"], elsewhere["households"]) == (False, None)
    assert 'id="household-table"' not in client.get("/village/1301042").text
    sign_in(client, "analyst")
    analyst = client.get("/village/1301042.json").json()
    assert analyst["households"] is None
    # 1 household is a small cell for a role without read_small_cells; 3 persons is not
    assert analyst["counts"]["households"] == {"count": None, "suppressed": True}
    assert analyst["counts"]["persons"] == {"count": 3, "suppressed": False}


# --- the map ----------------------------------------------------------------------------


def test_map_colours_follow_the_classes() -> None:
    # hand-picked ratios and the fifth of [0, 1] each falls in
    expected = {
        0.0: "#eff3ff",
        0.19: "#eff3ff",
        0.2: "#bdd7e7",
        0.5: "#6baed6",
        0.6: "#3182bd",
        0.79: "#3182bd",
        0.8: "#08519c",
        1.0: "#08519c",
        None: "#d9d9d9",
    }
    assert {ratio: map_colour(ratio) for ratio in expected} == expected
    tiles = [
        {"code": code, "name_en": f"P{code}", "name_lo": f"ແຂວງ{code}", "ratio": ratio,
         "colour": map_colour(ratio)}
        for code, ratio in zip(PROVINCE_TILES, [0.1, 0.3, 0.5, 0.7, 0.9, None] * 3, strict=True)
    ]  # fmt: skip
    svg = str(tile_map(tiles, LO.pair, LO.percent, "map", "ບໍ່ມີຂໍ້ມູນ"))
    drawn = re.findall(r'<a href="/province/(\d\d)" class="tile" data-code="\d\d" '
                       r'data-colour="([^"]+)">', svg)  # fmt: skip
    assert len(drawn) == 18
    assert [colour for _, colour in drawn[:6]] == [
        "#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c", "#d9d9d9",
    ]  # fmt: skip
    assert "ແຂວງ01" in svg
    assert "P01" not in svg


def test_the_overview_map_has_18_linked_tiles_coloured_by_the_chosen_indicator(
    client: TestClient,
) -> None:
    sign_in(client, "central")
    # nobody of the example households is enrolled in anything: 0 % covered where
    # persons live (provinces 01, 02, 06, 13, 16, 17), no data in the 12 others
    lived_in = {"01", "02", "06", "13", "16", "17"}
    for lang in ("lo", "en"):
        client.get(f"/lang/{lang}")
        html = client.get("/overview?indicator=sdg131.at_least_one").text
        tiles = dict(re.findall(r'class="tile" data-code="(\d\d)" data-colour="([^"]+)"', html))
        assert len(tiles) == 18
        assert {code for code, colour in tiles.items() if colour == "#eff3ff"} == lived_in
        assert {code for code, colour in tiles.items() if colour == "#d9d9d9"} == (
            set(PROVINCE_TILES) - lived_in
        )
        assert 'href="/province/18"' in html
        name = "Xaisomboun" if lang == "en" else "ໄຊສົມບູນ"
        assert f">{name}<" in html
        assert 'value="sdg131.at_least_one" selected' in html
    data = client.get("/overview.json?indicator=health.covered").json()["map"]
    assert data["indicator"] == "health.covered"
    assert [tile["code"] for tile in data["tiles"]] == sorted(PROVINCE_TILES)
    assert all(tile["colour"] == map_colour(tile["ratio"]) for tile in data["tiles"])


def test_an_error_nothing_handled_is_a_styled_500_page(settings: Settings) -> None:
    app = create_app(settings)

    def boom() -> None:
        raise RuntimeError("a fault with personal data: Somphone")

    app.add_api_route("/boom", boom, include_in_schema=False)
    app.add_api_route("/api/boom", boom, include_in_schema=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.cookies.set("laosp_lang", "lo")
        page = client.get("/boom")
        assert page.status_code == 500
        assert LO("nav.error_500") in page.text
        assert "Somphone" not in page.text
        api = client.get("/api/boom")
        assert api.status_code == 500
        assert api.headers["content-type"] == "application/json"
        assert "Somphone" not in api.text
    app.state.laosp.engine.dispose()
