"""``laosp enrol`` and ``laosp enrolment``: enrol in a scheme, change an enrolment's status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from laosp.cli_common import DbOption, engine_for
from laosp.enrolment.operations_cli import ActorOption, DateOption, pack_for, parse_date, reported
from laosp.registry.import_outcome import show_import_outcome

enrolment_app = typer.Typer(
    help="Enrolments in schemes (ການລົງທະບຽນເຂົ້າໂຄງການ).", no_args_is_help=True
)


def enrol_command(
    unit_id: Annotated[str, typer.Argument(help="person_id or household_id, as the scheme enrols")],
    scheme: Annotated[
        str,
        typer.Option(
            "--scheme",
            help="Scheme code of the policy pack (an unknown one is refused with the "
            "pack's codes).",
        ),
    ],
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
            today=dt.date.today(),
        )
        if activate:
            enrolment = service.set_status(
                session, enrolment.id, "active", on=on, actor=actor, today=dt.date.today()
            )
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
            session, enrolment_id, status, on=on, reason=reason, actor=actor, today=dt.date.today()
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


@enrolment_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="The agency's list: CSV or XLSX.")],
    all_or_nothing: Annotated[
        bool, typer.Option("--all-or-nothing", help="Write nothing if any row is refused.")
    ] = False,
    check_eligibility: Annotated[
        bool,
        typer.Option(
            "--check-eligibility",
            help="Refuse new enrolments the rules engine finds not eligible at their start.",
        ),
    ] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the report: .csv or .json.")
    ] = None,
    db: DbOption = None,
    actor: ActorOption = "cli",
) -> None:
    """Import an agency's member / beneficiary list as enrolments (ນຳເຂົ້າລາຍຊື່ສະມາຊິກ).

    Valid rows are imported and each refused row is reported with its row number,
    field, value and reason; a status change must be a legal transition. Importing
    the same file twice changes nothing the second time.
    """
    from laosp.cli_common import fail, settings_for
    from laosp.db import unit_of_work
    from laosp.enrolment.importer import import_enrolments
    from laosp.registry.errors import ConflictError
    from laosp.registry.import_limits import ImportLimits, UnreadableFile

    limits = ImportLimits.of(settings_for(db))
    pack = pack_for(db)
    engine = engine_for(db)
    try:
        with unit_of_work(engine) as session:
            outcome = import_enrolments(
                session,
                pack,
                path,
                all_or_nothing=all_or_nothing,
                check_eligibility=check_eligibility,
                actor=actor,
                limits=limits,
            )
    except UnreadableFile as error:
        raise fail(str(error)) from None
    except ConflictError as error:
        raise fail(f"Refused (ປະຕິເສດ): {error.error.reason}") from None
    finally:
        engine.dispose()
    show_import_outcome(outcome, report, all_or_nothing=all_or_nothing)


def register(app: typer.Typer) -> None:
    app.command("enrol")(enrol_command)
    app.add_typer(enrolment_app, name="enrolment")
