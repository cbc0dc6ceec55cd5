"""Invariants of the indicators on random registries (Hypothesis)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from laosp.indicators.breakdowns import BREAKDOWNS
from laosp.indicators.engine import compute_indicators
from laosp.reference import codes
from laosp.rules.pack import load_pack
from tests.indicators.registry_builder import AT, RegistryBuilder

PACK = load_pack()
SCHEMES = list(PACK.schemes)
DAYS = st.dates(dt.date(2023, 1, 1), dt.date(2026, 1, 1))


@st.composite
def registries(draw: st.DrawFn) -> RegistryBuilder:
    r = RegistryBuilder()
    households = draw(st.integers(1, 4))
    for h in range(households):
        r.household(
            f"H{h}",
            draw(st.sampled_from(["0101", "1703", "1306"])),
            poor=draw(st.booleans()),
            urban=draw(st.booleans()),
        )
    people = draw(st.integers(1, 12))
    for p in range(people):
        status = draw(st.sampled_from(codes.EMPLOYMENT_STATUSES))
        r.person(
            f"P{p}",
            f"H{draw(st.integers(0, households - 1))}",
            draw(st.sampled_from(codes.SEXES)),
            draw(st.dates(dt.date(1940, 1, 1), dt.date(2025, 12, 31))),
            disability=draw(st.sampled_from(codes.DISABILITIES)),
            employment_status=status,
            formal=draw(st.booleans()),
            sector=draw(st.sampled_from(codes.SECTORS)) if status == "employed" else None,
            mother_id=f"P{draw(st.integers(0, people - 1))}" if draw(st.booleans()) else None,
            employer_type=draw(st.sampled_from([None, *codes.EMPLOYER_TYPES])),
        )
    for _ in range(draw(st.integers(0, 15))):
        scheme = draw(st.sampled_from(SCHEMES))
        start = draw(DAYS)
        unit = (
            {"household": f"H{draw(st.integers(0, households - 1))}"}
            if scheme == "cct"
            else {"person": f"P{draw(st.integers(0, people - 1))}"}
        )
        enrolment = r.enrol(
            scheme,
            status=draw(st.sampled_from(codes.ENROLMENT_STATUSES)),
            start=start,
            end=draw(st.none() | st.dates(start, dt.date(2026, 6, 1))),
            **unit,
        )
        for _ in range(draw(st.integers(0, 2))):
            r.contribution(enrolment, draw(DAYS), amount=draw(st.sampled_from([0, 100])))
        for _ in range(draw(st.integers(0, 2))):
            r.payment(
                enrolment,
                draw(st.sampled_from(codes.SP_FUNCTIONS)),
                draw(DAYS),
                status=draw(st.sampled_from(["paid", "scheduled", "failed"])),
            )
    return r


def _compute(r: RegistryBuilder, by: tuple[str, ...] = ()) -> pl.DataFrame:
    return compute_indicators(r.frames(), AT, by, pack=PACK)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries(), st.sampled_from(sorted(BREAKDOWNS)))
def test_cells_add_up_to_the_national_total(r: RegistryBuilder, field: str) -> None:
    national = _compute(r)
    cells = _compute(r, (field,))
    assert (cells["numerator"] <= cells["denominator"]).all()
    ratios = cells["ratio"].drop_nulls()
    assert ((ratios >= 0) & (ratios <= 1)).all()
    assert (cells.filter(pl.col("denominator") == 0)["ratio"].null_count()) == (
        cells.filter(pl.col("denominator") == 0).height
    )
    summed = (
        cells.group_by("indicator")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
        .sort("indicator")
    )
    assert summed.equals(national.select("indicator", "numerator", "denominator").sort("indicator"))
