"""Indicators at a past date use the registry as it was then (``load_snapshot(at=)``):
statuses and person and household fields changed afterwards, through the services as
officers change them, do not change the indicators of an earlier date.

The check is against a second database on which only what had happened by ``T1`` was
done: the registry rebuilt as it was then.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from laosp.api.analytics import compute_coverage
from laosp.db import make_engine
from laosp.enrolment.service import enrol, set_status
from laosp.indicators.engine import compute_indicators
from laosp.indicators.frames import from_snapshot
from laosp.registry.changes import update_household, update_person
from laosp.registry.snapshot import TABLES, load_snapshot
from laosp.reports.coverage import load_coverage_brief
from laosp.rules.pack import Pack, load_pack
from tests.conftest import _template_for
from tests.operations.conftest import HOUSEHOLDS, register

T1 = dt.date(2025, 3, 1)
AFTER = dt.date(2025, 6, 1)
BY = ("sex",)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack()


def _until_t1(session: Session, pack: Pack) -> dict[str, int]:
    """What had happened by T1: the households registered, MECG for P2 (active),
    CCT for household HC (active), NHI for PX (pending)."""
    register(session, HOUSEHOLDS)
    today = T1
    ids = {}
    for key, scheme, unit, on in (
        ("mecg", "mecg", "P2", dt.date(2025, 2, 1)),
        ("cct", "cct", "HC", dt.date(2025, 2, 1)),
        ("nhi", "nhi", "PX", dt.date(2025, 2, 1)),
    ):
        ids[key] = enrol(
            session,
            pack,
            scheme=scheme,
            unit_id=unit,
            on=on,
            today=today,
            check_eligibility=False,
        ).id
    set_status(session, ids["mecg"], "active", on=dt.date(2025, 2, 10), today=today)
    set_status(session, ids["cct"], "active", on=dt.date(2025, 2, 10), today=today)
    return ids


def _after_t1(session: Session, ids: dict[str, int]) -> None:
    """Officers' changes after T1: statuses, person fields, a household field."""
    set_status(session, ids["mecg"], "suspended", on=dt.date(2025, 4, 1), today=AFTER)
    set_status(session, ids["cct"], "exited", on=dt.date(2025, 5, 1), today=AFTER)
    set_status(session, ids["nhi"], "active", on=dt.date(2025, 4, 2), today=AFTER)
    update_person(
        session,
        "PW",
        {
            "employment_status": "unemployed",
            "employment_type": None,
            "employer_type": None,
            "formal": False,
            "sector": None,
            "earnings_monthly": 0,
        },
        today=dt.date(2025, 4, 15),
    )
    update_person(session, "PX", {"disability": "severe"}, today=dt.date(2025, 5, 2))
    update_person(session, "PX", {"disability": "moderate"}, today=AFTER)
    update_household(session, "HC", {"poor": False, "district_code": "0101"}, today=AFTER)


def _indicators(engine: Engine, pack: Pack, at: dt.date | None) -> pl.DataFrame:
    snapshot = load_snapshot(engine, TABLES, at=at)
    return compute_indicators(from_snapshot(snapshot), T1, BY, pack=pack)


def _second_database(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    template = _template_for(backend, request, tmp_path_factory)
    if backend == "sqlite":
        path = tmp_path / "rebuilt.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    server = request.getfixturevalue("_postgres")
    return str(server.url(server.create(template=template)))


@pytest.mark.slow
def test_indicators_at_a_past_date_match_the_registry_rebuilt_as_it_was(
    engine: Engine,
    backend: str,
    pack: Pack,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with Session(engine) as session, session.begin():
        ids = _until_t1(session, pack)
    before = _indicators(engine, pack, None)
    dashboard_before = compute_coverage(engine, pack, T1)
    coverage_brief_before = load_coverage_brief(engine, pack, T1)
    with Session(engine) as session, session.begin():
        _after_t1(session, ids)
    # the naive reading (today's statuses and fields) gives other numbers at T1 ...
    assert not before.equals(_indicators(engine, pack, None))
    # ... the history gives the numbers taken at T1
    assert_frame_equal(_indicators(engine, pack, T1), before)
    # the dashboard, the API and the coverage brief read the registry the same way
    dashboard = compute_coverage(engine, pack, T1)
    for table in ("national", "by_province", "by_district", "gaps"):
        assert_frame_equal(getattr(dashboard, table), getattr(dashboard_before, table))
    brief = load_coverage_brief(engine, pack, T1)
    for table in ("headline", "by_place", "by_sex", "gaps"):
        assert_frame_equal(getattr(brief, table), getattr(coverage_brief_before, table))

    rebuilt = make_engine(_second_database(backend, request, tmp_path, tmp_path_factory))
    try:
        with Session(rebuilt) as session, session.begin():
            _until_t1(session, pack)
        assert_frame_equal(_indicators(rebuilt, pack, None), before)
        assert_frame_equal(_indicators(rebuilt, pack, T1), before)
    finally:
        rebuilt.dispose()


def test_the_snapshot_at_a_date_holds_the_values_of_then(engine: Engine, pack: Pack) -> None:
    """Worked by hand from the changes above: at 2025-04-20 PW is unemployed (changed
    2025-04-15), PX has no disability yet (severe from 2025-05-02), MECG is suspended
    (2025-04-01), CCT still active with no end date (exited 2025-05-01), HC still poor."""
    with Session(engine) as session, session.begin():
        ids = _until_t1(session, pack)
        _after_t1(session, ids)
    day = dt.date(2025, 4, 20)
    snapshot = load_snapshot(engine, ("persons", "households", "enrolments"), at=day)
    persons = {r["person_id"]: r for r in snapshot.persons.iter_rows(named=True)}
    assert persons["PW"]["employment_status"] == "unemployed"
    assert persons["PW"]["formal"] is False
    assert persons["PX"]["disability"] == "none"
    households = {r["household_id"]: r for r in snapshot.households.iter_rows(named=True)}
    assert households["HC"]["poor"] is True
    assert households["HC"]["province_code"] == "06"
    assert snapshot.enrolments is not None
    statuses = {
        r["id"]: (r["status"], r["end_date"]) for r in snapshot.enrolments.iter_rows(named=True)
    }
    assert statuses[ids["mecg"]] == ("suspended", None)
    assert statuses[ids["cct"]] == ("active", None)
    assert statuses[ids["nhi"]] == ("active", None)
    # one household's snapshot (an explanation at that date) reads its own history
    one = load_snapshot(engine, household_ids=["HX"], at=day)
    assert one.persons.filter(pl.col("person_id") == "PW")["formal"].item() is False
    assert set(one.persons["person_id"]) == {"PW", "PX"}
    # between the two disability changes, and after them
    at_may = load_snapshot(engine, ("persons", "households"), at=dt.date(2025, 5, 20))
    assert at_may.persons.filter(pl.col("person_id") == "PX")["disability"].item() == "severe"
    now = load_snapshot(engine, ("persons", "households", "enrolments"), at=AFTER)
    assert now.persons.filter(pl.col("person_id") == "PX")["disability"].item() == "moderate"
    assert now.households.filter(pl.col("household_id") == "HC")["poor"].item() is False
    assert now.enrolments is not None
    cct = now.enrolments.filter(pl.col("id") == ids["cct"])
    assert cct.select("status", "end_date").row(0) == ("exited", dt.date(2025, 5, 1))
    # before an enrolment started, it is not in the registry of that day
    early = load_snapshot(engine, ("persons", "households", "enrolments"), at=dt.date(2025, 1, 1))
    assert early.enrolments is not None
    assert early.enrolments.is_empty()
