"""The policy pack: scheme catalogue, dated parameters and rules, read from a folder of
YAML files and checked as a whole when loaded (names, types, cycles, dates)."""

from __future__ import annotations

import datetime as dt
import hashlib
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
from laosp.rules.grievance_policy import GrievancePolicy, load_grievance_policy
from laosp.rules.params import Parameter, parse_parameter
from laosp.rules.yamlio import LineDict, LineList, load_yaml

BUNDLED = Path(__file__).resolve().parent.parent / "packs" / "lao"
STATUSES = ("active", "pilot", "proposed")
UNITS = (PERSON, HOUSEHOLD)
#: What a scheme is, for the indicators (SDG 1.3.1 counts cash benefits and contributors).
SCHEME_KINDS = ("health", "contributory", "non_contributory_cash")
Key = tuple[str, str]  # (output name, entity)


@dataclass(frozen=True)
class Eligibility:
    """The output that says who qualifies for a scheme, and the value that qualifies."""

    output: str
    equals: bool | str = True

    def expr(self) -> pl.Expr:
        """True for the rows (of an evaluation's frame) that qualify; null counts as no."""
        column = pl.col(self.output)
        test = column if self.equals is True else column == self.equals
        return test.fill_null(False)

    def describe(self) -> str:
        return self.output if self.equals is True else f"{self.output} = {self.equals}"


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
    name_lo: str = ""
    eligibility: Eligibility | None = None
    amount: str | None = None  # money output: what a beneficiary receives a month
    contribution: str | None = None  # money output: what a member pays a month
    payment_every_months: int | str | None = None  # months, or a parameter's name

    def in_force(self, at: dt.date) -> bool:
        return (self.start is None or self.start <= at) and (self.end is None or at <= self.end)

    def label(self, lang: str) -> str:
        """The scheme's name in ``lang`` ("lo" or "en"); English when no Lao is written."""
        return self.name_lo if lang == "lo" and self.name_lo else self.name


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
    #: Grievance categories, their time limits and the escalation levels.
    grievances: GrievancePolicy = field(default_factory=GrievancePolicy)

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

    def payment_every_months(self, scheme: Scheme, at: dt.date) -> int:
        """How often ``scheme`` pays at ``at``, in months (1 when the pack does not say)."""
        every = scheme.payment_every_months
        if isinstance(every, str):
            return int(self.params_at(at).get(every, 1))
        return every or 1

    @cached_property
    def digest(self) -> str:
        """A SHA-256 of every file of the pack: the version a decision was taken under."""
        sha = hashlib.sha256()
        for file in sorted(self.path.rglob("*.y*ml")):
            sha.update(file.relative_to(self.path).as_posix().encode())
            sha.update(b"\0")
            sha.update(file.read_bytes())
            sha.update(b"\0")
        return sha.hexdigest()

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
    _check_scheme_outputs(pack, root / "schemes.yaml")
    _check_graph(pack)
    pack.periods = _periods(pack)
    pack.grievances = load_grievance_policy(root)
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
            name_lo=str(item.get("name_lo", "")),
            eligibility=_eligibility(item, file, code),
            amount=_optional_name(item, "amount", file, code),
            contribution=_optional_name(item, "contribution", file, code),
            payment_every_months=_payment_every(item, file, code),
        )
    return schemes


def _optional_name(item: LineDict, key: str, file: Path, code: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PackError(f"{key} names an output", file=file, line=item.line_of(key), name=code)
    return value


def _eligibility(item: LineDict, file: Path, code: str) -> Eligibility | None:
    value = item.get("eligibility")
    if value is None:
        return None
    if isinstance(value, str):
        return Eligibility(value)
    if isinstance(value, LineDict) and isinstance(value.get("output"), str):
        equals = value.get("equals", True)
        if isinstance(equals, bool | str):
            return Eligibility(str(value["output"]), equals)
    raise PackError(
        "eligibility is an output name or {output: NAME, equals: VALUE}",
        file=file,
        line=item.line_of("eligibility"),
        name=code,
    )


def _payment_every(item: LineDict, file: Path, code: str) -> int | str | None:
    value = item.get("payment_every_months")
    if value is None or (isinstance(value, str) and value):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise PackError(
        "payment_every_months is a number of months or a parameter's name",
        file=file,
        line=item.line_of("payment_every_months"),
        name=code,
    )


def _check_scheme_outputs(pack: Pack, file: Path) -> None:
    """Every output and parameter a scheme names exists, for the scheme's unit, with the
    right type."""
    for scheme in pack.schemes.values():
        named = {
            "eligibility": (scheme.eligibility.output if scheme.eligibility else None),
            "amount": scheme.amount,
            "contribution": scheme.contribution,
        }
        for role, name in named.items():
            if name is None:
                continue
            output = pack.outputs.get((name, scheme.unit))
            if output is None:
                raise PackError(
                    f"{role} output {name!r} is not a {scheme.unit} output of the pack",
                    file=file,
                    name=scheme.code,
                )
            wanted = ("bool", "code") if role == "eligibility" else ("money",)
            if output.type.type not in wanted:
                raise PackError(
                    f"{role} output {name!r} is {output.type.type}, not {' or '.join(wanted)}",
                    file=file,
                    name=scheme.code,
                )
            if role == "eligibility" and scheme.eligibility is not None:
                bool_test = scheme.eligibility.equals is True
                if bool_test != (output.type.type == "bool"):
                    raise PackError(
                        f"eligibility {name!r}: a bool output qualifies by itself, a code "
                        "output needs `equals`",
                        file=file,
                        name=scheme.code,
                    )
        every = scheme.payment_every_months
        if isinstance(every, str) and every not in pack.parameters:
            raise PackError(
                f"payment_every_months names an unknown parameter {every!r}",
                file=file,
                name=scheme.code,
            )


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
