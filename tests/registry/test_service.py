"""Reading, searching, idempotent adding, updating and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from laosp.demo import load_examples
from laosp.registry import changes, repository, service
from laosp.registry.errors import ConflictError, NotFoundError

Factory = Callable[..., dict[str, Any]]
TODAY = dt.date(2025, 6, 1)


def _names(hits: list[Any]) -> set[str]:
    return {hit.person_id for hit in hits}


def test_household_reads_back_with_members(session: Session, household: Factory) -> None:
    service.add_household(session, household(), actor="tester", today=TODAY)
    detail = service.get_household(session, "H1")
    assert detail.province_code == "17"
    assert detail.members[0].person_id == "P1"  # head first
    assert {member.person_id for member in detail.members} == {"P1", "P2", "P3"}
    assert service.get_person(session, "P2").pregnancy_month == 5
    with pytest.raises(NotFoundError):
        service.get_household(session, "NOPE")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ສົມພອນ", {"P2", "P3"}),  # tone mark left out finds ສົມພ່ອນ; P3 is Somphone
        ("ສົມພ່ອນ", {"P2", "P3"}),
        ("ແສງສຸລິນ", {"P1", "P2"}),
        ("ຫລືອ", {"P1"}),  # ຫລ typed for ຫຼ
        ("SOMPHONE", {"P2", "P3"}),  # and ສົມພ່ອນ (P2), in Lao script (name_latin)
        ("somph", {"P2", "P3"}),  # prefix
        ("Phommasone", {"P3"}),  # finds Phommasône
        ("phommasone somphone", {"P3"}),  # any word order
        ("Pommason", {"P3"}),  # romanisation variant (name_fold)
        ("nobody", set()),
        ("50%", set()),  # LIKE wildcards are literal
    ],
)
def test_search_by_name(
    session: Session, household: Factory, query: str, expected: set[str]
) -> None:
    service.add_household(session, household(), today=TODAY)
    assert _names(service.search(session, name=query)) == expected


def test_search_by_district_and_province(session: Session, household: Factory) -> None:
    service.add_household(session, household(), today=TODAY)
    other = household(household_id="H2", district_code="0101", village_code=None)
    for member in other["members"]:
        member["person_id"] = "X" + member["person_id"]
        member.pop("mother_id", None)
    service.add_household(session, other, today=TODAY)
    assert _names(service.search(session, district_code="0101")) == {"XP1", "XP2", "XP3"}
    assert _names(service.search(session, province_code="17")) == {"P1", "P2", "P3"}
    assert len(service.search(session, limit=2)) == 2
    hits = service.search(session, name="ແສງສຸລິນ", district_code="1703")
    assert {hit.district_code for hit in hits} == {"1703"}


def test_adding_the_same_household_twice_changes_nothing(
    session: Session, household: Factory
) -> None:
    assert service.add_household(session, household(), today=TODAY).action == "created"
    events = len(repository.audit_events(session))
    assert service.add_household(session, household(), today=TODAY).action == "unchanged"
    assert len(repository.audit_events(session)) == events


def test_different_data_under_an_existing_id(session: Session, household: Factory) -> None:
    service.add_household(session, household(), today=TODAY)
    changed = household(poor=True, member=(0, {"earnings_monthly": 700_000}))
    with pytest.raises(ConflictError, match="use --update"):
        service.add_household(session, changed, today=TODAY)
    assert service.get_household(session, "H1").poor is False
    outcome = service.add_household(session, changed, actor="officer", update=True, today=TODAY)
    assert outcome.action == "updated"
    assert service.get_household(session, "H1").poor is True
    assert service.get_person(session, "P1").earnings_monthly == 700_000
    updates = [e for e in repository.audit_events(session) if e.action == "update"]
    assert {(e.entity, e.entity_id, e.actor) for e in updates} == {
        ("household", "H1", "officer"),
        ("person", "P1", "officer"),
    }


def test_every_change_is_audited(session: Session, household: Factory) -> None:
    service.add_household(session, household(), actor="alice", today=TODAY)
    created = repository.audit_events(session)
    assert {(e.action, e.entity, e.entity_id) for e in created} == {
        ("create", "household", "H1"),
        ("create", "person", "P1"),
        ("create", "person", "P2"),
        ("create", "person", "P3"),
    }
    assert all(e.actor == "alice" for e in created)
    changes.update_person(session, "P1", {"phone": "020 5555 1234"}, actor="bob", today=TODAY)
    changes.update_household(session, "H1", {"poor": True}, actor="bob", today=TODAY)
    new = dict(household()["members"][2], person_id="P4", household_id="H1")
    changes.add_person(session, new, actor="bob", today=TODAY)
    later = repository.audit_events(session)[len(created) :]
    assert [(e.action, e.entity, e.entity_id, e.actor) for e in later] == [
        ("update", "person", "P1", "bob"),
        ("update", "household", "H1", "bob"),
        ("create", "person", "P4", "bob"),
    ]
    assert later[0].changes == {"phone": [None, "<redacted>"]}  # sensitive values stay out
    assert later[1].changes == {"poor": [False, True]}


def test_an_update_that_changes_nothing_is_not_audited(
    session: Session, household: Factory
) -> None:
    service.add_household(session, household(), today=TODAY)
    events = len(repository.audit_events(session))
    changes.update_person(session, "P2", {"pregnancy_month": 5}, today=TODAY)
    assert len(repository.audit_events(session)) == events


def test_renaming_keeps_search_keys_in_step(session: Session, household: Factory) -> None:
    service.add_household(session, household(), today=TODAY)
    changes.update_person(session, "P3", {"given_name": "Khamla"}, today=TODAY)
    assert _names(service.search(session, name="khamla")) == {"P3"}
    assert _names(service.search(session, name="somphone")) == {"P2"}  # ສົມພ່ອນ


def test_example_households_load_idempotently(session: Session) -> None:
    first = load_examples(session)
    assert 5 <= len(first) <= 8
    assert {outcome.action for outcome in first} == {"created"}
    assert {outcome.action for outcome in load_examples(session)} == {"unchanged"}
    mecg = service.get_household(session, "EX-AT-0003")
    assert mecg.district_code == "1703"
    assert any(member.pregnant for member in mecg.members)
