"""The figures of the coverage brief, for the whole country or one province.

One run of the indicator engine over the cells district × sex × age group × formal job
gives every table of the brief: the cells add up to any coarser breakdown (the engine's
property tests check it), so the province, district, sex, age and formal tables are sums
of the same cells. The gap lists (with the rules engine's eligibility) give the counts
of who is left behind; the brief keeps counts only, never names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine

from laosp.indicators.definitions import INDICATOR_IDS
from laosp.indicators.engine import compute_indicators
from laosp.indicators.frames import RegistryFrames
from laosp.indicators.gaps import (
    NOT_ENROLLED,
    UNCOVERED,
    evaluate_eligibility,
    gap_counts,
    gap_list,
    left_out_counts,
    left_out_persons,
    scheme_units,
)
from laosp.reference.admin_units import districts, provinces
from laosp.rules.pack import Pack, Scheme

#: The finest cells the brief needs; every table is a sum over them.
CELLS = ("district", "sex", "age_group", "formal")
#: The indicators of the place table and chart, in order.
PLACE_INDICATORS = (
    "sdg131.at_least_one",
    "health.covered",
    "sdg131.children",
    "sdg131.older",
)
#: The indicators shown by sex, age group and formal job.
GROUP_INDICATORS = ("sdg131.at_least_one", "health.covered", "sdg131.employment_injury")


@dataclass(frozen=True)
class CoverageBrief:
    """Coverage at ``at`` in ``province`` (``None``: the whole country).

    Every frame has ``indicator``, its keys, ``numerator``, ``denominator`` and ``ratio``
    (null when the denominator is 0), except the gap counts (``gap``, ``scheme``,
    ``unit``, ``count``: rows of the gap list, persons, or households for a scheme that
    enrols households) and the persons left out (``left_out``, ``left_out_by_place``:
    each person once, however many schemes they are eligible for and not enrolled in; a
    member of an eligible household not enrolled in a household scheme is one of them,
    as a household enrolment covers every member). ``schemes`` is the pack's catalogue:
    the names the brief shows."""

    at: dt.date
    province: str | None
    computed_at: dt.datetime
    registry_persons: int
    headline: pl.DataFrame
    by_place: pl.DataFrame
    by_sex: pl.DataFrame
    by_age_group: pl.DataFrame
    by_formal: pl.DataFrame
    gaps: pl.DataFrame
    gaps_by_place: pl.DataFrame
    schemes: Mapping[str, Scheme]
    left_out: int
    left_out_by_place: pl.DataFrame

    def scheme_name(self, code: str, lang: str) -> str:
        """The scheme's name in ``lang``, as the policy pack writes it."""
        scheme = self.schemes.get(code)
        return scheme.label(lang) if scheme is not None else code

    @property
    def place_field(self) -> str:
        """``province`` for the national brief, ``district`` for a province's."""
        return "district" if self.province is not None else "province"

    def value(self, frame: pl.DataFrame, indicator: str, **keys: object) -> dict[str, object]:
        """The row of ``indicator`` (and ``keys``) in ``frame``, as a dict."""
        condition = pl.col("indicator") == indicator
        for name, wanted in keys.items():
            condition &= pl.col(name) == wanted
        rows = frame.filter(condition).to_dicts()
        if len(rows) != 1:
            raise KeyError(f"{indicator} {keys}: {len(rows)} rows")
        return rows[0]


def place_names(field: str) -> dict[str, tuple[str, str]]:
    rows = provinces() if field == "province" else districts()
    return {row.code: (row.name_en, row.name_lo) for row in rows}


def _with_ratio(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.with_columns(
        pl.when(pl.col("denominator") > 0)
        .then(pl.col("numerator") / pl.col("denominator"))
        .otherwise(None)
        .alias("ratio")
    )


def _order() -> pl.Expr:
    order = {indicator: number for number, indicator in enumerate(INDICATOR_IDS)}
    return pl.col("indicator").replace_strict(order, return_dtype=pl.Int32)


def summed(
    cells: pl.DataFrame, keys: Sequence[str], indicators: Sequence[str] = ()
) -> pl.DataFrame:
    """The cells summed to ``keys`` (every indicator, or ``indicators``)."""
    frame = cells.lazy()
    if indicators:
        frame = frame.filter(pl.col("indicator").is_in(indicators))
    grouped = frame.group_by("indicator", *keys).agg(
        pl.col("numerator").sum().cast(pl.Int64), pl.col("denominator").sum().cast(pl.Int64)
    )
    return _with_ratio(grouped).sort(_order(), *keys, nulls_last=True).collect()


def _headline(cells: pl.DataFrame) -> pl.DataFrame:
    """Every indicator, 0 / 0 where the area has no one."""
    every = pl.LazyFrame({"indicator": list(INDICATOR_IDS)})
    totals = summed(cells, ()).lazy().drop("ratio")
    joined = every.join(totals, on="indicator", how="left", maintain_order="left").with_columns(
        pl.col("numerator", "denominator").fill_null(0)
    )
    return _with_ratio(joined).collect()


def coverage_brief(
    frames: RegistryFrames, at: dt.date, province: str | None = None, *, pack: Pack
) -> CoverageBrief:
    """The brief's figures from registry frames (the gap lists need the name columns)."""
    cells = compute_indicators(frames, at, CELLS, pack=pack).with_columns(
        pl.col("district").str.slice(0, 2).alias("province")
    )
    eligibility = evaluate_eligibility(pack, frames, at)
    listed = gap_list(frames, at, eligibility, pack=pack)
    if province is not None:
        cells = cells.filter(pl.col("province") == province)
        listed = listed.filter(pl.col("province") == province)
    place_field = "district" if province is not None else "province"
    units = scheme_units(pack)
    left_out = left_out_persons(listed, frames, at, units)
    return CoverageBrief(
        at=at,
        province=province,
        computed_at=dt.datetime.now(dt.UTC),
        registry_persons=frames.persons.height,
        headline=_headline(cells),
        by_place=summed(cells.filter(pl.col(place_field).is_not_null()), (place_field,)),
        by_sex=summed(cells, ("sex",), GROUP_INDICATORS),
        by_age_group=summed(cells, ("age_group",), GROUP_INDICATORS),
        by_formal=summed(cells, ("formal",), GROUP_INDICATORS),
        gaps=gap_counts(listed, units=units),
        gaps_by_place=gap_counts(listed, (place_field,), units),
        schemes=dict(pack.schemes),
        left_out=left_out.height,
        left_out_by_place=left_out_counts(left_out, (place_field,)),
    )


def load_coverage_brief(
    engine: Engine, pack: Pack, at: dt.date, province: str | None = None
) -> CoverageBrief:
    """Read the registry snapshot (one columnar read per table) and build the brief."""
    from laosp.indicators.frames import from_snapshot
    from laosp.registry.snapshot import TABLES, load_snapshot

    frames = from_snapshot(
        load_snapshot(engine, TABLES, include=("given_name", "family_name"), at=at)
    )
    return coverage_brief(frames, at, province, pack=pack)


def gap_total(brief: CoverageBrief, gap: str = NOT_ENROLLED) -> int:
    """Persons of the gap of kind ``gap`` in the brief's area, each once: the uncovered
    (one row each), or the persons eligible for a scheme they are not enrolled in."""
    if gap == NOT_ENROLLED:
        return brief.left_out
    return int(brief.gaps.filter(pl.col("gap") == gap)["count"].sum())


__all__ = ["NOT_ENROLLED", "UNCOVERED", "CoverageBrief", "coverage_brief", "load_coverage_brief"]
