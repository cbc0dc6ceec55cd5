"""Whether a person or household qualifies for a scheme at a date, by the rules engine,
with the explanation an officer reads when it does not.

A scheme's test is the one its catalogue entry names (``Scheme.eligibility``: an output
and the value that qualifies); the pack is the only place it is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from laosp.rules.engine import evaluate
from laosp.rules.explain import explain
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Pack, Scheme


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    output: str
    value: object
    explanation: str


def eligibility_test(scheme: Scheme) -> tuple[str, object] | None:
    """``(output, value that qualifies)``, or ``None`` when the pack states no test."""
    if scheme.eligibility is None:
        return None
    return (scheme.eligibility.output, scheme.eligibility.equals)


def check(
    pack: Pack,
    scheme: Scheme,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    unit_id: str,
    at: dt.date,
) -> Verdict:
    """The verdict for the unit ``unit_id`` (a person or a household id, by the
    scheme's unit) given its household's frames."""
    test = eligibility_test(scheme)
    if test is None:
        return Verdict(True, "", None, f"scheme {scheme.code} has no eligibility rule")
    output, wanted = test
    result = evaluate(pack, persons, households, at, [output])
    frame, key = (
        (result.households, "household_id")
        if scheme.unit == HOUSEHOLD
        else (result.persons, "person_id")
    )
    found = frame.filter(pl.col(key) == unit_id)
    value = found[output][0] if found.height else None
    if value == wanted:
        return Verdict(True, output, value, f"{output} = {value}")
    trace = explain(
        pack,
        persons,
        households,
        at,
        household_id=unit_id if scheme.unit == HOUSEHOLD else None,
        person_id=None if scheme.unit == HOUSEHOLD else unit_id,
    )
    relevant = [step for step in trace.steps if step.output == output]
    lines = [f"{output} = {value} (needs {wanted}) at {at.isoformat()}"]
    for step in relevant:
        if not step.in_force:
            lines.append("  the scheme is not in force at this date")
            continue
        lines.append(f"  formula: {' '.join(step.formula.split())}")
        lines.extend(f"  {name} = {shown}" for name, shown in step.inputs.items())
        lines.extend(f"  ${p.name} = {p.value} ({p.reference})" for p in step.parameters)
    return Verdict(False, output, value, "\n".join(lines))
