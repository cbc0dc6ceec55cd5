"""What the indicators need to know about the schemes and the pack's parameters.

The scheme catalogue (unit, kind, functions) and the statutory retirement age belong to
the policy pack (``shared/spec/lao-policy.md``) and are read from it.
:data:`FALLBACK_CATALOGUE` mirrors the spec's table for when no pack loads (and for
tests that pin the catalogue). The lookup lives here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, cast

import polars as pl

from laosp.config import load_settings
from laosp.rules.errors import PackError
from laosp.rules.pack import Pack
from laosp.rules.pack import load_pack as load_rules_pack

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


_SOCIAL_SECURITY = frozenset(
    {
        "old_age",
        "disability",
        "survivors",
        "sickness",
        "maternity",
        "employment_injury",
        "unemployment",
        "health",
    }
)

FALLBACK_CATALOGUE: tuple[SchemeInfo, ...] = (
    SchemeInfo("nhi", "person", "health", frozenset({"health"})),
    SchemeInfo("nssf_private", "person", "contributory", _SOCIAL_SECURITY),
    SchemeInfo("nssf_public", "person", "contributory", _SOCIAL_SECURITY),
    SchemeInfo(
        "nssf_voluntary",
        "person",
        "contributory",
        _SOCIAL_SECURITY - {"employment_injury", "unemployment"},
    ),
    SchemeInfo("mecg", "person", "non_contributory_cash", frozenset({"maternity", "children"})),
    SchemeInfo(
        "cct", "household", "non_contributory_cash", frozenset({"children", "social_assistance"})
    ),
    SchemeInfo("child_grant", "person", "non_contributory_cash", frozenset({"children"})),
    SchemeInfo("social_pension", "person", "non_contributory_cash", frozenset({"old_age"})),
    SchemeInfo(
        "disability_allowance", "person", "non_contributory_cash", frozenset({"disability"})
    ),
)

FALLBACK_RETIREMENT_AGE: Mapping[str, int] = {"M": 60, "F": 55}


def _catalogue_from_pack(pack: Pack) -> tuple[SchemeInfo, ...]:
    return tuple(
        SchemeInfo(
            code=scheme.code,
            unit="household" if scheme.unit == "household" else "person",
            kind=cast(Kind, scheme.kind),  # a code the pack validates (SCHEME_KINDS)
            functions=frozenset(scheme.functions),
        )
        for scheme in pack.schemes.values()
    )


def load_pack() -> Pack | None:
    """The configured policy pack, or ``None`` (with a warning) when it does not load:
    a broken pack must not stop the monitoring view."""
    try:
        return load_rules_pack(load_settings().pack_dir)
    except PackError as error:
        warnings.warn(
            f"policy pack not loaded ({error}); using the built-in scheme catalogue",
            stacklevel=2,
        )
        return None


def scheme_catalogue(pack: Pack | None) -> tuple[SchemeInfo, ...]:
    """The schemes of ``pack``, or the spec's catalogue when there is no pack."""
    return _catalogue_from_pack(pack) if pack is not None else FALLBACK_CATALOGUE


def retirement_age(pack: Pack | None, at: dt.date) -> dict[str, int]:
    """Statutory retirement age by sex: ``nssf.retirement_age`` in force at ``at``."""
    parameter = pack.parameters.get("nssf.retirement_age") if pack is not None else None
    value = parameter.value_at(at) if parameter is not None else None
    if value is None:
        return dict(FALLBACK_RETIREMENT_AGE)
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
