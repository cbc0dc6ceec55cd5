"""Eligibility and amounts from the policy pack, through the rules engine.

``evaluate_eligibility`` is one ``laosp.rules.engine.evaluate(load_pack(), persons,
households, at, outputs=OUTPUTS)`` over the whole frames: ``.persons`` keyed by
``person_id``, ``.households`` keyed by ``household_id``, one column per output. The
parameters the enrolments need besides (pilot districts, grants, the schemes' start
dates) are read from the same pack at the same date (``Policy``), so synthetic
enrolments and amounts follow the pack when it changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from laosp.rules.engine import evaluate
from laosp.rules.pack import Pack, load_pack

OUTPUTS = (
    "nhi.covered",
    "nssf.scheme",
    "nssf.contribution_employee",
    "nssf.contribution_employer",
    "mecg.eligible",
    "mecg.benefit_monthly",
    "cct.eligible",
    "cct.benefit_monthly",
)


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


def policy_at(pack: Pack, at: dt.date) -> Policy:
    params = pack.params_at(at)

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
    )


def age_months(birth: pl.Expr, at: dt.date) -> pl.Expr:
    """Completed months at ``at``."""
    months = (
        (at.year - birth.dt.year().cast(pl.Int32)) * 12 + at.month - birth.dt.month().cast(pl.Int32)
    )
    return months - (birth.dt.day().cast(pl.Int32) > at.day).cast(pl.Int32)


def evaluate_eligibility(
    persons: pl.DataFrame, households: pl.DataFrame, at: dt.date, pack: Pack | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Person and household outputs (see ``OUTPUTS``) at ``at``: one evaluation of the
    rules engine over the whole frames."""
    result = evaluate(pack or load_pack(), persons, households, at, outputs=OUTPUTS)
    return result.persons, result.households
