"""Enrolments derived from eligibility and a take-up rate per scheme, with their
lifecycle (active, suspended, exited) so that coverage has realistic gaps.

Every enrolment row carries, besides the table's columns, what the ledger needs:
``monthly`` (contribution due or benefit per month), ``function`` of its benefits,
``kind`` (``contribution``, ``benefit`` or ``none``) and ``stops`` (the first month no
longer paid, for suspended members).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from laosp.rules.pack import Pack
from laosp.synth.eligibility import Policy, age_months, evaluate_eligibility, policy_at, scheme
from laosp.synth.population import Population
from laosp.synth.sampling import pick
from laosp.synth.targets import target

MECG_TAKE_UP = 0.85
CCT_TAKE_UP = 0.8

COLUMNS = {
    "scheme": pl.String,
    "person_id": pl.String,
    "household_id": pl.String,
    "status": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "monthly": pl.Int64,
    "function": pl.String,
    "kind": pl.String,
    "stops": pl.Date,
    "benefit_from": pl.Date,
}


def _days(rng: np.random.Generator, low: int, high: int, n: int) -> pl.Series:
    return pl.Series(rng.integers(low, high, n))


def _shape(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        [
            pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)
            for c, t in COLUMNS.items()
        ]
    )


def make_enrolments(rng: np.random.Generator, population: Population, pack: Pack) -> pl.DataFrame:
    """All enrolments of ``population`` (planted duplicates are not enrolled), by the
    eligibility, amounts and contributions of ``pack``."""
    at = population.config.at
    people = population.people
    originals = people["original_id"].null_count()
    if originals < people.height:
        # the copies are appended after the originals (``plant_duplicates``): a slice
        # copies nothing where a filter would copy every column of the national frame
        people = people.head(originals)
        if people["original_id"].null_count() != originals:
            raise ValueError("planted copies must come after the originals")
    policy = policy_at(pack, at)
    persons_out, households_out = evaluate_eligibility(
        people.select(population.persons.columns), population.households, at, pack
    )
    needed = ("person_id", "household_id", "birth_date", "sex", "pregnant", "pregnancy_month",
              "district_code", "mother_id", "insured_scheme", "lapsed", "pension_scheme",
              "pension_monthly", "nssf_contribution_months")  # fmt: skip
    people = people.select(needed)
    if persons_out["person_id"].equals(people["person_id"]):  # the engine keeps the order
        people = people.hstack(persons_out.drop("person_id"))
    else:
        people = people.join(persons_out, on="person_id", how="left")
    parts = [
        _nhi(rng, people, at, population.people.height, pack),
        _nssf(rng, people, at, pack),
        _pensions(people, policy),
        _mecg(rng, people, at, policy, pack),
        _cct(rng, people, households_out, at, policy, pack),
    ]
    frame = pl.concat([_shape(p) for p in parts], how="vertical")
    frame = frame.with_columns(
        start_date=pl.min_horizontal("start_date", pl.lit(at)),
    ).with_columns(
        end_date=pl.when(pl.col("end_date").is_not_null()).then(
            pl.max_horizontal("end_date", "start_date")
        )
    )
    return frame.with_row_index("id", offset=1).with_columns(pl.col("id").cast(pl.Int64))


def _eligible(pack: Pack, code: str) -> pl.Expr:
    """The pack's eligibility test of scheme ``code`` on the evaluated columns."""
    test = scheme(pack, code).eligibility
    return test.expr() if test is not None else pl.lit(True)


def _nhi(
    rng: np.random.Generator, people: pl.DataFrame, at: dt.date, all_persons: int, pack: Pack
) -> pl.DataFrame:
    covered = people.select(_eligible(pack, "nhi")).to_series().to_numpy()
    enrolled = pick(rng, covered.astype(np.float64), round(target("nhi").value * all_persons))
    chosen = people.filter(pl.Series(enrolled))
    # members joined over the scheme's first 900 days
    first = scheme(pack, "nhi").start or dt.date(at.year - 3, 1, 1)
    start = pl.lit(first) + pl.duration(days=pl.lit(_days(rng, 0, 900, chosen.height)))
    return chosen.select(
        "person_id",
        scheme=pl.lit("nhi"),
        status=pl.lit("active"),
        start_date=pl.max_horizontal(start, pl.col("birth_date")),
        kind=pl.lit("none"),
    )


def _nssf(rng: np.random.Generator, people: pl.DataFrame, at: dt.date, pack: Pack) -> pl.DataFrame:
    members = people.filter(pl.col("insured_scheme").is_not_null())
    n = members.height
    months_ago = pl.col("nssf_contribution_months").cast(pl.Int64) * 30 + _days(rng, 0, 30, n)
    adult = pl.col("birth_date").dt.offset_by("18y")
    start = pl.max_horizontal(
        pl.lit(at) - pl.duration(days=months_ago), adult, pl.lit(dt.date(2001, 1, 1))
    )
    ended = pl.lit(at) - pl.duration(days=pl.lit(_days(rng, 20, 330, n)))
    dues = {
        code: scheme(pack, code).contribution
        for code in members["insured_scheme"].unique().to_list()
    }
    due = pl.lit(0, dtype=pl.Int64)
    for code, output in dues.items():  # one expression per scheme (three at most)
        if output is not None:
            due = pl.when(pl.col("insured_scheme") == code).then(pl.col(output)).otherwise(due)
    return members.select(
        "person_id",
        scheme=pl.col("insured_scheme"),
        status=pl.col("lapsed").fill_null("active"),
        start_date=start,
        end_date=pl.when(pl.col("lapsed") == "exited").then(ended),
        stops=pl.when(pl.col("lapsed") == "suspended").then(ended),
        monthly=due,
        kind=pl.lit("contribution"),
    )


