"""Why a person or household is eligible for a scheme or not, in plain words.

The scheme's eligibility formula (``Scheme.eligibility``, in the pack) is split into its
conditions: the parts joined by ``and`` (an ``or`` is one condition with alternatives).
Each condition is shown as what the registry holds, what the rule needs and whether it
is met, in English and in Lao: field names from the data dictionary, place names from
the reference lists, the operators' words from the ``explanation`` catalogue, and every
parameter with its value, the date from which that value applies and its reference. A
code output (the social security schemes share ``nssf.scheme``) is explained by the
condition of the branch that gives the qualifying value. The amount, for a cash scheme,
is the scheme's money output with its own parameters.

Values are read from one evaluation of the rules engine on the household (``run``);
each condition's truth is recomputed here from the same row, so that what is shown is
what the engine read.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import polars as pl

from laosp.presentation.i18n import LANGS, Formatter, Lang
from laosp.reference import admin_units, dictionary
from laosp.registry.rowkeys import ROW_KEYS
from laosp.rules import nodes as n
from laosp.rules.engine import run
from laosp.rules.errors import PackError
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Key, Output, Pack, Scheme

Words = dict[Lang, str]


@dataclass(frozen=True)
class ParameterUse:
    """A parameter value the decision read: since when it applies and on what basis."""

    name: str
    value: Any
    since: dt.date
    reference: str
    status: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "since": self.since.isoformat(),
            "reference": self.reference,
            "status": self.status,
            "description": self.description,
        }


@dataclass(frozen=True)
class Condition:
    met: bool | None
    text: Words
    parameters: tuple[ParameterUse, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "met": self.met,
            "text": dict(self.text),
            "parameters": [p.to_dict() for p in self.parameters],
        }


@dataclass
class Explanation:
    scheme: str
    scheme_name: Words
    unit: str
    unit_id: str
    household_id: str
    date: dt.date
    in_force: bool
    eligible: bool
    summary: Words
    conditions: list[Condition] = field(default_factory=list)
    amount: int | None = None
    every_months: int | None = None
    amount_parameters: list[ParameterUse] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "scheme_name": dict(self.scheme_name),
            "unit": self.unit,
            "unit_id": self.unit_id,
            "household_id": self.household_id,
            "date": self.date.isoformat(),
            "in_force": self.in_force,
            "eligible": self.eligible,
            "summary": dict(self.summary),
            "conditions": [c.to_dict() for c in self.conditions],
            "amount": self.amount,
            "payment_every_months": self.every_months,
            "amount_parameters": [p.to_dict() for p in self.amount_parameters],
        }


def _both(render: Any) -> Words:
    """``render(formatter)`` in every language."""
    return {lang: render(Formatter(lang)) for lang in LANGS}


@cache
def _places() -> dict[tuple[str, str], tuple[str, str]]:
    found = {("district_code", d.code): (d.name_en, d.name_lo) for d in admin_units.districts()}
    found |= {("province_code", p.code): (p.name_en, p.name_lo) for p in admin_units.provinces()}
    return found


def _field_name(column: str) -> str:
    return column.removeprefix("household.")


def shown_value(f: Formatter, column: str, value: Any) -> str:
    """A registry value as an officer reads it: names, not codes."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return f("yes") if value else f("no")
    if isinstance(value, int | float):
        return f.number(value)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(shown_value(f, column, v) for v in value)
    name = _field_name(column)
    place = _places().get((name, str(value)))
    if place is not None:
        return f.pair(*place)
    if value == "":
        return "—"
    return dictionary.code_label(name, str(value), f.lang)


def _subject(f: Formatter, pack: Pack, node: n.Column) -> str:
    if node.is_output:
        output = pack.outputs.get((node.name, node.entity))
        return output.label if output is not None and output.label else node.name
    name = _field_name(node.column)
    for entity in (dictionary.PERSON, dictionary.HOUSEHOLD):
        found = dictionary.FIELDS.get((entity, name))
        if found is not None and (node.entity in ("", entity)):
            return found.label(f.lang)
    return node.name


