"""Probable duplicate persons, found district by district so that the work grows with
the registry, not with its square.

Candidate pairs come from ``dedup_blocking`` (exact keys with a cap on block size and
sorted-neighbourhood windows, all within a district, plus the same national id across
districts); each is scored by ``dedup_scoring``. ``deduplicate`` works on a frame in
memory, ``deduplicate_registry`` reads the registry a batch of districts at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from laosp.models import Household, Person
from laosp.registry.dedup_blocking import (
    ACROSS_DISTRICTS_RULE,
    DISTRICT_RULES,
    MAX_BLOCK,
    BlockingStats,
    candidate_pairs,
)
from laosp.registry.dedup_scoring import PAIR_SCHEMA, score_pairs

__all__ = [
    "COLUMNS",
    "DEFAULT_THRESHOLD",
    "PAIR_SCHEMA",
    "Deduplication",
    "deduplicate",
    "deduplicate_registry",
    "find_duplicates",
    "load_persons",
]

COLUMNS = (
    "person_id", "household_id", "district_code", "village_code", "given_name",
    "family_name", "name_key", "name_fold", "sex", "birth_date", "national_id", "phone",
    "mother_id",
)  # fmt: skip
DEFAULT_THRESHOLD = 0.85
#: Districts are grouped into batches of about this many persons (a larger district is a
#: batch of its own): big enough to amortise each step, small enough to bound memory.
BATCH_PERSONS = 200_000
_PERSONS_PER_HOUSEHOLD = 5


@dataclass
class Deduplication:
    """The pairs found, best first, and what the blocking did to find them."""

    pairs: pl.DataFrame
    stats: BlockingStats = field(default_factory=BlockingStats)


def _person_query() -> Select[tuple[object, ...]]:
    return select(
        *(getattr(Person, c) for c in COLUMNS if c not in ("district_code", "village_code")),
        Household.district_code,
        Household.village_code,
    ).join(Household, Household.household_id == Person.household_id)


def _read(session: Session, *conditions: ColumnElement[bool]) -> pl.DataFrame:
    schema = {c: (pl.Date if c == "birth_date" else pl.String) for c in COLUMNS}
    # read in the session (it may hold uncommitted rows), column-wise into the frame
    return pl.read_database(
        _person_query().where(*conditions), connection=session, schema_overrides=schema
    ).select(pl.col(c).cast(dtype) for c, dtype in schema.items())


def load_persons(session: Session, district_code: str | None = None) -> pl.DataFrame:
    """The columns deduplication needs, for a district or the whole registry."""
    if district_code is None:
        return _read(session)
    return _read(session, Household.district_code == district_code)


def load_districts(session: Session, district_codes: Sequence[str]) -> pl.DataFrame:
    """The columns deduplication needs, for the persons of ``district_codes``."""
    return _read(session, Household.district_code.in_(district_codes))


def load_shared_national_ids(session: Session) -> pl.DataFrame:
    """The persons whose national id is also held by someone in another district."""
    shared = (
        select(Person.national_id)
        .join(Household, Household.household_id == Person.household_id)
        .where(Person.national_id.is_not(None))
        .group_by(Person.national_id)
        .having(func.count(Household.district_code.distinct()) > 1)
    )
    return _read(session, Person.national_id.in_(shared))


def _batches(sizes: pl.DataFrame, batch_persons: int) -> pl.DataFrame:
    """``sizes`` (``district_code``, ``persons``) with ``batch``: consecutive districts
    grouped to about ``batch_persons`` persons each (one loop step per district)."""
    batch_of: list[int] = []
    batch, total = -1, batch_persons
    sizes = sizes.sort("district_code", nulls_last=True)
    for persons in sizes["persons"]:
        if total + persons > batch_persons:
            batch, total = batch + 1, 0
        batch_of.append(batch)
        total += persons
    return sizes.with_columns(batch=pl.Series(batch_of, dtype=pl.Int64))


def _within(
    persons: pl.DataFrame, threshold: float, cap: int
) -> tuple[pl.DataFrame, BlockingStats]:
    """Pairs within the districts of ``persons`` (whole districts: the name frequencies
    are counted over them)."""
    candidates, stats = candidate_pairs(persons, DISTRICT_RULES, cap)
    return score_pairs(persons, candidates, threshold, rare_names=True), stats


def _across(
    persons: pl.DataFrame, threshold: float, cap: int
) -> tuple[pl.DataFrame, BlockingStats]:
    """Pairs with the same national id in different districts (``_within`` has the
    others). ``persons`` is not whole districts, so no name counts as rare."""
    candidates, stats = candidate_pairs(persons, (ACROSS_DISTRICTS_RULE,), cap)
    district = persons["district_code"]
    candidates = candidates.filter(
        (district.gather(candidates["a"]) != district.gather(candidates["b"])).fill_null(True)
    )
    stats.candidates = candidates.height
    return score_pairs(persons, candidates, threshold), stats


def _collect(parts: Iterator[tuple[pl.DataFrame, BlockingStats]]) -> Deduplication:
    stats = BlockingStats()
    frames = [pl.DataFrame(schema=PAIR_SCHEMA)]
    for pairs, part_stats in parts:
        frames.append(pairs)
        stats.add(part_stats)
    pairs = pl.concat(frames).sort(
        ["score", "person_id", "duplicate_id"], descending=[True, False, False]
    )
    return Deduplication(pairs, stats)


def deduplicate(
    persons: pl.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    cap: int = MAX_BLOCK,
    batch_persons: int = BATCH_PERSONS,
) -> Deduplication:
    """Pairs of ``persons`` (columns ``COLUMNS``) scoring at least ``threshold``, with
    the blocking's figures; batches of districts are processed one after another."""
    if persons.height < 2:
        return Deduplication(pl.DataFrame(schema=PAIR_SCHEMA))
    sizes = persons.group_by("district_code").agg(persons=pl.len())
    batch_of = _batches(sizes, batch_persons).select("district_code", "batch")
    rows = (
        persons.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"), "district_code")
        .join(batch_of, on="district_code", nulls_equal=True)
        .group_by("batch")
        .agg("row")
        .sort("batch")
    )

    def parts() -> Iterator[tuple[pl.DataFrame, BlockingStats]]:
        for batch_rows in rows["row"]:
            yield _within(persons[batch_rows], threshold, cap)
        with_id = persons.filter(pl.col("national_id").is_not_null())
        shared = with_id.filter(pl.col("district_code").n_unique().over("national_id") > 1)
        yield _across(shared, threshold, cap)

    return _collect(parts())


