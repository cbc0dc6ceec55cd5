"""``laosp audit list|verify``: read the audit trail, and check that nobody changed it.

``verify`` needs no sign-in: it prints counts and a hash, no personal data, so that the
demo and a scheduled job can run it; ``list`` shows who did what and needs a signed-in
auditor or administrator.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Annotated

import typer

from laosp.cli_common import DbOption, engine_for, fail, settings_for

if TYPE_CHECKING:
    from laosp.access.audit_log import AuditPage
    from laosp.access.audit_trail import Verification

audit_app = typer.Typer(help="The audit trail: browse it, verify its seals.", no_args_is_help=True)

Text = Annotated[str | None, typer.Option(show_default=False)]


def _day(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option}: {text!r} is not a date YYYY-MM-DD / ບໍ່ແມ່ນວັນທີ", 2) from None


def _code(text: str | None, option: str, digits: int) -> str | None:
    if text is not None and not (len(text) == digits and text.isdigit()):
        raise fail(f"{option}: {text!r} is not a code of {digits} digits / ລະຫັດບໍ່ຖືກຕ້ອງ", 2)
    return text


def print_page(page: AuditPage) -> None:
    """The events as a table, then which of how many they are."""
    typer.echo("id\tat (UTC)\tactor\taction\tentity\tentity_id\tdistrict\tchanges")
    for event in page.events:
        at = event.at.astimezone(dt.UTC) if event.at.tzinfo else event.at
        changes = "" if event.changes is None else json.dumps(event.changes, ensure_ascii=False)
        typer.echo(
            f"{event.id}\t{at:%Y-%m-%d %H:%M:%S}\t{event.actor}\t{event.action}\t"
            f"{event.entity}\t{event.entity_id or ''}\t{event.district_code or ''}\t{changes}"
        )
    shown = len(page.events)
    first = page.offset + 1 if shown else page.offset
    typer.echo(
        f"events {first}–{page.offset + shown} of {page.total:,} / "
        f"ເຫດການ {first}–{page.offset + shown} ຈາກ {page.total:,}"
    )


@audit_app.command("list")
def list_command(
    actor: Text = None,
    entity: Text = None,
    entity_id: Annotated[str | None, typer.Option("--entity-id", show_default=False)] = None,
    district: Annotated[str | None, typer.Option(help="District code PPDD.")] = None,
    province: Annotated[str | None, typer.Option(help="Province code PP.")] = None,
    since: Annotated[str | None, typer.Option(help="From this day YYYY-MM-DD (UTC).")] = None,
    until: Annotated[str | None, typer.Option(help="To this day YYYY-MM-DD, included.")] = None,
    action: Text = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    db: DbOption = None,
) -> None:
    """The audit events matching the filters, newest first (auditor or administrator)."""
    from laosp.access.audit_log import AuditFilters, browse
    from laosp.access.permissions import Forbidden
    from laosp.cli_common import signed_in
    from laosp.db import unit_of_work

    filters = AuditFilters(
        actor=actor,
        entity=entity,
        entity_id=entity_id,
        district_code=_code(district, "--district", 4),
        province_code=_code(province, "--province", 2),
        action=action,
        since=_day(since, "--since"),
        until=_day(until, "--until"),
    )
    with unit_of_work(engine_for(db)) as session:
        principal = signed_in(settings_for(db), session)
        try:
            page = browse(session, principal, filters, limit=limit, offset=offset)
        except Forbidden as error:
            raise fail(str(error)) from None
    print_page(page)


def print_verification(found: Verification) -> None:
    """What was checked, the head hash, and each problem."""
    typer.echo(f"seals checked / ປະທັບຕາທີ່ກວດແລ້ວ: {found.seals:,}")
    typer.echo(f"events checked / ເຫດການທີ່ກວດແລ້ວ: {found.events:,}")
    typer.echo(f"head hash / ຄ່າ hash ລ່າສຸດ: {found.head_hash}")
    if found.intact:
        typer.echo("the audit trail is intact / ບັນທຶກການກວດສອບຄົບຖ້ວນ")
        return
    typer.echo(
        f"the audit trail was tampered with: {len(found.problems)} problems / ບັນທຶກການກວດສອບຖືກແກ້ໄຂ:"
    )
    for problem in found.problems:
        typer.echo(f"  {problem}")


@audit_app.command("verify")
def verify_command(db: DbOption = None) -> None:
    """Recompute the seals of the audit trail: exit 0 when intact, 1 listing each
    problem otherwise, 2 when the database cannot be read. Needs no sign-in (it shows
    no personal data); keep the printed head hash elsewhere to detect later that the
    newest seals were removed."""
    from sqlalchemy.exc import DBAPIError

    from laosp.access.audit_trail import verify

    engine = engine_for(db)
    try:
        with engine.connect() as connection:
            found = verify(connection)
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise fail(
            f"cannot read the audit trail ({reason}); is the database at the newest schema "
            "(`laosp db upgrade`)? / ອ່ານບັນທຶກການກວດສອບບໍ່ໄດ້",
            2,
        ) from None
    finally:
        engine.dispose()
    print_verification(found)
    if not found.intact:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``audit`` to ``app``."""
    app.add_typer(audit_app, name="audit")
