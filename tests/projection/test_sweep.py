from __future__ import annotations

import numpy as np
import pytest

from laosp.projection.engine import run_projection
from laosp.projection.loading import ScenarioError, load_raw, load_scenario, resolve
from laosp.projection.sweep import KEY_OUTPUTS, grid, parse_axis, run_sweep
from tests.projection.conftest import PACK


def test_axes_and_grid() -> None:
    assert parse_axis("a.b=0:1:3").values == (0.0, 0.5, 1.0)
    assert parse_axis("a.b=1,2").values == (1.0, 2.0)
    assert len(grid([parse_axis("a=0:1:4"), parse_axis("b=1,2,3")])) == 12
    with pytest.raises(ScenarioError):
        parse_axis("nonsense")


def test_sweep_in_two_processes_brackets_each_variant() -> None:
    raw = load_raw(resolve("child_grant_u3"))
    variants = grid([parse_axis("schemes.child_grant.take_up=0.2,0.9")])
    result = run_sweep(raw, variants, PACK, end_year=2030, workers=2)
    assert result.outputs.shape == (2, len(KEY_OUTPUTS), 6)
    spread = result.spread().filter(output="spending_lak")
    for value, row in zip((0.2, 0.9), result.outputs[:, 0, :], strict=True):
        scenario = load_scenario("child_grant_u3", PACK, {"schemes.child_grant.take_up": value})
        assert np.array_equal(run_projection(scenario, end_year=2030).spending, row)
    assert (spread["min"] <= spread["median"]).all()
    assert (spread["median"] <= spread["max"]).all()
    assert spread["min"][-1] < spread["max"][-1]


def test_a_bad_key_fails_before_the_pool_starts() -> None:
    with pytest.raises(ScenarioError, match="no such field"):
        run_sweep(load_raw(resolve("lao_default")), [{"macro.nope": 1.0}], PACK, workers=2)
