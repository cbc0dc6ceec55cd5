"""Name resolution and type checking: a parsed formula becomes a tree of typed nodes.

Names: bare names are fields or outputs of the rule's own entity (``pregnant``,
``mecg.eligible``); ``household.X`` is a household field or output seen from a person;
``$name`` is a parameter, ``$name[code]`` a lookup. Aggregations (``sum``, ``any``, ``all``,
``count``) read person values from a household rule.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lark import Token, Tree

from laosp.rules import nodes as n
from laosp.rules.fields import HOUSEHOLD, PERSON, fields_of
from laosp.rules.params import Parameter

OUTPUT_KINDS = {"bool": "bool", "money": "int", "int": "int", "number": "float", "code": "str"}
NUMERIC = ("int", "float")
AGGREGATIONS = ("sum", "any", "all", "count")
FUNCTIONS = ("min", "max", "clamp", "round", *AGGREGATIONS)


class FormulaError(Exception):
    """A formula error; the pack loader adds the file, line and output name."""


@dataclass(frozen=True)
class OutputType:
    type: str  # bool, money, int, number, code
    codes: frozenset[str] | None = None
    values: tuple[str, ...] = ()  # a code output's declared values, in their order

    @property
    def kind(self) -> str:
        return OUTPUT_KINDS[self.type]


class Checker:
    def __init__(
        self, outputs: Mapping[tuple[str, str], OutputType], params: Mapping[str, Parameter]
    ) -> None:
        self.outputs = outputs
        self.params = params
        self.aggregations = 0

    def check(self, tree: Tree[Any] | Token, entity: str) -> n.Node:
        if isinstance(tree, Token):  # pragma: no cover - the grammar wraps every token
            raise FormulaError(f"unexpected {tree!r}")
        method = getattr(self, f"_{tree.data}")
        node: n.Node = method(tree.children, entity)
        return node

    # -- leaves --------------------------------------------------------------------------
    def _number(self, children: list[Token], entity: str) -> n.Node:
        text = str(children[0]).replace("_", "")
        return n.Lit("float", value=float(text)) if "." in text else n.Lit("int", value=int(text))

    def _string(self, children: list[Token], entity: str) -> n.Node:
        return n.Lit("str", value=str(children[0])[1:-1])

    def _true(self, children: list[Token], entity: str) -> n.Node:
        return n.Lit("bool", value=True)

    def _false(self, children: list[Token], entity: str) -> n.Node:
        return n.Lit("bool", value=False)

    def _list(self, children: list[Tree[Any]], entity: str) -> n.Node:
        items = [self.check(c, entity) for c in children if c is not None]
        if not items or not all(isinstance(i, n.Lit) for i in items):
            raise FormulaError('a list is written with literal values, e.g. ["1703", "1705"]')
        kinds = {i.kind for i in items}
        kind = "float" if kinds == {"int", "float"} else kinds.pop() if len(kinds) == 1 else "?"
        if kind == "?":
            raise FormulaError("type mismatch: a list mixes types")
        values = tuple(i.value for i in items if isinstance(i, n.Lit))
        return n.ListLit("list", item=kind, values=values)

    def _param(self, children: list[Token], entity: str) -> n.Node:
        name = str(children[0])[1:]
        param = self.params.get(name)
        if param is None:
            raise FormulaError(f"unknown parameter ${name}{_hint(name, self.params)}")
        if param.shape == "list":
            return n.Param("list", item=param.kind, name=name, shape="list")
        if param.shape == "lookup":
            raise FormulaError(f"${name} is a lookup by {param.key}: write ${name}[{param.key}]")
        return n.Param(param.kind, name=name)

    def _index(self, children: list[Tree[Any]], entity: str) -> n.Node:
        target, key_tree = children
        if target.data != "param":
            raise FormulaError("only parameters can be indexed: $name[field]")
        name = str(target.children[0])[1:]
        param = self.params.get(name)
        if param is None:
            raise FormulaError(f"unknown parameter ${name}{_hint(name, self.params)}")
        if param.shape != "lookup":
            raise FormulaError(f"${name} is not a lookup and cannot be indexed")
        key = self.check(key_tree, entity)
        if key.kind != "str":
            raise FormulaError(f"type mismatch: ${name} is looked up by a code, not {key.kind}")
        return n.Param(param.kind, name=name, key=key, shape="lookup")

    def _name(self, children: list[Token], entity: str) -> n.Node:
        return self.resolve(str(children[0]), entity)

    def resolve(self, name: str, entity: str) -> n.Node:
        if name.startswith("household."):
            rest = name[len("household.") :]
            node = self._lookup(rest, HOUSEHOLD)
            if node is None:
                raise FormulaError(
                    f"unknown household field or output {rest!r}"
                    f"{_hint(rest, self._names(HOUSEHOLD))}"
                )
            if entity == PERSON:
                node.column = f"household.{rest}"
            return node
        node = self._lookup(name, entity)
        if node is not None:
            return node
        if entity == PERSON and self._lookup(name, HOUSEHOLD) is not None:
            raise FormulaError(f"{name!r} belongs to the household: write household.{name}")
        if entity == HOUSEHOLD and self._lookup(name, PERSON) is not None:
            raise FormulaError(
                f"{name!r} is a person value: aggregate it over the members, "
                f"e.g. sum({name}) or any({name})"
            )
        raise FormulaError(f"unknown field or output {name!r}{_hint(name, self._names(entity))}")

    def _names(self, entity: str) -> list[str]:
        return [*fields_of(entity), *(o for o, e in self.outputs if e == entity)]

    def _lookup(self, name: str, entity: str) -> n.Column | None:
        output = self.outputs.get((name, entity))
        if output is not None:
            return n.Column(
                output.kind,
                codes=output.codes,
                name=name,
                column=name,
                is_output=True,
                entity=entity,
            )
        field = fields_of(entity).get(name)
        if field is None or field.kind == "date":
            return None
        codes = frozenset(field.codes) if field.codes else None
        return n.Column(field.kind, codes=codes, name=name, column=name, entity=entity)

    # -- operators -----------------------------------------------------------------------
    def _arith(self, op: str, children: list[Tree[Any]], entity: str) -> n.Node:
        left, right = (self.check(c, entity) for c in children)
        if left.kind not in NUMERIC or right.kind not in NUMERIC:
            raise FormulaError(
                f"type mismatch: {op} needs numbers, got {left.kind} and {right.kind}"
            )
        kind = "float" if op == "div" or "float" in (left.kind, right.kind) else "int"
        return n.Binary(kind, op=op, left=left, right=right)

    def _add(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._arith("add", c, e)

    def _sub(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._arith("sub", c, e)

    def _mul(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._arith("mul", c, e)

    def _div(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._arith("div", c, e)

    def _neg(self, children: list[Tree[Any]], entity: str) -> n.Node:
        operand = self.check(children[0], entity)
        if operand.kind not in NUMERIC:
            raise FormulaError(f"type mismatch: '-' needs a number, got {operand.kind}")
        return n.Unary(operand.kind, op="neg", operand=operand)

    def _compare(self, op: str, children: list[Tree[Any]], entity: str) -> n.Node:
        left, right = (self.check(c, entity) for c in children)
        same = left.kind == right.kind or {left.kind, right.kind} <= set(NUMERIC)
        if not same or left.kind == "list":
            raise FormulaError(f"type mismatch: cannot compare {left.kind} with {right.kind}")
        if op not in ("eq", "ne") and left.kind in ("bool", "str"):
            raise FormulaError(f"type mismatch: {left.kind} values can only be tested for equality")
        _check_codes(left, right)
        _check_codes(right, left)
        return n.Binary("bool", op=op, left=left, right=right)

    def _eq(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._compare("eq", c, e)

    def _ne(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._compare("ne", c, e)

    def _lt(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._compare("lt", c, e)

    def _le(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._compare("le", c, e)

    def _gt(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._compare("gt", c, e)

    def _ge(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._compare("ge", c, e)

    def _logic(self, op: str, children: list[Tree[Any]], entity: str) -> n.Node:
        left, right = (self.check(c, entity) for c in children)
        if left.kind != "bool" or right.kind != "bool":
            raise FormulaError(
                f"type mismatch: '{op.rstrip('_')}' needs true/false values, "
                f"got {left.kind} and {right.kind}"
            )
        return n.Binary("bool", op=op, left=left, right=right)

    def _and_(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._logic("and_", c, e)

    def _or_(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._logic("or_", c, e)

    def _not_(self, children: list[Tree[Any]], entity: str) -> n.Node:
        operand = self.check(children[0], entity)
        if operand.kind != "bool":
            raise FormulaError(f"type mismatch: 'not' needs a true/false value, got {operand.kind}")
        return n.Unary("bool", op="not", operand=operand)

    def _membership(self, children: list[Tree[Any]], entity: str, negate: bool) -> n.Node:
        operand, collection = (self.check(c, entity) for c in children)
        if collection.kind != "list":
            raise FormulaError("'in' needs a list on its right: [..] or a list parameter")
        compatible = operand.kind == collection.item or (
            {operand.kind, collection.item} <= set(NUMERIC)
        )
        if not compatible:
            raise FormulaError(f"type mismatch: {operand.kind} 'in' a list of {collection.item}")
        if operand.codes is not None and isinstance(collection, n.ListLit):
            for value in collection.values:
                _check_code(operand, value)
        return n.In(
            "bool", item=operand.kind, operand=operand, collection=collection, negate=negate
        )

    def _in_(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._membership(c, e, negate=False)

    def _not_in(self, c: list[Tree[Any]], e: str) -> n.Node:
        return self._membership(c, e, negate=True)

    def _if_(self, children: list[Tree[Any]], entity: str) -> n.Node:
        condition, then, otherwise = (self.check(c, entity) for c in children)
        if condition.kind != "bool":
            raise FormulaError(
                f"type mismatch: 'if' needs a true/false condition, got {condition.kind}"
            )
        if then.kind == otherwise.kind and then.kind != "list":
            kind = then.kind
        elif {then.kind, otherwise.kind} <= set(NUMERIC):
            kind = "float"
        else:
            raise FormulaError(
                f"type mismatch: 'then' gives {then.kind} but 'else' gives {otherwise.kind}"
            )
        codes = None
        if kind == "str":
            left, right = _codes_of(then), _codes_of(otherwise)
            if left is not None and right is not None:
                codes = frozenset(left | right)
        return n.If(kind, codes=codes, condition=condition, then=then, otherwise=otherwise)

    def _call(self, children: list[Any], entity: str) -> n.Node:
        function = str(children[0])
        trees = [c for c in children[1:] if c is not None]
        if function not in FUNCTIONS:
            raise FormulaError(f"unknown function {function}(){_hint(function, FUNCTIONS)}")
        if function in AGGREGATIONS:
            return self._aggregate(function, trees, entity)
        args = tuple(self.check(t, entity) for t in trees)
        wanted = {"clamp": "3", "round": "1"}.get(function, "2 or more")
        if (
            (wanted.isdigit() and len(args) != int(wanted))
            or len(args) < 1
            or (not wanted.isdigit() and len(args) < 2)
        ):
            raise FormulaError(f"{function}() takes {wanted} arguments, got {len(args)}")
        if any(a.kind not in NUMERIC for a in args):
            raise FormulaError(
                f"type mismatch: {function}() needs numbers, got {', '.join(a.kind for a in args)}"
            )
        kind = "int" if function == "round" or all(a.kind == "int" for a in args) else "float"
        return n.Call(kind, function=function, args=args)

    def _aggregate(self, function: str, trees: list[Any], entity: str) -> n.Node:
        if entity != HOUSEHOLD:
            raise FormulaError(
                f"{function}() adds up household members: use it in a household rule"
            )
        if len(trees) != 1 and not (function == "count" and not trees):
            raise FormulaError(f"{function}() takes one person-level expression")
        operand = self.check(trees[0], PERSON) if trees else None
        if function == "sum" and (operand is None or operand.kind not in NUMERIC):
            raise FormulaError("type mismatch: sum() needs a number per member")
        if function != "sum" and operand is not None and operand.kind != "bool":
            raise FormulaError(f"type mismatch: {function}() needs a true/false value per member")
        kind = {"sum": operand.kind if operand else "int", "count": "int"}.get(function, "bool")
        self.aggregations += 1
        return n.Aggregate(
            kind, function=function, operand=operand, column=f"__agg{self.aggregations}"
        )


def _codes_of(node: n.Node) -> set[str] | None:
    """The text values ``node`` can take; None when they are not known (uncoded text)."""
    if isinstance(node, n.Lit):
        return {str(node.value)}
    return set(node.codes) if node.codes is not None else None


def _check_code(coded: n.Node, value: Any) -> None:
    if coded.codes is not None and value not in coded.codes:
        name = getattr(coded, "name", "the value")
        raise FormulaError(
            f"{value!r} is not a code of {name} (one of "
            f"{', '.join(repr(c) for c in sorted(coded.codes) if c)})"
        )


def _check_codes(coded: n.Node, other: n.Node) -> None:
    if isinstance(other, n.Lit):
        _check_code(coded, other.value)


def _hint(name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
