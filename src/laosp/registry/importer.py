"""Bulk import of the household and person lists agencies keep (CSV or XLSX).

Whole columns are checked with Polars expressions (``import_columns``, ``import_rules``,
``import_links``), rows are compared with what is registered (``import_store``), and the
accepted rows are written in bulk in the caller's transaction, with one ``AuditEvent``
(action ``import``). Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from laosp.registry import repository as repo
from laosp.registry.errors import ImportedMeanwhile
from laosp.registry.history import record_households, record_persons
from laosp.registry.import_columns import (
    PROBLEM_SCHEMA,
    ROW,
    Field,
    cell,
    implied_precision,
    parse_table,
)
from laosp.registry.import_fields import (
    EXTRA,
    HOUSEHOLD_COLUMNS,
    PERSON_COLUMNS,
    extra_columns,
)
from laosp.registry.import_file import (
    CONTROL,
    control_character_problems,
    read_table,
    require_columns,
)
from laosp.registry.import_limits import ImportLimits
from laosp.registry.import_links import link_problems, spread_rejections
from laosp.registry.import_report import REPORT_SCHEMA, Counts, ImportReport, notes_for_extra
from laosp.registry.import_rules import (
    extra_size_problems,
    household_problems,
    person_problems,
    with_precision,
)
from laosp.registry.import_store import (
    HOUSEHOLDS,
    PERSONS,
    canonical_json,
    insert_rows,
    read_rows,
    schema_of,
    update_rows,
    with_name_keys,
)
from laosp.registry.service import IDENTITY_FIELDS
from laosp.registry.validation import InputLimits


@dataclass
class _Loaded:
    typed: pl.DataFrame
    problems: pl.DataFrame
    extras: list[str]


def _pack_extra(raw: pl.DataFrame, extras: list[str], key: str) -> tuple[pl.Series, pl.DataFrame]:
    """The ``extra`` column (canonical JSON text): the extra columns' non-empty cells,
    over a file column ``extra`` of JSON objects if there is one."""
    height = raw.height
    packed = pl.Series(EXTRA, [None] * height, dtype=pl.String)
    if extras:
        long = (
            raw.select(ROW, *extras)
            .unpivot(index=ROW, variable_name="key", value_name="value")
            .with_columns(value=cell("value"))
            .drop_nulls("value")
        )
        as_object = long.group_by(ROW).agg(pl.struct("key", "value").alias("pairs"))
        by_row = dict(zip(as_object[ROW].to_list(), as_object["pairs"].to_list(), strict=True))
        packed = pl.Series(
            EXTRA,
            [
                canonical_json({p["key"]: p["value"] for p in by_row[row]})
                if row in by_row
                else None
                for row in raw[ROW].to_list()
            ],
            dtype=pl.String,
        )
    if EXTRA not in raw.columns:
        return packed, pl.DataFrame(schema=PROBLEM_SCHEMA)
    values, bad_rows = packed.to_list(), []
    ids = raw[key].to_list() if key in raw.columns else [None] * height
    for index, (row, text) in enumerate(zip(raw[ROW].to_list(), raw[EXTRA].to_list(), strict=True)):
        if text is None or not text.strip():
            continue
        try:
            given = json.loads(text)
        except json.JSONDecodeError:
            given = None
        if not isinstance(given, dict):
            bad_rows.append({"row": row, "record_id": ids[index], "value": text})
            continue
        values[index] = canonical_json({**given, **json.loads(values[index] or "{}")})
    schema = {"row": pl.Int64, "record_id": pl.String, "value": pl.String}
    problems = pl.DataFrame(bad_rows, schema=schema).with_columns(
        table=pl.lit(None, pl.String),
        field=pl.lit(EXTRA),
        reason=pl.lit("must be a JSON object (or leave the cell empty)"),
    )
    return pl.Series(EXTRA, values, dtype=pl.String), problems


def _load(
    path: Path,
    table: str,
    fields: tuple[Field, ...],
    key: str,
    today: dt.date,
    limits: ImportLimits,
) -> _Loaded:
    raw = read_table(path, table, limits)
    require_columns(path, raw.columns, [field.name for field in fields if field.required])
    extras = extra_columns(raw, fields)
    typed, problems = parse_table(raw, table, key, fields, today)
    problems = pl.concat([control_character_problems(raw, table, key), problems])
    extra, extra_problems = _pack_extra(raw, extras, key)
    extra_problems = extra_problems.with_columns(table=pl.lit(table))
    typed = typed.with_columns(extra)
    if table == "persons":
        given = (
            raw
            if "birth_date" in raw.columns
            else raw.with_columns(birth_date=pl.lit(None, pl.String))
        )
        typed = with_precision(typed, given.select(implied_precision("birth_date")).to_series())
    return _Loaded(
        typed, pl.concat([problems, extra_problems.select(list(PROBLEM_SCHEMA))]), extras
    )


def _empty(fields: tuple[Field, ...]) -> _Loaded:
    return _Loaded(
        pl.DataFrame(schema={ROW: pl.Int64, **schema_of(fields)}),
        pl.DataFrame(schema=PROBLEM_SCHEMA),
        [],
    )


def _lookup_ids(*columns: pl.Series) -> list[str]:
    """The distinct ids of ``columns`` to look up in the database. An id holding a
    refused character (``CONTROL``) is left out: its row is refused already, and
    PostgreSQL cannot even compare text holding NUL."""
    ids = pl.concat(columns).drop_nulls().unique()
    return ids.filter(~ids.str.contains(CONTROL)).to_list()


def _compare(
    accepted: pl.DataFrame, registered: pl.DataFrame, key: str
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """``(new, unchanged, changed)`` rows of ``accepted``; ``changed`` has ``differs``,
    the names of the fields that differ."""
    fields = [name for name in registered.columns if name != key]
    marked = registered.with_columns(_registered=pl.lit(True))
    joined = accepted.join(marked, on=key, how="left", suffix="_db")
    exists = pl.col("_registered").fill_null(False)
    differs = pl.concat_list(
        [pl.when(pl.col(f).ne_missing(pl.col(f"{f}_db"))).then(pl.lit(f)) for f in fields]
    ).list.drop_nulls()
    joined = joined.with_columns(exists=exists, differs=differs).drop(
        [f"{f}_db" for f in fields] + ["_registered"]
    )
    new = joined.filter(~pl.col("exists"))
    unchanged = joined.filter(pl.col("exists") & (pl.col("differs").list.len() == 0))
    changed = joined.filter(pl.col("exists") & (pl.col("differs").list.len() > 0))
    return new, unchanged, changed


def _conflicts(changed: pl.DataFrame, table: str, key: str) -> pl.DataFrame:
    return changed.select(
        pl.lit(table).alias("table"),
        pl.col(ROW).cast(pl.Int64).alias("row"),
        pl.col(key).alias("record_id"),
        pl.lit(key).alias("field"),
        pl.col(key).alias("value"),
        pl.format(
            "already registered with different {} (use --update to change it)",
            pl.col("differs").list.join(", "),
        ).alias("reason"),
    )


def _identity_held(changed: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(held, other)`` rows of ``changed`` persons: an update that would change who a
    person is (``IDENTITY_FIELDS``) is never applied by a bulk import; it goes through an
    identity correction, which a second person approves."""
    touches_identity = pl.col("differs").list.set_intersection(list(IDENTITY_FIELDS)).list.len() > 0
    return changed.filter(touches_identity), changed.filter(~touches_identity)


