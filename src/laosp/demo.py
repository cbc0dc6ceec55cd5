"""``laosp demo``: the main job on a fresh machine.

It builds the registry in an embedded SQLite file (or the ``--db`` given): reference
data, a few example households, a synthetic Lao population at a small scale with its
calibration check, the headline coverage indicators — and then serves the dashboard
on http://127.0.0.1:8000 with a demo administrator whose random password is printed
once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any

import typer

from laosp.cli_common import DbOption, engine_for, settings_for
from laosp.rules.configured import pack_for

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from laosp.registry.schemas import AddOutcome
    from laosp.rules.pack import Pack

EXAMPLES_ACTOR = "demo"
#: Coverage figures shown after the build (indicator id → English / Lao label).
HEADLINE = {
    "sdg131.at_least_one": "SDG 1.3.1: at least one benefit / ໄດ້ຮັບຢ່າງໜ້ອຍໜຶ່ງ",
    "health.covered": "Health cover / ປະກັນສຸຂະພາບ",
    "sdg131.children": "Children / ເດັກນ້ອຍ",
    "sdg131.mothers_newborns": "Mothers with newborns / ແມ່ ແລະ ເດັກເກີດໃໝ່",
    "sdg131.older": "Older persons / ຜູ້ສູງອາຍຸ",
}


def example_households() -> list[dict[str, Any]]:
    """The invented example households bundled with the registry package."""
    text = resources.files("laosp.registry").joinpath("examples", "households.json")
    data: list[dict[str, Any]] = json.loads(text.read_text("utf-8"))
    return data


def load_examples(session: Session) -> list[AddOutcome]:
    """Register the example households; those already registered are left unchanged,
    so loading twice changes nothing."""
    from laosp.registry.service import add_household

    return [
        add_household(session, household, actor=EXAMPLES_ACTOR)
        for household in example_households()
    ]


def _summary(engine: Engine) -> dict[str, int]:
    from sqlalchemy import func, select

    from laosp.db import unit_of_work
    from laosp.models import District, Enrolment, Household, Person, Province

    with unit_of_work(engine) as session:
        return {
            name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (
                ("provinces", Province),
                ("districts", District),
                ("households", Household),
                ("persons", Person),
                ("enrolments", Enrolment),
            )
        }


def _print_calibration(engine: Engine, scale: float, at: dt.date) -> None:
    from laosp.synth.calibration import calibration

    results = calibration(engine, scale, at)
    met = sum(result.ok for result in results)
    typer.echo(f"calibration / ການປັບທຽບ: {met} of {len(results)} targets within tolerance")
    for result in results:
        if not result.ok:
            typer.echo(f"  missed: {result.target.label}: {result.achieved:,.3f}")


def _print_headline(engine: Engine, pack: Pack, at: dt.date) -> None:
    import polars as pl

    from laosp.indicators.engine import compute_indicators
    from laosp.indicators.frames import from_snapshot
    from laosp.registry.snapshot import TABLES, load_snapshot

    frames = from_snapshot(load_snapshot(engine, TABLES))
    national = compute_indicators(frames, at, pack=pack).filter(
        pl.col("indicator").is_in(list(HEADLINE))
    )
    typer.echo(f"coverage on {at:%d/%m/%Y} / ການຄຸ້ມຄອງ:")
    for row in national.iter_rows(named=True):
        ratio = "—" if row["ratio"] is None else f"{row['ratio']:.1%}"
        typer.echo(
            f"  {HEADLINE[row['indicator']]:<55} {ratio:>7}"
            f"  ({row['numerator']:,} / {row['denominator']:,})"
        )


def _check_audit_trail(engine: Engine) -> None:
    """``laosp audit verify`` on the demo: print it, and stop (exit 1) when broken."""
    from laosp.access.audit_trail import verify
    from laosp.audit_cli import print_verification

    with engine.connect() as connection:
        found = verify(connection)
    print_verification(found)
    if not found.intact:
        raise typer.Exit(1)


def _serve(db: str | None, pack: Pack, host: str, port: int) -> None:
    from laosp.access.users import create_demo_admin
    from laosp.db import unit_of_work
    from laosp.server import serve

    settings = settings_for(db)
    if not settings.secret_key:
        # A key for this run only: sessions end when the demo stops; nothing is stored.
        settings = settings.model_copy(update={"secret_key": secrets.token_urlsafe(32)})
    with unit_of_work(engine_for(db)) as session:
        username, password = create_demo_admin(session)
    typer.echo(
        f"\ndashboard / ໜ້າປັດ: http://{host}:{port}/  —  sign in as {username!r} "
        f"with password {password!r} (valid until the next demo run)\n"
        "Ctrl-C stops the server."
    )
    serve(settings, host, port, pack)


def demo(
    db: DbOption = None,
    scale: Annotated[
        float,
        typer.Option(
            help="Synthetic population scale (1.0 = all of Laos, 7.8 M persons); 0: none."
        ),
    ] = 0.02,
    date: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Reference date (default: today)."),
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard when built.")
    ] = True,
    host: Annotated[str, typer.Option(help="Dashboard address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Dashboard port.")] = int(
        os.environ.get("LAOSP_DEMO_PORT", "8000")
    ),
) -> None:
    """Build the demo registry (reference data, example households, a synthetic
    population), show its calibration and coverage, and serve the dashboard."""
    from laosp import migrate
    from laosp.db import unit_of_work

    at = date.date() if date else dt.date.today()
    pack = pack_for(db)  # the one pack of the run: LAOSP_PACK_DIR, else the bundled one
    engine = engine_for(db)
    migrate.upgrade(engine)
    if scale > 0:
        from laosp.synth.build import build_demo_population

        typer.echo(f"building a synthetic population at scale {scale} ...")
        build_demo_population(engine, pack, scale=scale, at=at)
    with unit_of_work(engine) as session:
        outcomes = load_examples(session)
    created = sum(outcome.action == "created" for outcome in outcomes)
    typer.echo(f"example households: {created} added, {len(outcomes) - created} already there")
    for name, count in _summary(engine).items():
        typer.echo(f"{name:>12}: {count:,}")
    if scale > 0:
        _print_calibration(engine, scale, at)
        _print_headline(engine, pack, at)
    try:
        _check_audit_trail(engine)
    finally:
        engine.dispose()
    if serve:
        _serve(db, pack, host, port)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
