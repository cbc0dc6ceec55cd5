"""The grievance part of the policy pack (``grievances.yaml``): the categories, the days
each may stay unresolved (dated, like a parameter) and the escalation levels, each
with its name in English and Lao. Checked when the pack is loaded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from laosp.rules.errors import PackError
from laosp.rules.params import Parameter, parse_parameter
from laosp.rules.yamlio import LineDict, LineList, load_yaml

FILE = "grievances.yaml"


@dataclass(frozen=True)
class Named:
    code: str
    name: str
    name_lo: str

    def label(self, lang: str) -> str:
        return self.name_lo if lang == "lo" and self.name_lo else self.name


@dataclass(frozen=True)
class Category(Named):
    #: The days a grievance of this category may stay unresolved (dated values).
    days: Parameter | None = None

    def days_at(self, at: dt.date) -> int | None:
        """The days in force on ``at`` (``None`` before the first value)."""
        found = self.days.value_at(at) if self.days is not None else None
        return int(found.value) if found is not None else None


@dataclass(frozen=True)
class GrievancePolicy:
    categories: dict[str, Category] = field(default_factory=dict)
    #: Lowest first: a new grievance is at ``levels[0]``, escalation goes one up.
    levels: tuple[Named, ...] = ()

    @property
    def start(self) -> dt.date | None:
        """The first date every category has a time limit (``None``: no categories)."""
        firsts = [c.days.first_date for c in self.categories.values() if c.days is not None]
        return max(firsts) if firsts else None

    def level(self, index: int) -> Named:
        return self.levels[index]


def _named(item: object, line: int, file: Path, what: str) -> tuple[LineDict, Named]:
    if not isinstance(item, LineDict) or not isinstance(item.get("code"), str):
        raise PackError(f"each {what} is a mapping with a code", file=file, line=line)
    code = str(item["code"])
    for key in ("name", "name_lo"):
        if not isinstance(item.get(key), str) or not str(item[key]).strip():
            raise PackError(
                f"a {what} needs `{key}` (its name in {'Lao' if key == 'name_lo' else 'English'})",
                file=file,
                line=item.line_of(key),
                name=code,
            )
    return item, Named(code, str(item["name"]), str(item["name_lo"]))


def _list(data: LineDict, key: str, file: Path) -> LineList:
    items = data.get(key)
    if not isinstance(items, LineList) or not items:
        raise PackError(f"{FILE} needs a non-empty `{key}:` list", file=file, line=data.line)
    return items


def load_grievance_policy(root: Path) -> GrievancePolicy:
    """The policy of ``root/grievances.yaml``; an empty one when the pack has no such file."""
    file = root / FILE
    if not file.is_file():
        return GrievancePolicy()
    data = load_yaml(file)
    if not isinstance(data, LineDict):
        raise PackError(f"{FILE} is a mapping with `levels` and `categories`", file=file)
    levels: list[Named] = []
    items = _list(data, "levels", file)
    for item, line in zip(items, items.item_lines, strict=True):
        levels.append(_named(item, line, file, "level")[1])
    categories: dict[str, Category] = {}
    items = _list(data, "categories", file)
    for item, line in zip(items, items.item_lines, strict=True):
        spec, named = _named(item, line, file, "category")
        name = f"grievances.{named.code}.days"
        days = parse_parameter(name, spec.get("days"), file, spec.line_of("days"))
        for value in days.values:
            if isinstance(value.value, bool) or not isinstance(value.value, int) or value.value < 1:
                raise PackError(
                    "days is a whole number of days, at least 1", file=file, line=value.line,
                    name=name,
                )  # fmt: skip
        categories[named.code] = Category(named.code, named.name, named.name_lo, days)
    if len({level.code for level in levels}) != len(levels):
        raise PackError("a level code is written twice", file=file, line=data.line_of("levels"))
    if len(categories) != len(items):
        raise PackError(
            "a category code is written twice", file=file, line=data.line_of("categories")
        )
    return GrievancePolicy(categories, tuple(levels))
