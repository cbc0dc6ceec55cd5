"""``laosp grievance``: open, review, resolve or reject, list."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from laosp.cli_common import DbOption, engine_for
from laosp.enrolment.operations_cli import ActorOption, DateOption, pack_for, parse_date, reported

grievance_app = typer.Typer(help="Grievances (ຄຳຮ້ອງທຸກ).", no_args_is_help=True)
GrievanceArgument = Annotated[int, typer.Argument(help="Grievance id")]


@grievance_app.command("open")
def open_command(
    category: Annotated[
        str, typer.Option("--category", help="eligibility, payment, registration, service, other")
    ],
    description: Annotated[str, typer.Option("--description", help="What the complaint is.")],
    person: Annotated[str | None, typer.Option("--person", help="person_id")] = None,
    household: Annotated[str | None, typer.Option("--household", help="household_id")] = None,
    scheme: Annotated[str | None, typer.Option("--scheme", help="Scheme concerned.")] = None,
    date: DateOption = None,
    db: DbOption = None,
    actor: ActorOption = "cli",
) -> None:
    """Open a grievance about a person or a household."""
    from laosp.db import unit_of_work
    from laosp.grievances import service

    on = parse_date(date)
    schemes = set(pack_for(db).schemes) if scheme is not None else None
    with reported(), unit_of_work(engine_for(db)) as session:
        grievance = service.open_grievance(
            session, category=category, description=description, on=on, person_id=person,
            household_id=household, scheme=scheme, schemes=schemes, actor=actor,
            today=dt.date.today(),
        )  # fmt: skip
        grievance_id = grievance.id
    typer.echo(f"grievance {grievance_id} opened (ເປີດຄຳຮ້ອງທຸກແລ້ວ)")


def _move(grievance_id: int, status: str, date: str | None, resolution: str | None,
          db: str | None, actor: str) -> None:  # fmt: skip
    from laosp.db import unit_of_work
    from laosp.grievances import service

    on = parse_date(date)
    with reported(), unit_of_work(engine_for(db)) as session:
        service.set_status(
            session, grievance_id, status, on=on, resolution=resolution, actor=actor,
            today=dt.date.today(),
        )  # fmt: skip
    typer.echo(f"grievance {grievance_id}: now {status} (ສະຖານະ {status})")


@grievance_app.command("review")
def review_command(
    grievance_id: GrievanceArgument, date: DateOption = None, db: DbOption = None,
    actor: ActorOption = "cli",
) -> None:  # fmt: skip
    """Take an open grievance into review."""
    _move(grievance_id, "in_review", date, None, db, actor)


@grievance_app.command("resolve")
def resolve_command(
    grievance_id: GrievanceArgument,
    resolution: Annotated[str, typer.Option("--resolution", help="What was decided and done.")],
    reject: Annotated[bool, typer.Option("--reject", help="Reject instead of resolve.")] = False,
    date: DateOption = None,
    db: DbOption = None,
    actor: ActorOption = "cli",
) -> None:
    """Resolve (or, with --reject, reject) a grievance, with the resolution text."""
    _move(grievance_id, "rejected" if reject else "resolved", date, resolution, db, actor)


@grievance_app.command("list")
def list_command(
    status: Annotated[str | None, typer.Option("--status")] = None,
    person: Annotated[str | None, typer.Option("--person")] = None,
    household: Annotated[str | None, typer.Option("--household")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 100,
    db: DbOption = None,
    actor: ActorOption = "cli",  # accepted like every command's; reading changes nothing
) -> None:
    """List grievances, oldest first."""
    from laosp.db import unit_of_work
    from laosp.grievances import service

    with reported(), unit_of_work(engine_for(db)) as session:
        rows = service.list_grievances(
            session, status=status, person_id=person, household_id=household, limit=limit
        )
        lines = [
            f"{g.id:>6}  {g.opened_on}  {g.status:<10} {g.category:<13} "
            f"{g.person_id or g.household_id}  {g.scheme or '-'}  {g.description[:60]}"
            for g in rows
        ]
    typer.echo("\n".join(lines) if lines else "no grievances (ບໍ່ມີຄຳຮ້ອງທຸກ)")


def register(app: typer.Typer) -> None:
    app.add_typer(grievance_app, name="grievance")