class _Reader:
    """Values of one row and the pack's parameters at the date."""

    def __init__(self, pack: Pack, row: dict[str, Any], at: dt.date) -> None:
        self.pack = pack
        self.row = row
        self.at = at
        self.params = pack.params_at(at)

    def value(self, node: n.Node | None) -> Any:
        if node is None:
            return None
        if isinstance(node, n.Lit):
            return node.value
        if isinstance(node, n.ListLit):
            return list(node.values)
        if isinstance(node, n.Column | n.Aggregate):
            return self.row.get(node.column)
        if isinstance(node, n.Param):
            value = self.params.get(node.name)
            if node.key is not None and isinstance(value, dict):
                return value.get(self.value(node.key))
            return value
        if isinstance(node, n.Unary):
            inner = self.value(node.operand)
            if inner is None:
                return None
            return (not inner) if node.op == "not" else -inner
        if isinstance(node, n.In):
            item, collection = self.value(node.operand), self.value(node.collection)
            if item is None or collection is None:
                return None
            return (item in collection) != node.negate
        if isinstance(node, n.If):
            test = self.value(node.condition)
            return self.value(node.then if test else node.otherwise)
        if isinstance(node, n.Binary):
            return self._binary(node)
        if isinstance(node, n.Call):
            args = [self.value(a) for a in node.args]
            if any(a is None for a in args):
                return None
            if node.function == "min":
                return min(args)
            if node.function == "max":
                return max(args)
            if node.function == "clamp":
                return min(max(args[0], args[1]), args[2])
            return round(args[0])
        return None

    def _binary(self, node: n.Binary) -> Any:
        left, right = self.value(node.left), self.value(node.right)
        if node.op == "and_":
            return bool(left) and bool(right)
        if node.op == "or_":
            return bool(left) or bool(right)
        if left is None or right is None:
            return None
        return _OPERATIONS[node.op](left, right)

    def parameter(self, name: str) -> ParameterUse | None:
        parameter = self.pack.parameters.get(name)
        value = parameter.value_at(self.at) if parameter is not None else None
        if parameter is None or value is None:
            return None
        return ParameterUse(
            name, value.value, value.start, value.reference, value.status, parameter.description
        )


_OPERATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "div": lambda a, b: a / b if b else None,
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
    "gt": operator.gt, "ge": operator.ge,
}  # fmt: skip


def _params_of(node: n.Node) -> list[str]:
    return sorted({p.name for p in node.walk() if isinstance(p, n.Param)})


#: comparison operator → catalogue key of its words ("at least", ...)
OPERATORS = {
    "ge": "explain_at_least",
    "gt": "explain_more_than",
    "le": "explain_at_most",
    "lt": "explain_under",
    "eq": "explain_equal",
    "ne": "explain_not_equal",
}
#: an operator with the column on the right reads the other way round
MIRRORED = {"ge": "le", "gt": "lt", "le": "ge", "lt": "gt", "eq": "eq", "ne": "ne"}


def _column_of(node: n.Node | None) -> n.Column | None:
    return node if isinstance(node, n.Column) else None


def _shown_operand(f: Formatter, reader: _Reader, column: str, node: n.Node | None) -> str:
    return shown_value(f, column, reader.value(node))


def _requirement(f: Formatter, pack: Pack, reader: _Reader, node: n.Node) -> tuple[str, str]:
    """``(subject, what is needed)`` of a leaf condition, in ``f``'s language."""
    if isinstance(node, n.Unary) and node.op == "not" and isinstance(node.operand, n.Column):
        return _subject(f, pack, node.operand), f("no")
    if isinstance(node, n.Column):
        return _subject(f, pack, node), f("yes")
    if isinstance(node, n.In) and isinstance(node.operand, n.Column):
        column = node.operand.column
        listed = _shown_operand(f, reader, column, node.collection)
        key = "explain_none_of" if node.negate else "explain_one_of"
        return _subject(f, pack, node.operand), f"{f(key)} {listed}"
    if isinstance(node, n.Binary) and node.op in OPERATORS:
        op, column_node, other = node.op, _column_of(node.left), node.right
        if column_node is None and _column_of(node.right) is not None:
            op, column_node, other = MIRRORED[op], _column_of(node.right), node.left
        if column_node is not None:
            threshold = _shown_operand(f, reader, column_node.column, other)
            return _subject(f, pack, column_node), f"{f(OPERATORS[op])} {threshold}".strip()
    return f("explain_rule"), " ".join(pack_text(node).split())


