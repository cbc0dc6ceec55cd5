"""Build a synthetic population and write it: the one function the CLI, the demo and
the benchmark call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path

import numpy as np
import polars as pl
from sqlalchemy import Engine

from laosp import migrate
from laosp.access import audit_trail
from laosp.db import unit_of_work
from laosp.models import Enrolment
from laosp.rules.pack import Pack
from laosp.synth.bulk import Advance, phase
from laosp.synth.enrolments import make_enrolments
from laosp.synth.ledger import make_contributions, make_cycles, make_payments
from laosp.synth.population import Config, Population, generate_people
from laosp.synth.writer import TableSink, count_synthetic, write_parquet

#: The enrolments table's columns, from the model (the generator keeps working columns).
ENROLMENT_COLUMNS = tuple(Enrolment.__table__.columns.keys())
DEMO_SEED = 20_250_101


class PopulationExistsError(RuntimeError):
    """The database already holds a synthetic population and ``replace`` was not asked."""


def build_population(config: Config, pack: Pack) -> Population:
    """Households, persons, enrolments, contributions, cycles and payments (in memory),
    under the policy ``pack``."""
    population = generate_people(config, pack)
    for _name, _frame in build_tables(population, pack):
        pass
    return population


def build_tables(population: Population, pack: Pack) -> Iterator[tuple[str, pl.DataFrame]]:
    """Fill ``population.tables`` parents first, yielding each table as soon as it is
    built (the writer loads it while the next is built)."""
    config = population.config
    tables = population.tables
    tables["households"] = population.households
    yield "households", tables["households"]
    tables["persons"] = population.persons
    yield "persons", tables["persons"]
    rng = np.random.default_rng([config.seed, 1])
    enrolments = make_enrolments(rng, population, pack)
    tables["enrolments"] = enrolments.select(ENROLMENT_COLUMNS)
    yield "enrolments", tables["enrolments"]
    cycles = make_cycles(enrolments, config.at, pack)
    tables["payment_cycles"] = cycles
    yield "payment_cycles", cycles
    tables["contributions"] = make_contributions(rng, enrolments, config.at)
    yield "contributions", tables["contributions"]
    tables["benefit_payments"] = make_payments(rng, enrolments, cycles, config.at)
    yield "benefit_payments", tables["benefit_payments"]


def _ignore(_table: str, _rows: int) -> None:
    return None


def synthesise(
    engine: Engine,
    config: Config,
    pack: Pack,
    *,
    replace: bool = False,
    parquet: Path | None = None,
    truth: Path | None = None,
    advance: Advance = _ignore,
    on_built: Callable[[Population], None] | None = None,
) -> Population:
    """Migrate the database, build the population and write it in bulk, each table
    while the next is built (``on_built`` is called when the last one is built); record
    the run in the audit trail (the report reads its scale and date there, with the
    digest of the pack it was built under)."""
    migrate.upgrade(engine)
    existing = count_synthetic(engine)
    if existing and not replace:
        raise PopulationExistsError(
            f"the database already holds a synthetic population ({existing:,} households); "
            "pass --replace to delete it first"
        )
    # the writer starts at once (dropping indexes, deleting an earlier population)
    with TableSink(engine, replace=bool(existing), advance=advance) as sink:
        with phase("build households, persons"):
            population = generate_people(config, pack)
        with phase("build the other tables"):
            for name, frame in build_tables(population, pack):
                sink.put(name, frame)
        if on_built is not None:
            on_built(population)
    if parquet is not None:
        write_parquet(parquet, {**population.tables, "duplicate_pairs": population.duplicate_pairs})
    if truth is not None and population.duplicate_pairs.height:
        truth.parent.mkdir(parents=True, exist_ok=True)
        population.duplicate_pairs.write_csv(truth)
    with unit_of_work(engine) as session:
        settings = {
            k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(config).items()
        }
        counts = {name: frame.height for name, frame in population.tables.items()}
        audit_trail.record(
            session,
            actor="laosp synth",
            action="synthesise",
            entity="population",
            entity_id=f"seed-{config.seed}",
            changes={**settings, "pack": pack.digest, "rows": counts},
        )
    return population


def build_demo_population(
    engine: Engine,
    pack: Pack,
    scale: float = 0.01,
    seed: int = DEMO_SEED,
    at: dt.date | None = None,
) -> Population:
    """The demo's population: replaces any earlier synthetic one."""
    config = Config(scale=scale, seed=seed, at=at or dt.date.today())
    return synthesise(engine, config, pack, replace=True)


def frames_equal(a: Population, b: Population) -> bool:
    return all(a.tables[name].equals(b.tables[name]) for name in a.tables) and a.people.equals(
        b.people
    )


__all__ = ["PopulationExistsError", "build_demo_population", "build_population", "pl", "synthesise"]