def _held_identity(held: pl.DataFrame) -> pl.DataFrame:
    return held.select(
        pl.lit("persons").alias("table"),
        pl.col(ROW).cast(pl.Int64).alias("row"),
        pl.col("person_id").alias("record_id"),
        pl.lit("person_id").alias("field"),
        pl.col("person_id").alias("value"),
        pl.format(
            "would change who this person is ({}): an identity correction is approved by a "
            "second person (`laosp registry add-household --update`), never imported / "
            "ການແກ້ໄຂຂໍ້ມູນຕົວຕົນຕ້ອງມີຜູ້ອະນຸມັດຄົນທີສອງ",
            pl.col("differs").list.set_intersection(list(IDENTITY_FIELDS)).list.join(", "),
        ).alias("reason"),
    )


def import_files(
    session: Session,
    *,
    households: Path | None = None,
    persons: Path | None = None,
    all_or_nothing: bool = False,
    update: bool = False,
    actor: str = "system",
    today: dt.date | None = None,
    limits: ImportLimits | None = None,
    record_limits: InputLimits | None = None,
) -> ImportReport:
    """Import a households file and/or a persons file; see the module docstring. Raises
    ``UnreadableFile`` when a file cannot be read as a table or is over ``limits``; a
    household over ``record_limits.max_members`` or an ``extra`` over its
    ``max_extra_bytes`` is refused as the API refuses it (the settings' defaults when
    not given)."""
    today = today or dt.date.today()
    limits = limits or ImportLimits.defaults()
    record_limits = record_limits or InputLimits()
    files = {
        name: str(path) for name, path in (("households", households), ("persons", persons)) if path
    }
    hh = (
        _load(households, "households", HOUSEHOLD_COLUMNS, "household_id", today, limits)
        if households
        else _empty(HOUSEHOLD_COLUMNS)
    )
    pp = (
        _load(persons, "persons", PERSON_COLUMNS, "person_id", today, limits)
        if persons
        else _empty(PERSON_COLUMNS)
    )
    problems = [
        hh.problems,
        pp.problems,
        household_problems(hh.typed),
        person_problems(pp.typed, today),
        extra_size_problems(hh.typed, "households", "household_id", record_limits),
        extra_size_problems(pp.typed, "persons", "person_id", record_limits),
    ]

    household_ids = _lookup_ids(hh.typed["household_id"], pp.typed["household_id"])
    reg_households = read_rows(
        session, HOUSEHOLDS, HOUSEHOLD_COLUMNS, "household_id", household_ids
    )
    wanted_persons = _lookup_ids(pp.typed["person_id"], pp.typed["mother_id"])
    reg_persons = pl.concat(
        [
            read_rows(session, PERSONS, PERSON_COLUMNS, "person_id", wanted_persons),
            read_rows(session, PERSONS, PERSON_COLUMNS, "household_id", household_ids),
        ]
    ).unique("person_id", keep="first")
    problems.append(
        link_problems(
            hh.typed.filter(pl.col("household_id").is_not_null()),
            pp.typed,
            reg_households["household_id"],
            reg_persons.select("person_id", "household_id", "relationship", "sex"),
            record_limits,
        )
    )
    found = pl.concat(problems)
    found = pl.concat([found, spread_rejections(hh.typed, pp.typed, found)])

    report = ImportReport(files=files, all_or_nothing=all_or_nothing)
    outcomes: dict[str, tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]] = {}
    conflicts = []
    for table, loaded, registered, key in (
        ("households", hh, reg_households, "household_id"),
        ("persons", pp, reg_persons, "person_id"),
    ):
        rejected_rows = found.filter(pl.col("table") == table)["row"].unique()
        accepted = loaded.typed.filter(~pl.col(ROW).is_in(rejected_rows.implode()))
        new, unchanged, changed = _compare(accepted, registered, key)
        held = changed.clear()
        if update and table == "persons":
            held, changed = _identity_held(changed)
            conflicts.append(_held_identity(held))
        outcomes[table] = (new, unchanged, changed)
        if not update:
            conflicts.append(_conflicts(changed, table, key))
        report.counts[table] = Counts(
            read=loaded.typed.height,
            imported=new.height,
            unchanged=unchanged.height,
            updated=changed.height if update else 0,
            rejected=rejected_rows.len(),
            conflicts=held.height if update else changed.height,
        )
        report.extra_columns[table] = loaded.extras
    report.problems = pl.concat(
        [
            found.sort("table", "row").select(pl.lit("rejected").alias("kind"), pl.all()),
            *(c.select(pl.lit("conflict").alias("kind"), pl.all()) for c in conflicts),
            *(notes_for_extra(t, cols) for t, cols in report.extra_columns.items() if cols),
        ],
        how="vertical_relaxed",
    ).select(list(REPORT_SCHEMA))
    if all_or_nothing and report.refused:
        return report
    _write(session, outcomes, update, today)
    report.written = True
    changed_any = any(c.imported or c.updated for c in report.counts.values())
    if changed_any:
        repo.add_audit(
            session,
            actor=actor,
            action="import",
            entity="import",
            entity_id=", ".join(Path(p).name for p in files.values())[:64],
            changes=_audit_changes(report, update),
        )
    return report


