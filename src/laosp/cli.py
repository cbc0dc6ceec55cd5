"""The ``laosp`` command: one Typer app; each domain adds its own commands."""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from laosp import __version__
from laosp.cli_common import NEW_DATABASES, DbOption, engine_for, fail, remove_new_databases

ERROR = "error / ຂໍ້ຜິດພາດ"


class _Edge(TyperGroup):
    """The root command: the one place where an error of the environment (a file or
    folder missing, a database unreachable or without its tables) becomes one line on
    standard error and exit status 1, never a traceback; and where the SQLite files a
    failed command created are removed (``cli_common.NEW_DATABASES``). Other exceptions
    are bugs and keep their traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context
        _check_written_files(self)
        noted: list[Any] = []
        token = NEW_DATABASES.set(noted)
        succeeded = False
        try:
            result = super().invoke(ctx)
            succeeded = True
            return result
        except typer.Exit as done:
            succeeded = done.exit_code == 0
            raise
        except Exception as error:
            message = error_message(error, list(dict.fromkeys(new.file for new in noted)))
            if message is None:
                raise
            typer.echo(message, err=True)
            raise typer.Exit(1) from None
        finally:
            NEW_DATABASES.reset(token)
            if not succeeded:
                remove_new_databases(noted)


#: The options that name a file a command writes: their folder must exist before the
#: command starts its work (an import is not run, nor a brief computed, to end in
#: "no such folder").
WRITTEN_FILES = frozenset({"output", "report", "truth"})


def _check_written_files(command: Any) -> None:
    """Make every command of the tree under ``command`` that takes an option of
    ``WRITTEN_FILES`` refuse, before it runs, a file whose folder does not exist."""
    if getattr(command, "_laosp_checked", False):
        return
    command._laosp_checked = True
    options = {param.name: param.opts[0] for param in command.params if param.name in WRITTEN_FILES}
    if options and command.callback is not None:
        command.callback = _with_folders_checked(command.callback, options)
    for sub in getattr(command, "commands", {}).values():
        _check_written_files(sub)


def _with_folders_checked(callback: Any, options: dict[str, str]) -> Any:
    @functools.wraps(callback)
    def checked(*args: Any, **kwargs: Any) -> Any:
        for name, option in options.items():
            file = kwargs.get(name)
            if isinstance(file, Path) and not file.absolute().parent.is_dir():
                raise fail(
                    f"{ERROR}: {option}: {file}: the folder {file.parent} does not exist / ບໍ່ພົບໂຟນເດີ"
                )
        return callback(*args, **kwargs)

    return checked


def error_message(error: BaseException, new_files: Sequence[Path] = ()) -> str | None:
    """The one-line message of an error of the environment; None for any other error.
    ``new_files``: SQLite files the command created (a table missing there means the
    database did not exist)."""
    if isinstance(error, OSError):
        return _file_message(error)
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import DBAPIError

        if isinstance(error, DBAPIError):
            return _database_message(error, new_files)
    return None


def _database_message(error: Any, new_files: Sequence[Path]) -> str | None:
    """A table missing (the database not created or not migrated) or the database
    refusing for a reason of its own (``OperationalError``: locked, disk full, the
    connection lost); None for other errors (an integrity error is a bug)."""
    from sqlalchemy.exc import OperationalError

    from laosp.db import shown_url

    reason = shown_url(str(error.orig or error).splitlines()[0].strip())
    missing_table = "no such table" in reason or (
        getattr(error.orig, "sqlstate", None) == "42P01"  # PostgreSQL: undefined_table
    )
    if missing_table and new_files:
        files = ", ".join(str(file) for file in new_files)
        return (
            f"{ERROR}: no database at {files}: create it with `laosp db upgrade --db "
            f"{new_files[0]}` (or `laosp demo`) / ບໍ່ພົບຖານຂໍ້ມູນ"
        )
    if missing_table:
        return (
            f"{ERROR}: the database lacks its tables ({reason}): migrate it with "
            "`laosp db upgrade` / ຖານຂໍ້ມູນຍັງບໍ່ໄດ້ສ້າງຕາຕະລາງ"
        )
    if isinstance(error, OperationalError):
        return f"{ERROR}: the database refused: {reason} / ຖານຂໍ້ມູນປະຕິເສດ"
    return None


def _file_message(error: OSError) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    if error.filename is not None:
        path = Path(os.fsdecode(error.filename))
    else:  # Polars names the file in its text only: "No such file or directory (os error 2): F"
        named = re.search(r"\(os error \d+\): (.+)$", text)
        if named is None:
            return f"{ERROR}: {text}"
        path = Path(named[1])
    if isinstance(error, FileNotFoundError):
        if not path.parent.is_dir():
            return f"{ERROR}: {path}: the folder {path.parent} does not exist / ບໍ່ພົບໂຟນເດີ"
        return f"{ERROR}: {path}: no such file / ບໍ່ພົບໄຟລ໌"
    if isinstance(error, IsADirectoryError):
        return f"{ERROR}: {path}: is a folder, give a file / ເປັນໂຟນເດີ, ບໍ່ແມ່ນໄຟລ໌"
    if isinstance(error, PermissionError):
        return f"{ERROR}: {path}: permission denied / ບໍ່ມີສິດເຂົ້າເຖິງ"
    return f"{ERROR}: {path}: {error.strerror or error}"


app = typer.Typer(
    cls=_Edge,
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
    from alembic.util.exc import CommandError

    from laosp import migrate

    engine = engine_for(db)
    try:
        migrate.upgrade(engine, revision)
    except CommandError as error:
        raise fail(f"{ERROR}: --revision: {error}") from None
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
