"""What the indicators need to know about the schemes and the pack's parameters.

The scheme catalogue (unit, kind, functions) and the statutory retirement age belong to
the policy pack (``shared/spec/lao-policy.md``) and are read from the ``Pack`` the edge
loaded and passed in; there is no copy of them here. The lookup lives here and nowhere
else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, cast

import polars as pl

from laosp.rules.errors import PackError
from laosp.rules.pack import Pack

#: The parameter of the pack that gives the statutory retirement age by sex.
RETIREMENT_AGE = "nssf.retirement_age"

Unit = Literal["person", "household"]
Kind = Literal["contributory", "non_contributory_cash", "health", "other"]

#: The functions the SDG 1.3.1 series are built on, as columns of the catalogue frame.
SERIES_FUNCTIONS = (
    "children",
    "maternity",
    "disability",
    "unemployment",
    "old_age",
    "employment_injury",
    "health",
)


@dataclass(frozen=True, slots=True)
class SchemeInfo:
    code: str
    unit: Unit
    kind: Kind
    functions: frozenset[str]


def scheme_catalogue(pack: Pack) -> tuple[SchemeInfo, ...]:
    """The schemes of ``pack``: unit, kind and functions as its catalogue states them."""
    return tuple(
        SchemeInfo(
            code=scheme.code,
            unit="household" if scheme.unit == "household" else "person",
            kind=cast(Kind, scheme.kind),  # a code the pack validates (SCHEME_KINDS)
            functions=frozenset(scheme.functions),
        )
        for scheme in pack.schemes.values()
    )


def retirement_age(pack: Pack, at: dt.date) -> dict[str, int]:
    """Statutory retirement age by sex: the pack's ``nssf.retirement_age`` in force at
    ``at`` (empty before its first value: no one counts as above it); a ``PackError``
    when the pack does not have the parameter."""
    parameter = pack.parameters.get(RETIREMENT_AGE)
    if parameter is None:
        raise PackError(
            f"the indicators need the parameter {RETIREMENT_AGE}",
            file=pack.path,
            name=RETIREMENT_AGE,
        )
    value = parameter.value_at(at)
    if value is None:
        return {}
    return {sex: int(value.value[sex]) for sex in ("M", "F")}


def catalogue_frame(catalogue: Iterable[SchemeInfo]) -> pl.DataFrame:
    """One row per scheme: ``scheme``, ``unit``, ``kind`` and a bool per series function."""
    rows = list(catalogue)
    return pl.DataFrame(
        {
            "scheme": [info.code for info in rows],
            "unit": [info.unit for info in rows],
            "kind": [info.kind for info in rows],
            **{
                f"fn_{function}": [function in info.functions for info in rows]
                for function in SERIES_FUNCTIONS
            },
        },
        schema_overrides={f"fn_{function}": pl.Boolean for function in SERIES_FUNCTIONS},
    )
