"""Enrolment: eligibility, one open enrolment, the lifecycle and its audit trail."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy.orm import Session

from laosp.access.permissions import Action, SameUser
from laosp.enrolment import service
from laosp.enrolment.errors import NotEligible
from laosp.enrolment.transitions import ENROLMENT, TransitionRefused
from laosp.registry.errors import ConcurrentChange, ConflictError, ValidationFailed
from laosp.rules.pack import Pack
from tests.operations.conftest import AT, audit_count

#: A legal path from ``pending`` to each status.
PATH_TO = {
    "pending": [],
    "active": ["active"],
    "suspended": ["active", "suspended"],
    "exited": ["active", "exited"],
}
ILLEGAL = [
    (current, requested)
    for current, requested in itertools.product(ENROLMENT.statuses, repeat=2)
    if not ENROLMENT.allows(current, requested)
] + [("pending", "deleted")]


def test_enrol_an_eligible_person(people: Session, pack: Pack) -> None:
    enrolment = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT, actor="officer")
    assert (enrolment.status, enrolment.person_id, enrolment.household_id) == (
        "pending",
        "P2",
        None,
    )
    assert audit_count(people, "enrolment", str(enrolment.id)) == 1


def test_full_lifecycle_sets_end_date_and_audits_each_change(people: Session, pack: Pack) -> None:
    enrolment = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT)
    for k, status in enumerate(["active", "suspended", "active", "exited"]):
        changed = service.set_status(
            people, enrolment.id, status, on=AT + dt.timedelta(days=k), reason="test"
        )
        assert changed.status == status
    assert changed.end_date == AT + dt.timedelta(days=3)
    assert audit_count(people, "enrolment", str(enrolment.id)) == 5


@pytest.mark.parametrize(("current", "requested"), ILLEGAL)
def test_every_illegal_transition_is_refused(
    people: Session, pack: Pack, current: str, requested: str
) -> None:
    enrolment = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT)
    for status in PATH_TO[current]:
        service.set_status(people, enrolment.id, status, on=AT)
    before = audit_count(people, "enrolment", str(enrolment.id))
    with pytest.raises(TransitionRefused) as refused:
        service.set_status(people, enrolment.id, requested, on=AT)
    assert f"'{current}'" in str(refused.value)
    assert f"'{requested}'" in str(refused.value)
    assert service.get_enrolment(people, enrolment.id).status == current
    assert audit_count(people, "enrolment", str(enrolment.id)) == before


def test_ineligible_person_is_refused_with_the_reason(people: Session, pack: Pack) -> None:
    with pytest.raises(NotEligible) as refused:
        service.enrol(people, pack, scheme="mecg", unit_id="PX", on=AT)
    text = refused.value.explanation
    assert "mecg.eligible = False" in text
    assert "household.district_code" in text
    assert "0101" in text
    assert audit_count(people, "enrolment") == 0


def test_eligibility_check_can_be_skipped(people: Session, pack: Pack) -> None:
    enrolment = service.enrol(
        people, pack, scheme="mecg", unit_id="PX", on=AT, check_eligibility=False
    )
    assert enrolment.status == "pending"


def test_household_scheme_takes_a_household(people: Session, pack: Pack) -> None:
    enrolment = service.enrol(people, pack, scheme="cct", unit_id="HC", on=AT)
    assert enrolment.household_id == "HC"
    with pytest.raises(ValidationFailed, match="is a person, but scheme cct enrols households"):
        service.enrol(people, pack, scheme="cct", unit_id="C1", on=AT)
    with pytest.raises(ValidationFailed, match="is a household, but scheme mecg enrols persons"):
        service.enrol(people, pack, scheme="mecg", unit_id="HM", on=AT)


def test_proposed_and_unknown_schemes_are_refused(people: Session, pack: Pack) -> None:
    with pytest.raises(ValidationFailed, match="proposed scheme"):
        service.enrol(people, pack, scheme="social_pension", unit_id="P1", on=AT)
    with pytest.raises(ValidationFailed, match="not a scheme of the pack"):
        service.enrol(people, pack, scheme="lottery", unit_id="P1", on=AT)


def test_one_open_enrolment_per_unit_and_scheme(people: Session, pack: Pack) -> None:
    first = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT)
    with pytest.raises(ConflictError, match="already has an open enrolment"):
        service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT + dt.timedelta(days=1))
    service.set_status(people, first.id, "exited", on=AT + dt.timedelta(days=2))
    with pytest.raises(ValidationFailed, match="after the end"):
        service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT + dt.timedelta(days=2))
    again = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT + dt.timedelta(days=3))
    assert again.id != first.id


def test_status_date_before_start_is_refused(people: Session, pack: Pack) -> None:
    enrolment = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT)
    with pytest.raises(ValidationFailed, match="before the enrolment's start date"):
        service.set_status(people, enrolment.id, "active", on=AT - dt.timedelta(days=1))


def test_the_enrolling_user_never_makes_the_enrolment_active(people: Session, pack: Pack) -> None:
    """Making a pending enrolment active is an approval (money follows): another user."""
    enrolment = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT, actor="somsak")
    assert service.enrolled_by(people, enrolment.id) == "somsak"
    before = audit_count(people, "enrolment", str(enrolment.id))
    with pytest.raises(SameUser):
        service.set_status(people, enrolment.id, "active", on=AT, actor="somsak")
    assert service.get_enrolment(people, enrolment.id).status == "pending"
    assert audit_count(people, "enrolment", str(enrolment.id)) == before
    # other moves are not approvals: the maker may close their own pending enrolment
    assert service.action_for("pending", "exited") is Action.enrol
    assert service.action_for("pending", "active") is Action.approve_enrolment
    done = service.set_status(people, enrolment.id, "active", on=AT, actor="noy")
    assert done.status == "active"


def test_a_change_decided_on_another_status_is_refused(people: Session, pack: Pack) -> None:
    enrolment = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT, actor="somsak")
    service.set_status(people, enrolment.id, "exited", on=AT, actor="somsak")
    with pytest.raises(ConcurrentChange) as refused:
        service.set_status(people, enrolment.id, "active", on=AT, actor="noy", expected="pending")
    assert "expected 'pending', found 'exited'" in str(refused.value)
