"""What the operations commands (``enrol``, ``enrolment``, ``cycle``,
``contributions``, ``grievance``) share: options, the pack, dates and error reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from laosp.access.permissions import Action, Forbidden, reach, require
from laosp.cli_common import fail, settings_for, signed_in
from laosp.enrolment.errors import NotEligible
from laosp.enrolment.transitions import TransitionRefused
from laosp.registry.errors import ConflictError, NotFoundError, ValidationFailed
from laosp.rules.configured import pack_for as configured_pack
from laosp.rules.pack import Pack

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from laosp.access.roles import Principal

DateOption = Annotated[
    str | None, typer.Option("--date", help="Date of the change YYYY-MM-DD (default: today).")
]


def parse_date(text: str | None, option: str = "--date") -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option}: {text!r} is not a date YYYY-MM-DD", 2) from None


def pack_for(db: str | None) -> Pack:
    """The configured pack (``LAOSP_PACK_DIR``, else the bundled one), loaded once per
    command."""
    return configured_pack(db)


def officer(
    session: Session, db: str | None, action: Action, district_code: str | None = None
) -> Principal:
    """The signed-in user, if the permission table lets them do ``action`` (in
    ``district_code``); exit 1 otherwise, before anything is written."""
    principal = signed_in(settings_for(db), session)
    require(principal, action, district_code)
    return principal


def national_officer(session: Session, db: str | None, action: Action) -> Principal:
    """The signed-in user, if they may do ``action`` everywhere (work on every district
    at once: a payment cycle, a month's dues)."""
    principal = signed_in(settings_for(db), session)
    if not reach(principal, action).everywhere:
        raise Forbidden(
            action,
            f"{action.value.replace('_', ' ')} covers the whole country: it needs national "
            "reach / ຕ້ອງມີສິດທົ່ວປະເທດ",
        )
    return principal


@contextmanager
def reported() -> Iterator[None]:
    """Turn the services' errors into a message for the officer and exit status 1."""
    try:
        yield
    except ValidationFailed as error:
        lines = ["Refused, nothing was written (ປະຕິເສດ, ບໍ່ໄດ້ບັນທຶກ):"]
        lines += [f"  {e.field}: {e.reason} (value: {e.value!r})" for e in error.errors]
        raise fail("\n".join(lines)) from None
    except NotEligible as error:
        raise fail(f"Not eligible (ບໍ່ມີສິດ): {error}") from None
    except TransitionRefused as error:
        raise fail(f"Refused (ປະຕິເສດ): {error}") from None
    except (NotFoundError, ConflictError) as error:
        raise fail(f"Refused (ປະຕິເສດ): {error}") from None
    except Forbidden as error:
        raise fail(f"Refused, nothing was written (ປະຕິເສດ): {error}") from None
