"""``laosp project`` and ``laosp project-sweep``: financing projections from scenario files."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from laosp.cli_common import fail

if TYPE_CHECKING:
    from laosp.projection.base_population import BaseTable


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


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


def project(
    scenario: ScenarioOption,
    compare: Annotated[
        list[str] | None,
        typer.Option("--compare", "-c", help="Other scenarios to show side by side."),
    ] = None,
    to: ToOption = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table, json, csv or xlsx.")
    ] = OutputFormat.table,
    output: OutputOption = None,
    base_persons: Annotated[
        Path | None,
        typer.Option(
            help="Parquet or CSV of registry persons (birth_date, sex, district_code) for "
            "scenarios whose base population comes from the registry."
        ),
    ] = None,
) -> None:
    """Project the cost and financing of social protection schemes year by year."""
    from rich.console import Console

    from laosp.projection import report
    from laosp.projection.engine import run_projection
    from laosp.projection.loading import ScenarioError, load_scenario

    try:
        registry = _registry_base(base_persons) if base_persons else None
        override = end_year_override(to)
        scenarios = [load_scenario(name, override) for name in [scenario, *(compare or [])]]
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
        write_workbook(results, output)
        typer.echo(f"written / ບັນທຶກແລ້ວ: {output}", err=True)


def _registry_base(path: Path) -> BaseTable:
    import polars as pl

    from laosp.projection.base_population import registry_base

    frame = pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_csv(path)
    frame = frame.with_columns(pl.col("birth_date").cast(pl.Date))
    return registry_base(frame, date.today())


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
) -> None:
    """Sensitivity: min / median / max per year of the key outputs over a grid of variants."""
    from rich.console import Console
    from rich.table import Table

    from laosp.projection.loading import ScenarioError, apply_overrides, load_raw, resolve
    from laosp.projection.sweep import grid, parse_axis, run_sweep

    try:
        raw = load_raw(resolve(scenario))
        if (override := end_year_override(to)) is not None:
            raw = apply_overrides(raw, override, "--to")
        variants = grid([parse_axis(text) for text in vary])
        result = run_sweep(raw, variants, end_year=to, workers=workers)
    except (ScenarioError, ValueError) as error:
        raise fail(f"error / ຂໍ້ຜິດພາດ: {error}") from None
    spread = result.spread()
    if output_format is OutputFormat.json:
        _emit(spread.write_json(), output)
    elif output_format is OutputFormat.csv:
        _emit(spread.write_csv(), output)
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
    app.command("project")(project)
    app.command("project-sweep")(project_sweep)
