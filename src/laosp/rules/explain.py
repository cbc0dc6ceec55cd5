"""Explanations: for one household or person, each output with its value, the formula,
and the inputs, other outputs and parameter values (with references) it read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from laosp.registry.rowkeys import ROW_KEYS
from laosp.rules import nodes as n
from laosp.rules.engine import run
from laosp.rules.errors import PackError
from laosp.rules.fields import HOUSEHOLD, PERSON
from laosp.rules.pack import Output, Pack


@dataclass(frozen=True)
class ParamUse:
    name: str
    value: Any
    since: str
    reference: str
    status: str


@dataclass
class Step:
    output: str
    entity: str
    unit_id: str
    value: Any
    formula: str
    in_force: bool
    inputs: dict[str, Any] = field(default_factory=dict)
    parameters: list[ParamUse] = field(default_factory=list)


@dataclass
class Trace:
    at: dt.date
    household_id: str
    person_id: str | None
    steps: list[Step]

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.at.isoformat(),
            "household_id": self.household_id,
            "person_id": self.person_id,
            "steps": [
                {
                    "output": s.output,
                    "entity": s.entity,
                    "id": s.unit_id,
                    "value": s.value,
                    "formula": s.formula,
                    "in_force": s.in_force,
                    "inputs": s.inputs,
                    "parameters": [vars(p) for p in s.parameters],
                }
                for s in self.steps
            ],
        }

    def to_text(self) -> str:
        who = f"person {self.person_id} in " if self.person_id else ""
        lines = [f"Explanation for {who}household {self.household_id} at {self.at}"]
        for s in self.steps:
            lines.append(f"\n{s.output} [{s.entity} {s.unit_id}] = {_show(s.value)}")
            if not s.in_force:
                lines.append("  scheme not in force at this date")
                continue
            lines.append(f"  formula: {' '.join(s.formula.split())}")
            for name, value in s.inputs.items():
                lines.append(f"  {name} = {_show(value)}")
            for p in s.parameters:
                lines.append(
                    f"  ${p.name} = {_show(p.value)} (since {p.since}; {p.status}; {p.reference})"
                )
        return "\n".join(lines) + "\n"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def explain(
    pack: Pack,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    at: dt.date,
    *,
    household_id: str | None = None,
    person_id: str | None = None,
) -> Trace:
    """The trace of every output for one household (and its members) or one person."""
    if person_id is not None:
        found = persons.filter(pl.col("person_id") == person_id)
        if found.is_empty():
            raise PackError(f"no person {person_id!r}")
        household_id = str(found["household_id"][0])
    if household_id is None:
        raise PackError("explain needs a household_id or a person_id")
    # the members' row keys point into the full household frame, not into ``home``
    members = persons.filter(pl.col("household_id") == household_id).drop(ROW_KEYS, strict=False)
    home = households.filter(pl.col("household_id") == household_id)
    if home.is_empty():
        raise PackError(f"no household {household_id!r}")
    person_frame, household_frame, keys = run(pack, members, home, at, hoist=False)
    params = {name: p.value_at(at) for name, p in pack.parameters.items()}
    steps: list[Step] = []
    household_row = household_frame.row(0, named=True)
    for key in keys:
        output = pack.outputs[key]
        if key[1] == HOUSEHOLD and person_id is None:
            steps.append(_step(pack, output, household_row, household_id, at, params))
    for row in person_frame.iter_rows(named=True):  # one household: a handful of rows
        if person_id is not None and row["person_id"] != person_id:
            continue
        for key in keys:
            if key[1] == PERSON:
                steps.append(_step(pack, pack.outputs[key], row, row["person_id"], at, params))
    return Trace(at, household_id, person_id, steps)


def _step(
    pack: Pack,
    output: Output,
    row: dict[str, Any],
    unit_id: str,
    at: dt.date,
    params: dict[str, Any],
) -> Step:
    live = pack.in_force(output.namespace, at)
    step = Step(output.name, output.entity, unit_id, row[output.name], output.formula, live)
    if not live:
        return step
    for node in _own_nodes(output.node):
        if isinstance(node, n.Column) and node.column in row:
            step.inputs[node.column] = row[node.column]
        elif isinstance(node, n.Aggregate):
            step.inputs[f"{node.function}(…) over the members"] = row[node.column]
    for name in sorted(output.params):
        value = params[name]
        step.parameters.append(
            ParamUse(name, value.value, value.start.isoformat(), value.reference, value.status)
        )
    return step


def _own_nodes(node: n.Node) -> list[n.Node]:
    """The nodes of a formula, not descending into aggregations (they read members)."""
    found = [node]
    if not isinstance(node, n.Aggregate):
        for child in node.children():
            found.extend(_own_nodes(child))
    return found
