"""Evaluation: every requested output for all persons and households at a date.

Pure: Polars frames in, Polars frames out. Only the outputs the request needs are
computed (following the dependency graph). Person outputs are columns of the person
frame; household aggregations run in one ``group_by`` per phase; household outputs a
person rule reads are joined back to the persons in the next phase.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from weakref import WeakKeyDictionary

import polars as pl

from laosp.registry.rowkeys import household_rows
from laosp.rules import nodes as n
from laosp.rules.errors import InputError, PackError
from laosp.rules.fields import (
    HOUSEHOLD,
    PERSON,
    check_required,
    household_defaults,
    household_inputs,
    person_inputs,
)
from laosp.rules.members import Members
from laosp.rules.pack import Key, Output, Pack


@dataclass(frozen=True)
class Evaluation:
    """``persons`` keyed by ``person_id`` and ``households`` by ``household_id``, one
    column per output (``mecg.eligible``, ...)."""

    at: dt.date
    persons: pl.DataFrame
    households: pl.DataFrame


def person_context(output: Output) -> Iterator[n.Node]:
    """The nodes of ``output`` evaluated on the person frame."""
    if output.entity == PERSON:
        yield from output.node.walk()
        return
    for node in output.node.walk():
        if isinstance(node, n.Aggregate) and node.operand is not None:
            yield from node.operand.walk()


def needed(pack: Pack, at: dt.date, names: Sequence[str] | None) -> list[Key]:
    """The requested outputs and everything they read, in dependency order."""
    if names is None:
        wanted = set(pack.outputs)
    else:
        wanted = {key for key in pack.outputs if key[0] in set(names)}
        unknown = sorted(set(names) - {name for name, _ in wanted})
        if unknown:
            raise PackError(f"unknown output(s): {', '.join(unknown)}")
    stack = list(wanted)
    while stack:
        output = pack.outputs[stack.pop()]
        if pack.in_force(output.namespace, at):
            for dep in output.deps - wanted:
                wanted.add(dep)
                stack.append(dep)
    return [key for key in pack.order if key in wanted]


def _final(output: Output, node: n.Node, env: n.Env) -> pl.Expr:
    dtype = output.code_dtype()
    if dtype is not None:
        return node.compile_as(env, dtype).alias(output.name)
    expr = node.compile(env)
    kind = output.type.type
    if kind == "money" and output.node.kind == "float":
        expr = n.round_half_up(expr)
    elif kind in ("money", "int"):
        expr = expr.cast(pl.Int64)
    elif kind == "number":
        expr = expr.cast(pl.Float64)
    return expr.alias(output.name)


def run(
    pack: Pack,
    persons: pl.DataFrame | pl.LazyFrame,
    households: pl.DataFrame | pl.LazyFrame,
    at: dt.date,
    names: Sequence[str] | None = None,
    *,
    hoist: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame, list[Key]]:
    """The person and household frames with inputs, outputs and aggregation columns.

    With ``hoist``, every part of a person formula that reads only household fields
    (``household.district_code in $mecg.districts``) is computed once per household and
    spread to the members; without it only the household fields themselves are spread,
    so that each appears as a column (``explain`` shows them)."""
    keys = needed(pack, at, names)
    params = pack.params_at(at)
    live = {k for k in keys if pack.in_force(pack.outputs[k].namespace, at)}

    # which phase each output is computed in, and its level within the phase
    phase: dict[Key, int] = {}
    level: dict[Key, int] = {}
    for key in keys:
        output = pack.outputs[key]
        deps = output.deps if key in live else frozenset()
        phase[key] = max([0, *(phase[d] + (d[1] == HOUSEHOLD and key[1] == PERSON) for d in deps)])
        level[key] = max(
            [0, *(level[d] + 1 for d in deps if d[1] == key[1] and phase[d] == phase[key])]
        )

    person_fields: set[str] = set()
    household_fields: set[str] = set()
    for key in live:
        for node in pack.outputs[key].node.walk():
            if isinstance(node, n.Column) and not node.is_output:
                (person_fields if node.entity == PERSON else household_fields).add(node.name)
    spread: dict[str, n.Node] = {}  # person-frame column -> what it is on the household frame
    nodes: dict[Key, n.Node] = {}
    for key in keys:
        if key in live:
            nodes[key], parts = spread_parts(pack.outputs[key], compound=hoist)
            spread.update(parts)

    person_frame = person_inputs(persons, person_fields, at).collect()
    household_frame = household_inputs(households, household_fields).collect()
    check_required(person_frame, PERSON)
    check_required(household_frame, HOUSEHOLD)
    # each person's row in the household frame (the snapshot's ``household_row`` when it
    # checks out, else a match on the ids), then gathers and bincounts: a group-by on the
    # text key would cost several times more
    dtypes: dict[str, pl.DataType] = {**household_frame.schema, **person_frame.schema}
    for key in live:
        code = pack.outputs[key].code_dtype()
        if code is not None:
            dtypes[key[0]] = code
    env = n.Env(params, dtypes)
    row = household_rows(person_frame, household_frame)
    rows = row.fill_null(household_frame.height)
    if spread:
        person_frame = person_frame.with_columns(
            _spread(household_frame, household_fields, spread, rows, env)
        )
    members = Members.of(rows, household_frame.height)

    by_phase: dict[tuple[int, str, int], list[Key]] = defaultdict(list)
    for key in keys:
        by_phase[(phase[key], key[1], level[key])].append(key)
    last = max(phase.values(), default=0)
    for k in range(last + 1):
        if k > 0:
            wanted = sorted(
                {
                    d[0]
                    for key in keys
                    if key[1] == PERSON and phase[key] == k and key in live
                    for d in pack.outputs[key].deps
                    if d[1] == HOUSEHOLD
                }
            )
            person_frame = person_frame.with_columns(
                _gather(household_frame, w, row) for w in wanted
            )
        person_frame = _compute(pack, nodes, person_frame, by_phase, k, PERSON, env)
        aggregates = [
            node
            for key in keys
            if key[1] == HOUSEHOLD and phase[key] == k and key in live
            for node in nodes[key].walk()
            if isinstance(node, n.Aggregate)
        ]
        if aggregates:
            household_frame = household_frame.with_columns(
                _aggregate(person_frame, aggregates, members, env)
            )
        household_frame = _compute(pack, nodes, household_frame, by_phase, k, HOUSEHOLD, env)
    return person_frame, household_frame, keys


_SPREAD_PARTS: WeakKeyDictionary[Output, dict[bool, tuple[n.Node, dict[str, n.Node]]]] = (
    WeakKeyDictionary()
)


def spread_parts(output: Output, *, compound: bool) -> tuple[n.Node, dict[str, n.Node]]:
    """``output``'s formula with its household parts taken out (see ``hoisted``), and the
    parts by the person-frame column they become; worked out once per output."""
    known = _SPREAD_PARTS.setdefault(output, {})
    if compound not in known:
        parts: dict[str, n.Node] = {}
        prefix = f"household.<{output.entity}:{output.name}"
        node = hoisted(output.node, output.entity == PERSON, parts, prefix, compound=compound)
        known[compound] = node, parts
    return known[compound]


def hoisted(
    node: n.Node, person: bool, spread: dict[str, n.Node], prefix: str, *, compound: bool
) -> n.Node:
    """``node`` with each largest part that reads only household fields from a person's
    context (a person formula, or the operand of an aggregation) replaced by a column
    spread from the households (named ``prefix`` and a number); ``compound`` False
    spreads only bare fields."""
    if person and _household_only(node, compound):
        name = node.column if isinstance(node, n.Column) else f"{prefix}.{len(spread)}>"
        spread[name] = node
        return n.Column(
            node.kind, item=node.item, codes=node.codes, name=name, column=name, entity=PERSON
        )
    inner = person or isinstance(node, n.Aggregate)
    return node.mapped(lambda child: hoisted(child, inner, spread, prefix, compound=compound))


def _household_only(node: n.Node, compound: bool) -> bool:
    if isinstance(node, n.Column):
        return node.entity == HOUSEHOLD and not node.is_output
    if not compound or node.kind == "list":
        return False
    parts = list(node.walk())
    columns = [p for p in parts if isinstance(p, n.Column)]
    return (
        bool(columns)
        and all(c.entity == HOUSEHOLD and not c.is_output for c in columns)
        and not any(isinstance(p, n.Aggregate) for p in parts)
    )


def _on_household(node: n.Node) -> n.Node:
    """A spread part, to compute on the household frame (its fields by their own names)."""
    if isinstance(node, n.Column):
        return replace(node, column=node.name)
    return node.mapped(_on_household)


def _spread(
    household_frame: pl.DataFrame,
    household_fields: set[str],
    spread: dict[str, n.Node],
    rows: pl.Series,
    env: n.Env,
) -> list[pl.Series]:
    """The spread parts for every person: computed per household (plus a last row of
    registry defaults, for persons whose household is not in the frame) and gathered."""
    defaults = household_defaults(household_fields)
    table = (
        pl.concat([household_frame.lazy(), defaults], how="vertical")
        .select(_on_household(node).compile(env).alias(name) for name, node in spread.items())
        .collect()
        .rechunk()
    )
    return [table.get_column(name).gather(rows) for name in table.columns]


def _gather(frame: pl.DataFrame, column: str, row: pl.Series) -> pl.Series:
    return frame[column].gather(row).alias(f"household.{column}")


def _aggregate(
    person_frame: pl.DataFrame, aggregates: list[n.Aggregate], members: Members, env: n.Env
) -> list[pl.Series]:
    """The aggregation columns of the household frame (``laosp.rules.members``)."""
    values = person_frame.select(
        (a.operand.compile(env) if a.operand is not None else pl.repeat(True, pl.len())).alias(
            a.column
        )
        for a in aggregates
    )
    return [
        members.aggregate(a.function, values[a.column], a.kind).alias(a.column) for a in aggregates
    ]


def _compute(
    pack: Pack,
    nodes: dict[Key, n.Node],
    frame: pl.DataFrame,
    by_phase: dict[tuple[int, str, int], list[Key]],
    k: int,
    entity: str,
    env: n.Env,
) -> pl.DataFrame:
    lazy = frame.lazy()
    levels = sorted(lv for (p, e, lv) in by_phase if p == k and e == entity)
    for lv in levels:
        exprs = []
        for key in by_phase[(k, entity, lv)]:
            output = pack.outputs[key]
            node = nodes.get(key)
            exprs.append(_off(output) if node is None else _final(output, node, env))
        lazy = lazy.with_columns(exprs)
    return lazy.collect()


def _off(output: Output) -> pl.Expr:
    """The output's value outside its scheme's in-force period."""
    dtype = output.code_dtype()
    value = output.off_value()
    if dtype is not None:
        return pl.lit(value, dtype=dtype).alias(output.name)
    kind = {"bool": "bool", "code": "str", "number": "float"}.get(output.type.type, "int")
    return n.lit(value, kind).alias(output.name)


def check_defined(pack: Pack, frame: pl.DataFrame, keys: Sequence[Key], id_column: str) -> None:
    """Raise ``InputError`` when an output with a lookup has no value for some unit: the
    unit holds a code the lookup table does not list (frames that did not come through
    the registry's validation)."""
    for key in keys:
        output = pack.outputs[key]
        if output.name not in frame.columns or not frame[output.name].null_count():
            continue
        lookups = [node for node in output.node.walk() if isinstance(node, n.Param) and node.key]
        if not lookups:
            continue
        missing = frame.filter(pl.col(output.name).is_null())
        first = missing[id_column][0]
        keys_read = ", ".join(
            f"{node.key.name}" for node in lookups if isinstance(node.key, n.Column)
        )
        raise InputError(
            f"{output.name}: no value for {missing.height} {output.entity}(s), first "
            f"{id_column} {first!r}; {keys_read or 'a lookup key'} holds a code that "
            f"${', $'.join(node.name for node in lookups)} does not list"
        )


def evaluate(
    pack: Pack,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    at: dt.date,
    outputs: Sequence[str] | None = None,
) -> Evaluation:
    """Evaluate ``outputs`` (default: all) for every person and household at ``at``."""
    person_frame, household_frame, keys = run(pack, persons, households, at, outputs)
    check_defined(pack, person_frame, [k for k in keys if k[1] == PERSON], "person_id")
    check_defined(pack, household_frame, [k for k in keys if k[1] == HOUSEHOLD], "household_id")
    wanted = set(outputs) if outputs is not None else None
    person_cols = [k[0] for k in keys if k[1] == PERSON and (wanted is None or k[0] in wanted)]
    home_cols = [k[0] for k in keys if k[1] == HOUSEHOLD and (wanted is None or k[0] in wanted)]
    return Evaluation(
        at=at,
        persons=person_frame.select("person_id", *person_cols),
        households=household_frame.select("household_id", *home_cols),
    )
