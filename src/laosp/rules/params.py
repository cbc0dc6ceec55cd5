"""Parameters: named values with dated changes, each value with its reference and status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from laosp.rules.errors import PackError
from laosp.rules.fields import HOUSEHOLD_FIELDS, PERSON_FIELDS
from laosp.rules.yamlio import LineDict, LineList

STATUSES = ("confirmed", "illustrative", "derived", "override")
SHAPES = ("scalar", "list", "lookup")


@dataclass(frozen=True)
class ParamValue:
    start: dt.date
    value: Any
    reference: str
    status: str
    line: int = 0


@dataclass(frozen=True)
class Parameter:
    """``shape`` is scalar, list or lookup (by the code field ``key``); ``kind`` is the type
    of a scalar, of the list items or of the looked-up values: int, float, str or bool."""

    name: str
    shape: str
    kind: str
    values: tuple[ParamValue, ...]
    description: str = ""
    unit: str = ""
    key: str | None = None
    file: str = ""
    line: int = 0
    description_lo: str = ""

    def label(self, lang: str) -> str:
        """What the parameter is, in ``lang`` ("lo" or "en"): its description (English
        where no Lao is written), its name where it has no description."""
        lao = self.description_lo if lang == "lo" else ""
        return lao or self.description or self.name

    @property
    def first_date(self) -> dt.date:
        return self.values[0].start

    def value_at(self, at: dt.date) -> ParamValue | None:
        """The value in force on ``at`` (the latest one starting on or before it)."""
        found = None
        for value in self.values:
            if value.start <= at:
                found = value
            else:
                break
        return found

    def with_value(self, value: Any, start: dt.date) -> Parameter:
        """A copy where ``value`` holds from ``start`` on (later changes dropped)."""
        if isinstance(value, tuple):
            value = list(value)
        kind = _check_value(value, self.shape, self.key, self.name, Path(self.file), 0)
        if kind != self.kind and (kind, self.kind) != ("int", "float"):
            raise PackError(
                f"override has type {kind}, the parameter holds {self.kind}", name=self.name
            )
        kept = tuple(v for v in self.values if v.start < start)
        new = ParamValue(start, value, "scenario override", "override")
        return replace(self, values=(*kept, new))


def _kind_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    return None


def _merge(kinds: set[str], name: str, file: Path, line: int) -> str:
    if kinds <= {"int", "float"} and kinds:
        return "float" if "float" in kinds else "int"
    if len(kinds) == 1:
        return kinds.pop()
    raise PackError(f"values mix types {sorted(kinds)}", file=file, line=line, name=name)


def _check_value(value: Any, shape: str, key: str | None, name: str, file: Path, line: int) -> str:
    """The kind of ``value`` for a parameter of ``shape``; a PackError if it does not fit."""
    if shape == "list":
        if not isinstance(value, list) or not value:
            raise PackError(
                "a list parameter needs a non-empty list", file=file, line=line, name=name
            )
        return _merge({_kind_of(v) or "?" for v in value}, name, file, line)
    if shape == "lookup":
        if not isinstance(value, dict):
            raise PackError(f"a lookup by {key} needs a mapping", file=file, line=line, name=name)
        field = PERSON_FIELDS.get(key or "") or HOUSEHOLD_FIELDS.get(key or "")
        assert field is not None
        keys = {str(k) for k in value}
        wanted = {c for c in field.codes or () if c}
        if keys != wanted:
            raise PackError(
                f"a lookup by {key} needs exactly the codes {sorted(wanted)}, got {sorted(keys)}",
                file=file,
                line=line,
                name=name,
            )
        return _merge({_kind_of(v) or "?" for v in value.values()}, name, file, line)
    kind = _kind_of(value)
    if kind is None:
        raise PackError(
            f"value {value!r} is not a number, text or boolean (add `key:` for a "
            "lookup, or `shape: list`)",
            file=file,
            line=line,
            name=name,
        )
    return kind


def parse_parameter(name: str, spec: Any, file: Path, line: int) -> Parameter:
    if not isinstance(spec, LineDict):
        raise PackError("a parameter is a mapping with `values`", file=file, line=line, name=name)
    key = spec.get("key")
    shape = "lookup" if key is not None else str(spec.get("shape", "scalar"))
    if key is not None and key not in PERSON_FIELDS and key not in HOUSEHOLD_FIELDS:
        raise PackError(
            f"unknown lookup key field {key!r}", file=file, line=spec.line_of("key"), name=name
        )
    if key is not None and not (PERSON_FIELDS.get(key) or HOUSEHOLD_FIELDS[key]).codes:
        raise PackError(
            f"lookup key {key!r} is not a coded field",
            file=file,
            line=spec.line_of("key"),
            name=name,
        )
    if shape not in SHAPES:
        raise PackError(
            f"shape must be one of {SHAPES}", file=file, line=spec.line_of("shape"), name=name
        )
    raw = spec.get("values")
    if not isinstance(raw, LineList) or not raw:
        raise PackError(
            "a parameter needs a non-empty list of `values`", file=file, line=spec.line, name=name
        )
    values: list[ParamValue] = []
    kinds: set[str] = set()
    for item, item_line in zip(raw, raw.item_lines, strict=True):
        if not isinstance(item, LineDict):
            raise PackError(
                "each value is a mapping with date, value, reference, status",
                file=file,
                line=item_line,
                name=name,
            )
        missing = [k for k in ("date", "value", "reference", "status") if k not in item]
        if missing:
            raise PackError(
                f"value is missing {', '.join(missing)}", file=file, line=item_line, name=name
            )
        start = item["date"]
        if not isinstance(start, dt.date):
            raise PackError(
                f"date {start!r} is not a date (YYYY-MM-DD)",
                file=file,
                line=item.line_of("date"),
                name=name,
            )
        if item["status"] not in STATUSES:
            raise PackError(
                f"status must be one of {STATUSES}",
                file=file,
                line=item.line_of("status"),
                name=name,
            )
        reference = str(item["reference"] or "").strip()
        if not reference:
            raise PackError(
                "every value needs a reference",
                file=file,
                line=item.line_of("reference"),
                name=name,
            )
        value = item["value"]
        if isinstance(value, LineDict):
            value = {str(k): v for k, v in value.items()}
        elif isinstance(value, LineList):
            value = list(value)
        kinds.add(_check_value(value, shape, key, name, file, item.line_of("value")))
        values.append(ParamValue(start, value, reference, str(item["status"]), item_line))
    values.sort(key=lambda v: v.start)
    dates = [v.start for v in values]
    if len(set(dates)) != len(dates):
        raise PackError("two values start on the same date", file=file, line=spec.line, name=name)
    return Parameter(
        name=name,
        shape=shape,
        kind=_merge(kinds, name, file, spec.line),
        values=tuple(values),
        description=str(spec.get("description", "")),
        description_lo=str(spec.get("description_lo", "")),
        unit=str(spec.get("unit", "")),
        key=key,
        file=str(file),
        line=line,
    )
