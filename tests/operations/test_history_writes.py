"""Every status change and every change of a field the rules read keeps the period it
ends, in the same transaction: a refused change keeps nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from laosp.enrolment import service
from laosp.models import Enrolment, EnrolmentStatusHistory, PersonHistory
from laosp.models.history import HOUSEHOLD_HISTORY_FIELDS, PERSON_HISTORY_FIELDS
from laosp.registry.changes import update_person
from laosp.registry.errors import ConcurrentChange, ValidationFailed
from laosp.registry.importer import import_files
from laosp.rules.fields import HOUSEHOLD_FIELDS, PERSON_FIELDS
from laosp.rules.pack import Pack
from tests.operations.conftest import AT


def _periods(session: Session, enrolment_id: int) -> list[tuple[str, dt.date, dt.date | None]]:
    rows = session.execute(
        select(
            EnrolmentStatusHistory.status,
            EnrolmentStatusHistory.valid_from,
            EnrolmentStatusHistory.valid_to,
        )
        .where(EnrolmentStatusHistory.enrolment_id == enrolment_id)
        .order_by(EnrolmentStatusHistory.id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_each_status_is_a_period(people: Session, pack: Pack) -> None:
    enrolment = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT)
    service.set_status(people, enrolment.id, "active", on=dt.date(2025, 3, 5))
    service.set_status(people, enrolment.id, "exited", on=dt.date(2025, 4, 30))
    assert _periods(people, enrolment.id) == [
        ("pending", AT, dt.date(2025, 3, 5)),
        ("active", dt.date(2025, 3, 5), dt.date(2025, 4, 30)),
        ("exited", dt.date(2025, 4, 30), None),
    ]


def test_a_change_overtaken_by_another_keeps_no_period(people: Session, pack: Pack) -> None:
    enrolment = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT)
    held = people.get(Enrolment, enrolment.id)  # this officer read 'pending' (and holds it)
    # meanwhile another officer's change (written behind this session's back)
    people.execute(
        update(Enrolment)
        .where(Enrolment.id == enrolment.id)
        .values(status="active")
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(ConcurrentChange):
        service.set_status(people, enrolment.id, "exited", on=dt.date(2025, 3, 9))
    assert held is not None
    assert _periods(people, enrolment.id) == [("pending", AT, None)]


def test_a_status_dated_before_the_current_one_began_is_refused(
    people: Session, pack: Pack
) -> None:
    enrolment = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT)
    service.set_status(people, enrolment.id, "active", on=dt.date(2025, 3, 20))
    with pytest.raises(ValidationFailed, match="before the current status began"):
        service.set_status(people, enrolment.id, "suspended", on=dt.date(2025, 3, 10))
    assert people.scalar(select(Enrolment.status).where(Enrolment.id == enrolment.id)) == "active"
    assert _periods(people, enrolment.id)[-1] == ("active", dt.date(2025, 3, 20), None)


def _person_periods(session: Session, person_id: str) -> list[tuple[object, ...]]:
    rows = session.execute(
        select(
            PersonHistory.valid_from,
            PersonHistory.valid_to,
            PersonHistory.employment_status,
            PersonHistory.earnings_monthly,
        )
        .where(PersonHistory.person_id == person_id)
        .order_by(PersonHistory.id)
    )
    return [tuple(row) for row in rows]


def test_a_person_change_keeps_the_old_values_of_the_rule_fields(people: Session) -> None:
    update_person(people, "PW", {"phone": "020 5555 1234"}, today=dt.date(2025, 7, 1))
    assert _person_periods(people, "PW") == []  # not a field the rules read
    update_person(
        people,
        "PW",
        {"earnings_monthly": 3_500_000},
        today=dt.date(2025, 7, 2),
    )
    update_person(
        people,
        "PW",
        {
            "employment_status": "unemployed",
            "employment_type": None,
            "employer_type": None,
            "formal": False,
            "sector": None,
            "earnings_monthly": 0,
        },
        today=dt.date(2025, 9, 1),
    )
    assert _person_periods(people, "PW") == [
        (None, dt.date(2025, 7, 2), "employed", 3_000_000),
        (dt.date(2025, 7, 2), dt.date(2025, 9, 1), "employed", 3_500_000),
    ]


def test_a_refused_person_change_keeps_nothing(people: Session) -> None:
    with pytest.raises(ValidationFailed):
        update_person(people, "PX", {"pregnant": True}, today=dt.date(2025, 7, 1))
    assert _person_periods(people, "PX") == []


def test_history_keeps_every_field_the_rules_read() -> None:
    """A field the rules read but the history does not keep would be read at a past
    date with today's value."""
    stored = {name for name, field in PERSON_FIELDS.items() if not field.derived}
    assert set(PERSON_HISTORY_FIELDS) == stored | {"household_id"}
    stored = {name for name, field in HOUSEHOLD_FIELDS.items() if not field.derived}
    assert set(HOUSEHOLD_HISTORY_FIELDS) == stored


def test_an_import_update_keeps_the_old_values(people: Session, tmp_path: Path) -> None:
    path = tmp_path / "persons.csv"
    path.write_text(
        "person_id,household_id,relationship,given_name,family_name,sex,birth_date,"
        "employment_status,employment_type,employer_type,formal,sector,earnings_monthly\n"
        "PW,HX,head,Test,PW,M,1985-06-01,employed,employee,private,true,services,4000000\n",
        encoding="utf-8",
    )
    report = import_files(people, persons=path, update=True, today=dt.date(2025, 8, 1))
    assert report.counts["persons"].updated == 1
    assert _person_periods(people, "PW") == [(None, dt.date(2025, 8, 1), "employed", 3_000_000)]
