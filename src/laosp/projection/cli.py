"""``laosp project`` and ``laosp project-sweep``: financing projections from scenario files."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from laosp.cli_common import DbOption, engine_for, fail, reference_date
from laosp.presentation.cells import inert_text
from laosp.rules.configured import PackOption, pack_for

if TYPE_CHECKING:
    from laosp.projection.base_population import BaseTable
    from laosp.projection.registry_inputs import RegistryInputs
    from laosp.registry.snapshot import Snapshot
    from laosp.rules.pack import Pack


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class WorkbookLang(StrEnum):
    lo = "lo"
    en = "en"


ScenarioOption = Annotated[
    str,
    typer.Option(
        "--scenario", "-s", help="Scenario YAML file, or a shipped name (lao_default, ...)."
    ),
]
ToOption = Annotated[
    int | None,
    typer.Option(
        "--to",
        help="Last projection year: the scenario's end_year, from its base_year to 2200 "
        "(default: the scenario's).",
    ),
]


def end_year_override(to: int | None) -> dict[str, int] | None:
    """``--to`` as an override of the scenario's ``scenario.end_year``, so that the
    scenario's own rule (from its base year, at most 2200) checks it before any work."""
    return None if to is None else {"scenario.end_year": to}


OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
]


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, "utf-8")
        typer.echo(f"written / ບັນທຶກແລ້ວ: {output}", err=True)


project_app = typer.Typer(
    help="Project the cost and financing of social protection schemes year by year "
    "(`laosp project -s SCENARIO`), or track coverage against the 2030 promise "
    "(`laosp project tracker`).",
    invoke_without_command=True,
)

DateOption = Annotated[
    str | None,
    typer.Option("--date", help="Registry reference date YYYY-MM-DD (default: today)."),
]


@project_app.callback()
def project(
    ctx: typer.Context,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario", "-s", help="Scenario YAML file, or a shipped name (lao_default, ...)."
        ),
    ] = None,
    compare: Annotated[
        list[str] | None,
        typer.Option("--compare", "-c", help="Other scenarios to show side by side."),
    ] = None,
    to: ToOption = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table, json, csv or xlsx.")
    ] = OutputFormat.table,
    output: OutputOption = None,
    lang: Annotated[
        WorkbookLang,
        typer.Option("--lang", help="Sheet names of the xlsx workbook: lo (Lao) or en (English)."),
    ] = WorkbookLang.en,
    base_persons: Annotated[
        Path | None,
        typer.Option(
            help="Parquet or CSV of registry persons (birth_date, sex, district_code) for "
            "scenarios whose base population comes from the registry."
        ),
    ] = None,
    from_db: Annotated[
        bool,
        typer.Option(
            "--from-db",
            help="Take the base population and the base year's take-up of the schemes in "
            "operation from the registry and its enrolments at --date.",
        ),
    ] = False,
    db: DbOption = None,
    date: DateOption = None,
    pack_dir: PackOption = None,
) -> None:
    """Project the cost and financing of social protection schemes year by year."""
    if ctx.invoked_subcommand is not None:
        return
    if scenario is None:
        raise fail("--scenario / -s: give a scenario file or a shipped name", 2)
    from rich.console import Console

    from laosp.projection import report
    from laosp.projection.engine import run_projection
    from laosp.projection.loading import ScenarioError, linked_raw, resolve, validate
    from laosp.projection.registry_inputs import with_registry

    at = reference_date(date)
    pack = pack_for(db, pack_dir)
    try:
        inputs = _from_db(db, pack, at) if from_db else None
        registry = inputs.base if inputs else _registry_base(base_persons) if base_persons else None
        override = end_year_override(to)
        scenarios = []
        for name in [scenario, *(compare or [])]:
            path = resolve(name)
            raw = linked_raw(path, pack, override)
            if inputs is not None:
                raw = with_registry(raw, inputs)
            scenarios.append(validate(raw, str(path)))
        results = [run_projection(s, registry) for s in scenarios]
    except (ScenarioError, ValueError) as error:
        raise fail(f"error / ຂໍ້ຜິດພາດ: {error}") from None
    if output_format is OutputFormat.table:
        console = Console(width=200, record=output is not None)
        report.print_tables(results, console)
        if output is not None:
            output.write_text(console.export_text(), "utf-8")
    elif output_format is OutputFormat.json:
        _emit(report.as_json(results), output)
    elif output_format is OutputFormat.csv:
        _emit(report.as_csv(results), output)
    else:
        from laosp.projection.workbook import write_workbook

        if output is None:
            raise fail("--format xlsx needs --output FILE.xlsx")
        write_workbook(results, output, lang.value)
        typer.echo(f"written / ບັນທຶກແລ້ວ: {output}", err=True)


