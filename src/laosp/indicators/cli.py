"""``laosp indicators`` and ``laosp gaps``: coverage at a date and who is left behind.

The gap lists carry names, villages and households: personal data for authorised
officers only (see ``docs/INDICATORS.md``).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from laosp.cli_common import DbOption, engine_for, fail, reference_date
from laosp.indicators.breakdowns import parse_breakdown
from laosp.indicators.frames import RegistryFrames, from_snapshot
from laosp.rules.configured import pack_for

SENSITIVE = "Personal data: for authorised officers only. ຂໍ້ມູນສ່ວນບຸກຄົນ: ສະເພາະເຈົ້າໜ້າທີ່ທີ່ໄດ້ຮັບອະນຸຍາດເທົ່ານັ້ນ."


class IndicatorFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


DateOption = Annotated[
    str | None,
    typer.Option("--date", help="Reference date YYYY-MM-DD (default: today).", show_default=False),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (xlsx needs one).", show_default=False),
]
FormatOption = Annotated[IndicatorFormat, typer.Option("--format", help="Output format.")]


def read_snapshot(
    engine: Engine, *, with_names: bool = False, at: dt.date | None = None
) -> RegistryFrames:
    """The columnar registry snapshot, as it was at ``at`` (its history: statuses and
    the fields the rules read, ``laosp.registry.as_of``); names only for the gap lists."""
    from laosp.registry.snapshot import TABLES, load_snapshot

    include = ("given_name", "family_name") if with_names else ()
    return from_snapshot(load_snapshot(engine, TABLES, include=include, at=at))


def _emit(text: str | None) -> None:
    if text is not None:
        typer.echo(text, nl=False)


def indicators(
    date: DateOption = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Breakdown fields, comma-separated: province, district, sex, age_group, "
            "urban, poor, sector, formal, disability.",
            show_default=False,
        ),
    ] = None,
    output_format: FormatOption = IndicatorFormat.table,
    output: OutputOption = None,
    db: DbOption = None,
) -> None:
    """Coverage indicators (SDG 1.3.1, health, informal workers), unemployment (SDG 8.5.2)
    and inequality before and after transfers (SDG 10.4.2) at a date."""
    from laosp.indicators import export
    from laosp.indicators.engine import compute_indicators

    at = reference_date(date)
    try:
        fields = parse_breakdown(by)
    except ValueError as error:
        raise fail(f"--by: {error}") from None
    pack = pack_for(db)
    result = compute_indicators(
        read_snapshot(engine_for(db), at=at), at, fields, pack=pack, inequality=True
    )
    if output_format is IndicatorFormat.table:
        title = f"Coverage at {at} · ການຄຸ້ມຄອງ ວັນທີ {at}"
        Console().print(export.indicators_table(result, fields, title))
    elif output_format is IndicatorFormat.xlsx:
        path = output or Path(f"indicators-{at}.xlsx")
        export.write_xlsx({"Indicators": export.with_labels(result)}, path)
        typer.echo(f"wrote {path}", err=True)
    else:
        _emit(export.write_frame(result, output_format.value, output))


def gaps(
    scheme: Annotated[
        str | None,
        typer.Option(
            "--scheme",
            help="Comma-separated scheme codes of the policy pack (its schemes in "
            "operation), or 'uncovered' (default: all).",
            show_default=False,
        ),
    ] = None,
    district: Annotated[
        str | None,
        typer.Option(
            "--district",
            help="District code PPDD (default: the whole country).",
            show_default=False,
        ),
    ] = None,
    date: DateOption = None,
    output_format: FormatOption = IndicatorFormat.table,
    output: OutputOption = None,
    limit: Annotated[int, typer.Option(help="Rows of the list shown by --format table.")] = 50,
    db: DbOption = None,
) -> None:
    """Who is left behind: persons with no cover, and the eligible who are not enrolled.
    Personal data: for authorised officers only."""
    from laosp.indicators import export
    from laosp.indicators.gaps import (
        UNCOVERED,
        evaluate_eligibility,
        gap_counts,
        gap_list,
        gap_schemes,
    )

    at = reference_date(date)
    pack = pack_for(db)
    known = gap_schemes(pack)
    wanted = [part.strip() for part in (scheme or "").split(",") if part.strip()]
    unknown = [item for item in wanted if item not in (*known, UNCOVERED)]
    if unknown:
        raise fail(
            f"--scheme: unknown {', '.join(unknown)}; the policy pack's schemes with a gap "
            f"list: {', '.join(known)}, or {UNCOVERED}",
            2,
        )
    schemes = [item for item in wanted if item != UNCOVERED] if wanted else list(known)
    frames = read_snapshot(engine_for(db), with_names=True, at=at)
    listed = gap_list(
        frames,
        at,
        evaluate_eligibility(pack, frames, at, schemes) if schemes else None,
        pack=pack,
        schemes=schemes,
        district=district,
        include_uncovered=not wanted or UNCOVERED in wanted,
    )
    typer.echo(SENSITIVE, err=True)
    summary = gap_counts(listed, ("district",))
    if output_format is IndicatorFormat.table:
        console = Console()
        console.print(export.counts_table(gap_counts(listed), f"Gaps at {at} · ຊ່ອງຫວ່າງ ວັນທີ {at}"))
        if district is not None:
            console.print(export.list_table(listed, limit))
    elif output_format is IndicatorFormat.xlsx:
        path = output or Path(f"gaps-{district or 'national'}-{at}.xlsx")
        export.write_xlsx({"Summary": summary, "List": listed}, path)
        typer.echo(f"wrote {path}", err=True)
    else:
        _emit(export.write_frame(listed, output_format.value, output))


def register(app: typer.Typer) -> None:
    """Add ``indicators`` and ``gaps`` to ``app``."""
    app.command("indicators")(indicators)
    app.command("gaps")(gaps)
