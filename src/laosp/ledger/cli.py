"""``laosp cycle`` and ``laosp contributions``: benefit payment cycles and contributions."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer

from laosp.access.permissions import Action
from laosp.cli_common import DbOption, engine_for, fail
from laosp.enrolment.operations_cli import (
    national_officer,
    officer,
    pack_for,
    parse_date,
    reported,
)
from laosp.ledger.money import format_kip

if TYPE_CHECKING:
    from laosp.ledger.reconciliation import Reconciliation

cycle_app = typer.Typer(help="Benefit payment cycles (ຮອບການຈ່າຍເງິນ).", no_args_is_help=True)
contributions_app = typer.Typer(help="Contributions (ເງິນສົມທົບ).", no_args_is_help=True)

PeriodOption = Annotated[str, typer.Option("--period", help="Month YYYY-MM.")]
WIDTHS = (10, 18, 18, 16, 16)
CycleArgument = Annotated[int, typer.Argument(help="Payment cycle id")]


@cycle_app.command("create")
def create_command(
    scheme: Annotated[
        str,
        typer.Option(
            "--scheme",
            help="Code of a cash scheme of the policy pack (an unknown one is refused with "
            "the pack's codes).",
        ),
    ],
    period: PeriodOption,
    db: DbOption = None,
) -> None:
    """Create the cycle of a scheme for a period (re-running it changes nothing)."""
    from laosp.db import unit_of_work
    from laosp.ledger.cycles import create_cycle
    from laosp.ledger.periods import parse_period

    pack = pack_for(db)
    with reported(), unit_of_work(engine_for(db)) as session:
        maker = national_officer(session, db, Action.prepare_cycle)
        outcome = create_cycle(
            session, pack, scheme=scheme, period=parse_period(period), actor=maker.username,
            today=dt.date.today(),
        )  # fmt: skip
    verb = "created" if outcome.created else "already exists, unchanged"
    typer.echo(
        f"cycle {outcome.cycle_id} ({outcome.scheme} {outcome.code}) {verb}: "
        f"{outcome.payments:,} payments, {format_kip(outcome.total)} "
        f"(ການຈ່າຍ {outcome.payments:,} ລາຍການ)"
    )


def _move(cycle_id: int, db: str | None, step: str, paid_on: str | None = None,
          failed: list[int] | None = None) -> None:  # fmt: skip
    from laosp.db import unit_of_work
    from laosp.ledger import cycles

    on = parse_date(paid_on, "--paid-on") if step == "pay" else None
    with reported(), unit_of_work(engine_for(db)) as session:
        if step == "approve":
            checker = national_officer(session, db, Action.approve_cycle)
            cycle = cycles.approve_cycle(session, cycle_id, checker=checker)
        elif step == "pay" and on is not None:
            payer = national_officer(session, db, Action.pay_cycle)
            cycle = cycles.pay_cycle(
                session, cycle_id, paid_on=on, failed=failed or [], actor=payer.username,
                today=dt.date.today(),
            )  # fmt: skip
        else:
            closer = national_officer(session, db, Action.pay_cycle)
            cycle = cycles.close_cycle(session, cycle_id, actor=closer.username)
        status = cycle.status
    typer.echo(f"cycle {cycle_id}: now {status} (ສະຖານະ {status})")


@cycle_app.command("approve")
def approve_command(cycle_id: CycleArgument, db: DbOption = None) -> None:
    """Approve an open cycle: another user than the one who created it (maker–checker)."""
    _move(cycle_id, db, "approve")


@cycle_app.command("pay")
def pay_command(
    cycle_id: CycleArgument,
    paid_on: Annotated[
        str | None, typer.Option("--paid-on", help="YYYY-MM-DD (default today).")
    ] = None,
    failed: Annotated[
        list[int] | None, typer.Option("--failed", help="Payment id that failed (repeatable).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Pay an approved cycle: every scheduled payment paid, except those named --failed."""
    _move(cycle_id, db, "pay", paid_on, failed)


@cycle_app.command("close")
def close_command(cycle_id: CycleArgument, db: DbOption = None) -> None:
    """Close a paid cycle whose books balance."""
    _move(cycle_id, db, "close")


@cycle_app.command("payment-status")
def payment_status_command(
    payment_id: Annotated[int, typer.Argument(help="Benefit payment id")],
    status: Annotated[str, typer.Argument(help="paid, failed or cancelled")],
    paid_on: Annotated[str | None, typer.Option("--paid-on", help="YYYY-MM-DD, for paid.")] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    db: DbOption = None,
) -> None:
    """Change one scheduled payment (e.g. cancel it when its enrolment was suspended)."""
    from laosp.db import unit_of_work
    from laosp.ledger.cycles import set_payment_status

    given = status == "paid" or paid_on is not None  # the service refuses it for others
    on = parse_date(paid_on, "--paid-on") if given else None
    with reported(), unit_of_work(engine_for(db)) as session:
        payer = national_officer(session, db, Action.pay_cycle)
        payment = set_payment_status(
            session, payment_id, status, on=on, reason=reason, actor=payer.username,
            today=dt.date.today(),
        )  # fmt: skip
        amount = payment.amount
    typer.echo(f"payment {payment_id} ({format_kip(amount)}): now {status}")