#: The columns of a ``--base-persons`` file.
BASE_PERSON_COLUMNS = ("birth_date", "sex", "district_code")


def _registry_base(path: Path) -> BaseTable:
    """The base population of the persons file at ``path`` (Parquet, or CSV separated
    by commas, semicolons or tabs); exit 1 naming the columns it lacks."""
    import polars as pl

    from laosp.projection.base_population import registry_base
    from laosp.registry.import_file import csv_separator, require_columns
    from laosp.registry.import_limits import UnreadableFile

    if path.suffix == ".parquet":
        frame = pl.read_parquet(path)
    else:
        frame = pl.read_csv(path, separator=csv_separator(path), infer_schema=False)
        frame = frame.rename({name: name.strip().lstrip("\ufeff") for name in frame.columns})
    try:
        require_columns(path, frame.columns, BASE_PERSON_COLUMNS)
    except UnreadableFile as error:
        raise fail(f"error / ຂໍ້ຜິດພາດ: --base-persons: {error}") from None
    birth = pl.col("birth_date")
    try:
        frame = frame.with_columns(
            birth.str.to_date("%Y-%m-%d")
            if frame.schema["birth_date"] == pl.String
            else birth.cast(pl.Date)
        )
    except pl.exceptions.PolarsError as error:
        reason = str(error).splitlines()[0]
        raise fail(
            f"error / ຂໍ້ຜິດພາດ: --base-persons: {path.name}: birth_date: {reason} "
            "(write dates as YYYY-MM-DD)"
        ) from None
    return registry_base(frame, date.today())


def _snapshot(db: str | None, at: date) -> Snapshot:
    """The registry with its enrolments as they were at ``at`` (from their history for a
    past date; as they are now otherwise)."""
    from sqlalchemy.exc import SQLAlchemyError

    from laosp.registry.snapshot import load_snapshot

    engine = engine_for(db)
    try:
        past = at if at < date.today() else None
        return load_snapshot(engine, ("persons", "households", "enrolments"), at=past)
    except SQLAlchemyError as error:
        url = engine.url.render_as_string(hide_password=True)
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise fail(f"error / ຂໍ້ຜິດພາດ: cannot read the registry at {url}: {reason}") from None
    finally:
        engine.dispose()


def _from_db(db: str | None, pack: Pack, at: date) -> RegistryInputs:
    from laosp.projection.registry_inputs import registry_inputs

    inputs = registry_inputs(_snapshot(db, at), pack, at)
    if inputs.persons == 0:
        raise fail(f"error / ຂໍ້ຜິດພາດ: the registry holds no person born by {at}")
    return inputs


class TrackerFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@project_app.command("tracker")
def tracker_command(
    db: DbOption = None,
    date: DateOption = None,
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario", "-s", help="Scenario whose projection grows the gap's cost to 2030."
        ),
    ] = "lao_default",
    output_format: Annotated[
        TrackerFormat, typer.Option("--format", "-f", help="table, json or csv.")
    ] = TrackerFormat.table,
    output: OutputOption = None,
    pack_dir: PackOption = None,
) -> None:
    """Coverage against the 2030 promise (NSPS: everyone has access to social protection
    by 2030), per province and scheme in operation: eligible, enrolled, the gap, and the
    yearly cost of enrolling the gap at the pack's amounts, now and in 2030."""
    from laosp.projection.engine import run_projection
    from laosp.projection.loading import ScenarioError, load_scenario
    from laosp.projection.registry_inputs import tracker

    at = reference_date(date)
    pack = pack_for(db, pack_dir)
    try:
        projection = run_projection(load_scenario(scenario, pack))
    except (ScenarioError, ValueError) as error:
        raise fail(f"error / ຂໍ້ຜິດພາດ: {error}") from None
    frame = tracker(_snapshot(db, at), pack, at, projection)
    if frame.is_empty():
        typer.echo(
            f"no one in the registry is eligible for or enrolled in a scheme in operation at "
            f"{at} / ບໍ່ມີຜູ້ມີສິດ ຫຼື ຜູ້ລົງທະບຽນ",
            err=True,
        )
    if output_format is TrackerFormat.json:
        _emit(frame.write_json(), output)
    elif output_format is TrackerFormat.csv:
        _emit(inert_text(frame).write_csv(), output)
    else:
        from rich.console import Console

        from laosp.projection.report import tracker_table

        console = Console(width=200, record=output is not None)
        console.print(tracker_table(frame, at))
        if output is not None:
            output.write_text(console.export_text(), "utf-8")


def project_sweep(
    scenario: ScenarioOption,
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            "-v",
            help="KEY=LOW:HIGH:COUNT or KEY=V1,V2,... (e.g. macro.gdp_real_growth=0.02:0.06:5, "
            "schemes.child_grant.take_up=0.5,0.7,0.9); several --vary make a grid.",
        ),
    ],
    to: ToOption = None,
    workers: Annotated[int, typer.Option(help="Processes to run the variants in.")] = 2,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table, json or csv.")
    ] = OutputFormat.table,
    output: OutputOption = None,
    pack_dir: PackOption = None,
) -> None:
    """Sensitivity: min / median / max per year of the key outputs over a grid of variants."""
    from rich.console import Console
    from rich.table import Table

    from laosp.projection.loading import ScenarioError, apply_overrides, load_raw, resolve
    from laosp.projection.sweep import grid, parse_axis, run_sweep

    pack = pack_for(None, pack_dir)
    try:
        raw = load_raw(resolve(scenario))
        if (override := end_year_override(to)) is not None:
            raw = apply_overrides(raw, override, "--to")
        variants = grid([parse_axis(text) for text in vary])
        result = run_sweep(raw, variants, pack, end_year=to, workers=workers)
    except (ScenarioError, ValueError) as error:
        raise fail(f"error / ຂໍ້ຜິດພາດ: {error}") from None
    spread = result.spread()
    if output_format is OutputFormat.json:
        _emit(spread.write_json(), output)
    elif output_format is OutputFormat.csv:
        _emit(inert_text(spread).write_csv(), output)
    elif output_format is OutputFormat.table:
        console = Console(width=160, record=output is not None)
        for name in spread["output"].unique(maintain_order=True):
            table = Table(
                title=f"{name}: spread over {len(variants)} variants / ຂອບເຂດ", title_justify="left"
            )
            for heading in ("Year / ປີ", "min", "median", "max"):
                table.add_column(heading, justify="right")
            for row in spread.filter(output=name).iter_rows(named=True):
                table.add_row(
                    str(row["year"]), *(f"{row[k]:,.3f}" for k in ("min", "median", "max"))
                )
            console.print(table)
        if output is not None:
            output.write_text(console.export_text(), "utf-8")
    else:
        raise fail("project-sweep writes table, json or csv")


def register(app: typer.Typer) -> None:
    """Add this domain's commands to ``app``."""
    app.add_typer(project_app, name="project")
    app.command("project-sweep")(project_sweep)
