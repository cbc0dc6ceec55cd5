"""``laosp grievance``: open, assign, escalate, review, resolve or reject, list, overdue."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from laosp.access.permissions import Action
from laosp.cli_common import DbOption, engine_for
from laosp.enrolment.operations_cli import DateOption, officer, pack_for, parse_date, reported

grievance_app = typer.Typer(help="Grievances (ຄຳຮ້ອງທຸກ).", no_args_is_help=True)
GrievanceArgument = Annotated[int, typer.Argument(help="Grievance id")]


@grievance_app.command("open")
def open_command(
    category: Annotated[
        str, typer.Option("--category", help="A category of the policy pack (grievances.yaml).")
    ],
    description: Annotated[str, typer.Option("--description", help="What the complaint is.")],
    person: Annotated[str | None, typer.Option("--person", help="person_id")] = None,
    household: Annotated[str | None, typer.Option("--household", help="household_id")] = None,
    scheme: Annotated[str | None, typer.Option("--scheme", help="Scheme concerned.")] = None,
    date: DateOption = None,
    db: DbOption = None,
) -> None:
    """Open a grievance about a person or a household (of your area)."""
    from laosp.db import unit_of_work
    from laosp.enrolment import districts
    from laosp.grievances import service

    on = parse_date(date)
    pack = pack_for(db)
    with reported(), unit_of_work(engine_for(db)) as session:
        district = districts.of_person(session, person) or districts.of_household(
            session, household
        )
        actor = officer(session, db, Action.open_grievance, district).username
        grievance = service.open_grievance(
            session, pack, category=category, description=description, on=on, person_id=person,
            household_id=household, scheme=scheme, actor=actor, today=dt.date.today(),
        )  # fmt: skip
        grievance_id, due_on = grievance.id, grievance.due_on
    typer.echo(f"grievance {grievance_id} opened, due {due_on} (ເປີດຄຳຮ້ອງທຸກແລ້ວ)")


def _move(grievance_id: int, status: str, date: str | None, resolution: str | None,
          db: str | None) -> None:  # fmt: skip
    from laosp.db import unit_of_work
    from laosp.grievances import service

    on = parse_date(date)
    with reported(), unit_of_work(engine_for(db)) as session:
        district = service.district_of(session, grievance_id)
        actor = officer(session, db, Action.handle_grievance, district).username
        service.set_status(
            session, grievance_id, status, on=on, resolution=resolution, actor=actor,
            today=dt.date.today(),
        )  # fmt: skip
    typer.echo(f"grievance {grievance_id}: now {status} (ສະຖານະ {status})")


@grievance_app.command("review")
def review_command(
    grievance_id: GrievanceArgument, date: DateOption = None, db: DbOption = None
) -> None:
    """Take an open grievance into review."""
    _move(grievance_id, "in_review", date, None, db)


@grievance_app.command("resolve")
def resolve_command(
    grievance_id: GrievanceArgument,
    resolution: Annotated[str, typer.Option("--resolution", help="What was decided and done.")],
    reject: Annotated[bool, typer.Option("--reject", help="Reject instead of resolve.")] = False,
    date: DateOption = None,
    db: DbOption = None,
) -> None:
    """Resolve (or, with --reject, reject) a grievance, with the resolution text."""
    _move(grievance_id, "rejected" if reject else "resolved", date, resolution, db)


@grievance_app.command("list")
def list_command(
    status: Annotated[str | None, typer.Option("--status")] = None,
    person: Annotated[str | None, typer.Option("--person")] = None,
    household: Annotated[str | None, typer.Option("--household")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 100,
    db: DbOption = None,
) -> None:
    """List grievances of your area, oldest first."""
    from laosp.access.permissions import area_of
    from laosp.db import unit_of_work
    from laosp.grievances import service

    with reported(), unit_of_work(engine_for(db)) as session:
        viewer = officer(session, db, Action.read_persons)
        rows = service.list_grievances(
            session, status=status, person_id=person, household_id=household, limit=limit,
            area=area_of(viewer),
        )  # fmt: skip
        lines = [
            f"{g.id:>6}  {g.opened_on}  {g.status:<10} {g.category:<13} "
            f"{g.person_id or g.household_id}  {g.scheme or '-'}  {g.description[:60]}"
            for g in rows
        ]
    typer.echo("\n".join(lines) if lines else "no grievances (ບໍ່ມີຄຳຮ້ອງທຸກ)")


@grievance_app.command("assign")
def assign_command(
    grievance_id: GrievanceArgument,
    to: Annotated[str, typer.Option("--to", help="The user who handles it.")],
    date: DateOption = None,
    db: DbOption = None,
) -> None:
    """Assign a grievance to a user who may handle grievances in its district."""
    from laosp.db import unit_of_work
    from laosp.grievances import service

    on = parse_date(date)
    with reported(), unit_of_work(engine_for(db)) as session:
        district = service.district_of(session, grievance_id)
        principal = officer(session, db, Action.handle_grievance, district)
        service.assign(session, principal, grievance_id, to, on=on, today=dt.date.today())
    typer.echo(f"grievance {grievance_id}: assigned to {to} (ມອບໝາຍໃຫ້ {to})")


@grievance_app.command("escalate")
def escalate_command(
    grievance_id: GrievanceArgument, date: DateOption = None, db: DbOption = None
) -> None:
    """Escalate a grievance to the next level (district → province → central)."""
    from laosp.db import unit_of_work
    from laosp.grievances import service

    on = parse_date(date)
    pack = pack_for(db)
    with reported(), unit_of_work(engine_for(db)) as session:
        district = service.district_of(session, grievance_id)
        principal = officer(session, db, Action.handle_grievance, district)
        grievance = service.escalate(
            session, pack, principal, grievance_id, on=on, today=dt.date.today()
        )
        level = pack.grievances.levels[grievance.escalation_level]
    typer.echo(f"grievance {grievance_id}: escalated to {level.name} ({level.name_lo})")


@grievance_app.command("overdue")
def overdue_command(
    limit: Annotated[int, typer.Option("--limit")] = 100,
    db: DbOption = None,
) -> None:
    """The grievances of your area past their due date and not closed, most overdue first."""
    from laosp.db import unit_of_work
    from laosp.grievances import service

    today = dt.date.today()
    with reported(), unit_of_work(engine_for(db)) as session:
        viewer = officer(session, db, Action.open_grievance)
        rows, total = service.queue(
            session, viewer, service.Filters(overdue_on=today), limit=limit, offset=0
        )
        lines = [
            f"{g.id:>6}  due {g.due_on}  {service.days_overdue(g, today):>4} days over  "
            f"{g.status:<10} {g.category:<13} {district or '-'}  {g.assigned_to or '-'}"
            for g, district in rows
        ]
    shown = f"{len(lines)} of {total} overdue" if lines else "no overdue grievances"
    typer.echo("\n".join([*lines, f"{shown} (ຄຳຮ້ອງທຸກເກີນກຳນົດ)"]))


def register(app: typer.Typer) -> None:
    app.add_typer(grievance_app, name="grievance")
