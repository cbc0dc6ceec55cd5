"""``laosp demo``: the main job on a fresh machine."""

from __future__ import annotations

import json
from importlib import resources
from typing import Annotated, Any

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from laosp import migrate
from laosp.cli_common import DbOption, engine_for
from laosp.db import unit_of_work
from laosp.models import District, Household, Person, Province
from laosp.registry.schemas import AddOutcome
from laosp.registry.service import add_household

EXAMPLES_ACTOR = "demo"


def example_households() -> list[dict[str, Any]]:
    """The invented example households bundled with the registry package."""
    text = resources.files("laosp.registry").joinpath("examples", "households.json")
    data: list[dict[str, Any]] = json.loads(text.read_text("utf-8"))
    return data


def load_examples(session: Session) -> list[AddOutcome]:
    """Register the example households; those already registered are left unchanged,
    so loading twice changes nothing."""
    return [
        add_household(session, household, actor=EXAMPLES_ACTOR)
        for household in example_households()
    ]


def demo(
    db: DbOption = None,
    scale: Annotated[
        float,
        typer.Option(help="Also build a synthetic population (1.0 = Laos, e.g. 0.01); 0: none."),
    ] = 0.0,
) -> None:
    """Create the registry database, load the reference data and the example
    households, and print a summary."""
    engine = engine_for(db)
    migrate.upgrade(engine)
    with unit_of_work(engine) as session:
        outcomes = load_examples(session)
    if scale > 0:
        from laosp.synth.build import build_demo_population

        build_demo_population(engine, scale=scale)
    with unit_of_work(engine) as session:
        counts = {
            "provinces": session.scalar(select(func.count()).select_from(Province)),
            "districts": session.scalar(select(func.count()).select_from(District)),
            "households": session.scalar(select(func.count()).select_from(Household)),
            "persons": session.scalar(select(func.count()).select_from(Person)),
        }
    engine.dispose()
    created = sum(outcome.action == "created" for outcome in outcomes)
    typer.echo(f"example households: {created} added, {len(outcomes) - created} already there")
    for name, count in counts.items():
        typer.echo(f"{name:>12}: {count:,}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
