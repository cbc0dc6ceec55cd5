"""``laosp enrolment import``: every check with its row, field and reason; conflicts with
registered enrolments and the transition table; all-or-nothing; idempotence (Hypothesis);
XLSX with Lao headers and the CLI. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, make_url, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from laosp.access.roles import Principal, Role
from laosp.cli import build_app
from laosp.db import unit_of_work
from laosp.enrolment import import_requests, service
from laosp.enrolment.importer import EnrolmentImportReport, import_enrolments
from laosp.enrolment.transitions import ENROLMENT
from laosp.models import AuditEvent, Enrolment
from laosp.registry.import_limits import ImportLimits, UnreadableFile
from laosp.rules.pack import Pack, load_pack
from tests.operations.conftest import (
    AT,
    HOUSEHOLDS,
    add_officers,
    audit_count,
    cli_import,
    person,
    register,
)
from tests.registry.workbooks import row_xml, write_workbook

TODAY = dt.date(2025, 6, 1)
PACK = load_pack()
#: persons with national ids: N1 alone, N2 and N3 sharing one (a registry duplicate)
WITH_IDS: list[dict[str, Any]] = [
    {
        "household_id": "HN",
        "district_code": "1703",
        "members": [
            person("N1", "head", "M", "1980-01-01", national_id="NID-1"),
            person("N2", "spouse", "F", "1982-01-01", national_id="NID-2"),
            person("N3", "other", "F", "1982-01-01", national_id="NID-2"),
            person("N4", "child", "F", "2010-01-01"),
        ],
    }
]
HEADER = [
    "person_id",
    "national_id",
    "household_id",
    "scheme",
    "status",
    "start_date",
    "end_date",
    "member_number",
]


def row(**cells: str) -> dict[str, str]:
    return {name: cells.get(name, "") for name in HEADER}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String)).write_csv(path)
    return path


def run(session: Session, path: Path, pack: Pack = PACK, **options: Any) -> EnrolmentImportReport:
    return import_enrolments(session, pack, path, today=TODAY, **options)


def problems(report: EnrolmentImportReport, kind: str = "rejected") -> set[tuple[int, str, str]]:
    found = report.problems.filter(pl.col("kind") == kind)
    return set(found.select("row", "field", "reason").iter_rows())


def enrolments(session: Session) -> list[tuple[Any, ...]]:
    e = Enrolment
    query = select(e.scheme, e.person_id, e.household_id, e.status, e.start_date, e.end_date)
    return sorted(session.execute(query).all(), key=repr)


@pytest.fixture
def units(people: Session) -> Session:
    register(people, WITH_IDS)
    return people


def test_valid_rows_are_enrolled_with_one_audit_event_each(units: Session, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "list.csv",
        [
            row(person_id="P2", scheme="mecg", status="active", start_date="2025-03-01"),
            row(
                national_id="NID-1",
                scheme="NHI",
                status="Active",
                start_date="2025-01-01",
                member_number="NHI 0001",
            ),
            row(household_id="HC", scheme="cct", status="pending", start_date="2025-03-01"),
            row(
                person_id="PW",
                scheme="nssf_private",
                status="exited",
                start_date="2020-01-01",
                end_date="2024-12-31",
            ),
        ],
    )
    report = run(units, path)
    counts = report.counts["enrolments"]
    assert (counts.read, counts.imported, counts.rejected, counts.conflicts) == (4, 4, 0, 0)
    assert report.written
    assert enrolments(units) == sorted(
        [
            ("mecg", "P2", None, "active", AT, None),
            ("nhi", "N1", None, "active", dt.date(2025, 1, 1), None),
            ("cct", None, "HC", "pending", AT, None),
            ("nssf_private", "PW", None, "exited", dt.date(2020, 1, 1), dt.date(2024, 12, 31)),
        ],
        key=repr,
    )
    events = units.scalars(
        select(AuditEvent).where(AuditEvent.entity == "enrolment").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["create"] * 4
    by_person = {e.changes["person_id"]: e.changes for e in events if e.changes}
    assert by_person["N1"]["member_number"] == "NHI 0001"
    assert by_person["N1"]["row"] == 3
    assert by_person["PW"]["end_date"] == "2024-12-31"
    assert audit_count(units, "enrolment_import") == 1


CHECKS: list[tuple[dict[str, str], str, str]] = [
    (
        row(person_id="NOBODY", scheme="mecg", status="active", start_date="2025-03-01"),
        "person_id",
        "is not a registered person (ບໍ່ພົບບຸກຄົນນີ້ໃນທະບຽນ)",
    ),
    (
        row(household_id="HNONE", scheme="cct", status="active", start_date="2025-03-01"),
        "household_id",
        "is not a registered household (ບໍ່ພົບຄົວເຮືອນນີ້ໃນທະບຽນ)",
    ),
    (
        row(person_id="P2", scheme="xyz", status="active", start_date="2025-03-01"),
        "scheme",
        "is not a scheme of the policy pack (cct, child_grant, disability_allowance, mecg, nhi, "
        "nssf_private, nssf_public, nssf_voluntary, social_pension) (ບໍ່ແມ່ນໂຄງການທີ່ຮູ້ຈັກ)",
    ),
    (
        row(person_id="P2", scheme="child_grant", status="active", start_date="2025-03-01"),
        "scheme",
        "is a proposed scheme: it cannot be enrolled in operations (ໂຄງການທີ່ສະເໜີ ຍັງບໍ່ດຳເນີນງານ)",
    ),
    (
        row(person_id="C1", scheme="cct", status="active", start_date="2025-03-01"),
        "scheme",
        "enrols households: give household_id, not person_id or national_id (ໂຄງການນີ້ລົງທະບຽນຄົວເຮືອນ)",
    ),
    (
        row(household_id="HM", scheme="mecg", status="active", start_date="2025-03-01"),
        "scheme",
        "enrols persons: give person_id or national_id, not household_id (ໂຄງການນີ້ລົງທະບຽນບຸກຄົນ)",
    ),
    (
        row(scheme="nhi", status="active", start_date="2025-03-01"),
        "person_id",
        "required: person_id or national_id (the scheme enrols persons) (ຕ້ອງໃສ່ລະຫັດບຸກຄົນ ຫຼື ເລກບັດ)",
    ),
    (
        row(scheme="cct", status="active", start_date="2025-03-01"),
        "household_id",
        "required: the scheme enrols households (ຕ້ອງໃສ່ລະຫັດຄົວເຮືອນ)",
    ),
    (
        row(person_id="P1", scheme="nhi", status="active", start_date="2025-02-30"),
        "start_date",
        "must be a date (YYYY-MM-DD) (ຕ້ອງເປັນວັນທີ ປີ-ເດືອນ-ວັນ)",
    ),
    (
        row(person_id="P1", scheme="nhi", status="active", start_date="2026-01-01"),
        "start_date",
        "is in the future (ເປັນວັນທີໃນອະນາຄົດ)",
    ),
    (
        row(person_id="P1", scheme="nhi", status="active"),
        "start_date",
        "required (ຕ້ອງໃສ່)",
    ),
    (
        row(
            person_id="P1",
            scheme="nhi",
            status="exited",
            start_date="2025-03-01",
            end_date="2025-02-01",
        ),
        "end_date",
        "must not be before start_date (ວັນທີສິ້ນສຸດກ່ອນວັນທີເລີ່ມ)",
    ),
    (
        row(person_id="P1", scheme="nhi", status="exited", start_date="2025-03-01"),
        "end_date",
        "required when status is exited (ຕ້ອງໃສ່ວັນທີສິ້ນສຸດ ເມື່ອອອກຈາກໂຄງການ)",
    ),
    (
        row(
            person_id="P1",
            scheme="nhi",
            status="active",
            start_date="2025-03-01",
            end_date="2025-04-01",
        ),
        "end_date",
        "must be empty unless status is exited (ມີແຕ່ການອອກທີ່ມີວັນທີສິ້ນສຸດ)",
    ),
    (
        row(person_id="P1", scheme="nhi", status="enrolled", start_date="2025-03-01"),
        "status",
        "must be one of pending, active, suspended, exited (ບໍ່ແມ່ນລະຫັດທີ່ຖືກຕ້ອງ)",
    ),
    (
        row(national_id="NID-404", scheme="nhi", status="active", start_date="2025-03-01"),
        "national_id",
        "no registered person has this national_id (ບໍ່ພົບເລກບັດນີ້ໃນທະບຽນ)",
    ),
    (
        row(national_id="NID-2", scheme="nhi", status="active", start_date="2025-03-01"),
        "national_id",
        "is held by 2 registered persons (N2, N3): give person_id (ເລກບັດນີ້ມີຫຼາຍຄົນ)",
    ),
    (
        row(
            person_id="N1",
            national_id="NID-9",
            scheme="nhi",
            status="active",
            start_date="2025-03-01",
        ),
        "national_id",
        "disagrees with person_id N1: the registry holds another national_id for that person "
        "(ເລກບັດບໍ່ກົງກັບບຸກຄົນ)",
    ),
    (
        row(
            person_id="N4",
            national_id="NID-1",
            scheme="nhi",
            status="active",
            start_date="2025-03-01",
        ),
        "national_id",
        "belongs to N1, not to person_id N4 (ເລກບັດບໍ່ກົງກັບບຸກຄົນ)",
    ),
]


@pytest.mark.parametrize(("cells", "field", "reason"), CHECKS, ids=[c[2][:40] for c in CHECKS])
def test_each_check_reports_row_field_and_reason(
    units: Session, tmp_path: Path, cells: dict[str, str], field: str, reason: str
) -> None:
    good = row(person_id="P3", scheme="nhi", status="active", start_date="2025-03-01")
    report = run(units, write_csv(tmp_path / "list.csv", [good, cells]))
    assert problems(report) == {(3, field, reason)}
    counts = report.counts["enrolments"]
    assert (counts.imported, counts.rejected) == (1, 1)
    assert enrolments(units) == [("nhi", "P3", None, "active", AT, None)]


def test_person_id_wins_and_a_matching_national_id_is_accepted(
    units: Session, tmp_path: Path
) -> None:
    rows = [
        row(
            person_id="N1",
            national_id="NID-1",
            scheme="nhi",
            status="active",
            start_date="2025-03-01",
        ),
        # N4 has no national id and nobody holds NID-7: person_id wins
        row(
            person_id="N4",
            national_id="NID-7",
            scheme="nhi",
            status="active",
            start_date="2025-03-01",
        ),
        # N2 holds NID-2 with N3: person_id picks N2
        row(
            person_id="N2",
            national_id="NID-2",
            scheme="nhi",
            status="active",
            start_date="2025-03-01",
        ),
    ]
    report = run(units, write_csv(tmp_path / "list.csv", rows))
    assert report.counts["enrolments"].imported == 3
    assert {e[1] for e in enrolments(units)} == {"N1", "N2", "N4"}


def test_repeated_unit_and_scheme_is_refused(units: Session, tmp_path: Path) -> None:
    rows = [
        row(person_id="N1", scheme="nhi", status="active", start_date="2025-03-01"),
        row(person_id="P1", scheme="nhi", status="active", start_date="2025-03-01"),
        row(national_id="NID-1", scheme="nhi", status="active", start_date="2025-04-01"),
    ]
    report = run(units, write_csv(tmp_path / "list.csv", rows))
    assert problems(report) == {
        (4, "row", "the same unit and scheme as row 2: one row per unit and scheme (ແຖວຊ້ຳ)")
    }
    assert report.problems.filter(pl.col("field") == "row")["value"].to_list() == ["N1 nhi"]


def _enrol(session: Session, unit: str, scheme: str, *statuses: str) -> int:
    enrolment = service.enrol(
        session, PACK, scheme=scheme, unit_id=unit, on=AT, check_eligibility=False
    )
    for status in statuses:
        service.set_status(session, enrolment.id, status, on=dt.date(2025, 4, 1))
    return enrolment.id


def test_status_change_follows_the_transition_table(units: Session, tmp_path: Path) -> None:
    pending = _enrol(units, "P2", "mecg")
    active = _enrol(units, "P4", "mecg", "active")
    exited = _enrol(units, "P3", "nhi", "active", "exited")
    suspended = _enrol(units, "P1", "nhi", "active", "suspended")
    before = audit_count(units, "enrolment")
    rows = [
        row(person_id="P2", scheme="mecg", status="active", start_date="2025-03-01"),
        row(
            person_id="P4",
            scheme="mecg",
            status="exited",
            start_date="2025-03-01",
            end_date="2025-05-01",
        ),
        row(person_id="P3", scheme="nhi", status="active", start_date="2025-03-01"),
        row(person_id="P1", scheme="nhi", status="pending", start_date="2025-03-01"),
    ]
    report = run(units, write_csv(tmp_path / "list.csv", rows))
    counts = report.counts["enrolments"]
    assert (counts.updated, counts.conflicts, counts.imported) == (2, 2, 0)
    assert problems(report, "conflict") == {
        (
            4,
            "status",
            f"enrolment {exited}: cannot change status from 'exited' to 'active' "
            "('exited' is final) (ປ່ຽນສະຖານະແບບນີ້ບໍ່ໄດ້)",
        ),
        (
            5,
            "status",
            f"enrolment {suspended}: cannot change status from 'suspended' to "
            "'pending' ('suspended' may only become active or exited) (ປ່ຽນສະຖານະແບບນີ້ບໍ່ໄດ້)",
        ),
    }
    assert service.get_enrolment(units, pending).status == "active"
    moved = service.get_enrolment(units, active)
    assert (moved.status, moved.end_date) == ("exited", dt.date(2025, 5, 1))
    assert service.get_enrolment(units, exited).status == "exited"
    assert audit_count(units, "enrolment") == before + 2
    event = units.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == str(active)).order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None
    assert event.changes is not None
    assert event.action == "status"
    assert event.changes["status"] == ["active", "exited"]
    assert event.changes["end_date"] == [None, "2025-05-01"]


PATH_TO = {
    "pending": (),
    "active": ("active",),
    "suspended": ("active", "suspended"),
    "exited": ("active", "exited"),
}


def test_every_pair_of_statuses_is_what_the_transition_table_says(
    units: Session, tmp_path: Path
) -> None:
    for current in ENROLMENT.statuses:
        for requested in ENROLMENT.statuses:
            nested = units.begin_nested()
            try:
                enrolment_id = _enrol(units, "P2", "nhi", *PATH_TO[current])
                end = "2025-04-01" if requested == "exited" else ""
                cells = row(
                    person_id="P2",
                    scheme="nhi",
                    status=requested,
                    start_date="2025-03-01",
                    end_date=end,
                )
                report = run(units, write_csv(tmp_path / "list.csv", [cells]))
                counts = report.counts["enrolments"]
                stored = service.get_enrolment(units, enrolment_id).status
                if current == requested:
                    assert (counts.unchanged, stored) == (1, current)
                elif ENROLMENT.allows(current, requested):
                    assert (counts.updated, stored) == (1, requested)
                else:
                    assert (counts.conflicts, stored) == (1, current)
            finally:
                nested.rollback()


def test_conflicts_with_registered_enrolments(units: Session, tmp_path: Path) -> None:
    open_id = _enrol(units, "P2", "mecg", "active")
    _enrol(units, "P3", "nhi", "active", "exited")  # ended 2025-04-01
    closed = _enrol(units, "P1", "nhi", "active", "exited")
    rows = [
        row(person_id="P2", scheme="mecg", status="active", start_date="2025-02-01"),
        row(person_id="P3", scheme="nhi", status="active", start_date="2025-04-01"),
        row(
            person_id="P1",
            scheme="nhi",
            status="exited",
            start_date="2025-03-01",
            end_date="2025-05-05",
        ),
        row(person_id="P4", scheme="nhi", status="active", start_date="2025-03-01"),
    ]
    report = run(units, write_csv(tmp_path / "list.csv", rows))
    assert problems(report, "conflict") == {
        (
            2,
            "start_date",
            f"P2 already has an open enrolment in mecg (enrolment {open_id}, "
            "active from 2025-03-01): it must exit before a new one starts "
            "(ມີການລົງທະບຽນທີ່ຍັງເປີດຢູ່ແລ້ວ)",
        ),
        (
            3,
            "start_date",
            "must be after the end of P3's previous enrolment in nhi "
            "(2025-04-01) (ຕ້ອງເລີ່ມຫຼັງການລົງທະບຽນຄັ້ງກ່ອນສິ້ນສຸດ)",
        ),
        (
            4,
            "end_date",
            f"enrolment {closed} is registered with end_date 2025-04-01 (ຂັດແຍ່ງກັບວັນທີສິ້ນສຸດທີ່ມີຢູ່)",
        ),
    }
    assert report.counts["enrolments"].imported == 1


def test_check_eligibility_refuses_ineligible_rows(units: Session, tmp_path: Path) -> None:
    rows = [
        row(person_id="P2", scheme="mecg", status="active", start_date="2025-03-01"),
        row(person_id="PX", scheme="mecg", status="active", start_date="2025-03-01"),
        row(household_id="HX", scheme="cct", status="pending", start_date="2025-03-01"),
        row(person_id="PW", scheme="nssf_private", status="active", start_date="2025-03-01"),
        row(person_id="PX", scheme="nssf_private", status="active", start_date="2025-03-01"),
    ]
    path = write_csv(tmp_path / "list.csv", rows)
    report = run(units, path, check_eligibility=True)
    assert problems(report) == {
        (3, "scheme", "not eligible on 2025-03-01: mecg.eligible = false (needs true) (ບໍ່ມີສິດ)"),
        (4, "scheme", "not eligible on 2025-03-01: cct.eligible = false (needs true) (ບໍ່ມີສິດ)"),
        (6, "scheme", "not eligible on 2025-03-01: nssf.scheme = none (needs private) (ບໍ່ມີສິດ)"),
    }
    assert {(e[0], e[1]) for e in enrolments(units)} == {("mecg", "P2"), ("nssf_private", "PW")}


def _state(session: Session) -> tuple[list[tuple[Any, ...]], int]:
    events = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return enrolments(session), int(events)


def test_all_or_nothing_writes_nothing_on_any_error(units: Session, tmp_path: Path) -> None:
    _enrol(units, "P3", "nhi", "active", "exited")
    before = _state(units)
    for bad in [
        row(person_id="NOBODY", scheme="nhi", status="active", start_date="2025-03-01"),
        row(person_id="P3", scheme="nhi", status="active", start_date="2025-03-01"),  # conflict
        row(person_id="PX", scheme="mecg", status="active", start_date="2025-03-01"),  # ineligible
    ]:
        good = row(person_id="P2", scheme="mecg", status="active", start_date="2025-03-01")
        report = run(
            units,
            write_csv(tmp_path / "list.csv", [good, bad]),
            all_or_nothing=True,
            check_eligibility=True,
        )
        assert report.refused == 1
        assert not report.written
        assert "Nothing was written" in report.summary()[0]
        assert _state(units) == before


def test_second_import_changes_nothing_and_says_so(units: Session, tmp_path: Path) -> None:
    _enrol(units, "P2", "mecg")
    rows = [
        row(person_id="P2", scheme="mecg", status="active", start_date="2025-03-01"),
        row(household_id="HC", scheme="cct", status="active", start_date="2025-03-01"),
    ]
    path = write_csv(tmp_path / "list.csv", rows)
    first = run(units, path)
    assert (first.counts["enrolments"].imported, first.counts["enrolments"].updated) == (1, 1)
    after_first = _state(units)
    second = run(units, path)
    counts = second.counts["enrolments"]
    assert (counts.imported, counts.updated, counts.unchanged) == (0, 0, 2)
    assert _state(units) == after_first
    assert second.summary()[-1].startswith("Nothing changed (ບໍ່ມີຫຍັງປ່ຽນແປງ): 2 rows")


PERSON_UNITS = ["P1", "P2", "P3", "P4", "C1", "C2", "PW", "PX"]
PERSON_SCHEMES = ["mecg", "nhi", "nssf_private", "nssf_voluntary"]
VALID_ROW = st.one_of(
    st.tuples(
        st.sampled_from(PERSON_UNITS),
        st.sampled_from(PERSON_SCHEMES),
        st.sampled_from(ENROLMENT.statuses),
        st.dates(dt.date(2020, 1, 1), dt.date(2025, 3, 1)),
        st.integers(0, 400),
    ),
    st.tuples(
        st.sampled_from(["HM", "HC", "HX"]),
        st.just("cct"),
        st.sampled_from(ENROLMENT.statuses),
        st.dates(dt.date(2020, 1, 1), dt.date(2025, 3, 1)),
        st.integers(0, 400),
    ),
)


def _valid_file(path: Path, drawn: list[tuple[str, str, str, dt.date, int]]) -> Path:
    rows = []
    for unit, scheme, status, start, days in drawn:
        end = min(start + dt.timedelta(days=days), TODAY) if status == "exited" else None
        unit_column = "household_id" if scheme == "cct" else "person_id"
        rows.append(
            row(
                **{unit_column: unit},
                scheme=scheme,
                status=status,
                start_date=start.isoformat(),
                end_date=end.isoformat() if end else "",
            )
        )
    return write_csv(path, rows)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    drawn=st.lists(VALID_ROW, min_size=1, max_size=12, unique_by=lambda r: (r[0], r[1])),
    registered=st.lists(st.sampled_from(PERSON_UNITS[:4]), max_size=3, unique=True),
)
def test_importing_a_valid_file_twice_equals_importing_it_once(
    people: Session, tmp_path: Path, drawn: list[Any], registered: list[str]
) -> None:
    nested = people.begin_nested()
    try:
        for unit in registered:
            _enrol(people, unit, "nhi")
        path = _valid_file(tmp_path / "list.csv", drawn)
        first = run(people, path)
        counts = first.counts["enrolments"]
        assert counts.rejected == 0
        once = _state(people)
        changed = counts.imported + counts.updated
        second = run(people, path)
        assert _state(people) == once
        assert second.counts["enrolments"].unchanged == counts.imported + counts.updated + (
            counts.unchanged
        )
        assert not second.changed
        events = audit_count(people, "enrolment")
        assert events == len(registered) + changed
    finally:
        nested.rollback()


def test_xlsx_with_lao_headers_through_the_cli(engine: Engine, db_url: str, tmp_path: Path) -> None:
    import xlsxwriter

    with unit_of_work(engine) as session:
        register(session, HOUSEHOLDS)
    path = tmp_path / "ລາຍຊື່.xlsx"
    headers = ["ລະຫັດບຸກຄົນ", "ລະຫັດຄົວເຮືອນ", "ໂຄງການ", "ສະຖານະ", "ວັນທີເລີ່ມ", "ເລກສະມາຊິກ", "Note"]
    cells = [
        ["P2", "", "mecg", "active", dt.date(2025, 3, 1), "M-1", "x"],
        ["", "HC", "cct", "pending", "2025-03-01", "", ""],
        ["ZZ", "", "nhi", "active", "2025-03-01", "", ""],
    ]
    date_format = {"num_format": "yyyy-mm-dd"}
    with xlsxwriter.Workbook(str(path)) as workbook:
        sheet = workbook.add_worksheet("enrolments")
        dates = workbook.add_format(date_format)
        sheet.write_row(0, 0, headers)
        for number, values in enumerate(cells, start=1):
            for column, value in enumerate(values):
                if isinstance(value, dt.date):
                    sheet.write_datetime(number, column, dt.datetime(2025, 3, 1), dates)
                else:
                    sheet.write(number, column, value)
    env = add_officers(engine)
    two = {"maker": env["central"], "checker": env["central2"]}
    options = ["--report", str(tmp_path / "r.csv")]
    result, approved = cli_import(db_url, path, *options, **two)
    assert result.exit_code == 0, result.output
    assert "enrolments / ການລົງທະບຽນ: 3 read, 2 imported" in result.output
    assert "enrolments row 4: person_id: is not a registered person" in result.output
    assert "columns ignored" in result.output
    assert "Note" in result.output
    report = pl.read_csv(tmp_path / "r.csv")
    assert report.filter(pl.col("kind") == "rejected")["row"].to_list() == [4]
    assert approved is not None
    assert approved.exit_code == 0, approved.output
    assert "imported: 2" in approved.output
    again, none = cli_import(db_url, path, *options, "--all-or-nothing", **two)
    assert (again.exit_code, none) == (1, None)  # row 4 still refused: nothing submitted
    good = tmp_path / "good.csv"
    write_csv(good, [row(person_id="P2", scheme="mecg", status="active", start_date="2025-03-01")])
    rerun, none = cli_import(db_url, good, **two)
    assert (rerun.exit_code, none) == (0, None), rerun.output
    assert "Nothing changed (ບໍ່ມີຫຍັງປ່ຽນແປງ): 1 rows" in rerun.output
    with unit_of_work(engine) as session:
        assert len(enrolments(session)) == 2


def test_an_unreadable_file_is_refused(engine: Engine, db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("person_id,ລະຫັດບຸກຄົນ,scheme\nP1,P1,nhi\n", "utf-8")
    env = add_officers(engine)["central"]
    command = ["enrolment", "import", str(path), "--db", db_url]
    result = CliRunner().invoke(build_app(), command, env=env)
    assert result.exit_code == 1
    assert "both give person_id" in result.output


# Bounded, honest files: the enrolment import reads through the registry importer's
# reading module (laosp.registry.import_file); tests/registry/test_import_limits.py
# covers each bound in depth.

GOOD = row(person_id="P2", scheme="mecg", status="active", start_date="2025-03-01")


def test_a_list_over_the_byte_limit_is_refused_through_the_cli(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unit_of_work(engine) as session:
        register(session, HOUSEHOLDS)
    env = add_officers(engine)
    with unit_of_work(engine) as session:
        before = _state(session)
    path = write_csv(tmp_path / "list.csv", [GOOD])
    size = path.stat().st_size
    monkeypatch.delenv("LAOSP_CONFIG_FILE", raising=False)
    monkeypatch.setenv("LAOSP_IMPORT_MAX_BYTES", str(size - 1))
    result, _ = cli_import(db_url, path, maker=env["central"], checker=env["central2"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a clean error, not an escaped one
    assert (
        f"list.csv: the file is {size:,} bytes, over the limit of {size - 1:,} bytes; split "
        "the file, or raise the setting import_max_bytes (environment LAOSP_IMPORT_MAX_BYTES)"
    ) in result.output
    with unit_of_work(engine) as session:
        assert _state(session) == before
    monkeypatch.setenv("LAOSP_IMPORT_MAX_BYTES", str(size))
    prepared, accepted = cli_import(db_url, path, maker=env["central"], checker=env["central2"])
    assert accepted is not None, prepared.output
    assert accepted.exit_code == 0, accepted.output
    with unit_of_work(engine) as session:
        assert len(enrolments(session)) == 1


def test_a_list_over_the_row_limit_is_refused(units: Session, tmp_path: Path) -> None:
    before = _state(units)
    path = write_csv(
        tmp_path / "list.csv",
        [GOOD, row(person_id="P4", scheme="mecg", status="active", start_date="2025-03-01")],
    )
    limits = replace(ImportLimits.defaults(), max_rows=1)
    with pytest.raises(
        UnreadableFile, match=r"list\.csv: at least 2 data rows, over the limit of 1 rows"
    ):
        run(units, path, limits=limits)
    assert _state(units) == before


def test_a_list_that_is_not_utf8_is_refused_with_its_line_and_byte(
    units: Session, tmp_path: Path
) -> None:
    before = _state(units)
    path = write_csv(
        tmp_path / "list.csv",
        [
            GOOD,
            row(
                person_id="P4",
                scheme="mecg",
                status="active",
                start_date="2025-03-01",
                member_number="No-X",
            ),
        ],
    )
    data = path.read_bytes().replace(b"No-X", b"N\xba-X")  # a Latin-1 "No"
    path.write_bytes(data)
    at = data.index(b"\xba")
    column = at - data.rindex(b"\n", 0, at)
    with pytest.raises(UnreadableFile) as refused:
        run(units, path)
    assert f"list.csv: line 3, byte {column} of the line (byte {at + 1} of the file)" in str(
        refused.value
    )
    assert _state(units) == before


def test_a_nul_in_a_cell_refuses_its_row(units: Session, tmp_path: Path) -> None:
    before = _state(units)
    bad = row(
        person_id="P4",
        scheme="mecg",
        status="active",
        start_date="2025-03-01",
        member_number="M\x00-4",
    )
    path = write_csv(tmp_path / "list.csv", [GOOD, bad])
    report = run(units, path, all_or_nothing=True)
    assert problems(report) == {
        (3, "member_number", "must not contain control characters such as NUL (ຫ້າມມີຕົວອັກສອນຄວບຄຸມ)")
    }
    assert not report.written
    assert _state(units) == before
    report = run(units, path)
    assert report.counts["enrolments"].imported == 1  # the other row
    assert [e[1] for e in enrolments(units)] == ["P2"]


@pytest.mark.parametrize("column", ["person_id", "national_id", "household_id"])
def test_a_nul_in_an_id_refuses_its_row_and_is_never_looked_up(
    units: Session, tmp_path: Path, column: str
) -> None:
    """PostgreSQL refuses a NUL even in a query: the id must not reach the lookups."""
    scheme = "cct" if column == "household_id" else "nhi"
    bad = row(scheme=scheme, status="active", start_date="2025-03-01", **{column: "P\x001"})
    path = write_csv(tmp_path / "list.csv", [GOOD, bad])
    report = run(units, path)
    rejected = report.problems.filter(pl.col("kind") == "rejected")
    assert rejected.select("row", "field", "value", "reason").rows() == [
        (
            3,
            column,
            "P\ufffd1",
            "must not contain control characters such as NUL (ຫ້າມມີຕົວອັກສອນຄວບຄຸມ)",
        )
    ]
    assert report.counts["enrolments"].imported == 1
    assert [e[1] for e in enrolments(units)] == ["P2"]


def test_a_compressed_bomb_of_a_list_is_refused(units: Session, tmp_path: Path) -> None:
    before = _state(units)
    path = tmp_path / "list.xlsx"
    same_row = '<row><c t="inlineStr"><is><t>P2</t></is></c></row>'  # 48 bytes
    write_workbook(path, "enrolments", [row_xml(1, HEADER), same_row * 100_000])  # 4.8 MB
    with pytest.raises(UnreadableFile, match="a decompression bomb, refused"):
        run(units, path)
    assert _state(units) == before


#: how long SQLite's write lock is held while the imports start and read (they then wait
#: for it at their insert; SQLite cannot show who waits)
SQLITE_HOLD_SECONDS = 12.0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_concurrent_imports_of_one_file_on_sqlite(
    engine: Engine, db_url: str, tmp_path: Path, pack: Pack
) -> None:
    """Three approvals (``laosp requests approve``) of three requests importing one new
    list read while the write lock is held, then meet at their insert: one enrols, the
    others are refused cleanly (exit 1, nothing written, "run the import again") or, had
    they read after it, change nothing; a re-run changes nothing. (PostgreSQL:
    ``test_concurrent_cli``.)"""
    with unit_of_work(engine) as session:
        register(session)
    env = add_officers(engine)
    listing = write_csv(tmp_path / "list.csv", [GOOD])
    maker = Principal("central", Role.central_officer)
    with unit_of_work(engine) as session:
        requests = [import_requests.prepare(session, pack, maker, listing) for _ in range(3)]
        ids = [str(r.request.id) for r in requests if r.request is not None]
    assert ids == ["1", "2", "3"]
    laosp = str(Path(sys.executable).parent / "laosp")
    checker = {**os.environ, **env["central2"]}
    writer = sqlite3.connect(str(make_url(db_url).database), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        runs = [
            subprocess.Popen(
                [laosp, "requests", "approve", request, "--db", db_url],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=checker,
            )
            for request in ids
        ]
        time.sleep(SQLITE_HOLD_SECONDS)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    outcomes = [(*run.communicate(timeout=120), run.returncode) for run in runs]
    codes = sorted(code for _, _, code in outcomes)
    assert codes[0] == 0, outcomes
    assert set(codes) <= {0, 1}, outcomes
    for out, err, code in outcomes:
        assert "Traceback" not in out + err
        if code:
            assert "nothing was written: run the import again, it is idempotent" in out + err
    with Session(engine) as session:
        assert enrolments(session) == [("mecg", "P2", None, "active", AT, None)]
        assert audit_count(session, "enrolment") == 1
    command = [laosp, "enrolment", "import", str(listing), "--db", db_url]
    again = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, **env["central"]},
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "Nothing changed" in again.stdout
