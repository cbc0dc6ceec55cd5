"""The ``laosp`` command: one Typer app; each domain adds its own commands."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Sequence

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


#: The module that adds each top-level command; importing a domain costs up to a second
#: (Polars, SQLAlchemy), so a command loads only its own domain.
DOMAIN_OF_COMMAND = {
    "registry": "laosp.registry.cli",
    "rules": "laosp.projection.reform_cli",  # the rules commands and ``diff`` above them
    "synth": "laosp.synth.cli",
    "indicators": "laosp.indicators.cli",
    "gaps": "laosp.indicators.cli",
    "project": "laosp.projection.cli",
    "project-sweep": "laosp.projection.cli",
    "demo": "laosp.demo",
    "users": "laosp.users_cli",
    "login": "laosp.users_cli",
    "logout": "laosp.users_cli",
    "whoami": "laosp.users_cli",
    "password": "laosp.users_cli",
    "requests": "laosp.users_cli",
    "audit": "laosp.audit_cli",
    "serve": "laosp.server",
    "enrol": "laosp.enrolment.cli",
    "enrolment": "laosp.enrolment.cli",
    "cycle": "laosp.ledger.cli",
    "contributions": "laosp.ledger.cli",
    "grievance": "laosp.grievances.cli",
    "report": "laosp.reports.cli",
}
_registered: set[str] = set()


def _register(modules: Iterable[str]) -> None:
    """Add the commands of each domain module to ``app`` (once each)."""
    for name in modules:
        if name not in _registered:
            importlib.import_module(name).register(app)
            _registered.add(name)


def _register_domains() -> None:
    """Add every domain's commands to ``app`` (calling again does nothing)."""
    _register(dict.fromkeys(DOMAIN_OF_COMMAND.values()))


def build_app() -> typer.Typer:
    """The ``laosp`` app with every domain's commands (for tests and embedding)."""
    _register_domains()
    return app


def _requested_command(argv: Sequence[str]) -> str | None:
    return next((arg for arg in argv if not arg.startswith("-")), None)


def main() -> None:
    command = _requested_command(sys.argv[1:])
    if command in DOMAIN_OF_COMMAND:
        _register([DOMAIN_OF_COMMAND[command]])
    elif command not in ("version", "db"):
        _register_domains()
    app()
