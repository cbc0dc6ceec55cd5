"""``laosp enrol`` and ``laosp enrolment``: enrol in a scheme, change an enrolment's status."""

from __future__ import annotations

from typing import Annotated

import typer

from laosp.cli_common import DbOption, engine_for
from laosp.operations_cli import ActorOption, DateOption, pack_for, parse_date, reported

enrolment_app = typer.Typer(
    help="Enrolments in schemes (ການລົງທະບຽນເຂົ້າໂຄງການ).", no_args_is_help=True
)


def enrol_command(
    unit_id: Annotated[str, typer.Argument(help="person_id or household_id, as the scheme enrols")],
    scheme: Annotated[str, typer.Option("--scheme", help="Scheme code (mecg, cct, nhi, ...).")],
    date: DateOption = None,
    check_eligibility: Annotated[
        bool,
        typer.Option(
            "--check-eligibility/--no-check-eligibility",
            help="Refuse when the rules engine finds the unit not eligible at the date.",
        ),
    ] = True,
    activate: Annotated[
        bool, typer.Option("--activate", help="Make the enrolment active at once.")
    ] = False,
    db: DbOption = None,
    actor: ActorOption = "cli",
) -> None:
    """Enrol a person or a household in a scheme (status pending, or active with --activate)."""
    from laosp.db import unit_of_work
    from laosp.enrolment import service

    on = parse_date(date)
    pack = pack_for(db)
    with reported(), unit_of_work(engine_for(db)) as session:
        enrolment = service.enrol(
            session,
            pack,
            scheme=scheme,
            unit_id=unit_id,
            on=on,
            actor=actor,
            check_eligibility=check_eligibility,
        )
        if activate:
            enrolment = service.set_status(session, enrolment.id, "active", on=on, actor=actor)
    typer.echo(
        f"enrolment {enrolment.id}: {enrolment.unit_id} in {enrolment.scheme}, "
        f"{enrolment.status} from {enrolment.start_date} "
        f"(ລົງທະບຽນແລ້ວ, ສະຖານະ {enrolment.status})"
    )


@enrolment_app.command("set-status")
def set_status_command(
    enrolment_id: Annotated[int, typer.Argument(help="Enrolment id")],
    status: Annotated[str, typer.Argument(help="pending, active, suspended or exited")],
    date: DateOption = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (kept in the audit trail).")
    ] = None,
    db: DbOption = None,
    actor: ActorOption = "cli",
) -> None:
    """Change an enrolment's status (legal transitions only)."""
    from laosp.db import unit_of_work
    from laosp.enrolment import service

    on = parse_date(date)
    with reported(), unit_of_work(engine_for(db)) as session:
        enrolment = service.set_status(
            session, enrolment_id, status, on=on, reason=reason, actor=actor
        )
    ended = f", ended {enrolment.end_date}" if enrolment.end_date else ""
    typer.echo(f"enrolment {enrolment.id}: now {enrolment.status}{ended} (ສະຖານະໃໝ່)")


@enrolment_app.command("show")
def show_command(
    enrolment_id: Annotated[int, typer.Argument(help="Enrolment id")],
    db: DbOption = None,
    actor: ActorOption = "cli",  # accepted like every command's; reading changes nothing
) -> None:
    """Show an enrolment."""
    from laosp.db import unit_of_work
    from laosp.enrolment import service

    with reported(), unit_of_work(engine_for(db)) as session:
        enrolment = service.get_enrolment(session, enrolment_id)
    typer.echo(enrolment.model_dump_json(indent=2))


def register(app: typer.Typer) -> None:
    app.command("enrol")(enrol_command)
    app.add_typer(enrolment_app, name="enrolment")
