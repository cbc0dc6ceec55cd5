"""Policy scenario tests (``policy-tests.md``): YAML cases of households, members and
expected outputs, checked against the pack."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import polars as pl

from laosp.rules.engine import evaluate
from laosp.rules.errors import PackError
from laosp.rules.fields import (
    HOUSEHOLD_EXTRA_FIELDS,
    HOUSEHOLD_FIELDS,
    PERSON_EXTRA_FIELDS,
    PERSON_FIELDS,
    Field,
)
from laosp.rules.pack import Pack
from laosp.rules.yamlio import LineDict, LineList, load_yaml

DEFAULT_TOLERANCE = 0.5
_DTYPES = {"bool": pl.Boolean, "int": pl.Int64, "str": pl.String, "date": pl.Date}


@dataclass
class Case:
    file: Path
    name: str
    line: int
    date: dt.date
    households: list[dict[str, Any]]
    persons: list[dict[str, Any]]
    expect: dict[str, dict[str, Any]]  # id -> output -> expected
    entity_of: dict[str, str]  # id -> person / household
    tolerance: float = DEFAULT_TOLERANCE
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass
class Mismatch:
    unit_id: str
    output: str
    expected: Any
    computed: Any


@dataclass
class Outcome:
    case: Case
    mismatches: list[Mismatch]


@cache
def _district_codes() -> frozenset[str]:
    text = files("laosp.reference").joinpath("data/lao_districts.csv").read_text("utf-8")
    return frozenset(line.split(",")[0] for line in text.splitlines()[1:] if line)


def collect_files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        elif path.exists():
            found.append(path)
        else:
            raise PackError("no such file or folder", file=path)
    return found


def load_cases(file: Path, pack: Pack) -> list[Case]:
    data = load_yaml(file)
    if not isinstance(data, LineList):
        raise PackError("a scenario file is a YAML list of cases", file=file)
    return [_case(file, item, line, pack) for item, line in zip(data, data.item_lines, strict=True)]


def _fail(file: Path, line: int, case: str, message: str) -> PackError:
    return PackError(message, file=file, line=line, name=case)


def _value(file: Path, case: str, spec: LineDict, key: str, f: Field) -> Any:
    value = spec[key]
    line = spec.line_of(key)
    if value is None:
        return None
    ok = {
        "bool": isinstance(value, bool),
        "date": isinstance(value, dt.date),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "str": isinstance(value, str),
    }[f.kind]
    if not ok:
        hint = ' (quote codes such as "0101")' if f.kind == "str" else ""
        raise _fail(file, line, case, f"field {key}: {value!r} is not a {f.kind}{hint}")
    legal = f.codes if f.codes else (_district_codes() if key == "district_code" else None)
    if legal is not None and value not in legal:
        raise _fail(file, line, case, f"field {key}: unknown code {value!r}")
    return value


def _unit(
    file: Path,
    case: str,
    spec: Any,
    line: int,
    catalogue: dict[str, Field],
    extra: tuple[str, ...],
    id_field: str,
) -> dict[str, Any]:
    if not isinstance(spec, LineDict) or id_field not in spec:
        raise _fail(file, line, case, f"each entry needs {id_field}")
    row: dict[str, Any] = {id_field: str(spec[id_field])}
    for key in spec:
        if key in (id_field, "members") or key in extra:
            continue
        f = catalogue.get(key)
        if f is None or f.derived:
            raise _fail(file, spec.line_of(key), case, f"unknown field {key!r}")
        row[key] = _value(file, case, spec, key, f)
    return row


def _case(file: Path, spec: Any, line: int, pack: Pack) -> Case:
    if not isinstance(spec, LineDict):
        raise PackError("a case is a mapping", file=file, line=line)
    name = str(spec.get("name") or f"case at line {line}")
    for key in spec:
        if key not in (
            "name",
            "date",
            "households",
            "expect",
            "tolerance",
            "pack_overrides",
            "description",
        ):
            raise _fail(file, spec.line_of(key), name, f"unknown field {key!r}")
    if not isinstance(spec.get("date"), dt.date):
        raise _fail(file, spec.line_of("date"), name, "field date: needs a date (YYYY-MM-DD)")
    households, persons, entity_of = [], [], {}
    raw = spec.get("households")
    if not isinstance(raw, LineList) or not raw:
        raise _fail(file, spec.line_of("households"), name, "field households: needs a list")
    for home, home_line in zip(raw, raw.item_lines, strict=True):
        row = _unit(
            file, name, home, home_line, HOUSEHOLD_FIELDS, HOUSEHOLD_EXTRA_FIELDS, "household_id"
        )
        if "district_code" not in row:
            raise _fail(file, home_line, name, "field district_code: required")
        households.append(row)
        entity_of[row["household_id"]] = "household"
        members = home.get("members") or LineList()
        if not isinstance(members, LineList):
            raise _fail(file, home.line_of("members"), name, "field members: needs a list")
        for member, member_line in zip(members, members.item_lines, strict=True):
            person = _unit(
                file, name, member, member_line, PERSON_FIELDS, PERSON_EXTRA_FIELDS, "person_id"
            )
            for required in ("sex", "birth_date"):
                if person.get(required) is None:
                    raise _fail(file, member_line, name, f"field {required}: required")
            person["household_id"] = row["household_id"]
            persons.append(person)
            entity_of[person["person_id"]] = "person"
    expect = _expect(file, spec, name, pack, entity_of)
    tolerance = spec.get("tolerance", DEFAULT_TOLERANCE)
    if not isinstance(tolerance, int | float) or isinstance(tolerance, bool) or tolerance < 0:
        raise _fail(file, spec.line_of("tolerance"), name, "field tolerance: needs a number ≥ 0")
    overrides = spec.get("pack_overrides") or {}
    if not isinstance(overrides, dict):
        raise _fail(file, spec.line_of("pack_overrides"), name, "field pack_overrides: mapping")
    for key in overrides:
        if key not in pack.parameters:
            raise _fail(
                file,
                spec.line_of("pack_overrides"),
                name,
                f"field pack_overrides: unknown parameter {key!r}",
            )
    return Case(
        file,
        name,
        line,
        spec["date"],
        households,
        persons,
        expect,
        entity_of,
        float(tolerance),
        {str(k): v for k, v in overrides.items()},
    )


def _expect(
    file: Path, spec: LineDict, name: str, pack: Pack, entity_of: dict[str, str]
) -> dict[str, dict[str, Any]]:
    expect = spec.get("expect")
    if not isinstance(expect, LineDict) or not expect:
        raise _fail(file, spec.line_of("expect"), name, "field expect: needs a mapping")
    result: dict[str, dict[str, Any]] = {}
    for unit_id, outputs in expect.items():
        line = expect.line_of(unit_id)
        entity = entity_of.get(str(unit_id))
        if entity is None:
            raise _fail(file, line, name, f"expect: {unit_id!r} is no person or household here")
        if not isinstance(outputs, LineDict):
            raise _fail(file, line, name, f"expect.{unit_id}: needs a mapping of outputs")
        for output, value in outputs.items():
            declared = pack.outputs.get((str(output), entity))
            where = f"expect.{unit_id}.{output}"
            if declared is None:
                raise _fail(
                    file, outputs.line_of(output), name, f"{where}: unknown {entity} output"
                )
            kind = declared.type.type
            ok = (
                isinstance(value, bool)
                if kind == "bool"
                else isinstance(value, str)
                if kind == "code"
                else isinstance(value, int | float) and not isinstance(value, bool)
            )
            if not ok or (
                kind == "code" and declared.type.codes and value not in declared.type.codes
            ):
                raise _fail(
                    file,
                    outputs.line_of(output),
                    name,
                    f"{where}: {value!r} is not a valid {kind} value",
                )
        result[str(unit_id)] = dict(outputs)
    return result


def _frame(rows: list[dict[str, Any]], catalogue: dict[str, Field], id_field: str) -> pl.DataFrame:
    columns = sorted({k for row in rows for k in row} - {id_field, "household_id"})
    schema: dict[str, Any] = {id_field: pl.String, "household_id": pl.String}
    schema.update({c: _DTYPES[catalogue[c].kind] for c in columns})
    return pl.DataFrame(
        [{k: row.get(k) for k in schema} for row in rows], schema=schema, orient="row"
    )


def run_case(case: Case, pack: Pack) -> Outcome:
    if case.overrides:
        pack = pack.with_overrides(case.overrides, case.date)
    persons = _frame(case.persons, PERSON_FIELDS, "person_id")
    households = _frame(case.households, HOUSEHOLD_FIELDS, "household_id")
    names = sorted({o for outputs in case.expect.values() for o in outputs})
    result = evaluate(pack, persons, households, case.date, names)
    by_id = {
        "person": {r["person_id"]: r for r in result.persons.iter_rows(named=True)},
        "household": {r["household_id"]: r for r in result.households.iter_rows(named=True)},
    }
    mismatches = []
    for unit_id, outputs in case.expect.items():
        row = by_id[case.entity_of[unit_id]][unit_id]
        for output, expected in outputs.items():
            computed = row[output]
            if isinstance(expected, (bool, str)):
                same = computed == expected
            else:
                same = computed is not None and abs(computed - expected) <= case.tolerance
            if not same:
                mismatches.append(Mismatch(unit_id, output, expected, computed))
    return Outcome(case, mismatches)
