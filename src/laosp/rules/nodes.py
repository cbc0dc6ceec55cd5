"""Checked expression trees and their compilation to Polars expressions.

A node knows its type (bool, int, float, str, list), the frame column(s) it reads and,
for coded text, the codes it can take. ``compile`` turns it into a ``pl.Expr`` for one
evaluation date, with parameter values substituted as literals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache
from typing import Any

import polars as pl

DTYPES: dict[str, pl.DataType] = {
    "bool": pl.Boolean(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "str": pl.String(),
}


@cache
def lit(value: Any, kind: str) -> pl.Expr:
    """A typed literal; made once per value (expressions are immutable, and building a
    typed literal costs tens of microseconds, many times per explanation)."""
    return pl.lit(value, dtype=DTYPES[kind])


@cache
def listed(values: tuple[Any, ...], kind: str) -> pl.Series:
    """The values of a list, for ``is_in``."""
    return pl.Series(values, dtype=DTYPES[kind]).implode()


def round_half_up(expr: pl.Expr) -> pl.Expr:
    """Nearest whole kip, halves up; the tiny epsilon absorbs binary float error
    (1,234,500 × 0.055 must round like the decimal 67,897.5)."""
    return (expr + 0.5 + 1e-7).floor().cast(pl.Int64)


#: Lookup tables up to this size compile to a chain of comparisons.
SMALL_LOOKUP = 16


@dataclass(frozen=True)
class Env:
    """What compilation needs: the parameter values in force at the evaluation date and
    the types of the frames' columns (a lookup by an enum column gathers by its codes)."""

    params: Mapping[str, Any]
    dtypes: Mapping[str, pl.DataType] = field(default_factory=dict)


@dataclass(eq=False)
class Node:
    kind: str  # bool, int, float, str, list
    item: str | None = field(default=None, kw_only=True)  # list item kind
    codes: frozenset[str] | None = field(default=None, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        return ()

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children():
            yield from child.walk()

    def compile(self, env: Env) -> pl.Expr:
        raise NotImplementedError

    def mapped(self, function: Callable[[Node], Node]) -> Node:
        """A copy with ``function`` applied to each child (the node itself if none)."""
        changes: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Node):
                changes[item.name] = function(value)
            elif isinstance(value, tuple) and value and isinstance(value[0], Node):
                changes[item.name] = tuple(function(v) for v in value)
        return replace(self, **changes) if changes else self

    def compile_as(self, env: Env, dtype: pl.DataType) -> pl.Expr:
        """The value as ``dtype`` (a code output's ``pl.Enum``); literals and the branches
        of an ``if`` are built in that type directly rather than cast as text."""
        return self.compile(env).cast(dtype)


@dataclass(eq=False)
class Lit(Node):
    value: Any = None

    def compile(self, env: Env) -> pl.Expr:
        return lit(self.value, self.kind)

    def compile_as(self, env: Env, dtype: pl.DataType) -> pl.Expr:
        return pl.lit(self.value, dtype=dtype)


@dataclass(eq=False)
class ListLit(Node):
    values: tuple[Any, ...] = ()


@dataclass(eq=False)
class Column(Node):
    """A registry field, another output, or a household column broadcast to persons."""

    name: str = ""  # the name as written (field or output name)
    column: str = ""  # the column in the frame being computed
    is_output: bool = False
    entity: str = ""  # the entity of the field/output itself

    def compile(self, env: Env) -> pl.Expr:
        return pl.col(self.column)


@dataclass(eq=False)
class Param(Node):
    """A parameter's value at the date; a lookup (``key`` set) gives null for a key that is
    not in its table, which the engine reports (``engine.check_defined``)."""

    name: str = ""
    key: Node | None = None
    shape: str = "scalar"

    def children(self) -> tuple[Node, ...]:
        return (self.key,) if self.key is not None else ()

    def compile(self, env: Env) -> pl.Expr:
        value = env.params[self.name]
        if self.key is None:
            return lit(value, self.kind)
        key = self.key.compile(env)
        dtype = env.dtypes.get(self.key.column) if isinstance(self.key, Column) else None
        if isinstance(dtype, pl.Enum):  # one gather by the category number
            table = [value.get(code) for code in dtype.categories.to_list()]
            return pl.lit(pl.Series(table, dtype=DTYPES[self.kind])).gather(key.to_physical())
        if len(value) > SMALL_LOOKUP:
            keys = list(value)
            return key.replace_strict(
                keys, [value[k] for k in keys], default=None, return_dtype=DTYPES[self.kind]
            )
        # a short chain of equality tests is cheaper than a hash lookup per row
        chain: Any = pl
        for code, result in value.items():
            chain = chain.when(key == code).then(lit(result, self.kind))
        return chain.otherwise(lit(None, self.kind))  # type: ignore[no-any-return]