def _pensions(people: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """Pensioners keep their social security enrolment; it pays from retirement (the
    pack's retirement age)."""
    pensioners = people.filter(pl.col("pension_scheme").is_not_null())
    years = {sex: f"{age}y" for sex, age in policy.retirement_age.items()}
    retired = pl.col("birth_date").dt.offset_by(
        pl.col("sex").replace_strict(years, default=None, return_dtype=pl.String)
    )
    worked = pl.duration(days=pl.col("nssf_contribution_months").cast(pl.Int64) * 30)
    return pensioners.select(
        "person_id",
        scheme=pl.col("pension_scheme"),
        status=pl.lit("active"),
        start_date=retired - worked,
        monthly=pl.col("pension_monthly"),
        function=pl.lit("old_age"),
        kind=pl.lit("benefit"),
        benefit_from=retired,
    )


def _mecg(
    rng: np.random.Generator, people: pl.DataFrame, at: dt.date, policy: Policy, pack: Pack
) -> pl.DataFrame:
    """Current enrolments where the engine finds the pack's eligibility of MECG (the
    grant is its amount output); last year's infants and mothers exited."""
    if not policy.mecg_in_force:
        return pl.DataFrame()
    amount = scheme(pack, "mecg").amount
    months = age_months(pl.col("birth_date"), at)
    in_district = people.filter(pl.col("district_code").is_in(policy.mecg_districts))
    k = in_district.height
    in_district = in_district.with_columns(
        take=pl.Series(rng.random(k) < MECG_TAKE_UP), offset=_days(rng, 0, 60, k)
    )
    take = pl.col("take")
    current = in_district.filter(_eligible(pack, "mecg") & take).select(
        "person_id",
        scheme=pl.lit("mecg"),
        status=pl.lit("active"),
        start_date=pl.when(pl.col("pregnant"))
        .then(pl.lit(at) - pl.duration(days=(pl.col("pregnancy_month").cast(pl.Int64) - 4) * 30))
        .otherwise(pl.col("birth_date") + pl.duration(days=pl.col("offset"))),
        function=pl.when(pl.col("pregnant"))
        .then(pl.lit("maternity"))
        .otherwise(pl.lit("children")),
        monthly=pl.col(amount) if amount is not None else pl.lit(None, pl.Int64),
    )
    aged_out = in_district.filter((months >= 12) & (months < 24) & take).select(
        "person_id",
        scheme=pl.lit("mecg"),
        status=pl.lit("exited"),
        start_date=pl.col("birth_date") + pl.duration(days=30),
        end_date=pl.col("birth_date").dt.offset_by("1y"),
        function=pl.lit("children"),
    )
    born = in_district.filter((months < 24) & take & pl.col("mother_id").is_not_null()).select(
        person_id=pl.col("mother_id"),
        scheme=pl.lit("mecg"),
        status=pl.lit("exited"),
        start_date=pl.col("birth_date") - pl.duration(days=150),
        end_date=pl.col("birth_date"),
        function=pl.lit("maternity"),
    )
    frame = pl.concat([current, aged_out, born], how="diagonal")
    return (
        frame.with_columns(
            start_date=pl.max_horizontal("start_date", pl.lit(policy.mecg_start)),
            monthly=pl.col("monthly").fill_null(policy.mecg_benefit_monthly).cast(pl.Int64),
            kind=pl.lit("benefit"),
        )
        .filter(pl.col("end_date").is_null() | (pl.col("end_date") >= pl.col("start_date")))
        .unique(["person_id", "start_date"], keep="first", maintain_order=True)
    )


def _cct(
    rng: np.random.Generator,
    people: pl.DataFrame,
    households: pl.DataFrame,
    at: dt.date,
    policy: Policy,
    pack: Pack,
) -> pl.DataFrame:
    """Households the engine finds eligible for the CCT by the pack; where its amount
    output is 0 (a member not meeting the conditions) the last payments are cancelled."""
    if not policy.cct_in_force:
        return pl.DataFrame()
    amount = scheme(pack, "cct").amount
    eligible = households.filter(_eligible(pack, "cct"))
    eligible = eligible.filter(pl.Series(rng.random(eligible.height) < CCT_TAKE_UP))
    since = (
        people.filter(pl.col("pregnant") | (age_months(pl.col("birth_date"), at) < 24))
        .group_by("household_id")
        .agg(
            pl.when(pl.col("pregnant"))
            .then(pl.lit(at) - pl.duration(days=pl.col("pregnancy_month").cast(pl.Int64) * 30))
            .otherwise(pl.col("birth_date"))
            .min()
            .alias("since")
        )
    )
    return eligible.join(since, on="household_id", how="left").select(
        "household_id",
        scheme=pl.lit("cct"),
        status=pl.lit("active"),
        start_date=pl.max_horizontal(
            pl.col("since").fill_null(pl.lit(at)), pl.lit(policy.cct_start)
        ),
        monthly=pl.lit(policy.cct_benefit_monthly, dtype=pl.Int64),
        function=pl.lit("children"),
        kind=pl.lit("benefit"),
        stops=pl.when(pl.col(amount) == 0).then(pl.lit(at) - pl.duration(days=62))
        if amount is not None
        else None,
    )
