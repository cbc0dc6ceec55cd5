"""``laosp registry``: add, show and search households and persons; list districts.

Every command on named persons acts as the signed-in user (``laosp login`` or
``$LAOSP_TOKEN``) within their area: writing takes ``register`` there, reading
``read_persons`` (identifiers masked without ``read_identifiers``, every read audited).
An ``--update`` that changes who a person is becomes a change request for another user
to approve (``laosp requests``)."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from laosp.access.permissions import Action, Forbidden, area_of, reach, require
from laosp.access.roles import OutsideArea, Principal, scoped_filters
from laosp.cli_common import DbOption, engine_for, fail, settings_for, signed_in
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
from laosp.registry.service import IdentityCorrection
from laosp.registry.validation import InputLimits

registry_app = typer.Typer(
    help="Households and persons of the registry (ທະບຽນຄົວເຮືອນ ແລະ ບຸກຄົນ).",
    no_args_is_help=True,
)

OUTSIDE = "outside your area / ຢູ່ນອກເຂດຂອງທ່ານ"


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
    update: Annotated[
        bool, typer.Option("--update", help="Change households already registered.")
    ] = False,
) -> None:
    """Register households with their members in your area, all or nothing.

    Adding a household already registered with the same data changes nothing; with
    different data it is an error unless --update is given. An update changing a
    person's names, birth date, sex or national id waits for another user's approval.
    """
    settings = settings_for(db)
    data = _load_json(file, settings.import_max_bytes)
    items = data if isinstance(data, list) else [data]
    many = isinstance(data, list)
    errors: list[FieldError] = []
    outcomes: list[str] = []
    limits = InputLimits.of(settings)
    engine = engine_for(db)
    try:
        with unit_of_work(engine) as session:
            principal = _may(signed_in(settings, session), Action.register)
            area = reach(principal, Action.register)
            for index, item in enumerate(items):
                district = item.get("district_code") if isinstance(item, dict) else None
                if isinstance(district, str) and not area.contains(district):
                    errors.append(FieldError(f"[{index}].district_code", district, OUTSIDE))
                    continue
                try:
                    outcomes.append(
                        _added(
                            service.add_household(
                                session, item, actor=principal.username, update=update,
                                limits=limits, area=area,
                            )
                        )
                    )  # fmt: skip
                except IdentityCorrection as correction:
                    outcomes.append(_held(session, principal, item, correction))
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
    for line in outcomes:
        typer.echo(line)


def _may(principal: Principal, action: Action) -> Principal:
    """``principal`` when their role may do ``action`` somewhere; exit 1 otherwise."""
    try:
        require(principal, action)
    except Forbidden as error:
        raise fail(str(error)) from None
    return principal


def _added(outcome: AddOutcome) -> str:
    return f"{outcome.household_id}: {outcome.action} ({outcome.members} members)"


def _held(
    session: Session, principal: Principal, item: dict[str, Any], correction: IdentityCorrection
) -> str:
    """Submit an identity correction; the line that says it waits."""
    try:
        request = service.submit_correction(session, principal, item, correction)
    except Forbidden as error:
        raise fail(str(error)) from None
    return (
        f"{correction.household_id}: identity correction waits for approval, request "
        f"{request.id} (ການແກ້ໄຂຂໍ້ມູນບຸກຄົນລໍຖ້າການອະນຸມັດ)"
    )


@registry_app.command("show")
def show(
    identifier: Annotated[str, typer.Argument(metavar="ID", help="A household_id or person_id.")],
    db: DbOption = None,
    output: Annotated[ShowFormat, typer.Option("--format", help="text or json.")] = (
        ShowFormat.text
    ),
) -> None:
    """Show a household with its members, or a person with their household (in your
    area; national ids and phones masked unless your role reads them there)."""
    settings = settings_for(db)
    missing = f"no household or person with id {identifier!r} (ບໍ່ພົບຄົວເຮືອນ ຫຼື ບຸກຄົນ)"
    engine = engine_for(db)
    try:
        with unit_of_work(engine) as session:
            principal = _may(signed_in(settings, session), Action.read_persons)
            person = None
            try:
                household = service.get_household(session, identifier)
            except NotFoundError:
                try:
                    person = service.get_person(session, identifier)
                except NotFoundError:
                    raise fail(missing) from None
                household = service.get_household(session, person.household_id)
            district = household.district_code
            if not area_of(principal).contains(district):
                raise fail(missing)
            entity = "person" if person is not None else "household"
            service.record_read(session, principal, entity, identifier, district)
            household = service.household_shown_to(principal, household)
            if person is not None:
                person = service.person_shown_to(principal, person, district)
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
    """Find persons by name (tone marks, case and accents ignored), district, province,
    in your area; audited."""
    settings = settings_for(db)
    engine = engine_for(db)
    try:
        with unit_of_work(engine) as session:
            principal = _may(signed_in(settings, session), Action.read_persons)
            try:
                district, province = scoped_filters(area_of(principal), district, province)
            except OutsideArea:
                raise fail(OUTSIDE) from None
            hits = service.search(
                session, name=name, district_code=district, province_code=province, limit=limit
            )
            ids = [hit.person_id for hit in hits]
            service.record_read(session, principal, "search", ids, district)
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
    db: DbOption = None,
) -> None:
    """Import households and persons from the lists agencies keep (ນຳເຂົ້າ CSV / Excel).

    Valid rows are imported (a household with a refused member is refused whole);
    each refused row is reported with its row number, field, value and reason.
    Importing the same files twice changes nothing the second time. Files may hold any
    district: importing takes ``register`` nationally (a central officer); officers of
    a district or province register with add-household.
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
            principal = _may(signed_in(settings, session), Action.register)
            if not reach(principal, Action.register).everywhere:
                raise fail(
                    "importing files takes a national reach: register households of your "
                    "area with `laosp registry add-household` / ການນຳເຂົ້າໄຟລ໌ສະເພາະ"
                    "ພະນັກງານສູນກາງ"
                )
            outcome = run_import(
                session,
                households=households,
                persons=persons,
                all_or_nothing=all_or_nothing,
                update=update,
                actor=principal.username,
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

    settings = settings_for(db)
    engine = engine_for(db)
    try:
        with unit_of_work(engine) as session:
            principal = _may(signed_in(settings, session), Action.read_persons)
            area = area_of(principal)
            district = district or area.district_code
            if not (area.everywhere or (district is not None and area.contains(district))):
                raise fail(f"--district: give a district of your area / {OUTSIDE}")
            result = deduplicate_registry(session, threshold, district)
            ids = result.pairs.get_column("person_id").to_list()
            service.record_read(session, principal, "duplicates", ids, district,
                                action="read" if output is None else "export")  # fmt: skip
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
