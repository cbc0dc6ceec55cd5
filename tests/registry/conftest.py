"""Valid example input for the registry tests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli_sign_in import sign_in_cli

Factory = Callable[..., dict[str, Any]]

BASE: dict[str, Any] = {
    "household_id": "H1",
    "district_code": "1703",
    "village_code": "1703008",
    "members": [
        {
            "person_id": "P1",
            "relationship": "head",
            "given_name": "ບຸນເຫຼືອ",
            "family_name": "ແສງສຸລິນ",
            "sex": "M",
            "birth_date": "1996-03-02",
            "employment_status": "employed",
            "employment_type": "own_account",
            "sector": "agriculture",
        },
        {
            "person_id": "P2",
            "relationship": "spouse",
            "given_name": "ສົມພ່ອນ",
            "family_name": "ແສງສຸລິນ",
            "sex": "F",
            "birth_date": "2000-05-05",
            "pregnant": True,
            "pregnancy_month": 5,
        },
        {
            "person_id": "P3",
            "relationship": "child",
            "given_name": "Somphone",
            "family_name": "Phommasône",
            "sex": "M",
            "birth_date": "2020-01-10",
            "mother_id": "P2",
        },
    ],
}


@pytest.fixture
def household() -> Factory:
    """``household(**fields)`` → a valid household with three members; ``member=(i,
    {...})`` changes member ``i`` (a value of ``None`` removes the field)."""

    def make(member: tuple[int, dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
        data = copy.deepcopy(BASE)
        data.update(fields)
        if member is not None:
            index, changes = member
            for key, value in changes.items():
                if value is None:
                    data["members"][index].pop(key, None)
                else:
                    data["members"][index][key] = value
        return data

    return make


@pytest.fixture
def cli_signed_in(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The registry CLI acts as a signed-in user, a central officer "registrar" (tests
    of other roles sign in again with ``tests.cli_sign_in``); the token."""
    return sign_in_cli(monkeypatch, db_url)


@pytest.fixture
def cli_signed_in_on_a_database(request: pytest.FixtureRequest) -> None:
    """``cli_signed_in`` for a test on a database (``pytestmark`` of a CLI module)."""
    if "db_url" in request.fixturenames:
        request.getfixturevalue("cli_signed_in")
