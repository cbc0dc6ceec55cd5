"""Bulk import of CSV/XLSX files: reports, all-or-nothing, extra columns, idempotence."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from laosp.cli import build_app
from laosp.db import unit_of_work
from laosp.models import AuditEvent, Household, Person
from laosp.registry.export import as_text, export_tables
from laosp.registry.importer import import_files

TODAY = dt.date(2025, 6, 1)
HOUSEHOLDS = [
    {
        "household_id": "H1",
        "district_code": "1703",
        "village_code": "1703008",
        "poor": "ແມ່ນ",
        "old_code": "A-1",
    },
    {"household_id": "H2", "district_code": "9999", "urban": "maybe"},
    {
        "household_id": "H3",
        "district_code": "0101",
        "village_code": "0102001",
        "registered_on": "2099-01-01",
    },
    {"household_id": "H4", "district_code": "0101"},
]
PERSONS = [
    {
        "person_id": "P1",
        "household_id": "H1",
        "relationship": "head",
        "given_name": "ບຸນເຫຼືອ",
        "family_name": "ແສງສຸລິນ",
        "sex": "M",
        "birth_date": "1996-03-02",
        "employment_status": "employed",
        "employment_type": "own_account",
        "sector": "agriculture",
        "earnings_monthly": "1500000",
        "tag": "x",
    },
    {
        "person_id": "P2",
        "household_id": "H1",
        "relationship": "spouse",
        "given_name": "ສົມພ່ອນ",
        "family_name": "ແສງສຸລິນ",
        "sex": "F",
        "birth_date": "2000",
        "pregnant": "yes",
        "pregnancy_month": "5",
    },
    {
        "person_id": "P3",
        "household_id": "H1",
        "relationship": "child",
        "given_name": "Somphone",
        "family_name": "Phommasône",
        "sex": "M",
        "birth_date": "2020-01-10",
        "mother_id": "P2",
    },
    {
        "person_id": "P4",
        "household_id": "H2",
        "relationship": "head",
        "given_name": "A",
        "family_name": "B",
        "sex": "M",
        "birth_date": "1980-01-01",
        "pregnant": "1",
    },
    {
        "person_id": "P5",
        "household_id": "H9",
        "relationship": "head",
        "given_name": "C",
        "family_name": "D",
        "sex": "X",
        "birth_date": "1980-13-01",
        "earnings_monthly": "-5",
    },
    {
        "person_id": "P6",
        "household_id": "H4",
        "relationship": "head",
        "given_name": "E",
        "family_name": "F",
        "sex": "M",
        "birth_date": "1970-01-01",
    },
    {
        "person_id": "P7",
        "household_id": "H4",
        "relationship": "child",
        "given_name": "G",
        "family_name": "F",
        "sex": "M",
        "birth_date": "2018-02-02",
        "employment_status": "employed",
        "mother_id": "P6",
    },
]


def _csv(tmp_path: Path, name: str, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / name
    pl.DataFrame(rows, infer_schema_length=None).write_csv(path)
    return path


def _count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _problems(report: Any) -> set[tuple[str, int, str, str | None, str]]:
    rows = report.problems.filter(pl.col("kind") == "rejected").iter_rows(named=True)
    return {(r["table"], r["row"], r["field"], r["value"], r["reason"]) for r in rows}


def test_bad_rows_reported_valid_rows_imported(engine: Engine, tmp_path: Path) -> None:
    files = {
        "households": _csv(tmp_path, "h.csv", HOUSEHOLDS),
        "persons": _csv(tmp_path, "p.csv", PERSONS),
    }
    with unit_of_work(engine) as session:
        report = import_files(session, **files, today=TODAY, actor="officer")
    problems = _problems(report)
    expected = {
        ("households", 3, "district_code", "9999", "'9999' is not one of the 148 district codes"),
        ("households", 3, "urban", "maybe", "must be true or false (or 1/0, yes/no, ແມ່ນ/ບໍ່)"),
        ("households", 4, "registered_on", "2099-01-01", "is in the future"),
        ("households", 4, "village_code", "0102001", "must start with the district code 0101"),
        ("households", 4, "members", None, "a household needs exactly one head (none given)"),
        ("persons", 5, "pregnant", "true", "only a woman (sex F) can be pregnant"),
        ("persons", 5, "pregnancy_month", None, "required when pregnant is true"),
        ("persons", 6, "sex", "X", "must be one of F, M (Sex / ເພດ)"),
        ("persons", 6, "birth_date", "1980-13-01", "must be a date (YYYY-MM-DD)"),
        ("persons", 6, "earnings_monthly", "-5", "must not be negative"),
        (
            "persons",
            6,
            "household_id",
            "H9",
            "no household with this id in the households file or the registry",
        ),
        ("persons", 8, "employment_status", "employed", "must be inactive for a child under 15"),
        ("persons", 8, "employment_type", None, "required when employment_status is employed"),
        ("persons", 8, "mother_id", "P6", "the mother must be a woman (sex F)"),
        ("persons", 7, "household_id", "H4", "household H4 is rejected with its members"),
        ("households", 5, "members", "P7", "member P7 (persons row 8) is rejected"),
    }
    assert expected <= problems, expected - problems
    counts = report.counts
    assert (counts["households"].imported, counts["households"].rejected) == (1, 3)
    assert (counts["persons"].imported, counts["persons"].rejected) == (3, 4)
    with unit_of_work(engine) as session:
        assert session.scalars(select(Household.household_id)).all() == ["H1"]
        spouse = session.get(Person, "P2")
        assert spouse is not None
        assert (spouse.birth_date, spouse.birth_date_precision) == (dt.date(2000, 1, 1), "year")
        assert spouse.name_key == "ສົມພອນ ແສງສຸລິນ"
        head = session.get(Person, "P1")
        assert head is not None
        assert head.extra == {"tag": "x"}
        assert session.get(Household, "H1").extra == {"old_code": "A-1"}  # type: ignore[union-attr]
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).all()
        assert [(e.actor, e.changes["counts"]["persons"]["imported"]) for e in events] == [  # type: ignore[index]
            ("officer", 3)
        ]
    notes = report.problems.filter(pl.col("kind") == "note")["field"].to_list()
    assert sorted(notes) == ["old_code", "tag"]


def test_all_or_nothing_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    files = {
        "households": _csv(tmp_path, "h.csv", HOUSEHOLDS),
        "persons": _csv(tmp_path, "p.csv", PERSONS),
    }
    with unit_of_work(engine) as session:
        report = import_files(session, **files, today=TODAY, all_or_nothing=True)
    assert not report.written
    assert report.counts["persons"].imported == 3  # would have been
    with unit_of_work(engine) as session:
        assert _count(session, Household) == 0
        assert _count(session, Person) == 0
        assert _count(session, AuditEvent) == 0


def test_conflicts_then_update(engine: Engine, tmp_path: Path) -> None:
    households = _csv(tmp_path, "h.csv", HOUSEHOLDS[:1])
    persons = _csv(tmp_path, "p.csv", PERSONS[:3])
    with unit_of_work(engine) as session:
        import_files(session, households=households, persons=persons, today=TODAY)
    changed = [dict(PERSONS[2], pregnant="no", mother_id="", relationship="grandchild")]
    persons2 = _csv(tmp_path, "p2.csv", changed)
    with unit_of_work(engine) as session:
        report = import_files(session, persons=persons2, today=TODAY)
    conflict = report.problems.filter(pl.col("kind") == "conflict").row(0, named=True)
    assert conflict["row"] == 2
    assert "relationship" in conflict["reason"]
    assert report.counts["persons"].conflicts == 1
    with unit_of_work(engine) as session:
        report = import_files(session, persons=persons2, today=TODAY, update=True)
    assert report.counts["persons"].updated == 1
    with unit_of_work(engine) as session:
        child = session.get(Person, "P3")
        assert child is not None
        assert (child.relationship, child.mother_id) == ("grandchild", None)


def test_an_update_never_imports_an_identity_correction(engine: Engine, tmp_path: Path) -> None:
    """Who a person is (names, birth date, sex, national id) changes only through a
    correction that a second person approves, never through a bulk import."""
    households = _csv(tmp_path, "h.csv", HOUSEHOLDS[:1])
    persons = _csv(tmp_path, "p.csv", PERSONS[:3])
    with unit_of_work(engine) as session:
        import_files(session, households=households, persons=persons, today=TODAY)
    renamed = dict(PERSONS[2], given_name="Somphong")
    moved_on = dict(PERSONS[1], relationship="other")
    persons2 = _csv(tmp_path, "p2.csv", [moved_on, renamed])
    with unit_of_work(engine) as session:
        report = import_files(session, persons=persons2, today=TODAY, update=True)
    held = report.problems.filter(pl.col("kind") == "conflict").rows(named=True)
    assert [(r["row"], r["record_id"]) for r in held] == [(3, "P3")]
    assert held[0]["reason"].startswith("would change who this person is (given_name)")
    assert (report.counts["persons"].updated, report.counts["persons"].conflicts) == (1, 1)
    with unit_of_work(engine) as session:
        child, mother = session.get(Person, "P3"), session.get(Person, "P2")
        assert child is not None
        assert mother is not None
        assert (child.given_name, mother.relationship) == ("Somphone", "other")


@pytest.mark.usefixtures("cli_signed_in")
def test_xlsx_and_cli(db_url: str, tmp_path: Path) -> None:
    households = tmp_path / "h.xlsx"
    persons = tmp_path / "p.xlsx"
    pl.DataFrame(HOUSEHOLDS[:1]).write_excel(households, worksheet="households")
    people = pl.DataFrame(PERSONS[:3], infer_schema_length=None).with_columns(
        pl.col("birth_date").replace("2000", "2000-01-01").str.to_date()
    )
    people.write_excel(persons, worksheet="persons")
    report = tmp_path / "report.json"
    args = ["registry", "import", "--households", str(households), "--persons", str(persons)]
    args += ["--db", db_url, "--report", str(report)]
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 0, result.output
    assert "persons / ບຸກຄົນ: 3 read, 3 imported" in result.output
    assert json.loads(report.read_text("utf-8"))["counts"]["households"]["imported"] == 1
    again = CliRunner().invoke(build_app(), args)
    assert "persons / ບຸກຄົນ: 3 read, 0 imported, 3 unchanged" in again.output


NAMES = st.text(
    st.sampled_from("abcdeghklmnoprstuvxyອກຂງຈສຊຍດຕຖທນບປຜຝພຟມຢຣລວຫອຮ່້ິີ"), min_size=1, max_size=12
)


@st.composite
def files(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    households, persons = [], []
    for h in range(draw(st.integers(1, 4))):
        households.append(
            {
                "household_id": f"PH{h}",
                "district_code": draw(st.sampled_from(["0101", "1703", "1201"])),
                "urban": draw(st.sampled_from(["true", "false"])),
                "poor": draw(st.sampled_from(["true", "false"])),
                "registered_on": draw(st.sampled_from(["", "2019-05-04"])),
                "note": draw(st.sampled_from(["", "x"])),
            }
        )
        for p in range(draw(st.integers(1, 3))):
            persons.append(
                {
                    "person_id": f"PP{h}-{p}",
                    "household_id": f"PH{h}",
                    "relationship": "head" if p == 0 else "child",
                    "given_name": draw(NAMES),
                    "family_name": draw(NAMES),
                    "sex": draw(st.sampled_from(["F", "M"])),
                    "birth_date": draw(st.dates(dt.date(1930, 1, 1), TODAY)).isoformat(),
                    "disability": draw(st.sampled_from(["none", "severe"])),
                    "nssf_contribution_months": str(draw(st.integers(0, 1200))),
                }
            )
    return households, persons


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=files())
def test_import_twice_then_export(
    session: Session, tmp_path: Path, data: tuple[list[dict[str, Any]], list[dict[str, Any]]]
) -> None:
    households, persons = _csv(tmp_path, "h.csv", data[0]), _csv(tmp_path, "p.csv", data[1])
    savepoint = session.begin_nested()
    try:
        first = import_files(session, households=households, persons=persons, today=TODAY)
        assert first.refused == 0, first.problems
        before = export_tables(session)
        audits = _count(session, AuditEvent)
        second = import_files(session, households=households, persons=persons, today=TODAY)
        assert second.counts["persons"].unchanged == len(data[1])
        assert second.counts["households"].unchanged == len(data[0])
        after = export_tables(session)
        assert before[0].equals(after[0])
        assert before[1].equals(after[1])
        assert _count(session, AuditEvent) == audits
        # exporting gives the records that were imported
        exported = tmp_path / "exported.csv"
        as_text(after[1]).write_csv(exported)
        third = import_files(session, persons=exported, today=TODAY)
        assert third.counts["persons"].unchanged == len(data[1]), third.problems
        got = after[1].select("person_id", "given_name", "family_name", "sex").rows()
        want = [(p["person_id"], p["given_name"], p["family_name"], p["sex"]) for p in data[1]]
        assert sorted(got) == sorted(want)
    finally:
        savepoint.rollback()