def books_text(books: Reconciliation) -> str:
    titles = ("payments", "scheduled", "paid", "failed", "cancelled")
    header = "district  " + "".join(
        f"{title:>{width}}" for title, width in zip(titles, WIDTHS, strict=True)
    )
    lines = [
        f"cycle {books.cycle_id}: {books.scheme} {books.code}, {books.status}",
        "Amounts in kip (ກີບ, LAK)",
        header,
    ]
    rows = [*books.districts.items(), ("total", books.total)]
    for district, t in rows:
        values = (t.payments, t.scheduled, t.paid, t.failed, t.cancelled)
        cells = "".join(f"{value:>{width},}" for value, width in zip(values, WIDTHS, strict=True))
        lines.append(f"{district:<10}{cells}")
    if books.total.outstanding:
        lines.append(f"still scheduled (ຍັງບໍ່ທັນຈ່າຍ): {format_kip(books.total.outstanding)}")
    if books.balanced:
        lines.append("reconciled: scheduled = paid + failed + cancelled + still scheduled (ກົງກັນ)")
    else:
        lines.append("NOT reconciled (ບໍ່ກົງກັນ):")
        lines += [f"  {problem}" for problem in books.problems]
    return "\n".join(lines)


@cycle_app.command("show")
def show_command(
    cycle_id: CycleArgument,
    output_format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    db: DbOption = None,
) -> None:
    """Totals of a cycle by district and status, and its reconciliation (amounts by
    district, no named person)."""
    from laosp.db import unit_of_work
    from laosp.ledger.reconciliation import reconcile

    with reported(), unit_of_work(engine_for(db)) as session:
        books = reconcile(session, cycle_id)
    if output_format == "json":
        data = asdict(books) | {"balanced": books.balanced}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif output_format == "text":
        typer.echo(books_text(books))
    else:
        raise fail("--format is text or json", 2)
    if not books.balanced:
        raise typer.Exit(1)


@contributions_app.command("record")
def record_command(
    scheme: Annotated[
        str,
        typer.Option(
            "--scheme",
            help="Code of a contributory scheme of the policy pack (an unknown one is "
            "refused with the pack's codes).",
        ),
    ],
    period: PeriodOption,
    db: DbOption = None,
) -> None:
    """Record the month's dues of every active member (re-running adds only new members)."""
    from laosp.db import unit_of_work
    from laosp.ledger.contributions import record_dues
    from laosp.ledger.periods import parse_period

    pack = pack_for(db)
    with reported(), unit_of_work(engine_for(db)) as session:
        recorder = national_officer(session, db, Action.record_contributions)
        outcome = record_dues(
            session, pack, scheme=scheme, period=parse_period(period), actor=recorder.username,
            today=dt.date.today(),
        )  # fmt: skip
    typer.echo(
        f"{outcome.scheme} {outcome.period:%Y-%m}: {outcome.recorded:,} dues recorded, "
        f"{format_kip(outcome.total)}; {outcome.already:,} already recorded"
    )


@contributions_app.command("pay")
def pay_contribution_command(
    enrolment_id: Annotated[int, typer.Argument(help="Enrolment id of the member")],
    period: PeriodOption,
    amount: Annotated[int, typer.Option("--amount", help="Kip paid (whole kip).")],
    paid_on: Annotated[
        str | None, typer.Option("--paid-on", help="YYYY-MM-DD (default today).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Record a (possibly partial) payment against a month's dues; overpayment is refused."""
    from laosp.db import unit_of_work
    from laosp.enrolment import districts
    from laosp.ledger.contributions import pay_contribution
    from laosp.ledger.periods import parse_period

    on = parse_date(paid_on, "--paid-on")
    with reported(), unit_of_work(engine_for(db)) as session:
        district = districts.of_enrolment(session, enrolment_id)
        recorder = officer(session, db, Action.record_contributions, district)
        row = pay_contribution(
            session, enrolment_id=enrolment_id, period=parse_period(period), amount=amount,
            paid_on=on, actor=recorder.username, today=dt.date.today(),
        )  # fmt: skip
        paid, due = row.amount_paid, row.amount_due
    typer.echo(f"paid {format_kip(paid)} of {format_kip(due)} (ຈ່າຍແລ້ວ)")


def register(app: typer.Typer) -> None:
    app.add_typer(cycle_app, name="cycle")
    app.add_typer(contributions_app, name="contributions")