def _write(
    session: Session,
    outcomes: dict[str, tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]],
    update: bool,
    today: dt.date,
) -> None:
    household_columns = [f.name for f in HOUSEHOLD_COLUMNS] + [EXTRA]
    person_columns = [f.name for f in PERSON_COLUMNS] + [EXTRA]
    new_h, _, changed_h = outcomes["households"]
    new_p, _, changed_p = outcomes["persons"]
    try:
        insert_rows(session, HOUSEHOLDS, new_h.select(household_columns))
        if update:
            # the old values of the records about to change (``laosp.registry.history``)
            record_households(session, changed_h["household_id"].to_list(), today)
            record_persons(session, changed_p["person_id"].to_list(), today)
            update_rows(session, HOUSEHOLDS, "household_id", changed_h.select(household_columns))
            changed_persons = with_name_keys(changed_p.select(person_columns))
            update_rows(session, PERSONS, "person_id", changed_persons)
        insert_rows(session, PERSONS, with_name_keys(new_p.select(person_columns)))
    except DBAPIError as error:
        if _written_meanwhile(error):
            raise ImportedMeanwhile from None
        raise


#: PostgreSQL's codes of a deadlock and of a serialisation failure: two imports of
#: overlapping files, each waiting for the other's rows
_CONCURRENT_STATES = frozenset({"40P01", "40001"})


def _written_meanwhile(error: DBAPIError) -> bool:
    """Whether ``error`` comes from a concurrent transaction writing the same records
    between this import's comparison and its writes (a key registered meanwhile)."""
    state = getattr(error.orig, "sqlstate", None)
    return isinstance(error, IntegrityError) or state in _CONCURRENT_STATES


def _audit_changes(report: ImportReport, update: bool) -> dict[str, Any]:
    return {
        "files": report.files,
        "update": update,
        "all_or_nothing": report.all_or_nothing,
        "counts": {table: vars(counts) for table, counts in report.counts.items()},
        "extra_columns": report.extra_columns,
    }