def pack_text(node: n.Node) -> str:
    """A node as a short formula (the fallback for shapes without words)."""
    if isinstance(node, n.Column):
        return node.name
    if isinstance(node, n.Param):
        return f"${node.name}"
    if isinstance(node, n.Lit):
        return repr(node.value)
    return type(node).__name__.lower()


def _leaf(pack: Pack, reader: _Reader, node: n.Node) -> Condition:
    met = reader.value(node)
    target: n.Node | None = node
    if isinstance(node, n.Unary) and node.op == "not":
        target = node.operand
    column = None
    if isinstance(target, n.Column):
        column = target
    elif isinstance(target, n.In | n.Binary):
        column = _column_of(target.operand if isinstance(target, n.In) else target.left)
        if column is None and isinstance(target, n.Binary):
            column = _column_of(target.right)

    def words(f: Formatter) -> str:
        subject, needed = _requirement(f, pack, reader, node)
        if column is None:
            return f"{subject}: {needed}"
        found = shown_value(f, column.column, reader.value(column))
        return f"{subject}: {found} — {f('explain_needs')} {needed}"

    uses = tuple(u for name in _params_of(node) if (u := reader.parameter(name)) is not None)
    return Condition(None if met is None else bool(met), _both(words), uses)


def _described(f: Formatter, pack: Pack, reader: _Reader, node: n.Node) -> str:
    """A condition inside an aggregation or an alternative: the requirement only."""
    if isinstance(node, n.Binary) and node.op in ("and_", "or_"):
        joiner = f" {f('explain_and')} " if node.op == "and_" else f" {f('explain_or')} "
        return joiner.join(_described(f, pack, reader, c) for c in node.children())
    subject, needed = _requirement(f, pack, reader, node)
    return f"{subject} {needed}"


def _conditions(pack: Pack, reader: _Reader, node: n.Node) -> list[Condition]:
    if isinstance(node, n.Binary) and node.op == "and_":
        return [c for child in node.children() for c in _conditions(pack, reader, child)]
    if isinstance(node, n.Aggregate) and node.operand is not None:
        operand = node.operand
        key = "explain_any_member" if node.function == "any" else "explain_every_member"
        met = reader.value(node)
        uses = tuple(u for name in _params_of(operand) if (u := reader.parameter(name)) is not None)

        def members(f: Formatter) -> str:
            return f"{f(key)}: {_described(f, pack, reader, operand)}"

        return [Condition(None if met is None else bool(met), _both(members), uses)]
    if isinstance(node, n.Binary) and node.op == "or_":
        met = reader.value(node)
        uses = tuple(u for name in _params_of(node) if (u := reader.parameter(name)) is not None)
        parts = [_alternative(pack, reader, child) for child in _alternatives(node)]

        def either(f: Formatter) -> str:
            joiner = f"; {f('explain_or')} "
            return f"{f('explain_either')}: " + joiner.join(p[f.lang] for p in parts)

        return [Condition(None if met is None else bool(met), _both(either), uses)]
    return [_leaf(pack, reader, node)]


def _alternatives(node: n.Node) -> list[n.Node]:
    if isinstance(node, n.Binary) and node.op == "or_":
        return [a for child in node.children() for a in _alternatives(child)]
    return [node]


def _alternative(pack: Pack, reader: _Reader, node: n.Node) -> Words:
    """One alternative of an ``or``, with what the registry holds for each part."""
    inner = _conditions(pack, reader, node)
    return {lang: f" {Formatter(lang)('explain_and')} ".join(c.text[lang] for c in inner)
            for lang in LANGS}  # fmt: skip


def _branch_for(node: n.Node, wanted: object) -> n.Node | None:
    """The condition under which an ``if`` chain gives ``wanted``."""
    if isinstance(node, n.If):
        if isinstance(node.then, n.Lit) and node.then.value == wanted:
            return node.condition
        return _branch_for(node.otherwise, wanted) if node.otherwise is not None else None
    return None