@dataclass(eq=False)
class Unary(Node):
    op: str = ""
    operand: Node | None = None

    def children(self) -> tuple[Node, ...]:
        return (self.operand,) if self.operand else ()

    def compile(self, env: Env) -> pl.Expr:
        assert self.operand is not None
        inner = self.operand.compile(env)
        return ~inner if self.op == "not" else -inner


_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "and_": lambda a, b: a & b,
    "or_": lambda a, b: a | b,
}


@dataclass(eq=False)
class Binary(Node):
    op: str = ""
    left: Node | None = None
    right: Node | None = None

    def children(self) -> tuple[Node, ...]:
        return tuple(n for n in (self.left, self.right) if n is not None)

    def compile(self, env: Env) -> pl.Expr:
        assert self.left is not None
        assert self.right is not None
        result: pl.Expr = _BINARY[self.op](self.left.compile(env), self.right.compile(env))
        return result


@dataclass(eq=False)
class In(Node):
    operand: Node | None = None
    collection: Node | None = None
    negate: bool = False

    def children(self) -> tuple[Node, ...]:
        return tuple(n for n in (self.operand, self.collection) if n is not None)

    def compile(self, env: Env) -> pl.Expr:
        assert self.operand is not None
        assert self.collection is not None
        if isinstance(self.collection, ListLit):
            values = list(self.collection.values)
        else:
            assert isinstance(self.collection, Param)
            values = list(env.params[self.collection.name])
        wanted = listed(tuple(values), self.item or "str")
        found = self.operand.compile(env).is_in(wanted)
        return ~found if self.negate else found


@dataclass(eq=False)
class If(Node):
    condition: Node | None = None
    then: Node | None = None
    otherwise: Node | None = None

    def children(self) -> tuple[Node, ...]:
        return tuple(n for n in (self.condition, self.then, self.otherwise) if n is not None)

    def compile(self, env: Env) -> pl.Expr:
        assert self.condition
        assert self.then
        assert self.otherwise
        then, otherwise = self.then.compile(env), self.otherwise.compile(env)
        if self.kind in ("int", "float"):
            then, otherwise = then.cast(DTYPES[self.kind]), otherwise.cast(DTYPES[self.kind])
        return pl.when(self.condition.compile(env)).then(then).otherwise(otherwise)

    def compile_as(self, env: Env, dtype: pl.DataType) -> pl.Expr:
        assert self.condition
        assert self.then
        assert self.otherwise
        return (
            pl.when(self.condition.compile(env))
            .then(self.then.compile_as(env, dtype))
            .otherwise(self.otherwise.compile_as(env, dtype))
        )


@dataclass(eq=False)
class Call(Node):
    function: str = ""
    args: tuple[Node, ...] = ()

    def children(self) -> tuple[Node, ...]:
        return self.args

    def compile(self, env: Env) -> pl.Expr:
        args = [a.compile(env).cast(DTYPES[self.kind]) for a in self.args]
        if self.function == "min":
            return pl.min_horizontal(*args)
        if self.function == "max":
            return pl.max_horizontal(*args)
        if self.function == "clamp":
            return pl.min_horizontal(pl.max_horizontal(args[0], args[1]), args[2])
        if self.function == "round":
            return round_half_up(self.args[0].compile(env))
        raise AssertionError(self.function)


@dataclass(eq=False)
class Aggregate(Node):
    """sum/any/all/count over the members of a household; computed by the engine
    (``laosp.rules.members``) and read here from its column."""

    function: str = ""
    operand: Node | None = None
    column: str = ""

    def children(self) -> tuple[Node, ...]:
        return (self.operand,) if self.operand is not None else ()

    def compile(self, env: Env) -> pl.Expr:
        return pl.col(self.column)
