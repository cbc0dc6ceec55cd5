"""Who is left behind: persons with no cover at all, and units eligible for a scheme
(by the rules engine, at the same date) without an active enrolment in it.

The result is one frame, one row per person (per household for household schemes,
shown by its head), with the breakdown fields, the names and places a field team needs,
and the reason in English and Lao. It holds personal data: it is for authorised officers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import polars as pl

from laosp.indicators import reasons
from laosp.indicators.breakdowns import BREAKDOWNS
from laosp.indicators.catalogue import SchemeInfo, retirement_age, scheme_catalogue
from laosp.indicators.engine import population
from laosp.indicators.frames import RegistryFrames, active_on
from laosp.reference.admin_units import districts, provinces
from laosp.rules.engine import Evaluation, evaluate
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Eligibility as SchemeEligibility
from laosp.rules.pack import Pack, Scheme

UNCOVERED = "uncovered"
NOT_ENROLLED = "eligible_not_enrolled"

LIST_COLUMNS = (
    "gap",
    "scheme",
    "province",
    "district",
    "district_name_en",
    "district_name_lo",
    "village_code",
    "village_name",
    "household_id",
    "person_id",
    "given_name",
    "family_name",
    "sex",
    "age",
    "age_group",
    "urban",
    "poor",
    "sector",
    "formal",
    "reason_en",
    "reason_lo",
    "enrolment_status",
)

#: The list columns' headings, English and Lao, are the ``indicators`` catalogue's
#: ``indicators.column.<column>`` (``laosp.indicators.export.heading``).


class Eligibility(Protocol):
    """What the rules engine returns (``laosp.rules.engine.Evaluation``)."""

    @property
    def persons(self) -> pl.DataFrame: ...
    @property
    def households(self) -> pl.DataFrame: ...


#: The statuses of the schemes that run in operations, and so have gap lists.
OPERATING = ("active", "pilot")


@dataclass(frozen=True)
class GapRule:
    """A scheme of the pack with an eligibility output: who it lists, and why."""

    scheme: Scheme

    @property
    def code(self) -> str:
        return self.scheme.code

    @property
    def unit(self) -> Literal["person", "household"]:
        return "household" if self.scheme.unit == HOUSEHOLD else "person"

    @property
    def test(self) -> SchemeEligibility:
        assert self.scheme.eligibility is not None  # gap_rules keeps only these
        return self.scheme.eligibility


def gap_rules(pack: Pack) -> tuple[GapRule, ...]:
    """The gap rules of ``pack``: its schemes in operation (active or pilot) whose
    catalogue entry names an eligibility output, in catalogue order."""
    return tuple(
        GapRule(scheme)
        for scheme in pack.schemes.values()
        if scheme.eligibility is not None and scheme.status in OPERATING
    )


def gap_schemes(pack: Pack) -> tuple[str, ...]:
    """The codes of the schemes that have a gap list in ``pack``."""
    return tuple(rule.code for rule in gap_rules(pack))


def evaluate_eligibility(
    pack: Pack, frames: RegistryFrames, at: dt.date, schemes: Iterable[str] | None = None
) -> Evaluation:
    """Ask the rules engine who is eligible at ``at`` for ``schemes`` (default: every
    scheme with a gap list)."""
    wanted = set(schemes) if schemes is not None else set(gap_schemes(pack))
    outputs = sorted({rule.test.output for rule in gap_rules(pack) if rule.code in wanted})
    return evaluate(pack, frames.persons, frames.households, at, outputs=outputs)


def _place_names() -> tuple[pl.LazyFrame, pl.LazyFrame]:
    district_names = pl.LazyFrame(
        {
            "district": [row.code for row in districts()],
            "district_name_en": [row.name_en for row in districts()],
            "district_name_lo": [row.name_lo for row in districts()],
        }
    )
    province_names = pl.LazyFrame(
        {
            "province": [row.code for row in provinces()],
            "province_name_en": [row.name_en for row in provinces()],
            "province_name_lo": [row.name_lo for row in provinces()],
        }
    )
    return district_names, province_names


LIST_PERSON_COLUMNS = ("given_name", "family_name", "relationship", "pregnant", "pregnancy_month")
LIST_HOUSEHOLD_COLUMNS = ("village_code", "village_name")


def _check_list_columns(frames: RegistryFrames) -> None:
    for name, frame, columns in (
        ("persons", frames.persons, LIST_PERSON_COLUMNS),
        ("households", frames.households, LIST_HOUSEHOLD_COLUMNS),
    ):
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise ValueError(f"a gap list needs the {name} column(s) {', '.join(missing)}")


def _people(
    frames: RegistryFrames,
    at: dt.date,
    catalogue: Iterable[SchemeInfo],
    retirement: Mapping[str, int],
    district: str | None,
) -> pl.DataFrame:
    _check_list_columns(frames)
    district_names, province_names = _place_names()
    people = population(frames, at, catalogue=catalogue, retirement=retirement).lazy()
    if district is not None:
        people = people.filter(pl.col("district_code") == district)
    return (
        people.with_columns(expr.alias(name) for name, expr in BREAKDOWNS.items())
        .join(district_names, on="district", how="left")
        .join(province_names, on="province", how="left")
        .collect()
    )


def _latest_status(enrolments: pl.DataFrame, scheme: str, key: str) -> pl.LazyFrame:
    return (
        enrolments.lazy()
        .filter((pl.col("scheme") == scheme) & pl.col(key).is_not_null())
        .sort("start_date")
        .group_by(key)
        .agg(pl.col("status").last().alias("enrolment_status"))
    )


def _not_enrolled(
    rule: GapRule,
    frames: RegistryFrames,
    eligibility: Eligibility,
    people: pl.DataFrame,
    at: dt.date,
) -> pl.LazyFrame | None:
    """``None`` when the pack has no eligibility output for the scheme."""
    key = f"{rule.unit}_id"
    source = eligibility.persons if rule.unit == "person" else eligibility.households
    if rule.test.output not in source.columns:
        return None
    enrolled = (
        frames.enrolments.lazy().filter((pl.col("scheme") == rule.code) & active_on(at)).select(key)
    )
    missing = source.lazy().filter(rule.test.expr()).select(key).join(enrolled, on=key, how="anti")
    if rule.unit == "person":
        rows = people.lazy().join(missing, on="person_id", how="semi")
    else:
        members = (
            people.lazy()
            .group_by("household_id")
            .agg(
                pl.col("age_months").min().alias("youngest_months"),
                pl.col("pregnant").fill_null(False).any().alias("any_pregnant"),
            )
        )
        rows = (
            people.lazy()
            .join(missing, on="household_id", how="semi")
            .sort(pl.col("relationship") != "head", "person_id")
            .unique("household_id", keep="first", maintain_order=True)
            .join(members, on="household_id")
        )
    english, lao = reasons.for_scheme(rule.scheme)
    return rows.join(
        _latest_status(frames.enrolments, rule.code, key), on=key, how="left"
    ).with_columns(
        pl.lit(NOT_ENROLLED).alias("gap"),
        pl.lit(rule.code).alias("scheme"),
        english.alias("reason_en"),
        lao.alias("reason_lo"),
        pl.col("enrolment_status").fill_null("none"),
    )


def _uncovered(people: pl.DataFrame) -> pl.LazyFrame:
    english, lao = reasons.uncovered()
    return (
        people.lazy()
        .filter(
            ~pl.col("receives_cash") & ~pl.col("active_contributor") & ~pl.col("health_covered")
        )
        .with_columns(
            pl.lit(UNCOVERED).alias("gap"),
            pl.lit(None, dtype=pl.String).alias("scheme"),
            english.alias("reason_en"),
            lao.alias("reason_lo"),
            pl.lit("none").alias("enrolment_status"),
        )
    )


def gap_list(
    frames: RegistryFrames,
    at: dt.date,
    eligibility: Eligibility | None,
    *,
    pack: Pack,
    schemes: Sequence[str] | None = None,
    district: str | None = None,
    include_uncovered: bool = True,
) -> pl.DataFrame:
    """The gap list at ``at`` with the columns of :data:`LIST_COLUMNS`: the uncovered
    persons, then per scheme (default: every scheme of :func:`gap_schemes`) the eligible
    units without an active enrolment. Without ``eligibility`` only the uncovered are
    listed."""
    known = gap_schemes(pack)
    unknown = [scheme for scheme in schemes or () if scheme not in known]
    if unknown:
        raise ValueError(f"no gap list for {', '.join(unknown)}; known: {', '.join(known)}")
    people = _people(frames, at, scheme_catalogue(pack), retirement_age(pack, at), district)
    uncovered = _uncovered(people)
    parts = [uncovered] if include_uncovered else [uncovered.filter(pl.lit(False))]
    if eligibility is not None:
        wanted = set(schemes or known)
        for rule in (rule for rule in gap_rules(pack) if rule.code in wanted):
            part = _not_enrolled(rule, frames, eligibility, people, at)
            if part is not None:
                parts.append(part)
    listed = pl.concat([part.select(LIST_COLUMNS) for part in parts]).collect()
    return listed.sort(
        "gap", "scheme", "district", "village_code", "household_id", "person_id", nulls_last=True
    )


#: What a gap line counts: persons, or households for a scheme that enrols households.
UNITS: tuple[Literal["person", "household"], ...] = ("person", "household")


def scheme_units(pack: Pack) -> dict[str, Literal["person", "household"]]:
    """What each gap list counts, by scheme code: ``household`` for a scheme that enrols
    households (its list has one row per household), ``person`` otherwise."""
    return {rule.code: rule.unit for rule in gap_rules(pack)}


def gap_counts(
    listed: pl.DataFrame, by: Sequence[str] = (), units: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """Rows of the gap list per gap, scheme and breakdown cell (``count``); with
    ``units`` (:func:`scheme_units`) each row also names its ``unit`` (``person``, or
    ``household`` for a household scheme's line; the uncovered are persons), the columns
    ``gap, scheme, unit, *by, count``."""
    keys = ["gap", "scheme", *by]
    counts = (
        listed.group_by(keys)
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .sort(keys, nulls_last=False)
    )
    if units is None:
        return counts
    unit = pl.col("scheme").replace_strict(dict(units), default="person", return_dtype=pl.String)
    return counts.with_columns(unit.alias("unit")).select("gap", "scheme", "unit", *by, "count")


def left_out_persons(
    listed: pl.DataFrame, frames: RegistryFrames, at: dt.date, units: Mapping[str, str]
) -> pl.DataFrame:
    """Each person eligible for at least one scheme they are not enrolled in, once
    (``person_id``, ``province``, ``district``): the persons of the person schemes' gap
    lists, and every member born by ``at`` of a household in a household scheme's list
    (a household enrolment covers every member; the household's place). The one count
    behind the briefs' and the dashboard's headline "eligible, not enrolled"."""
    wanted = listed.filter(pl.col("gap") == NOT_ENROLLED)
    household_schemes = [code for code, unit in units.items() if unit == "household"]
    persons = wanted.filter(~pl.col("scheme").is_in(household_schemes)).select(
        "person_id", "province", "district"
    )
    households = (
        wanted.filter(pl.col("scheme").is_in(household_schemes))
        .select("household_id", "province", "district")
        .unique("household_id")
    )
    members = (
        frames.persons.filter((pl.col("birth_date") <= at).fill_null(False))
        .select("person_id", "household_id")
        .join(households, on="household_id")
        .select("person_id", "province", "district")
    )
    return pl.concat([persons, members]).unique("person_id").sort("person_id")


def left_out_counts(left_out: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """The persons of :func:`left_out_persons` per ``by`` (``count``; one row when
    ``by`` is empty, 0 for nobody)."""
    if not by:
        return pl.DataFrame({"count": [left_out.height]}, schema={"count": pl.Int64})
    return (
        left_out.group_by(*by)
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .sort(*by, nulls_last=False)
    )
