"""Grievances: open, review, resolve or reject; legal transitions only; audit."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy.orm import Session

from laosp.enrolment.transitions import TransitionRefused
from laosp.grievances.service import (
    GRIEVANCE,
    list_grievances,
    open_grievance,
    set_status,
)
from laosp.registry.errors import ValidationFailed
from tests.operations.conftest import AT, audit_count

PATH_TO = {
    "open": [],
    "in_review": ["in_review"],
    "resolved": ["in_review", "resolved"],
    "rejected": ["rejected"],
}


def _open(session: Session) -> int:
    return open_grievance(
        session, category="payment", description="not paid in March", on=AT, person_id="P2",
        scheme="mecg", schemes={"mecg"},
    ).id  # fmt: skip


def test_open_review_resolve(people: Session) -> None:
    grievance_id = _open(people)
    set_status(people, grievance_id, "in_review", on=AT)
    done = set_status(
        people, grievance_id, "resolved", on=AT + dt.timedelta(days=3), resolution="paid late"
    )
    assert (done.status, done.closed_on, done.resolution) == (
        "resolved",
        AT + dt.timedelta(days=3),
        "paid late",
    )
    assert audit_count(people, "grievance", str(grievance_id)) == 3
    assert [g.id for g in list_grievances(people, status="resolved")] == [grievance_id]


def test_bad_grievances_name_each_field(people: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        open_grievance(
            people, category="noise", description=" ", on=AT, person_id="nobody",
            scheme="lottery", schemes={"mecg"},
        )  # fmt: skip
    fields = {error.field for error in refused.value.errors}
    assert fields == {"person_id", "category", "description", "scheme"}


def test_closing_needs_a_resolution(people: Session) -> None:
    grievance_id = _open(people)
    with pytest.raises(ValidationFailed, match="resolution"):
        set_status(people, grievance_id, "rejected", on=AT)


@pytest.mark.parametrize(
    ("current", "requested"),
    [
        (c, r)
        for c, r in itertools.product(GRIEVANCE.statuses, repeat=2)
        if not GRIEVANCE.allows(c, r)
    ],
)
def test_every_illegal_transition_is_refused(people: Session, current: str, requested: str) -> None:
    grievance_id = _open(people)
    for status in PATH_TO[current]:
        set_status(people, grievance_id, status, on=AT, resolution="done")
    before = audit_count(people, "grievance", str(grievance_id))
    with pytest.raises(TransitionRefused):
        set_status(people, grievance_id, requested, on=AT, resolution="done")
    assert audit_count(people, "grievance", str(grievance_id)) == before
