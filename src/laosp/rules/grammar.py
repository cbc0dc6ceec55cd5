"""The expression language: a small grammar parsed by lark (never ``eval``)."""

from __future__ import annotations

from functools import cache

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

GRAMMAR = r"""
?start: expr

?expr: "if" expr "then" expr "else" expr   -> if_
     | or_expr

?or_expr: or_expr "or" and_expr            -> or_
        | and_expr
?and_expr: and_expr "and" not_expr         -> and_
         | not_expr
?not_expr: "not" not_expr                  -> not_
         | comparison
?comparison: sum "==" sum                  -> eq
           | sum "!=" sum                  -> ne
           | sum "<" sum                   -> lt
           | sum "<=" sum                  -> le
           | sum ">" sum                   -> gt
           | sum ">=" sum                  -> ge
           | sum "in" sum                  -> in_
           | sum "not" "in" sum            -> not_in
           | sum
?sum: sum "+" product                      -> add
    | sum "-" product                      -> sub
    | product
?product: product "*" unary                -> mul
        | product "/" unary                -> div
        | unary
?unary: "-" unary                          -> neg
      | postfix
?postfix: atom "[" expr "]"                -> index
        | atom
?atom: NUMBER                              -> number
     | STRING                              -> string
     | "true"                              -> true
     | "false"                             -> false
     | PARAM                               -> param
     | NAME "(" [expr ("," expr)*] ")"     -> call
     | NAME                                -> name
     | "[" [expr ("," expr)*] "]"          -> list
     | "(" expr ")"

PARAM: "$" NAME
NAME: /[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*/
NUMBER: /[0-9][0-9_]*(\.[0-9]+)?/
STRING: /"[^"\n]*"/ | /'[^'\n]*'/
COMMENT: /#[^\n]*/

%import common.WS
%ignore WS
%ignore COMMENT
"""


class FormulaSyntaxError(Exception):
    """A formula that does not parse; ``line``/``column`` are 1-based within the formula."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@cache
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def parse(formula: str) -> Tree[Token]:
    try:
        return _parser().parse(formula)
    except UnexpectedInput as error:
        context = error.get_context(formula, span=30).strip().replace("\n", " ⏎ ")
        raise FormulaSyntaxError(
            f"cannot parse the formula near column {error.column}: {context}",
            error.line,
            error.column,
        ) from error
