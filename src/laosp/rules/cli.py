"""``laosp rules``: policy tests, explanations, whole-registry evaluation, parameters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from laosp.cli_common import DbOption, engine_for, fail, reference_date
from laosp.presentation.cells import inert_text
from laosp.rules.configured import PackOption, pack_for

rules_app = typer.Typer(
    help="Policy rules: test, explain, evaluate, compare a reform, list parameters.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add this domain's commands to ``app``."""
    app.add_typer(rules_app, name="rules")


@rules_app.command("test")
def run_tests(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files or folders.")],
    pack_dir: PackOption = None,
) -> None:
    """Run policy scenario tests; exit 0 all passed, 1 some failed, 2 invalid files."""
    from laosp.rules.errors import PackError
    from laosp.rules.scenarios import collect_files, load_cases, run_case

    pack = pack_for(None, pack_dir)
    try:
        cases = [case for file in collect_files(paths) for case in load_cases(file, pack)]
        outcomes = [run_case(case, pack) for case in cases]
    except PackError as error:
        raise fail(f"error: {error}", 2) from error
    failed = [o for o in outcomes if o.mismatches]
    for outcome in failed:
        case = outcome.case
        typer.echo(f"FAILED {case.file}:{case.line} {case.name}")
        for m in outcome.mismatches:
            typer.echo(
                f"  {m.unit_id} {m.output}: expected {m.expected!r}, computed {m.computed!r}"
            )
    typer.echo(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    raise typer.Exit(1 if failed else 0)


@rules_app.command("explain")
def explain_command(
    date: Annotated[str | None, typer.Option("--date", help="Evaluation date YYYY-MM-DD.")] = None,
    household: Annotated[str | None, typer.Option("--household", help="household_id")] = None,
    person: Annotated[str | None, typer.Option("--person", help="person_id")] = None,
    output_format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    receipt: Annotated[
        int | None,
        typer.Option("--receipt", help="Show and re-check the decision receipt ID."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="lo or en (--receipt)")] = "en",
    pack_dir: PackOption = None,
    db: DbOption = None,
) -> None:
    """Explain the results of one household or person, with parameter references; or,
    with --receipt, show a decision receipt and re-evaluate it with its pack version."""
    from laosp.registry.snapshot import load_snapshot
    from laosp.rules.errors import PackError
    from laosp.rules.explain import explain
    from laosp.rules.receipt_cli import show_receipt

    if receipt is not None:
        if household is not None or person is not None or date is not None:
            raise fail("--receipt takes no --household, --person or --date", 2)
        show_receipt(receipt, lang, pack_for(db, pack_dir), db)
        return
    if date is None:
        raise fail("--date is required (or --receipt)", 2)
    if (household is None) == (person is None):
        raise fail("give exactly one of --household or --person", 2)
    if output_format not in ("text", "json"):
        raise fail("--format is text or json", 2)
    at = reference_date(date)
    pack = pack_for(db, pack_dir)
    snapshot = load_snapshot(
        engine_for(db),
        tables=("persons", "households"),
        household_ids=[household] if household else None,
        person_ids=[person] if person else None,
        at=at,  # the registry as it was then (its history)
    )
    try:
        trace = explain(
            pack,
            snapshot.persons,
            snapshot.households,
            at,
            household_id=household,
            person_id=person,
        )
    except PackError as error:
        raise fail(f"error: {error}", 1) from error
    if output_format == "json":
        typer.echo(json.dumps(trace.to_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        typer.echo(trace.to_text(), nl=False)


@rules_app.command("evaluate")
def evaluate_command(
    date: Annotated[str, typer.Option("--date", help="Evaluation date YYYY-MM-DD.")],
    output: Annotated[Path, typer.Option("--output", help="FILE.parquet or FILE.csv")],
    outputs: Annotated[str | None, typer.Option("--outputs", help="a,b,... (default all)")] = None,
    pack_dir: PackOption = None,
    db: DbOption = None,
) -> None:
    """Evaluate outputs over the whole registry; person outputs, then household outputs
    (``FILE.households.parquet``/``.csv`` beside it)."""
    from laosp.registry.snapshot import load_snapshot
    from laosp.rules.engine import evaluate
    from laosp.rules.errors import PackError

    if output.suffix not in (".parquet", ".csv"):
        raise fail("--output must end in .parquet or .csv", 2)
    at = reference_date(date)
    pack = pack_for(db, pack_dir)
    names = [n.strip() for n in outputs.split(",") if n.strip()] if outputs else None
    snapshot = load_snapshot(engine_for(db), tables=("persons", "households"), at=at)
    try:
        result = evaluate(pack, snapshot.persons, snapshot.households, at, names)
    except PackError as error:
        raise fail(f"error: {error}", 2) from error
    household_path = output.with_suffix(f".households{output.suffix}")
    for frame, path in ((result.persons, output), (result.households, household_path)):
        if output.suffix == ".csv":
            inert_text(frame).write_csv(path)
        else:
            frame.write_parquet(path)
    typer.echo(
        f"{result.persons.height} persons → {output}; "
        f"{result.households.height} households → {household_path}"
    )


@rules_app.command("params")
def params_command(
    date: Annotated[str | None, typer.Option("--date", help="Date (default: today).")] = None,
    pack_dir: PackOption = None,
) -> None:
    """The parameters in force at a date, with their reference and status."""
    at = reference_date(date)
    pack = pack_for(None, pack_dir)
    typer.echo(f"Parameters in force on {at} / ພາລາມິເຕີທີ່ມີຜົນບັງຄັບໃຊ້")
    for name, param in sorted(pack.parameters.items()):
        value = param.value_at(at)
        if value is None:
            typer.echo(f"{name}: (no value yet; first from {param.first_date})")
            continue
        typer.echo(
            f"{name} = {value.value!r}  [{value.status}, since {value.start}] {value.reference}"
        )
