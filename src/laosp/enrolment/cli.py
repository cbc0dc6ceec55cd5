"""``laosp enrol`` and ``laosp enrolment``: enrol in a scheme, change an enrolment's status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from laosp.access.permissions import Action
from laosp.cli_common import DbOption, engine_for
from laosp.enrolment.operations_cli import DateOption, officer, pack_for, parse_date, reported
from laosp.registry.import_outcome import show_import_outcome

if TYPE_CHECKING:
    from laosp.access.approvals import RequestRead

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
    db: DbOption = None,
) -> None:
    """Enrol a person or a household in a scheme (status pending: another user with
    approve_enrolment makes it active with ``laosp enrolment set-status ID active``)."""
    from laosp.db import unit_of_work
    from laosp.enrolment import districts, service

    on = parse_date(date)
    pack = pack_for(db)
    with reported(), unit_of_work(engine_for(db)) as session:
        actor = officer(session, db, Action.enrol, districts.of_unit(session, unit_id)).username
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
) -> None:
    """Change an enrolment's status (legal transitions only). Making a pending
    enrolment active is an approval (approve_enrolment), never by the user who enrolled."""
    from laosp.db import unit_of_work
    from laosp.enrolment import districts, service

    on = parse_date(date)
    with reported(), unit_of_work(engine_for(db)) as session:
        district = districts.of_enrolment(session, enrolment_id)
        current = service.get_enrolment(session, enrolment_id).status
        actor = officer(session, db, service.action_for(current, status), district).username
        enrolment = service.set_status(
            session, enrolment_id, status, on=on, reason=reason, actor=actor, today=dt.date.today()
        )
    ended = f", ended {enrolment.end_date}" if enrolment.end_date else ""
    typer.echo(f"enrolment {enrolment.id}: now {enrolment.status}{ended} (ສະຖານະໃໝ່)")


@enrolment_app.command("show")
def show_command(
    enrolment_id: Annotated[int, typer.Argument(help="Enrolment id")],
    db: DbOption = None,
) -> None:
    """Show an enrolment (to a signed-in user who may read the persons of its district)."""
    from laosp.db import unit_of_work
    from laosp.enrolment import districts, service

    with reported(), unit_of_work(engine_for(db)) as session:
        officer(session, db, Action.read_persons, districts.of_enrolment(session, enrolment_id))
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
) -> None:
    """Prepare the import of an agency's member / beneficiary list as enrolments
    (ນຳເຂົ້າລາຍຊື່ສະມາຊິກ): the file is checked now and, when it would change
    something, submitted for approval; another user applies it with
    ``laosp requests approve ID`` (maker–checker).

    Each refused row is reported with its row number, field, value and reason (rows
    outside your area too); a status change must be a legal transition. Importing the
    same file twice changes nothing the second time.
    """
    from laosp.access.permissions import Forbidden
    from laosp.cli_common import fail, settings_for
    from laosp.db import unit_of_work
    from laosp.enrolment import import_requests
    from laosp.registry.errors import ConflictError
    from laosp.registry.import_limits import ImportLimits, UnreadableFile

    limits = ImportLimits.of(settings_for(db))
    pack = pack_for(db)
    engine = engine_for(db)
    try:
        with unit_of_work(engine) as session:
            maker = officer(session, db, Action.import_enrolments)
            prepared = import_requests.prepare(
                session, pack, maker, path, all_or_nothing=all_or_nothing,
                check_eligibility=check_eligibility, limits=limits,
            )  # fmt: skip
    except UnreadableFile as error:
        raise fail(str(error)) from None
    except ConflictError as error:
        raise fail(f"Refused (ປະຕິເສດ): {error.error.reason}") from None
    except Forbidden as error:
        raise fail(f"Refused, nothing was written (ປະຕິເສດ): {error}") from None
    finally:
        engine.dispose()
    try:
        show_import_outcome(prepared.report, report, all_or_nothing=all_or_nothing)
    finally:
        _show_request(prepared.request)


def _show_request(request: RequestRead | None) -> None:
    if request is not None:
        typer.echo(
            f"change request {request.id} submitted: another user approves it with "
            f"`laosp requests approve {request.id}` (ສົ່ງຄຳຮ້ອງ {request.id} "
            "ລໍຖ້າການອະນຸມັດ)"
        )
    else:
        typer.echo("nothing submitted (ບໍ່ໄດ້ສົ່ງຄຳຮ້ອງ)")


def register(app: typer.Typer) -> None:
    app.command("enrol")(enrol_command)
    app.add_typer(enrolment_app, name="enrolment")
