"""Persons: the members of each household, their relationship, sex, age, birth date
and mother, built as whole arrays (one row per person, positions within a household).

A household of size ``n`` is, in order: the head; a spouse; a parent of the head; the
children of the head's couple; grandchildren; siblings or others. Children's ages are
drawn from their mother's age so that a mother is at least 17 years older than her child
when drawn (16 after the birth-date jitter), and never less than 12.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from laosp.synth.households import Households
from laosp.synth.sampling import Array, coded, pick
from laosp.synth.targets import target

DAYS_PER_YEAR = 365.2425
RELATIONSHIPS = ("head", "spouse", "parent", "child", "grandchild", "sibling", "other")


def completed_years(birth: pl.Expr, at: dt.date) -> pl.Expr:
    """Age in completed years at ``at`` (a person is 5 on their fifth birthday)."""
    before_birthday = (birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32)) > (
        at.month * 100 + at.day
    )
    return (at.year - birth.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)).cast(
        pl.Int32
    )


def _structure(rng: np.random.Generator, size: Array) -> dict[str, Array]:
    """Per household: head's sex and age, spouse, parent, children, grandchildren, others."""
    h = size.size
    single = size == 1
    head_female = rng.random(h) < np.where(single, 0.42, 0.12)
    head_age = np.where(
        single,
        18 + np.floor(72 * rng.beta(1.3, 1.5, h)),
        19 + np.floor(66 * rng.beta(2.2, 3.0, h)),
    ).astype(np.int64)
    spouse = (size >= 2) & (rng.random(h) < np.where(head_age < 65, 0.9, 0.6))
    gap = np.round(rng.normal(3.0, 3.0, h)).astype(np.int64)
    spouse_age = np.clip(np.where(head_female, head_age + gap, head_age - gap), 18, 98)
    rest = size - 1 - spouse
    parent_p = np.where(head_age < 40, 0.24, np.where(head_age < 55, 0.10, 0.0))
    parent = (rest >= 1) & (rng.random(h) < parent_p)
    parent_age = np.minimum(head_age + rng.integers(20, 36, h), 99)
    parent_female = rng.random(h) < 0.7
    rest = rest - parent
    others = rng.binomial(rest, 0.05)
    grand_p = np.where(head_age >= 55, 0.5, np.where(head_age >= 47, 0.2, 0.0))
    grand = rng.binomial(rest - others, grand_p)
    children = rest - others - grand
    mother_age = np.where(head_female, head_age, np.where(spouse, spouse_age, -1))
    return {
        "head_female": head_female,
        "head_age": head_age,
        "spouse": spouse.astype(np.int64),
        "spouse_age": spouse_age,
        "parent": parent.astype(np.int64),
        "parent_age": parent_age,
        "parent_female": parent_female,
        "children": children,
        "grand": grand,
        "others": others,
        "mother_age": mother_age,
    }


def make_persons(rng: np.random.Generator, households: Households, at: dt.date) -> pl.DataFrame:
    size = households.size
    s = _structure(rng, size)
    n = int(size.sum())
    hh = np.repeat(np.arange(size.size), size)
    first = np.concatenate(([0], np.cumsum(size)[:-1]))
    pos = np.arange(n) - first[hh]
    spouse_end = 1 + s["spouse"][hh]
    parent_end = spouse_end + s["parent"][hh]
    child_end = parent_end + s["children"][hh]
    grand_end = child_end + s["grand"][hh]
    role = np.select(
        [pos == 0, pos < spouse_end, pos < parent_end, pos < child_end, pos < grand_end],
        [0, 1, 2, 3, 4],
        5,
    )
    head_age = s["head_age"][hh]
    mother_age = s["mother_age"][hh]
    reference = np.where(mother_age > 0, mother_age, head_age)
    span = np.maximum(np.minimum(reference, 45) - 17, 0)
    child_age = reference - 17 - np.floor(span * rng.beta(1.0, 1.9, n))
    grand_age = np.floor(rng.random(n) * (np.clip(head_age - 36, 0, 15) + 1))
    sibling_age = np.clip(head_age + np.round(rng.normal(0, 6, n)), 15, 90)
    other_age = rng.integers(5, 70, n)
    age = np.select(
        [role == 0, role == 1, role == 2, role == 3, role == 4, head_age < 45],
        [head_age, s["spouse_age"][hh], s["parent_age"][hh], child_age, grand_age, sibling_age],
        other_age,
    ).astype(np.int64)
    rel_index = np.where((role == 5) & (head_age >= 45), 6, role)

    head_female = s["head_female"][hh]
    female = np.select(
        [role == 0, role == 1, role == 2],
        [head_female, ~head_female, s["parent_female"][hh]],
        False,
    )
    free = role >= 3
    wanted = round(target("female").value * n) - int(female[~free].sum())
    female = female | (free & pick(rng, free.astype(np.float64), wanted))

    days = np.floor(age * DAYS_PER_YEAR + rng.random(n) * 364.0).astype(np.int64)
    person_number = np.arange(1, n + 1)
    # mothers: the female of the head's couple for children, the head's mother for the head
    mother_pos = np.where(
        role == 3,
        np.where(head_female, 0, np.where(s["spouse"][hh] == 1, 1, -1)),
        np.where((role == 0) & (s["parent"][hh] == 1) & s["parent_female"][hh], spouse_end, -1),
    )
    mother_number = np.where(mother_pos >= 0, first[hh] + mother_pos + 1, 0)
    frame = pl.DataFrame(
        {
            "person_number": person_number,
            "hh_index": hh,
            "household_id": households.frame["household_id"].gather(hh),
            "relationship": coded(rel_index, RELATIONSHIPS),
            "sex": coded(female.astype(np.int64), ("M", "F")),
            "days": days,
            "mother_number": mother_number,
        }
    ).with_columns(birth_date=pl.lit(at) - pl.duration(days=pl.col("days")))
    frame = _calibrate_infants(rng, frame, at)
    return frame.with_columns(
        person_id=_person_id(pl.col("person_number")),
        mother_id=pl.when(pl.col("mother_number") > 0).then(_person_id(pl.col("mother_number"))),
        birth_date_precision=pl.lit("day"),
    ).drop("days", "mother_number")


def _person_id(number: pl.Expr) -> pl.Expr:
    return pl.lit("SYN-P") + number.cast(pl.String).str.zfill(9)


def _calibrate_infants(rng: np.random.Generator, frame: pl.DataFrame, at: dt.date) -> pl.DataFrame:
    """Move a few young children's births so that the infants (under 12 months) hit the
    target exactly; moving a child younger or by at most two years keeps every mother at
    least 15 years older than her child."""
    age = frame.select(completed_years(pl.col("birth_date"), at)).to_series().to_numpy()
    n = age.size
    wanted = round(target("infants").value * n / target("persons").value)
    have = int((age == 0).sum())
    child = (frame["relationship"] == "child").to_numpy() | (
        frame["relationship"] == "grandchild"
    ).to_numpy()
    days = frame["days"].to_numpy().copy()
    if have < wanted:
        chosen = pick(rng, (child & (age >= 1) & (age <= 4)).astype(np.float64), wanted - have)
        days[chosen] = rng.integers(0, 365, n)[chosen]
    elif have > wanted:
        chosen = pick(rng, (age == 0).astype(np.float64), have - wanted)
        days[chosen] = rng.integers(366, 730, n)[chosen]
    return frame.with_columns(days=pl.Series(days)).with_columns(
        birth_date=pl.lit(at) - pl.duration(days=pl.col("days"))
    )
