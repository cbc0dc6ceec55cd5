"""The projection, reform and audit pages name what they show in the reader's language:
scenarios by their titles, parameters by what they are with their values in words,
the audit trail's actions, records and roles by their names."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from laosp.presentation.i18n import Formatter
from laosp.rules.pack import load_pack
from laosp.web.reform import value_text
from tests.web.test_pages import sign_in

LO, EN = Formatter("lo"), Formatter("en")


def _options(html: str, name: str) -> dict[str, str]:
    select = html.split(f'name="{name}"')[1].split("</select>")[0]
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    return dict(found)


def test_a_parameters_value_reads_in_words() -> None:
    pack = load_pack()
    parameters = pack.parameters
    # 150000 kip a month; 0.055 of insured earnings; a lookup by sex; a list of districts
    grant, rate = parameters["mecg.benefit_monthly"], parameters["nssf.private.rate_employee"]
    assert value_text(grant, 150000, LO) == "150.000 ກີບ ຕໍ່ເດືອນ"
    assert value_text(grant, 150000, EN) == "150,000 LAK a month"
    assert value_text(rate, 0.055, EN) == "5.5% of insured earnings"
    assert value_text(rate, 0.0825, LO) == "8,25% ຂອງລາຍຮັບທີ່ປະກັນ"
    age = parameters["nssf.retirement_age"]
    assert value_text(age, {"F": 55, "M": 60}, LO) == "ຍິງ: 55 ປີ, ຊາຍ: 60 ປີ"
    districts = parameters["mecg.districts"]
    assert value_text(districts, ["1703", "1306"], EN) == "Sanamxay, Nong"
    month = parameters["mecg.min_pregnancy_month"]
    assert value_text(month, 4, LO) == "ເດືອນທີ 4 ຂອງການຖືພາ"
    assert value_text(grant, None, EN) == "—"


def test_projection_and_reform_pages_name_scenarios_and_parameters(client: TestClient) -> None:
    sign_in(client, "analyst")
    projection = client.get("/projection?policy=social_pension_65").text
    assert _options(projection, "policy")["lao_default"] == "ລະບົບປະຈຸບັນ, ນະໂຍບາຍປະຈຸບັນ"
    assert "ເງິນບໍານານສັງຄົມຖ້ວນໜ້າ ອາຍຸ 65 ປີ" in projection.split('id="projection-table"')[1]
    data = client.get("/projection.json?policy=social_pension_65").json()
    assert data["policy"]["title_en"] == "Universal social pension at 65"
    assert data["default"]["title_lo"] == "ລະບົບປະຈຸບັນ, ນະໂຍບາຍປະຈຸບັນ"

    client.get("/lang/en?next=/rules/diff")
    reform = client.get("/rules/diff", params={"date": "2026-01-01"}).text
    options = _options(reform, "parameter")
    assert options["mecg.benefit_monthly"] == (
        "Grant per eligible mother or child per month: 150,000 LAK a month"
    )
    assert (
        options["nssf.retirement_age"] == "Pensionable age by sex: Male: 60 years, Female: 55 years"
    )
    picked = client.get("/rules/diff", params={"district": "1703"}).text
    assert _options(picked, "district")["1703"] == "Sanamxay"
    assert '<option value="1703" selected>' in picked
    assert '<optgroup label="Attapeu">' in picked
    twin = client.get("/rules/diff.json", params={"date": "2026-01-01"}).json()
    grant = next(p for p in twin["parameters"] if p["name"] == "mecg.benefit_monthly")
    assert grant["value_lo"] == "150.000 ກີບ ຕໍ່ເດືອນ"
    assert grant["label_lo"] == "ເງິນອຸດໜູນຕໍ່ແມ່ ຫຼື ເດັກທີ່ມີສິດ ຕໍ່ເດືອນ"


def test_the_audit_page_names_actions_records_and_roles(client: TestClient) -> None:
    sign_in(client, "auditor")
    page = client.get("/audit", params={"entity": "user", "action": "create"}).text
    rows = re.findall(r'<tr data-id="\d+">(.*?)</tr>', page, re.S)
    assert rows  # one event per seeded user
    for row in rows:
        assert 'data-action="create">ສ້າງ</td>' in row
        assert 'data-entity="user">ຜູ້ໃຊ້</td>' in row
    assert _options(page, "action")["login"] == "ເຂົ້າສູ່ລະບົບ"
    assert _options(page, "entity")["payment_cycle"] == "ຮອບການຈ່າຍເງິນ"
    assert "auditor (ຜູ້ກວດສອບ)" in page  # the header names the role
    places = client.get("/audit", params={"province": "17", "district": "1703"}).text
    assert _options(places, "province")["17"] == "ອັດຕະປື"
    assert '<option value="17" selected>' in places
    assert _options(places, "district")["1703"] == "ສະໜາມໄຊ"


def test_a_refused_reform_names_the_parameter(client: TestClient) -> None:
    sign_in(client, "analyst")
    client.get("/lang/en?next=/rules/diff")
    page = client.get("/rules/diff", params={"parameter": "mecg.benefit_monthly", "value": "abc"})
    assert page.status_code == 422
    error = page.text.split('id="reform-errors"')[1].split("</div>")[0]
    assert 'data-field="overrides.mecg.benefit_monthly">' in error
    assert ">Grant per eligible mother or child per month: " in error
