"""``laosp synth`` against real databases: calibration, replacement, files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import typer
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from laosp.models import Enrolment, Household, Person
from laosp.rules.pack import load_pack
from laosp.synth.build import build_demo_population, synthesise
from laosp.synth.calibration import calibration
from laosp.synth.cli import register
from laosp.synth.population import Config

AT = "2026-06-30"


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("version")
    def _version() -> None:  # a second command keeps ``synth`` a named subcommand
        return None

    return app


@pytest.mark.slow
def test_calibration_passes(db_url: str, backend: str) -> None:
    """``laosp synth --scale 0.1 --report`` (PostgreSQL at 0.02 to keep CI short)."""
    scale = "0.1" if backend == "sqlite" else "0.02"
    result = CliRunner().invoke(
        _app(),
        ["synth", "--db", db_url, "--scale", scale, "--seed", "11", "--date", AT, "--report"],
    )
    assert result.exit_code == 0, result.output
    assert "NO" not in result.output


def test_report_fails_when_a_target_is_missed(engine: Engine) -> None:
    synthesise(engine, Config(scale=0.002, seed=3, at=dt.date(2026, 6, 30)), load_pack())
    results = {r.target.key: r for r in calibration(engine, 0.004, dt.date(2026, 6, 30))}
    assert not results["persons"].ok
    assert results["female"].ok


def test_refuses_then_replaces(engine: Engine, db_url: str) -> None:
    config = Config(scale=0.001, seed=5, at=dt.date(2026, 6, 30))
    synthesise(engine, config, load_pack())
    with engine.connect() as connection:
        persons = connection.scalar(select(func.count()).select_from(Person))
        enrolments = connection.scalar(select(func.count()).select_from(Enrolment))
    result = CliRunner().invoke(_app(), ["synth", "--db", db_url, "--scale", "0.001"])
    assert result.exit_code == 1
    assert "--replace" in result.output
    synthesise(engine, config, load_pack(), replace=True)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Person)) == persons
        assert connection.scalar(select(func.count()).select_from(Enrolment)) == enrolments
        heads = connection.scalar(
            select(func.count()).select_from(Person).where(Person.relationship == "head")
        )
        assert heads == connection.scalar(select(func.count()).select_from(Household))


def test_duplicates_truth_and_parquet(engine: Engine, tmp_path: Path) -> None:
    truth = tmp_path / "pairs.csv"
    population = synthesise(
        engine,
        Config(scale=0.001, seed=9, at=dt.date(2026, 6, 30), duplicates=0.05),
        load_pack(),
        parquet=tmp_path / "parquet",
        truth=truth,
    )
    pairs = pl.read_csv(truth)
    assert pairs.height == population.duplicate_pairs.height > 0
    ids = set(population.people["person_id"])
    assert set(pairs["person_id"]) <= ids
    assert set(pairs["duplicate_id"]) <= ids
    assert (tmp_path / "parquet" / "persons.parquet").exists()
    assert pl.read_parquet(tmp_path / "parquet" / "persons.parquet").height == len(ids)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Person)) == len(ids)


def test_demo_population(engine: Engine) -> None:
    population = build_demo_population(engine, load_pack(), scale=0.001, at=dt.date(2026, 6, 30))
    again = build_demo_population(engine, load_pack(), scale=0.001, at=dt.date(2026, 6, 30))
    assert again.people.equals(population.people)


def test_synthetic_cycles_reconcile(engine: Engine) -> None:
    """Synthetic payments follow the ledger's books: a cancelled payment keeps its amount,
    and every cycle balances (scheduled = paid + failed + cancelled + outstanding)."""
    from sqlalchemy.orm import Session

    from laosp.ledger.reconciliation import reconcile
    from laosp.models import BenefitPayment, PaymentCycle

    build_demo_population(engine, load_pack(), scale=0.005, at=dt.date(2026, 6, 30))
    with Session(engine) as session:
        cancelled = session.scalars(
            select(BenefitPayment.amount).where(BenefitPayment.status == "cancelled")
        ).all()
        assert cancelled, "the synthetic population should have cancelled CCT payments"
        assert min(cancelled) > 0
        for cycle_id in session.scalars(select(PaymentCycle.id)).all():
            books = reconcile(session, cycle_id)
            assert books.balanced, books.problems
            assert books.total.scheduled == books.total.settled + books.total.outstanding
