"""``laosp registry``: add, show and search households and persons; list districts."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from laosp.cli_common import DbOption, engine_for, fail, settings_for
from laosp.db import unit_of_work
from laosp.presentation.cells import inert_text
from laosp.reference.admin_units import DistrictRow, districts, provinces
from laosp.registry import service
from laosp.registry.errors import (
    ConflictError,
    FieldError,
    ImportedMeanwhile,
    NotFoundError,
    RegisteredMeanwhile,
    ValidationFailed,
)
from laosp.registry.import_limits import over_limit
from laosp.registry.import_outcome import show_import_outcome
from laosp.registry.names import normalise, roman_fold
from laosp.registry.schemas import AddOutcome, HouseholdDetail, PersonHit
from laosp.registry.validation import InputLimits

registry_app = typer.Typer(
    help="Households and persons of the registry (ທະບຽນຄົວເຮືອນ ແລະ ບຸກຄົນ).",
    no_args_is_help=True,
)

ActorOption = Annotated[
    str, typer.Option("--actor", help="Who makes the change (recorded in the audit trail).")
]


class ShowFormat(StrEnum):
    text = "text"
    json = "json"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _errors_exit(errors: list[FieldError]) -> typer.Exit:
    lines = ["Invalid input, nothing was written (ຂໍ້ມູນບໍ່ຖືກຕ້ອງ, ບໍ່ໄດ້ບັນທຶກ):"]
    for error in errors:
        value = "" if error.value is None else f" (value: {_shown(error.value)})"
        lines.append(f"  {error.field}: {error.reason}{value}")
    return fail("\n".join(lines))


def _prefixed(errors: list[FieldError], prefix: str) -> list[FieldError]:
    return [
        FieldError(
            f"{prefix}.{e.field}" if not e.field.startswith("(") else prefix, e.value, e.reason
        )
        for e in errors
    ]


def _shown(value: Any) -> str:
    """A refused value as the officer wrote it: a date as ``YYYY-MM-DD``, text quoted."""
    return value.isoformat() if isinstance(value, dt.date) else repr(value)


def _load_json(file: Path, max_bytes: int) -> Any:
    """The JSON in ``file``, refused unread when larger than ``max_bytes`` (the
    ``import_max_bytes`` setting: the file is a batch read from disk, like an import)."""
    try:
        with file.open("rb") as stream:
            content = stream.read(max_bytes + 1)
    except OSError as error:
        raise fail(f"cannot read {file}: {error.strerror}") from error
    if len(content) > max_bytes:
        raise fail(
            over_limit(file, "the file is larger", max_bytes, "bytes", "import_max_bytes")
            + " (ໄຟລ໌ໃຫຍ່ເກີນກຳນົດ)"
        )
    try:
        return json.loads(content.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise fail(f"{file} is not valid JSON: {error}") from error


@registry_app.command("add-household")
def add_household(
    file: Annotated[
        Path, typer.Argument(help="JSON file: one household with its members, or a list.")
    ],
    db: DbOption = None,
    actor: ActorOption = "cli",
    update: Annotated[
        bool, typer.Option("--update", help="Change households already registered.")
    ] = False,
) -> None:
    """Register households with their members, all or nothing.

    Adding a household already registered with the same data changes nothing; with
    different data it is an error unless --update is given.
    """
    settings = settings_for(db)
    data = _load_json(file, settings.import_max_bytes)
    items = data if isinstance(data, list) else [data]
    many = isinstance(data, list)
    errors: list[FieldError] = []
    outcomes: list[AddOutcome] = []
    limits = InputLimits.of(settings)
    engine = engine_for(db)
    try:
        with unit_of_work(engine) as session:
            for index, item in enumerate(items):
                try:
                    outcomes.append(
                        service.add_household(
                            session, item, actor=actor, update=update, limits=limits
                        )
                    )
                except ValidationFailed as error:
                    errors.extend(_prefixed(error.errors, f"[{index}]") if many else error.errors)
                except RegisteredMeanwhile as error:  # the transaction cannot go on
                    errors.append(error.error)
                    break
                except ConflictError as error:
                    errors.append(error.error)
            if errors:
                raise _errors_exit(errors)  # rolls back the households already added
    finally:
        engine.dispose()
    for outcome in outcomes:
        typer.echo(f"{outcome.household_id}: {outcome.action} ({outcome.members} members)")


@registry_app.command("show")
def show(
    identifier: Annotated[str, typer.Argument(metavar="ID", help="A household_id or person_id.")],
    db: DbOption = None,
    output: Annotated[ShowFormat, typer.Option("--format", help="text or json.")] = (
        ShowFormat.text
    ),
) -> None:
    """Show a household with its members, or a person with their household."""
    engine = engine_for(db)
    try:
        with unit_of_work(engine) as session:
            person = None
            try:
                household = service.get_household(session, identifier)
            except NotFoundError:
                try:
                    person = service.get_person(session, identifier)
                except NotFoundError:
                    raise fail(
                        f"no household or person with id {identifier!r} (ບໍ່ພົບຄົວເຮືອນ ຫຼື ບຸກຄົນ)"
                    ) from None
                household = service.get_household(session, person.household_id)
    finally:
        engine.dispose()
    if output is ShowFormat.json:
        payload: dict[str, Any] = household.model_dump(mode="json")
        if person is not None:
            payload = {"person": person.model_dump(mode="json"), "household": payload}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    _print_household(household, highlight=person.person_id if person else None)


def _district_label(code: str) -> str:
    row = next((d for d in districts() if d.code == code), None)
    return f"{code} {row.name_en} ({row.name_lo})" if row else code


def _print_household(household: HouseholdDetail, highlight: str | None) -> None:
    console = _console()
    console.print(f"Household / ຄົວເຮືອນ [bold]{household.household_id}[/bold]")
    details = {
        "district / ເມືອງ": _district_label(household.district_code),
        "village / ບ້ານ": " ".join(
            part for part in (household.village_code, household.village_name) if part
        ),
        "urban": household.urban,
        "poor / ທຸກຍາກ": household.poor,
        "registered_on": household.registered_on,
    }
    for label, value in details.items():
        if value not in (None, ""):
            console.print(f"  {label}: {value}")
    table = Table(title="Members / ສະມາຊິກ")
    for column in ("person_id", "name / ຊື່", "sex", "born", "relationship", "work", "notes"):
        table.add_column(column)
    for member in household.members:
        work: str = member.employment_status
        if member.employment_type:
            work = f"{member.employment_type}" + (
                f" ({member.employer_type})" if member.employer_type else ""
            )
        notes = [
            f"pregnant, month {member.pregnancy_month}" if member.pregnant else "",
            f"disability {member.disability}" if member.disability != "none" else "",
            "monk" if member.monk else "",
            "formal" if member.formal else "",
        ]
        marker = "→ " if member.person_id == highlight else ""
        table.add_row(
            marker + member.person_id,
            f"{member.given_name} {member.family_name}",
            member.sex,
            member.birth_date.isoformat(),
            member.relationship,
            work,
            ", ".join(note for note in notes if note),
        )
    console.print(table)


@registry_app.command("search")
def search(
    name: Annotated[
        str | None, typer.Option("--name", help="Name in Lao script or romanised.")
    ] = None,
    district: Annotated[str | None, typer.Option("--district", help="District code PPDD.")] = None,
    province: Annotated[str | None, typer.Option("--province", help="Province code PP.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many persons.")] = 50,
    db: DbOption = None,
    output: Annotated[ListFormat, typer.Option("--format", help="table or json.")] = (
        ListFormat.table
    ),
) -> None:
    """Find persons by name (tone marks, case and accents ignored), district, province."""
    engine = engine_for(db)
    try:
        with unit_of_work(engine) as session:
            hits = service.search(
                session, name=name, district_code=district, province_code=province, limit=limit
            )
    except ValidationFailed as error:
        raise _errors_exit(error.errors) from None
    finally:
        engine.dispose()
    if output is ListFormat.json:
        rows = [hit.model_dump(mode="json") for hit in hits]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    _print_hits(hits)


def _print_hits(hits: list[PersonHit]) -> None:
    table = Table(title=f"{len(hits)} persons / ບຸກຄົນ")
    for column in ("person_id", "name / ຊື່", "sex", "born", "household", "district", "village"):
        table.add_column(column)
    for hit in hits:
        table.add_row(
            hit.person_id,
            f"{hit.given_name} {hit.family_name}",
            hit.sex,
            hit.birth_date.isoformat(),
            hit.household_id,
            hit.district_code,
            hit.village_name or "",
        )
    _console().print(table)


def _province_code(query: str) -> str:
    wanted = normalise(query)
    for row in provinces():
        names = (row.code, row.iso_code, row.name_en, row.name_lo)
        if wanted in {normalise(name) for name in names}:
            return row.code
    raise fail(f"province: {query!r} is not a province code or name")


def _matches(row: DistrictRow, query: str) -> bool:
    if row.code.startswith(query.strip()):
        return True
    names = [row.name_en, row.name_lo, row.name_en_alt or ""]
    return any(normalise(query) in normalise(name) for name in names) or any(
        roman_fold(query) in roman_fold(name) for name in names
    )


@registry_app.command("districts")
def list_districts(
    province: Annotated[
        str | None, typer.Option("--province", help="Province code or name (either script).")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="District code, or part of its name.")
    ] = None,
    output: Annotated[ListFormat, typer.Option("--format", help="table or json.")] = (
        ListFormat.table
    ),
) -> None:
    """List districts (ເມືອງ) of the reference data, by province and by name or code."""
    rows = list(districts())
    if province is not None:
        code = _province_code(province)
        rows = [row for row in rows if row.province_code == code]
    if name:
        rows = [row for row in rows if _matches(row, name)]
    if output is ListFormat.json:
        typer.echo(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "province_code": r.province_code,
                        "name_en": r.name_en,
                        "name_lo": r.name_lo,
                        "name_en_alt": r.name_en_alt,
                    }
                    for r in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    province_names = {row.code: row.name_en for row in provinces()}
    table = Table(title=f"{len(rows)} districts / ເມືອງ")
    for column in ("code", "district", "ເມືອງ", "province / ແຂວງ"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.code, row.name_en, row.name_lo, province_names[row.province_code])
    _console().print(table)


@registry_app.command("import")
def import_files(
    households: Annotated[
        Path | None, typer.Option("--households", help="Households: CSV or XLSX.")
    ] = None,
    persons: Annotated[Path | None, typer.Option("--persons", help="Persons: CSV or XLSX.")] = None,
    all_or_nothing: Annotated[
        bool, typer.Option("--all-or-nothing", help="Write nothing if any row is refused.")
    ] = False,
    update: Annotated[
        bool, typer.Option("--update", help="Change records registered with other data.")
    ] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the report: .csv or .json.")
    ] = None,
    actor: ActorOption = "cli",
    db: DbOption = None,
) -> None:
    """Import households and persons from the lists agencies keep (ນຳເຂົ້າ CSV / Excel).

    Valid rows are imported (a household with a refused member is refused whole);
    each refused row is reported with its row number, field, value and reason.
    Importing the same files twice changes nothing the second time.
    """
    from laosp.registry.import_limits import ImportLimits, UnreadableFile
    from laosp.registry.importer import import_files as run_import

    if households is None and persons is None:
        raise fail("give --households FILE and/or --persons FILE")
    settings = settings_for(db)
    limits, record_limits = ImportLimits.of(settings), InputLimits.of(settings)
    engine = engine_for(db)
    try:
        with unit_of_work(engine) as session:
            outcome = run_import(
                session,
                households=households,
                persons=persons,
                all_or_nothing=all_or_nothing,
                update=update,
                actor=actor,
                limits=limits,
                record_limits=record_limits,
            )
    except (UnreadableFile, ImportedMeanwhile) as error:
        raise fail(str(error)) from None
    finally:
        engine.dispose()
    show_import_outcome(outcome, report, all_or_nothing=all_or_nothing)


class PairFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@registry_app.command("duplicates")
def duplicates(
    district: Annotated[str | None, typer.Option("--district", help="District code PPDD.")] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Lowest score shown, 0 to 1.")
    ] = 0.85,
    output_format: Annotated[
        PairFormat, typer.Option("--format", help="table, csv or json.")
    ] = PairFormat.table,
    output: Annotated[Path | None, typer.Option("--output", help="Write to this file.")] = None,
    db: DbOption = None,
) -> None:
    """Probable duplicate persons (ບຸກຄົນທີ່ອາດຊ້ຳກັນ), with a score and the reasons."""
    from laosp.registry.dedup import deduplicate_registry

    engine = engine_for(db)
    try:
        with unit_of_work(engine) as session:
            result = deduplicate_registry(session, threshold, district)
    finally:
        engine.dispose()
    pairs, stats = result.pairs, result.stats
    if stats.skipped_blocks:
        typer.echo(
            f"{stats.skipped_blocks} blocks ({stats.skipped_persons} persons) were too large "
            f"to compare and were skipped / ຂ້າມ {stats.skipped_blocks} ກຸ່ມ "
            f"({stats.skipped_persons} ຄົນ) ທີ່ໃຫຍ່ເກີນໄປ",
            err=True,
        )
    if output_format is PairFormat.table and output is None:
        table = Table(title=f"{pairs.height} pairs / ຄູ່ທີ່ອາດຊ້ຳກັນ")
        for column in ("person_id", "duplicate_id", "score", "reasons / ເຫດຜົນ"):
            table.add_column(column)
        for row in pairs.iter_rows():
            table.add_row(row[0], row[1], f"{row[2]:.2f}", row[3])
        _console().print(table)
        return
    if output_format is PairFormat.json:
        text = json.dumps(pairs.to_dicts(), ensure_ascii=False, indent=2)
    else:
        text = inert_text(pairs).write_csv()
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, "utf-8")
        typer.echo(f"{pairs.height} pairs written to {output}")


def register(app: typer.Typer) -> None:
    """Add ``laosp registry ...`` to ``app``."""
    app.add_typer(registry_app, name="registry")
