"""``laosp --help`` and the help of every command and sub-command work."""

from __future__ import annotations

from typing import Any

import typer
from typer.testing import CliRunner

from laosp.cli import build_app


def _command_paths(command: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in subcommands.items():
            paths.extend(_command_paths(sub, (*prefix, name)))
    return paths


def test_help_of_every_command() -> None:
    app = build_app()
    root = typer.main.get_command(app)
    paths = _command_paths(root)
    assert ("registry", "add-household") in paths
    assert ("registry", "districts") in paths
    runner = CliRunner()
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output


def test_build_app_is_idempotent() -> None:
    assert build_app() is build_app()
    names = [info.name for info in build_app().registered_groups]
    assert names.count("registry") == 1


def test_no_operations_command_takes_an_actor() -> None:
    """Who acts is the signed-in user, never a free-text option (#12)."""
    root = typer.main.get_command(build_app())
    mine = ("enrol", "enrolment", "cycle", "contributions", "grievance", "users", "requests")
    found = []
    for path in _command_paths(root):
        if not path or path[0] not in mine:
            continue
        command: Any = root
        for name in path:
            command = command.commands[name]
        found += [path for p in command.params if "--actor" in getattr(p, "opts", [])]
    assert found == []
    for name in ("login", "logout", "whoami", "password", "requests"):
        assert name in root.commands  # type: ignore[attr-defined]
