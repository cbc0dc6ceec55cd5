"""The bulk load drops indexes and foreign keys for speed: after it (or after a failed
load) the schema is exactly that of a freshly migrated database, and the constraints
hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Engine, func, inspect, select, text

from laosp.models import Household, Person
from laosp.rules.pack import load_pack
from laosp.synth import build
from laosp.synth.build import build_population, synthesise
from laosp.synth.bulk import TABLES
from laosp.synth.population import Config
from laosp.synth.writer import write_tables

CONFIG = Config(scale=0.001, seed=5, at=dt.date(2026, 6, 30))


def _schema(engine: Engine) -> dict[str, Any]:
    """Indexes, foreign keys, unique and check constraints of the loaded tables."""
    inspector = inspect(engine)
    out: dict[str, Any] = {}
    for table in TABLES:
        out[table] = {
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "foreign_keys": sorted(
                (
                    f["name"] or "",
                    tuple(f["constrained_columns"]),
                    f["referred_table"],
                    tuple(f["referred_columns"]),
                    str(f["options"].get("ondelete")),
                )
                for f in inspector.get_foreign_keys(table)
            ),
            "primary_key": tuple(inspector.get_pk_constraint(table)["constrained_columns"]),
            "checks": sorted(str(c["name"]) for c in inspector.get_check_constraints(table)),
        }
    return out


def _not_validated(engine: Engine) -> list[str]:
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as connection:
        return list(
            connection.scalars(text("SELECT conname FROM pg_constraint WHERE NOT convalidated"))
        )


def test_load_restores_indexes_and_constraints(engine: Engine) -> None:
    fresh = _schema(engine)
    assert fresh["persons"]["foreign_keys"]
    assert fresh["enrolments"]["indexes"]
    synthesise(engine, CONFIG, load_pack())
    assert _schema(engine) == fresh
    assert _not_validated(engine) == []
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    synthesise(engine, CONFIG, load_pack(), replace=True)
    assert _schema(engine) == fresh
    assert _not_validated(engine) == []


def test_the_database_enforces_the_constraints_after_a_load(engine: Engine) -> None:
    synthesise(engine, CONFIG, load_pack())
    with engine.connect() as connection:
        household = connection.scalar(select(Household.household_id).limit(1))
        with pytest.raises(Exception, match=r"(?i)unique"):  # a second head
            connection.execute(
                text(
                    "INSERT INTO persons (person_id, household_id, relationship, given_name, "
                    "family_name, name_key, sex, birth_date) VALUES ('X-1', :h, 'head', 'A', "
                    "'B', 'a b', 'F', '1990-01-01')"
                ),
                {"h": household},
            )
        connection.rollback()
        with pytest.raises(Exception, match=r"(?i)foreign key"):
            connection.execute(
                text(
                    "INSERT INTO enrolments (scheme, person_id, status, start_date) "
                    "VALUES ('nhi', 'nobody', 'active', '2026-01-01')"
                )
            )
        connection.rollback()


def test_a_failed_build_leaves_nothing(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = _schema(engine)

    def broken(*_args: object) -> None:
        raise RuntimeError("broken ledger")

    monkeypatch.setattr(build, "make_payments", broken)
    with pytest.raises(RuntimeError, match="broken ledger"):
        synthesise(engine, CONFIG, load_pack())
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Person)) == 0
        assert connection.scalar(select(func.count()).select_from(Household)) == 0
    assert _schema(engine) == fresh


def _two_heads(persons: pl.DataFrame) -> pl.DataFrame:
    first = persons["household_id"][0]
    member = (persons["household_id"] == first) & (persons["relationship"] != "head")
    return persons.with_columns(
        relationship=pl.when(member).then(pl.lit("head")).otherwise("relationship")
    )


def _bad_code(persons: pl.DataFrame) -> pl.DataFrame:
    return persons.with_columns(
        sex=pl.when(pl.int_range(pl.len()) == 5).then(pl.lit("X")).otherwise("sex")
    )


def _no_household(persons: pl.DataFrame) -> pl.DataFrame:
    return persons.with_columns(
        household_id=pl.when(pl.int_range(pl.len()) == 7)
        .then(pl.lit("SYN-H-NOWHERE"))
        .otherwise("household_id")
    )


@pytest.mark.parametrize(
    ("spoil", "message"),
    [(_two_heads, "unique"), (_bad_code, "check"), (_no_household, "foreign key")],
)
def test_a_violated_constraint_rolls_the_load_back(
    engine: Engine, spoil: Callable[[pl.DataFrame], pl.DataFrame], message: str
) -> None:
    """A second head, a sex that is not a code, a person without a household: the load
    fails in the writer's thread, the error reaches the caller and nothing is left."""
    fresh = _schema(engine)
    tables = build_population(CONFIG, load_pack()).tables
    tables["persons"] = spoil(tables["persons"])
    with pytest.raises(Exception, match=rf"(?i){message}"):
        write_tables(engine, tables, replace=False, advance=lambda _table, _rows: None)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Person)) == 0
        assert connection.scalar(select(func.count()).select_from(Household)) == 0
    assert _schema(engine) == fresh
