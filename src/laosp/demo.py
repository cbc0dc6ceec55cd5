"""``laosp demo``: the main job on a fresh machine."""

from __future__ import annotations

import typer
from sqlalchemy import func, select

from laosp import migrate
from laosp.cli_common import DbOption, engine_for
from laosp.db import unit_of_work
from laosp.models import District, Household, Person, Province


def demo(db: DbOption = None) -> None:
    """Create the registry database, load the reference data and print a summary."""
    engine = engine_for(db)
    migrate.upgrade(engine)
    with unit_of_work(engine) as session:
        counts = {
            "provinces": session.scalar(select(func.count()).select_from(Province)),
            "districts": session.scalar(select(func.count()).select_from(District)),
            "households": session.scalar(select(func.count()).select_from(Household)),
            "persons": session.scalar(select(func.count()).select_from(Person)),
        }
    for name, count in counts.items():
        typer.echo(f"{name:>12}: {count:,}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
