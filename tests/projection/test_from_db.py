"""``laosp project --from-db``: the base population and the base year's take-up from a
small synthetic registry, checked against counts made with plain SQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import typer
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from laosp.projection.cli import register
from laosp.projection.registry_inputs import registry_inputs
from laosp.registry.snapshot import load_snapshot
from laosp.rules.pack import Pack
from laosp.synth.build import synthesise
from laosp.synth.population import Config

AT = dt.date(2026, 6, 30)
ACTIVE = (
    "SELECT count(*) FROM enrolments WHERE scheme = :scheme AND status = 'active' "
    "AND start_date <= :at AND (end_date IS NULL OR end_date >= :at)"
)


def completed_months(born: dt.date, at: dt.date) -> int:
    return (at.year - born.year) * 12 + at.month - born.month - (at.day < born.day)


def mecg_eligible_by_hand(engine: Engine, pack: Pack) -> int:
    """The MECG rule read from the pack's parameters, applied row by row in Python."""
    params = pack.params_at(AT)
    districts = set(params["mecg.districts"])
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT h.district_code, p.pregnant, p.pregnancy_month, p.birth_date "
                "FROM persons p JOIN households h ON h.household_id = p.household_id"
            )
        ).all()
    eligible = 0
    for district, pregnant, month, born in rows:
        born = born if isinstance(born, dt.date) else dt.date.fromisoformat(born)
        pregnant_enough = bool(pregnant) and (month or 0) >= params["mecg.min_pregnancy_month"]
        infant = completed_months(born, AT) < params["mecg.child_age_months_under"]
        eligible += district in districts and (pregnant_enough or infant)
    return eligible


@pytest.mark.slow
def test_base_population_and_take_up_from_the_registry(
    engine: Engine, db_url: str, pack: Pack
) -> None:
    synthesise(engine, Config(scale=0.001, seed=3, at=AT), pack)
    registry = engine
    inputs = registry_inputs(
        load_snapshot(registry, ("persons", "households", "enrolments")), pack, AT
    )
    with registry.connect() as connection:
        by_province_sex = connection.execute(
            text(
                "SELECT substr(h.district_code, 1, 2), p.sex, count(*) FROM persons p "
                "JOIN households h ON h.household_id = p.household_id "
                "WHERE p.birth_date <= :at GROUP BY 1, 2"
            ),
            {"at": AT},
        ).all()
        infants = connection.execute(
            text("SELECT count(*) FROM persons WHERE birth_date > :year_ago AND birth_date <= :at"),
            {"year_ago": dt.date(2025, 6, 30), "at": AT},
        ).scalar_one()
        aged_65 = connection.execute(
            text("SELECT count(*) FROM persons WHERE birth_date > :a AND birth_date <= :b"),
            {"a": dt.date(1960, 6, 30), "b": dt.date(1961, 6, 30)},
        ).scalar_one()
        mecg_active = connection.execute(text(ACTIVE), {"scheme": "mecg", "at": AT}).scalar_one()
    base = inputs.base
    index = {code: i for i, code in enumerate(base.province_codes)}
    for province, sex, count in by_province_sex:
        assert base.counts[index[province], {"F": 0, "M": 1}[sex]].sum() == count
    assert inputs.persons == sum(count for _, _, count in by_province_sex)
    assert base.counts[:, :, 0].sum() == infants
    assert base.counts[:, :, 65].sum() == aged_65
    mecg = inputs.take_up["mecg"]
    assert mecg.enrolled == mecg_active
    assert mecg.eligible == mecg_eligible_by_hand(registry, pack)
    assert mecg.eligible > 0

    # the command: the same figures, and the assumptions say where they come from
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(
        app,
        [
            "project",
            "-s",
            "lao_default",
            "--from-db",
            "--db",
            db_url,
            "--date",
            "2026-06-30",
            "--to",
            "2026",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    scenario = json.loads(result.stdout)["scenarios"][0]
    rows = {row["assumption"]: row for row in scenario["assumptions"]}
    assert rows["demography.base"]["source"].startswith("registry at 2026-06-30")
    with registry.connect() as connection:
        total = connection.execute(text("SELECT count(*) FROM persons")).scalar_one()
        active = connection.execute(text(ACTIVE), {"scheme": "mecg", "at": AT}).scalar_one()
    assert scenario["summary"][0]["population"] == total
    eligible = mecg_eligible_by_hand(registry, pack)
    take_up = rows["schemes.mecg.take_up"]
    assert take_up["value"] == f"{min(1.0, active / eligible):.4f} in 2025"
    assert f"{active:,} active enrolments ÷ {eligible:,} eligible" in take_up["source"]
    first = next(row for row in scenario["schemes"] if row["scheme"] == "mecg")
    assert first["take_up"] == pytest.approx(min(1.0, active / eligible))
