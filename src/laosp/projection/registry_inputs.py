"""What the registry tells the projection at a date: the base population (persons by
province × sex × single age), each scheme's eligible and enrolled units (the pack's
rules evaluated on the whole registry; active enrolments), the base-year take-up, and
the per-province coverage gap against the 2030 promise of the NSPS.

Whole frames throughout: one rules evaluation for every scheme, joins and group-bys.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from laosp.indicators.frames import active_on
from laosp.projection.base_population import BaseTable, registry_base
from laosp.projection.eligibility import eligible_by_province
from laosp.projection.labour import group_shares
from laosp.projection.paths import along
from laosp.projection.result import ProjectionResult
from laosp.projection.scenario import Fact
from laosp.reference.admin_units import provinces
from laosp.registry.snapshot import Snapshot
from laosp.rules.engine import evaluate
from laosp.rules.fields import PERSON
from laosp.rules.pack import Pack, Scheme

Raw = dict[str, Any]
#: NSPS (Decree 224/PM, 2020): every Lao citizen has access to social protection by 2030.
PROMISE_YEAR = 2030
IN_OPERATION = ("active", "pilot")


def in_operation(pack: Pack, at: dt.date) -> list[Scheme]:
    """The schemes enrolling people at ``at``: active or pilot, in force, with an
    eligibility output."""
    return [
        s
        for s in pack.schemes.values()
        if s.status in IN_OPERATION and s.in_force(at) and s.eligibility is not None
    ]


def scheme_units(
    snapshot: Snapshot, pack: Pack, at: dt.date, schemes: Sequence[Scheme]
) -> pl.DataFrame:
    """One row per scheme and unit (person or household, the scheme's unit): scheme,
    province_code, eligible, enrolled (an active enrolment at ``at``) and amount (the
    pack's monthly amount for the unit at ``at``, 0 for a scheme without one)."""
    schema = {
        "scheme": pl.String,
        "province_code": pl.String,
        "eligible": pl.Boolean,
        "enrolled": pl.Boolean,
        "amount": pl.Int64,
    }
    if not schemes:
        return pl.DataFrame(schema=schema)
    outputs = sorted(
        {s.eligibility.output for s in schemes if s.eligibility is not None}
        | {s.amount for s in schemes if s.amount is not None}
    )
    evaluation = evaluate(pack, snapshot.persons, snapshot.households, at, outputs)
    homes = snapshot.households.select("household_id", "province_code")
    persons = evaluation.persons.join(
        snapshot.persons.select("person_id", "household_id"), on="person_id"
    ).join(homes, on="household_id", how="left")
    households = evaluation.households.join(homes, on="household_id", how="left")
    enrolments = snapshot.enrolments
    if enrolments is None:
        raise ValueError("the snapshot was read without its enrolments")
    active = enrolments.filter(active_on(at))
    parts = []
    for scheme in schemes:  # a handful of schemes; each a whole-frame step
        assert scheme.eligibility is not None
        person = scheme.unit == PERSON
        frame, key = (persons, "person_id") if person else (households, "household_id")
        members = (
            active.filter(pl.col("scheme") == scheme.code)
            .select(pl.col(key).drop_nulls().unique())
            .with_columns(enrolled=pl.lit(True))
        )
        amount = pl.col(scheme.amount) if scheme.amount is not None else pl.lit(0)
        parts.append(
            frame.join(members, on=key, how="left").select(
                scheme=pl.lit(scheme.code),
                province_code=pl.col("province_code").cast(pl.String),
                eligible=scheme.eligibility.expr(),
                enrolled=pl.col("enrolled").fill_null(False),
                amount=amount.cast(pl.Int64).fill_null(0),
            )
        )
    return pl.concat(parts).filter(pl.col("eligible") | pl.col("enrolled")).cast(schema)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TakeUp:
    scheme: str
    eligible: int
    enrolled: int

    @property
    def share(self) -> float:
        return min(1.0, self.enrolled / self.eligible)


@dataclass(frozen=True)
class RegistryInputs:
    at: dt.date
    base: BaseTable
    persons: int
    take_up: dict[str, TakeUp]


def registry_inputs(snapshot: Snapshot, pack: Pack, at: dt.date) -> RegistryInputs:
    """The base population and the take-up of every scheme in operation at ``at``."""
    persons = snapshot.persons.join(
        snapshot.households.select("household_id", "district_code"), on="household_id"
    ).select(
        "birth_date",
        pl.col("sex").cast(pl.String),
        pl.col("district_code").cast(pl.String),
    )
    base = registry_base(persons, at)
    counts = (
        scheme_units(snapshot, pack, at, in_operation(pack, at))
        .group_by("scheme")
        .agg(eligible=pl.col("eligible").sum(), enrolled=pl.col("enrolled").sum())
    )
    take_up = {
        row["scheme"]: TakeUp(row["scheme"], int(row["eligible"]), int(row["enrolled"]))
        for row in counts.iter_rows(named=True)
        if row["eligible"] > 0
    }
    return RegistryInputs(at, base, int(base.counts.sum()), take_up)


def with_registry(raw: Raw, inputs: RegistryInputs) -> Raw:
    """``raw`` (linked to the pack) with the registry's base population and, for each of
    its schemes in operation, the registry's take-up in the base year (the scenario's
    path after it); each recorded in the provenance."""
    result = copy.deepcopy(raw)
    info = result["scenario"]
    base_year = int(info["base_year"])
    at = inputs.at.isoformat()
    as_base = "" if inputs.at.year == base_year else f" (as the base year {base_year})"
    result["demography"]["base"] = {"kind": "registry"}
    facts = result.setdefault("provenance", {"pack": "", "digest": "", "facts": []})["facts"]
    facts.append(
        Fact(
            key="demography.base",
            value=f"{inputs.persons:,} persons by province, sex and age",
            origin="registry",
            source=f"registry at {at}{as_base} / ທະບຽນ",
        ).model_dump()
    )
    for code, node in result["schemes"].items():
        counts = inputs.take_up.get(code)
        if counts is None or not node.get("enabled", True):
            continue
        contributory = node.get("kind") == "contributory" and "contributions" in node
        block = node["contributions"] if contributory else node
        field = "contributions.take_up" if block is not node else "take_up"
        path = block["take_up"]["value"]
        later = (
            {y: v for y, v in path.items() if int(y) > base_year}
            if isinstance(path, dict)
            else {base_year + 1: path}
        )
        block["take_up"] = {
            "value": {base_year: counts.share, **later},
            "source": f"registry at {at}{as_base}; later years: {block['take_up']['source']}",
        }
        facts.append(
            Fact(
                key=f"schemes.{code}.{field}",
                value=f"{counts.share:.4f} in {base_year}",
                origin="registry",
                parameter=code,
                source=(
                    f"registry at {at}{as_base}: {counts.enrolled:,} active enrolments ÷ "
                    f"{counts.eligible:,} eligible by the pack's rules"
                    + (" (capped at 1)" if counts.enrolled > counts.eligible else "")
                ),
            ).model_dump()
        )
    return result


def growth_to(result: ProjectionResult, code: str, year: int, last: int) -> np.ndarray | None:
    """Per province of ``result`` (one value on a national projection): the factor by
    which a scheme's yearly cost of a fixed share of its eligible grows from ``year`` to
    ``last`` (eligible persons × the annual benefit's indexation); None when the scenario
    does not cost the scheme or the years fall outside the projection."""
    years = [int(y) for y in result.years]
    scheme = result.scenario.schemes.get(code)
    costed = result.schemes.get(code)
    if scheme is None or costed is None or year not in years or last not in years:
        return None
    first, end = years.index(year), years.index(last)
    span = range(years[0], years[-1] + 1)
    if scheme.eligibility.aggregate:
        assert scheme.eligibility.eligible is not None
        eligible = along(scheme.eligibility.eligible, span)[:, None]
    else:
        eligible = eligible_by_province(
            scheme.eligibility,
            span,
            result.population.population,
            result.province_codes,
            group_shares(result.scenario.labour),
        )
    benefit = costed.annual_benefit
    index = benefit[end] / benefit[first] if benefit[first] else 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(eligible[first] > 0, eligible[end] / eligible[first], 1.0)
    return np.asarray(ratio * index, dtype=np.float64)


def tracker(
    snapshot: Snapshot,
    pack: Pack,
    at: dt.date,
    result: ProjectionResult | None,
    lang: str = "en",
) -> pl.DataFrame:
    """For each province and scheme in operation at ``at`` (with someone eligible or
    enrolled there): eligible, enrolled (every active enrolment), the gap (eligible
    units without an active enrolment), coverage (the eligible share enrolled: 1 − gap ÷
    eligible), the annual cost at the
    pack's amounts of enrolling the gap (benefits, without administration), and that
    cost in 2030 grown with the projection ``result`` (eligible persons in the province
    and the benefit's indexation)."""
    schemes = in_operation(pack, at)
    units = scheme_units(snapshot, pack, at, schemes)
    order = {s.code: i for i, s in enumerate(schemes)}
    gap = pl.col("eligible") & ~pl.col("enrolled")
    counts = units.group_by("scheme", "province_code").agg(
        eligible=pl.col("eligible").sum().cast(pl.Int64),
        enrolled=pl.col("enrolled").sum().cast(pl.Int64),
        gap=gap.sum().cast(pl.Int64),
        annual_cost_lak=(pl.col("amount").filter(gap).sum() * 12).cast(pl.Int64),
    )
    rows = provinces()
    grid = pl.DataFrame(
        {
            "province_code": [p.code for p in rows],
            "province_en": [p.name_en for p in rows],
            "province_lo": [p.name_lo for p in rows],
        }
    ).join(
        pl.DataFrame(
            {
                "scheme": [s.code for s in schemes],
                "scheme_en": [s.label("en") for s in schemes],
                "scheme_lo": [s.label("lo") for s in schemes],
                "has_amount": [s.amount is not None for s in schemes],
            },
            schema={
                "scheme": pl.String,
                "scheme_en": pl.String,
                "scheme_lo": pl.String,
                "has_amount": pl.Boolean,
            },
        ),
        how="cross",
    )
    frame = (
        grid.join(counts, on=["scheme", "province_code"], how="inner")
        .filter((pl.col("eligible") > 0) | (pl.col("enrolled") > 0))
        .sort("province_code", pl.col("scheme").replace_strict(order, default=len(order)))
    )
    growth = _growth_column(frame, result, schemes, at.year)
    return frame.with_columns(
        coverage=pl.when(pl.col("eligible") > 0).then(
            1 - pl.col("gap").cast(pl.Float64) / pl.col("eligible")
        ),
        annual_cost_lak=pl.when(pl.col("has_amount")).then(pl.col("annual_cost_lak")),
        cost_2030_lak=pl.when(pl.col("has_amount")).then(
            (pl.col("annual_cost_lak") * growth).round(0).cast(pl.Int64)
        ),
    ).select(
        "province_code",
        "province_en",
        "province_lo",
        "scheme",
        "scheme_en",
        "scheme_lo",
        "eligible",
        "enrolled",
        "gap",
        "coverage",
        "annual_cost_lak",
        "cost_2030_lak",
    )


def _growth_column(
    frame: pl.DataFrame, result: ProjectionResult | None, schemes: Sequence[Scheme], year: int
) -> pl.Series:
    """The growth factor to 2030 of each row's scheme and province (null when unknown)."""
    factors: list[float | None] = [None] * frame.height
    if result is not None:
        by_scheme = {s.code: growth_to(result, s.code, year, PROMISE_YEAR) for s in schemes}
        index = {code: i for i, code in enumerate(result.province_codes)}
        for i, (code, province) in enumerate(
            zip(frame["scheme"], frame["province_code"], strict=True)
        ):  # provinces × schemes: a few hundred rows, not persons
            growth = by_scheme.get(code)
            if growth is not None:
                factors[i] = float(growth[index.get(province, 0)] if growth.size > 1 else growth[0])
    return pl.Series("growth", factors, dtype=pl.Float64)
