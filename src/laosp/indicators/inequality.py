"""SDG 10.4.2: the Gini index of income per adult equivalent, before and after the cash
transfers of the policy pack, and the redistributive impact (before minus after).

- Income before transfers: the household's gross earnings from work, the sum of its
  members' ``earnings_monthly`` (``registry.md``; the only income the registry records).
- Transfers: for each scheme of the pack's catalogue with an ``amount`` output (kip per
  month), that amount as the pack computes it at the date, for the units with an active
  enrolment in the scheme (the person for a person scheme, the household for a
  household scheme). For a household in every scheme in operation this is the pack's
  ``total.cash_benefit_monthly``. Eligible units that are not enrolled receive nothing:
  the registry measures what is paid, not what could be.
- Income per adult equivalent: household income divided by the OECD-modified
  equivalence scale, 1 for the first person aged 14 or over, 0.5 for each other person
  aged 14 or over, 0.3 for each child under 14 (OECD, "What are equivalence scales?",
  OECD Project on Income Distribution and Poverty; Eurostat, "Glossary: Equivalised
  disposable income"). A household of children only: 1 for the first, 0.3 for others.
- The Gini index is over persons: each person has the income per adult equivalent of
  their household (the household weighted by its members), computed from the Lorenz
  curve on incomes sorted in one pass with cumulative sums:
  ``G = 1 - sum_i w_i (2 C_i - w_i y_i) / (W T)``, ``C_i`` the cumulative ``w y``,
  ``W`` the persons and ``T`` the total income; missing when the total income is 0.
  It equals the mean absolute difference over all pairs of persons divided by twice
  the mean.

Only persons born on or before the date and belonging to a registered household count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from laosp.indicators.breakdowns import BREAKDOWNS
from laosp.indicators.frames import RegistryFrames, active_on
from laosp.registry.rowkeys import ROW_KEYS
from laosp.rules.engine import evaluate
from laosp.rules.fields import HOUSEHOLD, PERSON
from laosp.rules.pack import Pack, Scheme

#: OECD-modified equivalence scale (sources in the module docstring).
FIRST_ADULT_WEIGHT = 1.0
OTHER_ADULT_WEIGHT = 0.5
CHILD_WEIGHT = 0.3
ADULT_AGE = 14

BEFORE = "sdg1042.gini_before"
AFTER = "sdg1042.gini_after"
IMPACT = "sdg1042.redistributive_impact"


def gini(value: str, weight: str, *, presorted: bool = False) -> pl.Expr:
    """The weighted Gini index of ``value`` (``weight`` persons each), as an aggregation:
    null when the total is 0 or there is no one. ``presorted``: the rows (of each group)
    are already in ascending order of ``value`` (one sort of the frame instead of one per
    use of the column)."""
    y = pl.col(value) if presorted else pl.col(value).sort_by(value)
    w = (pl.col(weight) if presorted else pl.col(weight).sort_by(value)).cast(pl.Float64)
    wy = w * y
    total = wy.sum()
    index = 1.0 - (w * (2.0 * wy.cum_sum() - wy)).sum() / (w.sum() * total)
    return pl.when(total > 0).then(index).otherwise(None)


def equivalence_scale(adults: pl.Expr, children: pl.Expr) -> pl.Expr:
    """The OECD-modified scale of a household of ``adults`` (14+) and ``children``."""
    return (
        pl.when(adults > 0)
        .then(FIRST_ADULT_WEIGHT + OTHER_ADULT_WEIGHT * (adults - 1) + CHILD_WEIGHT * children)
        .otherwise(FIRST_ADULT_WEIGHT + CHILD_WEIGHT * (children - 1))
    )


def cash_schemes(pack: Pack) -> list[Scheme]:
    """The schemes of the catalogue that pay an ``amount``."""
    return [scheme for scheme in pack.schemes.values() if scheme.amount is not None]


def household_transfers(frames: RegistryFrames, at: dt.date, pack: Pack) -> pl.DataFrame:
    """``household_id``, ``transfers``: the kip per month the household's active
    enrolments bring, at the amounts the pack computes at ``at`` (households with none
    are absent).

    The rules are household-local, so they are evaluated only for the households with an
    active enrolment in a cash scheme (their members and themselves)."""
    schemes = {scheme.code: scheme for scheme in cash_schemes(pack)}
    members = frames.persons.select(
        pl.col("person_id").cast(pl.String), pl.col("household_id").cast(pl.String)
    )
    active = (
        frames.enrolments.lazy()
        .filter(active_on(at) & pl.col("scheme").cast(pl.String).is_in(list(schemes)))
        .select(
            pl.col("scheme").cast(pl.String),
            pl.col("person_id").cast(pl.String),
            pl.col("household_id").cast(pl.String).alias("enrolled_household"),
        )
        .join(members.lazy(), on="person_id", how="left")
        .select(
            "scheme",
            "person_id",
            pl.coalesce("enrolled_household", "household_id").alias("household_id"),
        )
        .filter(pl.col("household_id").is_not_null())
        .unique()
        .collect()
    )
    empty = pl.DataFrame(schema={"household_id": pl.String, "transfers": pl.Float64})
    if active.is_empty():
        return empty
    paying = [schemes[code] for code in sorted(set(active["scheme"]))]
    homes = active["household_id"].unique().implode()
    in_homes = pl.col("household_id").cast(pl.String).is_in(homes)
    evaluation = evaluate(
        pack,
        # the snapshot's row keys do not survive the selection: the engine joins on ids
        frames.persons.filter(in_homes).drop(ROW_KEYS, strict=False),
        frames.households.filter(in_homes).drop(ROW_KEYS, strict=False),
        at,
        outputs=sorted({scheme.amount for scheme in paying if scheme.amount is not None}),
    )
    person_amounts = evaluation.persons.lazy().join(members.lazy(), on="person_id", how="left")
    household_amounts = evaluation.households.lazy().with_columns(
        pl.col("household_id").cast(pl.String)
    )
    parts: list[pl.LazyFrame] = []
    for scheme in paying:  # a handful of schemes, each a whole-column join
        amount = scheme.amount
        assert amount is not None
        of_scheme = active.lazy().filter(pl.col("scheme") == scheme.code)
        if scheme.unit == PERSON and (amount, PERSON) in pack.outputs:
            enrolled = of_scheme.filter(pl.col("person_id").is_not_null()).select("person_id")
            paid = person_amounts.join(enrolled.unique(), on="person_id", how="semi")
        else:
            source = (
                household_amounts
                if (amount, HOUSEHOLD) in pack.outputs
                else person_amounts.group_by("household_id").agg(pl.col(amount).sum())
            )
            enrolled = of_scheme.select("household_id").unique()
            paid = source.join(enrolled, on="household_id", how="semi")
        parts.append(
            paid.select("household_id", pl.col(amount).cast(pl.Float64).alias("transfers"))
        )
    return (
        pl.concat(parts)
        .filter(pl.col("household_id").is_not_null())
        .group_by("household_id")
        .agg(pl.col("transfers").sum())
        .collect()
    )


def equivalised_incomes(
    people: pl.DataFrame, households: pl.DataFrame, transfers: pl.DataFrame
) -> pl.DataFrame:
    """Per household of ``people`` (the engine's population, whose ``household_index``
    is the row in ``households``): ``household_index``, ``household_id``, ``scale``,
    ``before`` and ``after``: income per adult equivalent, kip per month."""
    if "earnings_monthly" not in people.columns:
        raise ValueError("the persons frame lacks the column earnings_monthly (SDG 10.4.2)")
    ids = households.select(pl.col("household_id").cast(pl.String)).with_row_index(
        "household_index"
    )
    return (
        people.lazy()
        .filter(pl.col("household_index").is_not_null())
        .group_by(pl.col("household_index").cast(pl.UInt32))
        .agg(
            pl.col("earnings_monthly").fill_null(0).cast(pl.Float64).sum().alias("earnings"),
            (pl.col("age") >= ADULT_AGE).sum().alias("adults"),
            (pl.col("age") < ADULT_AGE).sum().alias("children"),
        )
        .join(ids.lazy(), on="household_index", how="left")
        .join(transfers.lazy(), on="household_id", how="left")
        .select(
            "household_index",
            "household_id",
            equivalence_scale(pl.col("adults"), pl.col("children")).alias("scale"),
            pl.col("earnings").alias("income_before"),
            (pl.col("earnings") + pl.col("transfers").fill_null(0.0)).alias("income_after"),
        )
        .with_columns(
            (pl.col("income_before") / pl.col("scale")).alias("before"),
            (pl.col("income_after") / pl.col("scale")).alias("after"),
        )
        .collect()
    )


def inequality_indicators(
    people: pl.DataFrame,
    frames: RegistryFrames,
    at: dt.date,
    pack: Pack,
    by: Sequence[str] = (),
) -> pl.DataFrame:
    """The SDG 10.4.2 rows by the breakdown fields ``by``, shaped like the coverage
    indicators: ``indicator``, ``*by``, ``numerator`` (null: a Gini is not a count),
    ``denominator`` (persons) and ``ratio`` (the value)."""
    transfers = household_transfers(frames, at, pack)
    incomes = equivalised_incomes(people, frames.households, transfers)
    units = (
        people.lazy()
        .filter(pl.col("household_index").is_not_null())
        .with_columns(BREAKDOWNS[field].alias(field) for field in by)
        .group_by(*by, pl.col("household_index").cast(pl.UInt32))
        .agg(pl.len().alias("persons"))
        .join(incomes.lazy().select("household_index", "before", "after"), on="household_index")
        .collect()
    )
    persons = pl.col("persons").sum().cast(pl.Int64).alias("denominator")
    parts = [units.group_by(by).agg(persons) if by else units.select(persons)]
    for value, name in (("before", BEFORE), ("after", AFTER)):
        # rows keep their order within a group: one sort serves every cell
        ordered = units.sort(value)
        index = gini(value, "persons", presorted=True).alias(name)
        parts.append(ordered.group_by(by).agg(index) if by else ordered.select(index))
    cells = parts[0]
    for part in parts[1:]:
        cells = (
            cells.join(part, on=list(by), how="left", nulls_equal=True)
            if by
            else pl.concat([cells, part], how="horizontal")
        )
    cells = cells.with_columns((pl.col(BEFORE) - pl.col(AFTER)).alias(IMPACT))
    return (
        cells.lazy()
        .unpivot(
            index=[*by, "denominator"],
            on=[BEFORE, AFTER, IMPACT],
            variable_name="indicator",
            value_name="ratio",
        )
        .select(
            "indicator",
            *by,
            pl.lit(None, dtype=pl.Int64).alias("numerator"),
            "denominator",
            pl.col("ratio").cast(pl.Float64),
        )
        .collect()
    )
