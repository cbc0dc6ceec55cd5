"""Deduplication: planted near-duplicates are found, distinct people are not paired."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from laosp.cli import build_app
from laosp.db import unit_of_work
from laosp.registry import service
from laosp.registry.dedup import find_duplicates, load_persons


def _person(
    pid: str, rel: str, given: str, family: str, sex: str, born: str, **more: Any
) -> dict[str, Any]:
    return {"person_id": pid, "relationship": rel, "given_name": given, "family_name": family,
            "sex": sex, "birth_date": born, **more}  # fmt: skip


REGISTRY = [
    {"household_id": "D1", "district_code": "0101", "village_code": "0101001", "members": [
        _person("A1", "head", "Somphone", "Phommasone", "M", "1980-04-12"),
        _person("A2", "spouse", "ສົມພ່ອນ", "ແສງສຸລິນ", "F", "1985-02-03"),
        _person("A3", "child", "Noy", "Phommasone", "F", "2010-06-01", mother_id="A2"),
        _person("A4", "child", "Nang", "Phommasone", "F", "2010-06-01", mother_id="A2"),  # twin
        _person("A5", "parent", "Somphone", "Phommasone", "M", "1950-01-01"),  # his father
    ]},
    {"household_id": "D2", "district_code": "0101", "village_code": "0101002", "members": [
        _person("B1", "head", "Sompone", "Pommasone", "M", "1980-04-13"),  # ph/p, a day slip
        _person("B2", "spouse", "ສົມພອນ", "ແສງສຸລິນ", "F", "1985-02-03"),  # tone marks dropped
        _person("B3", "child", "Khamla", "Pommasone", "M", "2012-09-09"),
    ]},
    {"household_id": "D3", "district_code": "0102", "members": [
        _person("C1", "head", "Somphone", "Phommasone", "M", "1980-04-12"),  # other district
    ]},
]  # fmt: skip


def _load(session: Session) -> None:
    for household in REGISTRY:
        service.add_household(session, household)


def test_finds_planted_and_not_distinct(session: Session) -> None:
    savepoint = session.begin_nested()
    try:
        _load(session)
        pairs = find_duplicates(load_persons(session))
        found = {tuple(sorted(p)) for p in pairs.select("person_id", "duplicate_id").rows()}
        assert found == {("A1", "B1"), ("A2", "B2")}
        reasons = dict(zip(pairs["person_id"], pairs["reasons"], strict=True))
        assert "birth dates 1 days apart" in reasons["A1"]
        assert "same birth date" in reasons["A2"]
        assert load_persons(session, "0102")["person_id"].to_list() == ["C1"]
    finally:
        savepoint.rollback()


def test_empty_and_single() -> None:
    frame = pl.DataFrame(schema={"person_id": pl.String})
    assert find_duplicates(frame).height == 0


def test_cli(engine: Any, db_url: str, tmp_path: Path) -> None:
    with unit_of_work(engine) as session:
        _load(session)
    out = tmp_path / "pairs.json"
    args = ["registry", "duplicates", "--db", db_url, "--format", "json", "--output", str(out)]
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text("utf-8"))
    assert {tuple(sorted((r["person_id"], r["duplicate_id"]))) for r in rows} == {
        ("A1", "B1"),
        ("A2", "B2"),
    }
    table = CliRunner().invoke(
        build_app(), ["registry", "duplicates", "--db", db_url, "--district", "0102"]
    )
    assert table.exit_code == 0, table.output
    assert "0 pairs" in table.output