def deduplicate_registry(
    session: Session,
    threshold: float = DEFAULT_THRESHOLD,
    district_code: str | None = None,
    cap: int = MAX_BLOCK,
    batch_persons: int = BATCH_PERSONS,
) -> Deduplication:
    """``deduplicate`` over the registry (or one district), reading one batch of
    districts at a time, then the persons whose national id is in several districts."""
    counts = select(Household.district_code, func.count()).group_by(Household.district_code)
    if district_code is not None:
        counts = counts.where(Household.district_code == district_code)
    sizes = pl.DataFrame(
        [
            (code, households * _PERSONS_PER_HOUSEHOLD)
            for code, households in session.execute(counts)
        ],
        schema={"district_code": pl.String, "persons": pl.Int64},
        orient="row",
    )

    def parts() -> Iterator[tuple[pl.DataFrame, BlockingStats]]:
        batches = _batches(sizes, batch_persons).group_by("batch").agg("district_code")
        for codes in batches.sort("batch")["district_code"]:
            yield _within(load_districts(session, codes.to_list()), threshold, cap)
        if district_code is None:
            yield _across(load_shared_national_ids(session), threshold, cap)

    return _collect(parts())


def find_duplicates(persons: pl.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pl.DataFrame:
    """Pairs of ``persons`` (columns ``COLUMNS``) scoring at least ``threshold`` in
    [0, 1], best first, with the reasons in words."""
    return deduplicate(persons, threshold).pairs
