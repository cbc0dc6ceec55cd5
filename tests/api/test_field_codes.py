"""The registry API refuses a code outside the data dictionary's list with a 422 that
names the field and carries its Lao and English labels, and writes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from laosp.config import Settings
from tests.api.conftest import bearer
from tests.api.test_bad_input import HOUSEHOLDS, counts, household, problems


def test_posting_sex_x_is_a_422_naming_the_field_and_its_labels(
    client: TestClient, settings: Settings
) -> None:
    officer = bearer(client, "central")
    before = counts(settings)
    answer = client.post(HOUSEHOLDS, json=household(head={"sex": "X"}), headers=officer)
    assert problems(answer) == [
        {"field": "members[0].sex", "value": "X", "reason": "must be one of F, M (Sex / ເພດ)"}
    ]
    assert counts(settings) == before


def test_a_missing_sex_is_a_422_not_a_default(client: TestClient, settings: Settings) -> None:
    officer = bearer(client, "central")
    before = counts(settings)
    body = household()
    del body["members"][0]["sex"]
    answer = client.post(HOUSEHOLDS, json=body, headers=officer)
    assert [(p["field"], p["reason"]) for p in problems(answer)] == [("members[0].sex", "required")]
    assert counts(settings) == before


def test_the_openapi_schema_lists_the_dictionarys_codes(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    person = schemas["PersonCreate"]["properties"]
    assert person["sex"]["enum"] == ["F", "M"]
    assert person["relationship"]["enum"] == [
        "head",
        "spouse",
        "child",
        "parent",
        "sibling",
        "grandchild",
        "other",
    ]