def _output_key(pack: Pack, name: str, unit: str) -> Key:
    if (name, unit) in pack.outputs:
        return (name, unit)
    for key in pack.outputs:
        if key[0] == name:
            return key
    raise PackError(f"no output {name!r} in the pack")


def _outputs(schemes: list[Scheme]) -> list[str]:
    names = [s.eligibility.output for s in schemes if s.eligibility is not None]
    names += [s.amount for s in schemes if s.amount is not None]
    return sorted(set(names))


def evaluated(
    pack: Pack,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    household_id: str,
    at: dt.date,
    schemes: list[Scheme],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One evaluation of a household (members and itself) for the eligibility and
    amount outputs of ``schemes``, with every column the explanations read."""
    members = persons.filter(pl.col("household_id") == household_id).drop(ROW_KEYS, strict=False)
    home = households.filter(pl.col("household_id") == household_id)
    if home.is_empty():
        raise PackError(f"no household {household_id!r}")
    person_frame, household_frame, _keys = run(
        pack, members, home, at, _outputs(schemes), hoist=False
    )
    return person_frame, household_frame


def explain_scheme(
    pack: Pack,
    scheme: Scheme,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    unit_id: str,
    at: dt.date,
    frames: tuple[pl.DataFrame, pl.DataFrame] | None = None,
) -> Explanation:
    """Why ``unit_id`` (a person, or a household for a household scheme) is eligible
    for ``scheme`` at ``at`` or not, given its household's frames (``read_units``);
    ``frames``: the household already ``evaluated`` for this scheme (and others)."""
    by_household = scheme.unit == HOUSEHOLD
    key_column = "household_id" if by_household else "person_id"
    if by_household:
        household_id = unit_id
    else:
        found = persons.filter(pl.col("person_id") == unit_id)
        if found.is_empty():
            raise PackError(f"no person {unit_id!r}")
        household_id = str(found["household_id"][0])
    if frames is None:
        frames = evaluated(pack, persons, households, household_id, at, [scheme])
    person_frame, household_frame = frames
    frame = household_frame if by_household else person_frame
    rows = frame.filter(pl.col(key_column) == unit_id)
    row: dict[str, Any] = rows.row(0, named=True) if rows.height else {}
    reader = _Reader(pack, row, at)
    in_force = scheme.in_force(at) and pack.in_force(scheme.rules, at)
    explanation = Explanation(
        scheme=scheme.code,
        scheme_name={lang: scheme.label(lang) for lang in LANGS},
        unit=scheme.unit,
        unit_id=unit_id,
        household_id=household_id,
        date=at,
        in_force=in_force,
        eligible=False,
        summary={},
    )
    test = scheme.eligibility
    if test is None:
        explanation.eligible = in_force
        explanation.summary = _both(lambda f: f("explain_no_rule"))
    elif not in_force:
        explanation.summary = _both(lambda f: f"{f('explain_not_in_force')} {f.date(at)}")
    else:
        output = pack.outputs[_output_key(pack, test.output, scheme.unit)]
        explanation.eligible = row.get(output.name) == test.equals
        explanation.conditions = _conditions_of(pack, reader, output, test.equals)
        verdict = "explain_eligible" if explanation.eligible else "explain_not_eligible"
        explanation.summary = _both(lambda f: f"{f(verdict)} {f.date(at)}")
    if scheme.amount is not None and in_force:
        amount = pack.outputs[_output_key(pack, scheme.amount, scheme.unit)]
        value = row.get(amount.name)
        explanation.amount = int(value) if value is not None else None
        explanation.every_months = pack.payment_every_months(scheme, at)
        explanation.amount_parameters = [
            u for name in sorted(amount.params) if (u := reader.parameter(name)) is not None
        ]
    return explanation


def _conditions_of(pack: Pack, reader: _Reader, output: Output, wanted: object) -> list[Condition]:
    node = output.node if wanted is True else _branch_for(output.node, wanted)
    return [] if node is None else _conditions(pack, reader, node)
