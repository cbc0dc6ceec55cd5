"""``laosp synth``: build a synthetic Lao population, or report on its calibration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from laosp.cli_common import DbOption, engine_for, fail
from laosp.rules.configured import pack_for
from laosp.synth.population import Config, Population

if TYPE_CHECKING:
    from laosp.rules.pack import Pack

DEFAULT_SCALE = 0.01
DEFAULT_SEED = 20_250_101


def synth(
    db: DbOption = None,
    scale: Annotated[
        float | None, typer.Option(help="1.0 = the whole country (7.8 M persons); default 0.01.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Same seed, scale and date: same population.")] = (
        DEFAULT_SEED
    ),
    date: Annotated[
        str | None, typer.Option("--date", help="Reference date YYYY-MM-DD (default: today).")
    ] = None,
    duplicates: Annotated[
        float, typer.Option(help="Share of persons to copy as planted duplicates (0-0.2).")
    ] = 0.0,
    parquet: Annotated[
        Path | None, typer.Option(help="Also write every table as Parquet in this folder.")
    ] = None,
    truth: Annotated[
        Path | None,
        typer.Option(help="CSV of planted duplicate pairs (default: synth_duplicates.csv)."),
    ] = None,
    replace: Annotated[
        bool, typer.Option(help="Delete an existing synthetic population first.")
    ] = False,
    report: Annotated[
        bool,
        typer.Option(help="Compare the population in the database with the targets; exit 1 "
                     "when one is missed. Alone, reports on the population already there."),
    ] = False,
) -> None:  # fmt: skip
    """Build a synthetic Lao population in the registry (ສ້າງປະຊາກອນຈຳລອງ)."""
    from laosp.synth.build import PopulationExistsError
    from laosp.synth.calibration import last_run

    engine = engine_for(db)
    at = dt.date.fromisoformat(date) if date else dt.date.today()
    if not 0 <= duplicates <= 0.2:
        raise fail("--duplicates must be between 0 and 0.2")
    console = Console(stderr=True)
    if scale is not None or not report:
        config = Config(scale=scale or DEFAULT_SCALE, seed=seed, at=at, duplicates=duplicates)
        if duplicates and truth is None:
            truth = Path("synth_duplicates.csv")
        try:
            population = _run(engine, config, pack_for(db), replace, parquet, truth, console)
        except PopulationExistsError as error:
            raise fail(str(error)) from error
        console.print(
            f"{population.households.height:,} households, {population.people.height:,} persons "
            f"(scale {config.scale}, seed {config.seed}, date {config.at})"
        )
        if truth is not None and population.duplicate_pairs.height:
            console.print(f"planted duplicates: {population.duplicate_pairs.height:,} → {truth}")
    if report:
        run = last_run(engine)
        if run is None:
            raise fail("no synthetic population in this database: run `laosp synth` first")
        if not _report(engine, float(run["scale"]), dt.date.fromisoformat(run["at"])):
            raise typer.Exit(1)


def _run(
    engine: object,
    config: Config,
    pack: Pack,
    replace: bool,
    parquet: Path | None,
    truth: Path | None,
    console: Console,
) -> Population:
    from sqlalchemy import Engine

    from laosp.synth.build import synthesise

    assert isinstance(engine, Engine)
    columns = (
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        building = progress.add_task("building", total=None)
        tasks: dict[str, TaskID] = {}

        def built(population: Population) -> None:
            progress.update(building, total=1, completed=1)
            for name, frame in population.tables.items():
                if name not in tasks:
                    tasks[name] = progress.add_task(name, total=frame.height)
                progress.update(tasks[name], total=frame.height)

        def advance(table: str, rows: int) -> None:  # called from the writer's thread
            if table not in tasks:
                tasks[table] = progress.add_task(table, total=None)
            progress.advance(tasks[table], rows)

        return synthesise(
            engine, config, pack, replace=replace, parquet=parquet, truth=truth, advance=advance,
            on_built=built,
        )  # fmt: skip


def _report(engine: object, scale: float, at: dt.date) -> bool:
    from sqlalchemy import Engine

    from laosp.synth.calibration import calibration

    assert isinstance(engine, Engine)
    results = calibration(engine, scale, at)
    table = Table(title=f"Synthetic population: calibration (scale {scale}, date {at})")
    for column in ("target", "expected", "achieved", "tolerance", "ok", "source"):
        table.add_column(column, justify="right" if column in ("expected", "achieved") else "left")
    for result in results:
        t = result.target
        fmt = "{:.1%}" if t.kind == "share" else "{:,.0f}" if t.kind == "count" else "{:,.2f}"
        tolerance = f"±{t.tolerance * 100:.1f} pt" if t.kind == "share" else f"±{t.tolerance:.0%}"
        table.add_row(
            t.label,
            fmt.format(result.expected),
            fmt.format(result.achieved),
            tolerance,
            "yes" if result.ok else "[red]NO[/red]",
            t.source,
        )
    Console(width=max(Console().width, 120)).print(table)
    return all(result.ok for result in results)


def register(app: typer.Typer) -> None:
    """Add ``laosp synth`` to ``app``."""
    app.command("synth")(synth)
