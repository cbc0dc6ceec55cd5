"""``laosp users add|list``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from laosp.cli_common import DbOption, engine_for, fail

users_app = typer.Typer(help="Users of the API and dashboard.", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password / ລະຫັດຜ່ານ", hide_input=True, confirmation_prompt=True)
    return password


#: A refused user's field as this command names it.
OPTION_OF = {"province": "--province", "district": "--district", "role": "--role"}


@users_app.command("add")
def add(
    username: str,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="admin, central_officer, provincial_officer, district_officer or analyst.",
        ),
    ],
    province: Annotated[
        str | None, typer.Option(help="Province code PP (provincial_officer).", show_default=False)
    ] = None,
    district: Annotated[
        str | None, typer.Option(help="District code PPDD (district_officer).", show_default=False)
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create a user; the password is prompted (or read with --password-stdin) and
    stored as an argon2 hash."""
    from laosp.access.roles import Role
    from laosp.access.users import UserError, create_user
    from laosp.db import unit_of_work

    try:
        parsed_role = Role(role)
    except ValueError:
        raise fail(f"--role: one of {', '.join(r.value for r in Role)}") from None
    password = _read_password(password_stdin)
    try:
        with unit_of_work(engine_for(db)) as session:
            user = create_user(
                session, username, password, parsed_role, province=province, district=district
            )
    except UserError as error:
        where = OPTION_OF.get(error.field, error.field)
        raise fail(f"error / ຂໍ້ຜິດພາດ: {where}: {error.reason}") from None
    scope = user.district_code or user.province_code or "national / ທົ່ວປະເທດ"
    typer.echo(f"created / ສ້າງແລ້ວ: {user.username} ({user.role}, {scope})")


@users_app.command("list")
def list_command(db: DbOption = None) -> None:
    """List the users with their role and area."""
    from laosp.access.users import list_users
    from laosp.db import unit_of_work

    with unit_of_work(engine_for(db)) as session:
        for user in list_users(session):
            scope = user.district_code or user.province_code or "-"
            state = "active" if user.active else "inactive"
            typer.echo(f"{user.username}\t{user.role}\t{scope}\t{state}")


def register(app: typer.Typer) -> None:
    """Add ``users`` to ``app``."""
    app.add_typer(users_app, name="users")
