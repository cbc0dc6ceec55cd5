"""The 2030 tracker on a hand-made registry in a real database (SQLite and PostgreSQL):
eligible, enrolled, the gap and its cost per province and scheme, by hand."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import typer
from sqlalchemy import Engine, insert
from typer.testing import CliRunner

from laosp.models import Enrolment, Household, Person
from laosp.projection.cli import register
from laosp.projection.engine import run_projection
from laosp.projection.loading import load_scenario
from laosp.projection.registry_inputs import tracker
from laosp.registry.snapshot import load_snapshot
from laosp.rules.pack import Pack

AT = dt.date(2026, 6, 30)


def person(person_id: str, household: str, sex: str, born: dt.date, **extra: Any) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "household_id": household,
        "relationship": "head" if person_id.endswith("1") else "child",
        "given_name": person_id,
        "family_name": "Test",
        "name_key": person_id.lower(),
        "sex": sex,
        "birth_date": born,
        "pregnant": False,
        "pregnancy_month": None,
        **extra,
    }


def write_registry(engine: Engine) -> None:
    """Attapeu (district 1703, MECG pilot): a mother 5 months pregnant (A1) and a baby of
    3 months (A2, enrolled), a child of 29 months (A3, an exited enrolment). Savannakhet
    (district 1306, MECG pilot; a CCT province), a poor household: a baby of 5 months
    (S2, not enrolled). Vientiane Capital (0101): a baby of 4 months (V2)."""
    households = [
        {"household_id": "A", "district_code": "1703", "poor": False},
        {"household_id": "S", "district_code": "1306", "poor": True},
        {"household_id": "V", "district_code": "0101", "poor": False},
    ]
    persons = [
        person("A1", "A", "F", dt.date(1995, 1, 1), pregnant=True, pregnancy_month=5),
        person("A2", "A", "F", dt.date(2026, 3, 1)),
        person("A3", "A", "M", dt.date(2024, 1, 1)),
        person("S1", "S", "F", dt.date(1990, 5, 5)),
        person("S2", "S", "M", dt.date(2026, 1, 15)),
        person("V1", "V", "M", dt.date(1980, 2, 2)),
        person("V2", "V", "F", dt.date(2026, 2, 1)),
    ]
    enrolments = [
        {
            "scheme": "mecg",
            "person_id": "A2",
            "status": "active",
            "start_date": dt.date(2026, 4, 1),
            "end_date": None,
        },
        {
            "scheme": "mecg",
            "person_id": "A3",
            "status": "exited",
            "start_date": dt.date(2024, 2, 1),
            "end_date": dt.date(2025, 1, 1),
        },
    ]
    with engine.begin() as connection:
        connection.execute(insert(Household.__table__), households)  # type: ignore[arg-type]
        connection.execute(insert(Person.__table__), persons)  # type: ignore[arg-type]
        connection.execute(insert(Enrolment.__table__), enrolments)  # type: ignore[arg-type]


def test_gap_and_cost_per_province(engine: Engine, pack: Pack) -> None:
    write_registry(engine)
    snapshot = load_snapshot(engine, ("persons", "households", "enrolments"))
    projection = run_projection(load_scenario("lao_default", pack))
    frame = tracker(snapshot, pack, AT, projection)
    rows = {(r["province_code"], r["scheme"]): r for r in frame.iter_rows(named=True)}

    attapeu = rows[("17", "mecg")]
    assert attapeu["province_en"] == "Attapeu"
    assert attapeu["scheme_en"] == "Mother and Early Childhood Grant"
    assert attapeu["scheme_lo"] == "ເງິນອຸດໜູນແມ່ ແລະ ເດັກອ່ອນ"
    # A1 (pregnant, month 5) and A2 (3 months) qualify; A2 is enrolled; A3's ended
    assert (attapeu["eligible"], attapeu["enrolled"], attapeu["gap"]) == (2, 1, 1)
    assert attapeu["coverage"] == 0.5
    assert attapeu["annual_cost_lak"] == 150_000 * 12  # the pack's amount, one person

    savannakhet = rows[("13", "mecg")]
    assert (savannakhet["eligible"], savannakhet["enrolled"], savannakhet["gap"]) == (1, 0, 1)
    assert savannakhet["annual_cost_lak"] == 1_800_000
    cct = rows[("13", "cct")]  # a poor household with a child under 24 months
    assert (cct["eligible"], cct["enrolled"], cct["gap"]) == (1, 0, 1)
    assert cct["annual_cost_lak"] == 260_000 * 12
    assert ("01", "mecg") not in rows  # no one eligible or enrolled there

    # 2030: the gap's cost grows with the projected age-0 children of the province (the
    # MECG's cell rule; a fixed amount, no indexation)
    population = projection.population.population
    province = projection.province_codes.index("17")
    years = list(projection.years)
    growth = population[years.index(2030), province, :, 0].sum() / (
        population[years.index(2026), province, :, 0].sum()
    )
    assert attapeu["cost_2030_lak"] == round(1_800_000 * growth)
    assert rows[("17", "nhi")]["annual_cost_lak"] is None  # no amount in the pack


def test_tracker_command_writes_names(engine: Engine, db_url: str) -> None:
    write_registry(engine)
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    result = runner.invoke(
        app, ["project", "tracker", "--db", db_url, "--date", "2026-06-30", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    mecg = next(r for r in rows if r["province_code"] == "17" and r["scheme"] == "mecg")
    assert mecg["province_lo"] == "ອັດຕະປື"
    assert mecg["gap"] == 1
    table = runner.invoke(app, ["project", "tracker", "--db", db_url, "--date", "2026-06-30"])
    assert table.exit_code == 0, table.output
    assert "Attapeu" in table.output
    assert "ອັດຕະປື" in table.output
    bad = runner.invoke(app, ["project", "tracker", "--db", db_url, "--date", "someday"])
    assert bad.exit_code == 2
    assert "--date" in bad.output
