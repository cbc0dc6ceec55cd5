"""Costing invariants: linearity in take-up, ratios in bounds, the NHI closing transfer."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from laosp.projection.costing import rap_cost, split
from laosp.projection.engine import run_projection
from laosp.projection.loading import apply_overrides, linked_raw, resolve, validate
from laosp.projection.result import SOURCES
from tests.projection.conftest import PACK


@given(
    eligible=st.integers(0, 10_000_000),
    take_up=st.decimals("0", "1", places=4),
    factor=st.integers(1, 50),
    benefit=st.integers(0, 10_000_000),
    admin=st.decimals("0", "0.3", places=3),
)
def test_rap_cost_is_linear_in_take_up(
    eligible: int, take_up: Decimal, factor: int, benefit: int, admin: Decimal
) -> None:
    one = rap_cost(eligible, float(take_up), benefit, float(admin))
    scaled_take_up = float(take_up / factor)
    assert abs(factor * rap_cost(eligible, scaled_take_up, benefit, float(admin)) - one) <= factor


_RAW = linked_raw(resolve("child_grant_u3"), PACK)


@settings(max_examples=25, deadline=None)
@given(take_up=st.floats(0.01, 0.5), factor=st.floats(1.0, 2.0))
def test_scheme_cost_scales_with_take_up(take_up: float, factor: float) -> None:
    def cost(value: float) -> np.ndarray:
        raw = apply_overrides(_RAW, {"schemes.child_grant.take_up": value})
        result = run_projection(validate(raw, "test"))
        return result.schemes["child_grant"].cost.astype(np.float64)

    base, scaled = cost(take_up), cost(take_up * factor)
    assert np.allclose(scaled, factor * base, rtol=1e-9, atol=2 * factor)


def test_ratios_stay_within_bounds() -> None:
    for name in ("lao_default", "child_grant_u3", "extend_voluntary_ss", "social_pension_65"):
        raw = linked_raw(resolve(name), PACK)
        result = run_projection(validate(raw, name))
        summary = result.summary()
        assert summary["spending_pct_gdp"].is_between(0, 100).all()
        assert summary["spending_pct_government"].is_between(0, 100).all()
        assert (summary["spending_pct_gdp"] < summary["spending_pct_government"]).all()
        for scheme in result.schemes.values():
            assert np.all((scheme.take_up >= 0) & (scheme.take_up <= 1))
            assert np.all(scheme.beneficiaries <= scheme.eligible + 1e-9)
            assert np.all(scheme.cost >= 0)
            parts = [scheme.financing[s] for s in SOURCES]
            assert np.array_equal(sum(parts), scheme.cost)
            assert all(np.all(p >= 0) for p in parts)
        population = result.population.population.sum(axis=(1, 2, 3))
        for scheme in result.schemes.values():
            if scheme.kind != "contributory":
                assert np.all(scheme.eligible <= population)


def test_base_year_spending_is_about_one_point_six_percent_of_gdp() -> None:
    summary = run_projection(
        validate(linked_raw(resolve("lao_default"), PACK), "default")
    ).summary()
    assert 1.5 <= summary["spending_pct_gdp"][0] <= 1.7


def test_the_closing_transfer_brings_the_nhi_balance_to_zero_or_above() -> None:
    for transfer in (0, 480_000_000_000, 5_000_000_000_000):
        raw = apply_overrides(
            linked_raw(resolve("lao_default"), PACK),
            {"schemes.nhi.health.government_transfer": transfer},
        )
        fund = run_projection(validate(raw, "test")).fund
        assert fund is not None
        assert np.all(fund.closing_transfer >= 0)
        assert np.all(fund.balance_after_transfer >= 0)
        assert np.all(fund.revenue + fund.closing_transfer >= fund.expenditure)
        assert np.all((fund.closing_transfer == 0) | (fund.balance_after_transfer == 0))


def test_split_conserves_every_kip() -> None:
    amounts = np.array([0, 1, 7, 1_000_001, 9_999_999_999], dtype=np.int64)
    part, rest = split(amounts, np.array([0.5, 0.5, 0.333, 0.1, 0.999]))
    assert np.array_equal(part + rest, amounts)
