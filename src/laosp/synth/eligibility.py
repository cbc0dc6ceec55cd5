"""Eligibility and amounts from the policy pack, through the rules engine.

``evaluate_eligibility`` is one ``laosp.rules.engine.evaluate(pack, persons, households,
at, outputs=outputs(pack))`` over the whole frames: ``.persons`` keyed by ``person_id``,
``.households`` keyed by ``household_id``, one column per output. The outputs are the
ones the pack's catalogue names for the schemes the generator enrols (eligibility,
amount, contribution). The parameters the enrolments need besides (pilot districts,
grants, the schemes' start dates, the retirement age) are read from the same pack at the
same date (``Policy``), so synthetic enrolments and amounts follow the pack when it
changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from laosp.rules.engine import evaluate
from laosp.rules.errors import PackError
from laosp.rules.pack import Pack, Scheme

#: The schemes the generator enrols (each has its own take-up model in ``enrolments``).
SCHEMES = ("nhi", "nssf_private", "nssf_public", "nssf_voluntary", "mecg", "cct")
RETIREMENT_AGE = "nssf.retirement_age"


def scheme(pack: Pack, code: str) -> Scheme:
    """The scheme ``code`` of ``pack``; a ``PackError`` when the pack lacks it."""
    found = pack.schemes.get(code)
    if found is None:
        raise PackError(
            f"the synthetic registry enrols {code}, which the pack does not have", file=pack.path
        )
    return found


def outputs(pack: Pack) -> tuple[str, ...]:
    """The outputs the enrolments read: what the catalogue names for :data:`SCHEMES`."""
    names: set[str] = set()
    for code in SCHEMES:
        entry = scheme(pack, code)
        if entry.eligibility is not None:
            names.add(entry.eligibility.output)
        names.update(name for name in (entry.amount, entry.contribution) if name is not None)
    return tuple(sorted(names))


@dataclass(frozen=True)
class Policy:
    """What the enrolments read from the pack at the reference date besides the outputs:
    whether MECG and the CCT are in force, since when, where and for how much."""

    mecg_in_force: bool
    mecg_start: dt.date
    mecg_districts: tuple[str, ...]
    mecg_benefit_monthly: int
    cct_in_force: bool
    cct_start: dt.date
    cct_benefit_monthly: int
    retirement_age: dict[str, int]


def policy_at(pack: Pack, at: dt.date) -> Policy:
    params = pack.params_at(at)
    retirement = params.get(RETIREMENT_AGE)
    if retirement is None:
        raise PackError(
            f"the synthetic registry needs {RETIREMENT_AGE} in force at {at.isoformat()}",
            file=pack.path,
        )

    def start(namespace: str) -> dt.date:
        period = pack.periods.get(namespace)
        return period.start if period is not None and period.start is not None else dt.date.min

    return Policy(
        mecg_in_force=pack.in_force("mecg", at) and "mecg.districts" in params,
        mecg_start=start("mecg"),
        mecg_districts=tuple(str(d) for d in params.get("mecg.districts", ())),
        mecg_benefit_monthly=int(params.get("mecg.benefit_monthly", 0)),
        cct_in_force=pack.in_force("cct", at) and "cct.benefit_monthly" in params,
        cct_start=start("cct"),
        cct_benefit_monthly=int(params.get("cct.benefit_monthly", 0)),
        retirement_age={str(sex): int(age) for sex, age in retirement.items()},
    )


def age_months(birth: pl.Expr, at: dt.date) -> pl.Expr:
    """Completed months at ``at``."""
    months = (
        (at.year - birth.dt.year().cast(pl.Int32)) * 12 + at.month - birth.dt.month().cast(pl.Int32)
    )
    return months - (birth.dt.day().cast(pl.Int32) > at.day).cast(pl.Int32)


def evaluate_eligibility(
    persons: pl.DataFrame, households: pl.DataFrame, at: dt.date, pack: Pack
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Person and household outputs (see :func:`outputs`) at ``at``: one evaluation of
    the rules engine over the whole frames."""
    result = evaluate(pack, persons, households, at, outputs=list(outputs(pack)))
    return result.persons, result.households
