"""The ``laosp`` command: one Typer app; each domain adds its own commands."""

from __future__ import annotations

import typer

from laosp import __version__
from laosp.cli_common import DbOption, engine_for

app = typer.Typer(
    name="laosp",
    help="laosp — registry, policy rules, coverage and financing for Lao PDR's "
    "National Social Protection Strategy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Create and migrate the registry database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None, revision: str = "head") -> None:
    """Create or migrate the database to the newest schema, with the reference data."""
    from laosp import migrate

    engine = engine_for(db)
    migrate.upgrade(engine, revision)
    typer.echo(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")


@app.command("version")
def version() -> None:
    """Print the version of laosp."""
    typer.echo(__version__)


_registered = False


def _register_domains() -> None:
    """Add every domain's commands to ``app`` (once; calling again does nothing)."""
    global _registered
    if _registered:
        return
    from laosp.demo import register as register_demo
    from laosp.indicators.cli import register as register_indicators
    from laosp.projection.cli import register as register_projection
    from laosp.registry.cli import register as register_registry
    from laosp.rules.cli import register as register_rules
    from laosp.synth.cli import register as register_synth

    for register in (
        register_registry,
        register_rules,
        register_synth,
        register_indicators,
        register_projection,
        register_demo,
    ):
        register(app)
    _registered = True


def build_app() -> typer.Typer:
    """The ``laosp`` app with every domain's commands (for tests and embedding)."""
    _register_domains()
    return app


def main() -> None:
    build_app()()
