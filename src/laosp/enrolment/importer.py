"""Bulk import of the member and beneficiary lists agencies keep (CSV or XLSX) as
enrolments: ``laosp enrolment import FILE``.

The steps: read and parse the cells (``import_columns``, with the registry importer's
cell checks), look up the persons and households of the file's units in bulk
(``import_store``; ids with a control character are refused, never looked up), lock
them (PostgreSQL) and read their enrolments, check whole columns (``import_checks``),
optionally ask the rules engine (``import_eligibility``), then write the accepted rows
in the caller's transaction: new enrolments (checked again after the insert:
``insert_enrolments``) and status changes in ``executemany`` chunks, one ``AuditEvent``
for each enrolment created or changed and one for the import. Importing the same file
twice changes nothing the second time. The report is the registry importer's
(``laosp.registry.import_report``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from laosp.access.roles import Area
from laosp.enrolment.import_checks import RECORD, UNIT, UNIT_HOUSEHOLD, compare, resolve_units
from laosp.enrolment.import_columns import TABLE, read_enrolments
from laosp.enrolment.import_eligibility import ineligible
from laosp.enrolment.import_store import (
    enrolments_of,
    household_districts,
    households_in,
    insert_audit,
    insert_enrolments,
    lock_units,
    persons_by,
    update_statuses,
)
from laosp.registry import repository as repo
from laosp.registry.history import move_statuses, open_statuses
from laosp.registry.import_columns import PROBLEM_SCHEMA, ROW
from laosp.registry.import_limits import ImportLimits
from laosp.registry.import_report import REPORT_SCHEMA, Counts, ImportReport
from laosp.registry.schemas import CONTROL_CHARACTERS
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Pack

DEFAULT_ACTOR = "system"
DISTRICT = "_district"  # the district of the row's unit


@dataclass
class EnrolmentImportReport(ImportReport):
    """The registry importer's report, plus the columns that were ignored and a line
    saying when a written import changed nothing."""

    ignored_columns: list[str] = field(default_factory=list)
    #: The districts of the rows accepted (a change request names the one district).
    districts: list[str] = field(default_factory=list)
    #: Checked only (``write=False``): the counts are what approving it would write.
    checked_only: bool = False

    @property
    def changed(self) -> bool:
        counts = self.counts.get(TABLE, Counts())
        return self.written and bool(counts.imported or counts.updated)

    def summary(self) -> list[str]:
        lines = super().summary()
        if self.ignored_columns:
            lines.append(
                "  enrolments: columns ignored, not part of an enrolment list "
                "(ຖັນທີ່ບໍ່ໄດ້ໃຊ້): " + ", ".join(self.ignored_columns)
            )
        if self.checked_only and not (self.all_or_nothing and self.refused):
            lines.insert(
                0,
                "Checked, not written: the counts are what approval will write "
                "(ກວດແລ້ວ, ຍັງບໍ່ໄດ້ບັນທຶກ: ລໍຖ້າການອະນຸມັດ)",
            )
        counts = self.counts.get(TABLE, Counts())
        would_change = bool(counts.imported or counts.updated)
        if (self.written and not self.changed) or (self.checked_only and not would_change):
            lines.append(
                f"Nothing changed (ບໍ່ມີຫຍັງປ່ຽນແປງ): {counts.unchanged} rows are registered "
                "already as the file gives them."
            )
        return lines


def _notes(columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "kind": ["note"] * len(columns),
            "table": [TABLE] * len(columns),
            "row": [1] * len(columns),
            "record_id": [None] * len(columns),
            "field": columns,
            "value": [None] * len(columns),
            "reason": ["not a column of an enrolment list: ignored (ຖັນທີ່ບໍ່ໄດ້ໃຊ້)"] * len(columns),
        },
        schema=REPORT_SCHEMA,
    )


def _without_control_ids(typed: pl.DataFrame) -> pl.DataFrame:
    """The rows whose ids can be looked up: an id with a control character (refused
    with its row by the cell checks) cannot be registered, and PostgreSQL refuses NUL
    even in a query."""
    ids = ("person_id", "national_id", "household_id")
    control = pl.any_horizontal(
        pl.col(name).str.contains(CONTROL_CHARACTERS).fill_null(False) for name in ids
    )
    return typed.filter(~control)


def _in_area(area: Area) -> pl.Expr:
    district = pl.col(DISTRICT)
    if area.everywhere:
        return pl.lit(True)
    if area.district_code is not None:
        return district == area.district_code
    if area.province_code is not None:
        return district.str.slice(0, 2) == area.province_code
    return pl.lit(False)


def _outside(frame: pl.DataFrame, area: Area) -> pl.DataFrame:
    """A problem for each row whose unit lives outside ``area`` (the importing user's)."""
    return frame.filter(pl.col(UNIT).is_not_null() & ~_in_area(area).fill_null(False)).select(
        pl.lit(TABLE).alias("table"),
        pl.col(ROW).cast(pl.Int64).alias("row"),
        pl.col(RECORD).cast(pl.String).alias("record_id"),
        pl.lit("district_code").alias("field"),
        pl.col(DISTRICT).cast(pl.String).alias("value"),
        pl.lit("is outside your area / ຢູ່ນອກເຂດຂອງທ່ານ").alias("reason"),
    )


def _units(frame: pl.DataFrame, household: bool) -> pl.Series:
    by_household = pl.col("_unit") == HOUSEHOLD
    return frame.filter(by_household if household else ~by_household)[UNIT]


def import_enrolments(
    session: Session,
    pack: Pack,
    path: Path,
    *,
    all_or_nothing: bool = False,
    check_eligibility: bool = False,
    actor: str = DEFAULT_ACTOR,
    today: dt.date | None = None,
    limits: ImportLimits | None = None,
    area: Area | None = None,
    write: bool = True,
    approval: dict[str, Any] | None = None,
) -> EnrolmentImportReport:
    """Import the enrolment list ``path``; see the module docstring and OPERATIONS.md.
    Raises ``UnreadableFile`` when the file cannot be read as a table or is over
    ``limits`` (the settings' defaults when not given). Rows of units outside ``area``
    (when given) are refused with their row number. ``write=False`` checks only (the
    report of what would be written). ``approval`` (the change request, its maker and
    checker) is kept in the import's audit event."""
    today = today or dt.date.today()
    typed, cell_problems, ignored = read_enrolments(path, today, limits or ImportLimits.defaults())
    lookable = _without_control_ids(typed)
    frame, unit_problems = resolve_units(
        typed,
        pack,
        persons_by(session, "person_id", lookable["person_id"]),
        persons_by(session, "national_id", lookable["national_id"]),
        households_in(session, lookable["household_id"]),
    )
    frame = frame.join(
        household_districts(  # of registered units only: never an id with a NUL
            session, frame.filter(pl.col(UNIT).is_not_null())[UNIT_HOUSEHOLD]
        ),
        on=UNIT_HOUSEHOLD,
        how="left",
        maintain_order="left",
    )
    outside = _outside(frame, area) if area is not None else unit_problems.clear()
    found = pl.concat([cell_problems, unit_problems, outside]).unique(
        ["row", "field"], keep="first", maintain_order=True
    )
    accepted = frame.filter(~pl.col(ROW).is_in(found["row"].implode()))
    persons, households = _units(accepted, False), _units(accepted, True)
    lock_units(session, persons, households)
    registered = enrolments_of(session, persons, households, accepted["scheme"])
    new, unchanged, changed, conflicts = compare(accepted, registered)
    if check_eligibility:
        refused = ineligible(session, pack, new.filter(pl.col("status") != "exited"))
        new = new.filter(~pl.col(ROW).is_in(refused["row"].implode()))
        found = pl.concat([found, refused])
    report = EnrolmentImportReport(
        files={TABLE: str(path)},
        all_or_nothing=all_or_nothing,
        ignored_columns=ignored,
        districts=accepted[DISTRICT].drop_nulls().unique().sort().to_list(),
        checked_only=not write,
    )
    report.counts[TABLE] = Counts(
        read=typed.height,
        imported=new.height,
        unchanged=unchanged.height,
        updated=changed.height,
        rejected=found["row"].n_unique(),
        conflicts=conflicts["row"].n_unique(),
    )
    report.problems = pl.concat(
        [
            found.sort("row", maintain_order=True).select(
                pl.lit("rejected").alias("kind"), pl.all()
            ),
            conflicts.select(list(PROBLEM_SCHEMA))
            .sort("row", maintain_order=True)
            .select(pl.lit("conflict").alias("kind"), pl.all()),
            _notes(ignored),
        ],
        how="vertical_relaxed",
    ).select(list(REPORT_SCHEMA))
    if (all_or_nothing and report.refused) or not write:
        return report
    _write(session, new, changed, actor=actor, source=path.name, today=today)
    report.written = True
    if report.changed:
        repo.add_audit(
            session,
            actor=actor,
            action="import",
            entity="enrolment_import",
            entity_id=path.name[:64],
            changes=_import_changes(report, check_eligibility) | (approval or {}),
        )
    return report


def _iso(name: str) -> pl.Expr:
    return pl.col(name).dt.to_string("%Y-%m-%d")


def _write(
    session: Session,
    new: pl.DataFrame,
    changed: pl.DataFrame,
    *,
    actor: str,
    source: str,
    today: dt.date,
) -> None:
    by_household = pl.col("_unit") == HOUSEHOLD
    new = new.with_columns(
        pl.when(~by_household).then(pl.col(UNIT)).alias("person_id"),
        pl.when(by_household).then(pl.col(UNIT)).alias("household_id"),
    )
    events: list[pl.DataFrame] = []
    if new.height:
        stored = insert_enrolments(session, new).select(
            pl.col("unit_id").alias(UNIT), "scheme", "start_date", "enrolment_id"
        )
        new = new.join(stored, on=[UNIT, "scheme", "start_date"], how="left")
        open_statuses(session, new["enrolment_id"].drop_nulls().to_list())
        events.append(
            _events(
                new,
                "create",
                actor,
                scheme=pl.col("scheme"),
                person_id=pl.col("person_id"),
                household_id=pl.col("household_id"),
                status=pl.col("status"),
                start_date=_iso("start_date"),
                end_date=_iso("end_date"),
                member_number=pl.col("member_number"),
                file=pl.lit(source),
                row=pl.col(ROW).cast(pl.Int64),
            )
        )
    if changed.height:
        update_statuses(session, changed.rename({"_db_id": "enrolment_id"}))
        exits = pl.col("status") == "exited"
        move_statuses(
            session,
            changed.select(
                pl.col("_db_id").alias("enrolment_id"),
                "status",
                pl.when(exits).then(pl.col("end_date")).otherwise(pl.lit(today)).alias("on"),
            ),
        )
        for part, extra in (
            (
                changed.filter(exits),
                {"end_date": pl.concat_list(pl.lit(None, pl.String), _iso("end_date"))},
            ),
            (changed.filter(~exits), {}),
        ):
            if not part.height:
                continue
            events.append(
                _events(
                    part.rename({"_db_id": "enrolment_id"}),
                    "status",
                    actor,
                    status=pl.concat_list("_db_status", "status"),
                    on=_iso("end_date") if extra else pl.lit(today.isoformat()),
                    **extra,
                    member_number=pl.col("member_number"),
                    file=pl.lit(source),
                    row=pl.col(ROW).cast(pl.Int64),
                )
            )
    for frame in events:
        insert_audit(session, frame)


def _events(frame: pl.DataFrame, action: str, actor: str, **changes: pl.Expr) -> pl.DataFrame:
    return frame.select(
        pl.lit(actor).alias("actor"),
        pl.lit(action).alias("action"),
        pl.lit("enrolment").alias("entity"),
        pl.col("enrolment_id").cast(pl.String).alias("entity_id"),
        pl.struct(*(value.alias(name) for name, value in changes.items())).alias("changes"),
    )


def _import_changes(report: EnrolmentImportReport, check_eligibility: bool) -> dict[str, Any]:
    return {
        "files": report.files,
        "all_or_nothing": report.all_or_nothing,
        "check_eligibility": check_eligibility,
        "counts": {table: vars(counts) for table, counts in report.counts.items()},
        "ignored_columns": report.ignored_columns,
    }
