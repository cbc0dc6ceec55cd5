"""A columnar snapshot of the registry: whole tables read into Polars frames at once.

Reads go through ADBC, never row by row through the ORM: on PostgreSQL in this process
(binary COPY), on SQLite in the worker process of ``laosp.arrow_sqlite`` (the driver's
SQLite library may not share a process with Python's). A large table is read as
consecutive row ranges on parallel connections (SQLite ``rowid`` ranges, PostgreSQL
``ctid`` page ranges) and the parts are concatenated in order, so the frame is the one a
single read would give.
Integer row keys are attached once at load (``laosp.registry.rowkeys``): persons get
``household_row``, enrolments ``person_row`` and ``household_row``.

Column types follow the SQLAlchemy models, so booleans come back as Boolean and dates
as Date on both backends; the coded person columns (``dictionary.PERSON_CODED_COLUMNS``) come
back as ``pl.Enum`` of their code lists (a byte a value, compared as integers).
Sensitive and free-text person columns (names, national id, phone) are left out unless
asked for.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import polars as pl
from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Engine, Integer, Table, text

import laosp.models  # noqa: F401 - registers every table on the metadata
from laosp.arrow_sqlite import read_frames
from laosp.models.base import metadata
from laosp.reference import dictionary as dd
from laosp.reference.dictionary import PERSON_CODED_COLUMNS
from laosp.registry.as_of import (
    HISTORY_TABLES,
    enrolments_at,
    households_at,
    persons_at,
)
from laosp.registry.rowkeys import (
    fact_household_rows,
    household_rows,
    person_rows,
)

EXCLUDED = {
    # names and the sensitive fields of the data dictionary, and the search keys
    "persons": {f.name for f in dd.PERSON_FIELDS if f.sensitive or f.text == "name"}
    | {"name_key", "name_fold", "name_latin", "extra", "updated_at"},
    "households": {"extra", "updated_at"},
}
TABLES = ("persons", "households", "enrolments", "contributions", "benefit_payments")
#: Tables at least this large (rows for SQLite, 8 kB pages for PostgreSQL) are read in
#: ``READERS`` parallel row ranges.
PARALLEL_MIN_ROWS = 200_000
PARALLEL_MIN_PAGES = 4_000
READERS = 2


@dataclass
class Snapshot:
    persons: pl.DataFrame
    households: pl.DataFrame
    enrolments: pl.DataFrame | None = None
    contributions: pl.DataFrame | None = None
    benefit_payments: pl.DataFrame | None = None


def _dtype(column: Any) -> pl.DataType:
    kind = column.type
    if isinstance(kind, Boolean):
        return pl.Boolean()
    if isinstance(kind, DateTime):
        return pl.Datetime("us")
    if isinstance(kind, Date):
        return pl.Date()
    if isinstance(kind, BigInteger | Integer):
        return pl.Int64()
    return pl.String()


#: Columns read whatever ``only`` says: the keys the frames are joined and scoped on.
KEYS = {
    "persons": ("person_id", "household_id"),
    "households": ("household_id", "district_code"),
}


def _columns(table: Table, include: set[str], only: Collection[str] | None = None) -> list[Any]:
    return [
        c
        for c in table.columns
        if not isinstance(c.type, JSON)
        and (c.name not in EXCLUDED.get(table.name, set()) or c.name in include)
        and (only is None or c.name in only or c.name in KEYS.get(table.name, ()))
    ]


def _quote(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _query(table: Table, columns: list[Any], sqlite: bool, where: str) -> str:
    parts = []
    for c in columns:
        name = f'"{c.name}"'
        # ADBC SQLite infers a column's type from its first rows: keep nullable text and
        # dates textual ('' for NULL) so an all-NULL first batch cannot fix a wrong type
        if (sqlite and c.nullable and isinstance(c.type, Date | DateTime)) or (
            sqlite and c.nullable and _dtype(c) == pl.String()
        ):
            parts.append(f"COALESCE(CAST({name} AS TEXT), '') AS {name}")
        elif sqlite and isinstance(c.type, Boolean | BigInteger | Integer):
            parts.append(f"CAST({name} AS INTEGER) AS {name}")
        else:
            parts.append(name)
    return f'SELECT {", ".join(parts)} FROM "{table.name}"{where}'


def _fix(frame: pl.DataFrame, columns: list[Any]) -> pl.DataFrame:
    exprs = []
    for c in columns:
        col = pl.col(c.name)
        dtype = _dtype(c)
        if c.table.name in ("persons", "person_history") and c.name in PERSON_CODED_COLUMNS:
            dtype = pl.Enum(PERSON_CODED_COLUMNS[c.name])
        source = frame.schema[c.name]
        if source == pl.String() and dtype != pl.String():
            col = pl.when(col != "").then(col)
            if dtype == pl.Date():
                col = col.str.slice(0, 10).str.to_date("%Y-%m-%d")
            elif isinstance(dtype, pl.Datetime):
                col = col.str.to_datetime(time_unit="us", strict=False)
            else:
                col = col.cast(dtype)
        elif source == pl.String() and c.nullable:
            col = pl.when(col != "").then(col)
        exprs.append(col.cast(dtype).alias(c.name))
    return frame.select(exprs)


def _connect(engine: Engine) -> Any:
    """An ADBC PostgreSQL connection (SQLite is read by ``laosp.arrow_sqlite``)."""
    import adbc_driver_postgresql.dbapi as pg_dbapi  # type: ignore[import-untyped]

    uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return pg_dbapi.connect(uri)


def _fetch(connection: Any, sql: str) -> pl.DataFrame:
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
        return pl.DataFrame(cursor.fetch_arrow())
    finally:
        cursor.close()


def _read(engine: Engine, sql: str) -> pl.DataFrame:
    connection = _connect(engine)
    try:
        return _fetch(connection, sql)
    finally:
        connection.close()


def _ranges(engine: Engine, table: str, sqlite: bool, readers: int) -> list[str]:
    """WHERE conditions that split ``table`` into ``readers`` consecutive row ranges, in
    the order of a plain scan (one empty condition for a small table). The last range is
    open-ended, so rows added meanwhile are not lost."""
    if readers < 2:
        return [""]
    if sqlite:
        sql = f'SELECT COALESCE(MIN(rowid), 0), COALESCE(MAX(rowid), 0) FROM "{table}"'
        with engine.connect() as connection:
            low, high = connection.execute(text(sql)).one()
        if high - low + 1 < PARALLEL_MIN_ROWS:
            return [""]
        cuts = [low + (high - low + 1) * i // readers for i in range(1, readers)]
        column = "rowid"
    else:
        sql = (
            f"SELECT (pg_relation_size('\"{table}\"') "
            "/ current_setting('block_size')::bigint)::bigint AS pages"
        )
        pages = int(_read(engine, sql).item())
        if pages < PARALLEL_MIN_PAGES:
            return [""]
        cuts = [pages * i // readers for i in range(1, readers)]
        column = "ctid"

    def bound(cut: int) -> str:
        return str(cut) if sqlite else f"'({cut},0)'::tid"

    conditions = [f"{column} < {bound(cuts[0])}"]
    conditions += [
        f"{column} >= {bound(a)} AND {column} < {bound(b)}" for a, b in itertools.pairwise(cuts)
    ]
    conditions.append(f"{column} >= {bound(cuts[-1])}")
    return conditions


def _read_table(
    engine: Engine, table: Table, columns: list[Any], where: str, readers: int
) -> pl.DataFrame:
    """The typed frame of ``table`` on PostgreSQL, in parallel row ranges when it is
    large; every range reads the same database snapshot (exported by the first)."""
    ranges = _ranges(engine, table.name, False, readers) if not where else [""]
    if len(ranges) == 1:
        return _fix(_read(engine, _query(table, columns, False, where)), columns)
    connections = [_connect(engine) for _ in ranges]
    try:
        first, *others = connections
        _execute(first, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        exported = _fetch(first, "SELECT pg_export_snapshot()").item()
        for other in others:
            _execute(other, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            _execute(other, f"SET TRANSACTION SNAPSHOT '{exported}'")

        def part(index: int) -> pl.DataFrame:
            sql = _query(table, columns, False, f" WHERE {ranges[index]}")
            return _fix(_fetch(connections[index], sql), columns)

        with ThreadPoolExecutor(len(ranges)) as pool:
            parts = list(pool.map(part, range(len(ranges))))
    finally:
        for connection in connections:
            connection.close()
    return pl.concat(parts, rechunk=False)


def _read_sqlite_tables(
    engine: Engine, plan: dict[str, tuple[Table, list[Any], str]], readers: int
) -> dict[str, pl.DataFrame]:
    """The typed frames of the planned tables (name → table, columns, WHERE clause) of a
    SQLite file, all read by one worker process, large tables in parallel row ranges."""
    queries: list[str] = []
    parts_of: dict[str, range] = {}
    for name, (table, columns, where) in plan.items():
        ranges = _ranges(engine, name, True, readers) if not where else [""]
        clauses = [f" WHERE {r}" if r else where for r in ranges]
        parts_of[name] = range(len(queries), len(queries) + len(clauses))
        queries += [_query(table, columns, True, clause) for clause in clauses]
    frames = read_frames(engine.url.database or "", queries, threads=readers)
    return {
        name: pl.concat([_fix(frames[i], plan[name][1]) for i in parts_of[name]], rechunk=False)
        for name in plan
    }


def _execute(connection: Any, sql: str) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def with_row_keys(snapshot: Snapshot) -> Snapshot:
    """``snapshot`` with the integer row keys of ``laosp.registry.rowkeys`` attached."""
    persons = snapshot.persons.with_columns(household_rows(snapshot.persons, snapshot.households))
    enrolments = snapshot.enrolments
    if enrolments is not None:
        enrolments = enrolments.with_columns(
            person_rows(enrolments, persons), fact_household_rows(enrolments, snapshot.households)
        )
    return replace(snapshot, persons=persons, enrolments=enrolments)


def load_snapshot(
    engine: Engine,
    tables: Sequence[str] = ("persons", "households"),
    *,
    household_ids: Sequence[str] | None = None,
    person_ids: Sequence[str] | None = None,
    include: Sequence[str] = (),
    readers: int = READERS,
    row_keys: bool = True,
    at: dt.date | None = None,
    only: Mapping[str, Collection[str]] | None = None,
) -> Snapshot:
    """Read ``tables`` into frames. ``household_ids``/``person_ids`` restrict persons and
    households to those households (for one explanation); ``include`` adds excluded
    person columns by name; ``readers`` parallel connections read a large table;
    ``row_keys`` attaches ``household_row``/``person_row`` (see ``with_row_keys``).
    ``at`` (a past date): the registry as it was then, from its history
    (``laosp.registry.as_of`` says what is historical); None: as it is now. ``only``:
    per table, the columns to read (with its keys, ``KEYS``), for a reader that needs a
    few of them (a reform that reads few fields reads a fraction of the registry)."""
    if only is not None and at is not None:
        raise ValueError("a past date reads the rule fields' history: give all columns")
    sqlite = engine.url.get_backend_name() == "sqlite"
    where = ""
    if person_ids is not None:
        where = (
            " WHERE household_id IN (SELECT household_id FROM persons WHERE person_id IN "
            f"({_quote(person_ids)}))"
        )
    elif household_ids is not None:
        where = f" WHERE household_id IN ({_quote(household_ids)})"
    plan: dict[str, tuple[Table, list[Any], str]] = {}
    for name in ("persons", "households", *tables):
        if name not in TABLES:
            raise ValueError(f"unknown table {name!r}; one of {TABLES}")
        table = metadata.tables[name]
        clause = where if name in ("persons", "households") else ""
        wanted = only.get(name) if only is not None else None
        plan[name] = (table, _columns(table, set(include), wanted), clause)
    if at is not None:
        literal = f"'{at.isoformat()}'"
        # for a few households, only their records' history
        of_records = {
            "person_history": f" AND person_id IN (SELECT person_id FROM persons{where})",
            "household_history": (
                f" AND household_id IN (SELECT household_id FROM households{where})"
            ),
        }
        for name, condition in HISTORY_TABLES.items():
            if name == "enrolment_status_history" and "enrolments" not in plan:
                continue
            table = metadata.tables[name]
            clause = f" WHERE {condition.format(at=literal)}" + (
                of_records.get(name, "") if where else ""
            )
            plan[name] = (table, _columns(table, set()), clause)
    if sqlite:
        frames = _read_sqlite_tables(engine, plan, readers)
    else:
        frames = {
            name: _read_table(engine, table, columns, clause, readers)
            for name, (table, columns, clause) in plan.items()
        }
    if at is not None:
        frames["persons"] = persons_at(frames["persons"], frames.pop("person_history"))
        frames["households"] = households_at(frames["households"], frames.pop("household_history"))
        if "enrolment_status_history" in frames:
            frames["enrolments"] = enrolments_at(
                frames["enrolments"], frames.pop("enrolment_status_history"), at
            )
    frames["households"] = frames["households"].with_columns(
        pl.col("district_code").str.slice(0, 2).alias("province_code")
    )
    snapshot = Snapshot(
        **{k: v for k, v in frames.items() if k in tables or k in ("persons", "households")}
    )
    return with_row_keys(snapshot) if row_keys else snapshot
