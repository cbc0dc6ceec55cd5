"""The RAP worked example (ILO DWT Bangkok) reproduced exactly, in aggregate mode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from laosp.projection.costing import rap_cost
from laosp.projection.engine import run_projection
from laosp.projection.loading import load_scenario
from tests.projection.conftest import PACK

WriteScenario = Callable[[str, str], Path]
THAI_CHILD_GRANT = """
extends: lao_default.yaml
scenario: {name: rap_example, base_year: 2025, end_year: 2027}
schemes:
  thai_child_grant:
    name: "Child grant, Thailand (RAP worked example)"
    kind: cash
    eligibility: {eligible: 2393000, source: "ILO RAP worked example"}
    take_up: {value: 0.60, source: "ILO RAP worked example"}
    benefit: {amount: 4800, per: year, indexation: none, source: "ILO RAP worked example"}
    admin_rate: {value: 0.05, source: "ILO RAP worked example"}
    financing: {external_share: 0.0, source: illustrative}
"""


def test_rap_cost_is_exact() -> None:
    assert rap_cost(2_393_000, 0.60, 4_800, 0.05) == 7_236_432_000


def test_aggregate_scheme_reproduces_the_worked_example(write_scenario: WriteScenario) -> None:
    scenario = load_scenario(write_scenario("rap.yaml", THAI_CHILD_GRANT), PACK)
    result = run_projection(scenario).schemes["thai_child_grant"]
    assert result.cost.tolist() == [7_236_432_000] * 3
    assert result.beneficiaries[0] == 1_435_800


def test_a_monthly_amount_pays_twelve_times_a_year(write_scenario: WriteScenario) -> None:
    monthly = THAI_CHILD_GRANT.replace("amount: 4800, per: year", "amount: 400, per: month")
    scenario = load_scenario(write_scenario("rap_monthly.yaml", monthly), PACK)
    assert run_projection(scenario).schemes["thai_child_grant"].cost[0] == 7_236_432_000
