"""``laosp rules diff``: a reform on the live registry, who gains and who loses, by
district, and what it costs (``laosp.rules.diff``), and with ``--projection`` the same
change carried through the financing projection to 2030 (``laosp.projection.reform``).
It reads both the rules and the projection, so it lives here, above both, and joins the
``laosp rules`` commands when registered."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from laosp.cli_common import DbOption, engine_for, fail, reference_date, settings_for
from laosp.presentation.cells import inert_text
from laosp.rules.cli import register as register_rules
from laosp.rules.cli import rules_app
from laosp.rules.configured import PackOption, pack_of


class DiffFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


#: Columns of the summary table (headings in ``laosp.presentation.i18n``).
SUMMARY_COLUMNS = (
    "gainers",
    "losers",
    "amount_changed",
    "money_month",
    "money_this_year",
    "money_full_year",
    "contribution_month",
)
COUNTS = ("gainers", "losers", "amount_changed")


def diff_command(
    pack_dir: PackOption = None,
    reform_pack: Annotated[
        Path | None,
        typer.Option("--reform-pack", help="A second pack folder: the reform.", show_default=False),
    ] = None,
    assignments: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="NAME=VALUE: a parameter of the pack changed from --from on (repeat).",
            show_default=False,
        ),
    ] = None,
    from_text: Annotated[
        str | None, typer.Option("--from", help="Reform start YYYY-MM-DD (default: today).")
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Evaluation date (default: the start).")
    ] = None,
    db: DbOption = None,
    district: Annotated[
        str | None, typer.Option("--district", help="District code PPDD: only this district.")
    ] = None,
    listing: Annotated[
        bool, typer.Option("--list", help="The named persons and households (needs --district).")
    ] = False,
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="table, csv or json.")
    ] = DiffFormat.table,
    lang: Annotated[str, typer.Option("--lang", help="Names in lo (Lao) or en.")] = "en",
    projection: Annotated[
        bool,
        typer.Option(
            "--projection",
            help="Also carry the reform through the financing projection to 2030 "
            "(the default scenario): the cost change per scheme and year.",
        ),
    ] = False,
) -> None:
    """Who gains and who loses a scheme or money under a reform, by district, and what it
    costs this year and a full year (the whole registry, evaluated twice)."""
    from laosp.reference.admin_units import district_codes
    from laosp.registry.snapshot import load_snapshot
    from laosp.rules import diff as reform_diff
    from laosp.rules.errors import InputError, PackError
    from laosp.rules.pack import load_pack

    if (reform_pack is None) == (not assignments):
        raise fail("give either --reform-pack DIR or --set NAME=VALUE (one or more)", 2)
    if district is not None and district not in district_codes():
        raise fail(f"--district: unknown district {district!r} (a code PPDD, e.g. 1703)", 2)
    if listing and district is None:
        raise fail("--list needs --district: named lists are shown one district at a time", 2)
    if lang not in ("lo", "en"):
        raise fail("--lang is lo or en", 2)
    start = reference_date(from_text, "--from")
    at = reference_date(date) if date is not None else start
    if assignments and at < start:
        raise fail(f"--date {at} is before the reform starts (--from {start}): nothing changes", 2)
    try:
        base = pack_of(settings_for(db), pack_dir)
        if reform_pack is not None:
            reform = load_pack(reform_pack)
        else:
            overrides = reform_diff.parse_assignments(base, assignments or [])
            reform = reform_diff.with_reform(base, overrides, start)
    except PackError as error:
        raise fail(f"error / ຂໍ້ຜິດພາດ: {error}", 2) from None
    engine = engine_for(db)
    # only the columns the reform's schemes read: a few of the registry's
    snapshot = load_snapshot(
        engine,
        tables=("persons", "households"),
        only=reform_diff.columns_to_read(base, reform),
    )
    try:
        result = reform_diff.compare(base, reform, snapshot.persons, snapshot.households, at, start)
    except (PackError, InputError) as error:
        raise fail(f"error / ຂໍ້ຜິດພາດ: {error}", 1) from None
    if district is not None:
        result = reform_diff.in_district(result, district)
    if listing:
        changes = result.changes
        people = load_snapshot(
            engine,
            tables=("persons", "households"),
            household_ids=changes["household_id"].unique().to_list(),
            include=("given_name", "family_name"),
            row_keys=False,
        ).persons
        frame = reform_diff.named(reform_diff.with_person_names(changes, people), base, reform)
        _diff_list(frame, result, output_format, lang)
    else:
        carried = _carried(base, reform) if projection else None
        _diff_summary(
            reform_diff.named(result.summary, base, reform), result, output_format, lang, carried
        )


def _carried(base: Any, reform: Any) -> list[dict[str, Any]]:
    from laosp.projection.loading import ScenarioError
    from laosp.projection.reform import cost_change

    try:
        return cost_change(base, reform)
    except ScenarioError as error:
        raise fail(f"error / ຂໍ້ຜິດພາດ: projection: {error}", 1) from None


def _diff_head(result: Any) -> dict[str, Any]:
    return {
        "date": result.at.isoformat(),
        "from": result.from_date.isoformat(),
        "months_this_year": result.months_this_year,
    }


def _diff_summary(
    frame: Any,
    result: Any,
    output_format: DiffFormat,
    lang: str,
    carried: list[dict[str, Any]] | None,
) -> None:
    from rich.console import Console
    from rich.table import Table

    from laosp.presentation.i18n import Formatter

    if output_format is DiffFormat.json:
        body = {**_diff_head(result), "summary": frame.to_dicts()}
        if carried is not None:
            body["projection"] = carried
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    if output_format is DiffFormat.csv:
        typer.echo(inert_text(frame).write_csv(), nl=False)
        return
    text = Formatter("lo" if lang == "lo" else "en")
    table = Table(
        title=f"{text('reference_date')}: {text.date(result.at)} · "
        f"{result.months_this_year} {text('months_this_year')} {text.date(result.from_date)}"
    )
    for heading in (text("province"), text("district"), text("scheme")):
        table.add_column(heading)
    for key in SUMMARY_COLUMNS:
        table.add_column(text(key), justify="right")
    for row in frame.iter_rows(named=True):
        table.add_row(
            row[f"province_name_{lang}"],
            row[f"district_name_{lang}"],
            row[f"scheme_name_{lang}"],
            *(text.number(row[k]) if k in COUNTS else text.kip(row[k]) for k in SUMMARY_COLUMNS),
        )
    Console(width=220).print(table)
    if frame.is_empty():
        typer.echo(text("no_changes"))
    if carried is not None:
        _carried_table(carried, text, lang)


def _carried_table(rows: list[dict[str, Any]], text: Any, lang: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Projection to 2030 (default scenario) / ການຄາດຄະເນເຖິງປີ 2030")
    for heading in ("year / ປີ", text("scheme"), "before / ກ່ອນ", "after / ຫຼັງ", "±"):
        table.add_column(heading)
    for row in rows:
        table.add_row(
            str(row["year"]),
            row[f"scheme_name_{lang}"],
            text.kip(row["cost_before"]),
            text.kip(row["cost_after"]),
            text.kip(row["change"]),
        )
    Console(width=220).print(table)
    if not rows:
        typer.echo(text("no_changes"))


def _diff_list(frame: Any, result: Any, output_format: DiffFormat, lang: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from laosp.presentation.i18n import Formatter

    columns = [
        "district_name_en",
        "district_name_lo",
        "scheme_name_en",
        "scheme_name_lo",
        "unit",
        "household_id",
        "person_id",
        "given_name",
        "family_name",
        "change",
        "eligible_before",
        "eligible_after",
        "amount_before",
        "amount_after",
        "contribution_before",
        "contribution_after",
    ]
    frame = frame.select(columns).sort("scheme_name_en", "household_id", "person_id")
    if output_format is DiffFormat.json:
        body = {**_diff_head(result), "rows": frame.to_dicts()}
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    if output_format is DiffFormat.csv:
        typer.echo(inert_text(frame).write_csv(), nl=False)
        return
    text = Formatter("lo" if lang == "lo" else "en")
    table = Table()
    for heading in (
        text("scheme"),
        text("household"),
        text("person"),
        text("name"),
        "±",
        "before / ກ່ອນ",
        "after / ຫຼັງ",
    ):
        table.add_column(heading)
    for row in frame.iter_rows(named=True):
        table.add_row(
            row[f"scheme_name_{lang}"],
            row["household_id"],
            row["person_id"] or "—",
            f"{row['given_name'] or ''} {row['family_name'] or ''}".strip(),
            row["change"],
            text.kip(row["amount_before"]) if row["eligible_before"] else text("no"),
            text.kip(row["amount_after"]) if row["eligible_after"] else text("no"),
        )
    Console(width=220).print(table)
    typer.echo(f"{frame.height} rows / ແຖວ")


def register(app: typer.Typer) -> None:
    """Add the ``laosp rules`` commands, ``diff`` among them, to ``app``."""
    rules_app.command("diff")(diff_command)
    register_rules(app)
