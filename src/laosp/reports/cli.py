"""``laosp report coverage`` and ``laosp report projection``: ministerial briefs as PDF or
Excel, in Lao or English."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from laosp.cli_common import DbOption, engine_for, fail, reference_date
from laosp.presentation.i18n import pick_lang
from laosp.projection.cli import ToOption, end_year_override
from laosp.rules.configured import PackOption, pack_for

if TYPE_CHECKING:
    from laosp.reports.render import Format

report_app = typer.Typer(
    help="Ministerial briefs (PDF or Excel, Lao or English): coverage and financing.",
    no_args_is_help=True,
)


class ReportLang(StrEnum):
    lo = "lo"
    en = "en"


LangOption = Annotated[
    ReportLang, typer.Option("--lang", help="Language of the brief: lo (Lao) or en (English).")
]
OutputOption = Annotated[
    Path, typer.Option("--output", "-o", help="FILE.pdf or FILE.xlsx (the suffix sets the format).")
]
FontOption = Annotated[
    Path | None,
    typer.Option(
        "--font",
        help="A Lao TTF/OTF font for the PDF (default: Noto Sans Lao from the installed "
        "package, else the system's Lao font).",
        show_default=False,
    ),
]


def _format(output: Path) -> Format:
    from laosp.reports.render import format_of

    try:
        return format_of(output)
    except ValueError as error:
        raise fail(f"--output: {error}") from None


def _write(output: Path, data: bytes, started: float) -> None:
    output.write_bytes(data)
    seconds = time.perf_counter() - started
    typer.echo(f"written / ບັນທຶກແລ້ວ: {output} ({len(data):,} bytes, {seconds:.1f} s)", err=True)


@report_app.command("coverage")
def coverage(
    output: OutputOption,
    date: Annotated[
        str | None,
        typer.Option(
            "--date", help="Reference date YYYY-MM-DD (default: today).", show_default=False
        ),
    ] = None,
    lang: LangOption = ReportLang.lo,
    province: Annotated[
        str | None,
        typer.Option(
            "--province",
            help="Province code PP: its districts instead of the provinces.",
            show_default=False,
        ),
    ] = None,
    font: FontOption = None,
    db: DbOption = None,
) -> None:
    """Coverage brief: headline indicators, by province (or district), sex, age group and
    formal work, and who is left behind (counts only)."""
    from laosp.reports.coverage import load_coverage_brief, place_names
    from laosp.reports.fonts import MissingLaoFont
    from laosp.reports.render import coverage_report

    started = time.perf_counter()
    fmt = _format(output)
    at = reference_date(date)
    if province is not None and province not in place_names("province"):
        raise fail(f"--province: no province {province!r} (codes 01 to 18)")
    brief = load_coverage_brief(engine_for(db), pack_for(db), at, province)
    try:
        data = coverage_report(brief, pick_lang(lang.value), fmt, font)
    except MissingLaoFont as error:
        raise fail(str(error)) from None
    _write(output, data, started)


@report_app.command("projection")
def projection(
    output: OutputOption,
    scenario: Annotated[
        list[str],
        typer.Option(
            "--scenario",
            "-s",
            help="Scenario YAML file or shipped name; give two to compare them.",
        ),
    ],
    to: ToOption = None,
    lang: LangOption = ReportLang.lo,
    font: FontOption = None,
    pack_dir: PackOption = None,
) -> None:
    """Financing brief: cost and share of GDP to 2030 and 2040, NHI fund balance,
    domestic and external financing; scenario against scenario when two are given."""
    from laosp.projection.engine import run_projection
    from laosp.projection.loading import ScenarioError, load_scenario
    from laosp.reports.fonts import MissingLaoFont
    from laosp.reports.projection import projection_brief
    from laosp.reports.render import projection_report

    started = time.perf_counter()
    fmt = _format(output)
    if not 1 <= len(scenario) <= 2:
        raise fail("--scenario: give one scenario, or two to compare")
    pack = pack_for(None, pack_dir)
    try:
        override = end_year_override(to)
        results = [run_projection(load_scenario(name, pack, override)) for name in scenario]
    except (ScenarioError, ValueError) as error:
        raise fail(f"error / ຂໍ້ຜິດພາດ: {error}") from None
    try:
        data = projection_report(projection_brief(results), pick_lang(lang.value), fmt, font)
    except MissingLaoFont as error:
        raise fail(str(error)) from None
    _write(output, data, started)


def register(app: typer.Typer) -> None:
    """Add ``report`` (``coverage``, ``projection``) to ``app``."""
    app.add_typer(report_app, name="report")
