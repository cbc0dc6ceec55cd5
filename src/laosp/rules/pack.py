"""The policy pack: scheme catalogue, dated parameters and rules, read from a folder of
YAML files and checked as a whole when loaded (names, types, cycles, dates)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import polars as pl

from laosp.reference import codes
from laosp.rules import nodes as n
from laosp.rules.checker import OUTPUT_KINDS, Checker, FormulaError, OutputType
from laosp.rules.errors import PackError
from laosp.rules.fields import HOUSEHOLD, PERSON
from laosp.rules.grammar import FormulaSyntaxError, parse
from laosp.rules.params import Parameter, parse_parameter
from laosp.rules.yamlio import LineDict, LineList, load_yaml

BUNDLED = Path(__file__).resolve().parent.parent / "packs" / "lao"
STATUSES = ("active", "pilot", "proposed")
UNITS = (PERSON, HOUSEHOLD)
#: What a scheme is, for the indicators (SDG 1.3.1 counts cash benefits and contributors).
SCHEME_KINDS = ("health", "contributory", "non_contributory_cash")
Key = tuple[str, str]  # (output name, entity)


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    pillar: str
    unit: str
    kind: str
    functions: tuple[str, ...]
    status: str
    rules: str  # the namespace of its outputs
    start: dt.date | None
    end: dt.date | None = None

    def in_force(self, at: dt.date) -> bool:
        return (self.start is None or self.start <= at) and (self.end is None or at <= self.end)


@dataclass(eq=False)
class Output:
    name: str
    entity: str
    type: OutputType
    formula: str
    namespace: str
    label: str
    file: str
    line: int
    node: n.Node
    deps: frozenset[Key] = frozenset()
    params: frozenset[str] = frozenset()
    fields: frozenset[Key] = frozenset()

    @property
    def key(self) -> Key:
        return (self.name, self.entity)

    def off_value(self) -> Any:
        """The value outside the in-force period of its scheme."""
        return {"bool": False, "money": 0, "int": 0, "number": 0.0, "code": "none"}[self.type.type]

    def code_dtype(self) -> pl.Enum | None:
        """A code output's column type: a ``pl.Enum`` of its values (declared order, else
        sorted, and the off value), so that tests on it compare small integers, not text;
        None when the formula can give text whose values are not known."""
        if self.type.type != "code" or self.node.codes is None:
            return None
        values = list(self.type.values) or sorted(self.node.codes)
        values += sorted(self.node.codes - set(values))
        if self.off_value() not in values:
            values.append(self.off_value())
        return pl.Enum(values)


@dataclass(frozen=True)
class Period:
    start: dt.date | None
    end: dt.date | None

    def contains(self, at: dt.date) -> bool:
        return (self.start is None or self.start <= at) and (self.end is None or at <= self.end)


@dataclass(eq=False)
class Pack:
    path: Path
    schemes: dict[str, Scheme]
    parameters: dict[str, Parameter]
    outputs: dict[Key, Output]
    periods: dict[str, Period] = field(default_factory=dict)

    @cached_property
    def order(self) -> list[Key]:
        """Outputs in an order where each comes after what it reads."""
        graph = {key: set(output.deps) for key, output in self.outputs.items()}
        return list(TopologicalSorter(graph).static_order())

    def in_force(self, namespace: str, at: dt.date) -> bool:
        period = self.periods.get(namespace)
        return period is None or period.contains(at)

    def params_at(self, at: dt.date) -> dict[str, Any]:
        found = {}
        for name, param in self.parameters.items():
            value = param.value_at(at)
            if value is not None:
                found[name] = value.value
        return found

    def output_names(self, entity: str | None = None) -> list[str]:
        return [name for name, e in self.outputs if entity is None or e == entity]

    def with_overrides(self, overrides: dict[str, Any], from_date: dt.date) -> Pack:
        """A copy where each named parameter takes the given value from ``from_date`` on."""
        parameters = dict(self.parameters)
        for name, value in overrides.items():
            if name not in parameters:
                raise PackError(f"unknown parameter {name!r} in overrides", name=name)
            parameters[name] = parameters[name].with_value(value, from_date)
        return replace(self, parameters=parameters)


def load_pack(path: Path | None = None) -> Pack:
    """Read and check the pack in ``path`` (default: the bundled Lao pack)."""
    root = Path(path) if path is not None else BUNDLED
    if not (root / "schemes.yaml").is_file():
        raise PackError("not a policy pack: schemes.yaml is missing", file=root)
    parameters: dict[str, Parameter] = {}
    for file in sorted((root / "parameters").glob("*.y*ml")):
        data = load_yaml(file)
        if not isinstance(data, LineDict):
            raise PackError("a parameters file is a mapping of names", file=file)
        for name, spec in data.items():
            if name in parameters:
                raise PackError(
                    "parameter defined twice", file=file, line=data.line_of(name), name=name
                )
            parameters[name] = parse_parameter(str(name), spec, file, data.line_of(name))
    schemes = _load_schemes(root / "schemes.yaml", parameters)
    outputs = _load_outputs(root, parameters)
    pack = Pack(root, schemes, parameters, outputs)
    _check_graph(pack)
    pack.periods = _periods(pack)
    return pack


def _load_schemes(file: Path, parameters: dict[str, Parameter]) -> dict[str, Scheme]:
    data = load_yaml(file)
    items = data.get("schemes") if isinstance(data, LineDict) else None
    if not isinstance(items, LineList):
        raise PackError("schemes.yaml needs a `schemes:` list", file=file)
    schemes: dict[str, Scheme] = {}
    for item, line in zip(items, items.item_lines, strict=True):
        if not isinstance(item, LineDict) or "code" not in item:
            raise PackError("each scheme is a mapping with a code", file=file, line=line)
        code = str(item["code"])
        for key, allowed in (("status", STATUSES), ("unit", UNITS), ("kind", SCHEME_KINDS)):
            if item.get(key) not in allowed:
                raise PackError(
                    f"{key} must be one of {allowed}", file=file, line=item.line_of(key), name=code
                )
        functions = tuple(item.get("functions") or ())
        unknown = [f for f in functions if f not in codes.SP_FUNCTIONS]
        if unknown:
            raise PackError(
                f"unknown function(s) {unknown}; known: {codes.SP_FUNCTIONS}",
                file=file,
                line=item.line_of("functions"),
                name=code,
            )
        rules = str(item.get("rules", code))
        start = item.get("start")
        if start is None:
            firsts = [
                p.first_date for name, p in parameters.items() if name.startswith(f"{rules}.")
            ]
            start = min(firsts) if firsts else None
        for key in ("start", "end"):
            if item.get(key) is not None and not isinstance(item[key], dt.date):
                raise PackError(
                    f"{key} is not a date", file=file, line=item.line_of(key), name=code
                )
        schemes[code] = Scheme(
            code=code,
            name=str(item.get("name", code)),
            pillar=str(item.get("pillar", "")),
            unit=str(item["unit"]),
            kind=str(item["kind"]),
            functions=functions,
            status=str(item["status"]),
            rules=rules,
            start=start,
            end=item.get("end"),
        )
    return schemes


def _declared(root: Path) -> list[tuple[str, str, str, LineDict, Path, int]]:
    """(namespace, variable, entity, spec, file, line) for every output written."""
    found = []
    for file in sorted((root / "rules").glob("*.y*ml")):
        data = load_yaml(file)
        if not isinstance(data, LineDict) or not isinstance(data.get("outputs"), LineDict):
            raise PackError("a rules file needs `namespace:` and an `outputs:` mapping", file=file)
        namespace = str(data.get("namespace", file.stem))
        for variable, spec in data["outputs"].items():
            line = data["outputs"].line_of(variable)
            if not isinstance(spec, LineDict):
                raise PackError(
                    "an output is a mapping", file=file, line=line, name=f"{namespace}.{variable}"
                )
            parts = (
                [(spec.get("entity", PERSON), spec)]
                if "formula" in spec
                else [(entity, spec[entity]) for entity in UNITS if entity in spec]
            )
            if not parts:
                raise PackError(
                    "an output needs a `formula` (or `person:` / `household:`)",
                    file=file,
                    line=line,
                    name=f"{namespace}.{variable}",
                )
            for entity, part in parts:
                if entity not in UNITS or not isinstance(part, LineDict):
                    raise PackError(
                        f"entity must be one of {UNITS}",
                        file=file,
                        line=line,
                        name=f"{namespace}.{variable}",
                    )
                found.append(
                    (
                        namespace,
                        f"{namespace}.{variable}",
                        entity,
                        part,
                        file,
                        part.line_of("formula"),
                    )
                )
    return found


def _load_outputs(root: Path, parameters: dict[str, Parameter]) -> dict[Key, Output]:
    declared = _declared(root)
    types: dict[Key, OutputType] = {}
    for _namespace, name, entity, spec, file, line in declared:
        kind = spec.get("type")
        if kind not in OUTPUT_KINDS:
            raise PackError(
                f"type must be one of {tuple(OUTPUT_KINDS)}", file=file, line=line, name=name
            )
        if (name, entity) in types:
            raise PackError(f"{entity} output defined twice", file=file, line=line, name=name)
        values = spec.get("values")
        types[(name, entity)] = OutputType(
            kind, frozenset(values) if values else None, tuple(values) if values else ()
        )
    checker = Checker(types, parameters)
    outputs: dict[Key, Output] = {}
    for namespace, name, entity, spec, file, line in declared:
        formula = str(spec.get("formula", ""))
        try:
            node = checker.check(parse(formula), entity)
            _check_result(node, types[(name, entity)])
        except FormulaSyntaxError as error:
            raise PackError(str(error), file=file, line=line + error.line - 1, name=name) from error
        except FormulaError as error:
            raise PackError(str(error), file=file, line=line, name=name) from error
        outputs[(name, entity)] = _output(
            namespace, name, entity, spec, file, line, formula, node, types[(name, entity)]
        )
    return outputs


def _check_result(node: n.Node, declared: OutputType) -> None:
    kind = declared.kind
    fits = node.kind == kind or (
        (declared.type in ("money", "number") and node.kind == "float")
        or (declared.type == "number" and node.kind == "int")
    )
    if not fits:
        raise FormulaError(
            f"type mismatch: declared {declared.type} but the formula gives {node.kind}"
        )
    if declared.codes is not None and node.codes is not None:
        extra = node.codes - declared.codes
        if extra:
            raise FormulaError(
                f"the formula can give {sorted(extra)}, not among the declared values"
            )


def _output(
    namespace: str,
    name: str,
    entity: str,
    spec: LineDict,
    file: Path,
    line: int,
    formula: str,
    node: n.Node,
    kind: OutputType,
) -> Output:
    deps: set[Key] = set()
    fields: set[Key] = set()
    params: set[str] = set()
    for item in node.walk():
        if isinstance(item, n.Column):
            (deps if item.is_output else fields).add((item.name, item.entity))
        elif isinstance(item, n.Param):
            params.add(item.name)
    return Output(
        name,
        entity,
        kind,
        formula,
        namespace,
        str(spec.get("label", "")),
        str(file),
        line,
        node,
        frozenset(deps),
        frozenset(params),
        frozenset(fields),
    )


def _check_graph(pack: Pack) -> None:
    graph = {key: set(output.deps) for key, output in pack.outputs.items()}
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        cycle = list(error.args[1])
        first = pack.outputs[cycle[0]]
        path = " → ".join(f"{name} ({entity})" for name, entity in cycle)
        raise PackError(
            f"cycle between outputs: {path}", file=first.file, line=first.line, name=first.name
        ) from error


def _periods(pack: Pack) -> dict[str, Period]:
    """The in-force period of each namespace, and a check that every parameter its outputs
    read has a value from the start of that period."""
    periods: dict[str, Period] = {}
    for scheme in pack.schemes.values():
        old = periods.get(scheme.rules)
        start, end = scheme.start, scheme.end
        if old is not None:
            start = None if None in (start, old.start) else min(start, old.start)  # type: ignore[type-var]
            end = None if None in (end, old.end) else max(end, old.end)  # type: ignore[type-var]
        periods[scheme.rules] = Period(start, end)
    for output in pack.outputs.values():
        period = periods.get(output.namespace)
        for name in sorted(output.params):
            param = pack.parameters[name]
            if period is None:  # no scheme: in force once all its parameters have values
                starts = [
                    pack.parameters[p].first_date
                    for o in pack.outputs.values()
                    if o.namespace == output.namespace
                    for p in o.params
                ]
                periods[output.namespace] = period = Period(max(starts), None)
            if period.start is None or param.first_date > period.start:
                when = period.start.isoformat() if period.start else "all dates"
                raise PackError(
                    f"parameter ${name} has no value at {when}, the start of "
                    f"{output.namespace} (its first value is {param.first_date.isoformat()})",
                    file=output.file,
                    line=output.line,
                    name=output.name,
                )
    return periods
