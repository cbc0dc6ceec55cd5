"""The dashboard shows registry codes by their names (the data dictionary's labels), in
the reader's language, never the codes themselves."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.test_pages import _cells, sign_in


def test_the_household_page_names_sex_and_relationship_in_lao_and_english(
    client: TestClient,
) -> None:
    sign_in(client, "vientiane")
    # the example household EX-VT-0001: a head (M), his spouse (F), their son (M)
    lao = _cells(client.get("/household/EX-VT-0001").text, "members")
    assert [(row[0], row[2], row[3]) for row in lao] == [
        ("EX-VT-0001-1", "ຫົວໜ້າຄົວເຮືອນ", "ຊາຍ"),
        ("EX-VT-0001-2", "ຄູ່ສົມລົດ", "ຍິງ"),
        ("EX-VT-0001-3", "ລູກ", "ຊາຍ"),
    ]
    client.get("/lang/en")
    english = _cells(client.get("/household/EX-VT-0001").text, "members")
    assert [(row[2], row[3]) for row in english] == [
        ("Head", "Male"),
        ("Spouse", "Female"),
        ("Child", "Male"),
    ]
