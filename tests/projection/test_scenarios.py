"""Scenario files: inheritance, overrides, validation errors that name file and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from laosp.projection.engine import run_projection
from laosp.projection.loading import ScenarioError, deep_merge, load_raw, load_scenario, resolve
from tests.projection.conftest import PACK

WriteScenario = Callable[[str, str], Path]
SHIPPED = ("lao_default", "child_grant_u3", "extend_voluntary_ss", "social_pension_65")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_load_and_run(name: str) -> None:
    result = run_projection(load_scenario(name, PACK))
    assert result.years[0] == 2025
    assert result.years[-1] == 2040


def _sources(node: object, where: str = "") -> list[str]:
    """Paths of mappings holding numbers without a source in themselves or above."""
    missing: list[str] = []
    if isinstance(node, dict):
        if "source" in node:
            return []
        dates = {"base_year", "end_year", "start_year"}
        numbers = [
            k
            for k, v in node.items()
            if isinstance(v, int | float) and not isinstance(v, bool) and k not in dates
        ]
        if numbers:
            missing.append(where)
        for key, value in node.items():
            missing += _sources(value, f"{where}.{key}".lstrip("."))
    elif isinstance(node, list):
        return []
    return missing


def test_every_default_assumption_has_a_source() -> None:
    raw = load_raw(resolve("lao_default"))
    assert _sources(raw) == []
    sources = _walk_sources(raw)
    assert sources
    assert all(s.strip() for s in sources)


def _walk_sources(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [str(node["source"])] if "source" in node else []
        return found + [s for v in node.values() for s in _walk_sources(v)]
    return []


def test_deep_merge_overrides_leaves_and_keeps_siblings() -> None:
    parent = {"a": {"b": 1, "c": [1, 2]}, "d": 3}
    assert deep_merge(parent, {"a": {"b": 2, "c": [9]}}) == {"a": {"b": 2, "c": [9]}, "d": 3}
    assert parent["a"] == {"b": 1, "c": [1, 2]}


def test_overriding_the_child_grant_amount_reaches_only_the_child_grant(
    write_scenario: WriteScenario,
) -> None:
    child = write_scenario(
        "richer_grant.yaml",
        "extends: child_grant_u3.yaml\nschemes:\n  child_grant:\n"
        "    benefit: {amount: 200000, override: true, source: richer}\n",
    )
    parent = run_projection(load_scenario("child_grant_u3", PACK))
    variant = run_projection(load_scenario(child, PACK))
    for code, result in parent.schemes.items():
        other = variant.schemes[code]
        if code == "child_grant":
            active = result.take_up > 0
            assert np.all(other.cost[active] > result.cost[active])
            assert np.array_equal(other.beneficiaries, result.beneficiaries)
        else:
            assert np.array_equal(other.cost, result.cost), code
            for source, amounts in result.financing.items():
                assert np.array_equal(other.financing[source], amounts)
    assert parent.fund is not None
    assert variant.fund is not None
    assert np.array_equal(parent.fund.balance, variant.fund.balance)
    assert np.all(variant.spending[1:] > parent.spending[1:])
    assert variant.spending[0] == parent.spending[0]


def test_a_policy_scenario_adds_to_the_default() -> None:
    default = run_projection(load_scenario("lao_default", PACK))
    grant = run_projection(load_scenario("child_grant_u3", PACK))
    extra = grant.spending - default.spending
    assert np.array_equal(extra, grant.schemes["child_grant"].cost)


def test_an_out_of_range_value_names_the_file_and_the_field(
    write_scenario: WriteScenario,
) -> None:
    bad = write_scenario(
        "bad.yaml", "extends: lao_default.yaml\nschemes:\n  mecg:\n    take_up: {value: 1.5}\n"
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(bad, PACK)
    message = str(error.value)
    assert str(bad) in message
    assert "schemes.mecg.take_up.value" in message


def test_a_missing_source_is_an_error(write_scenario: WriteScenario) -> None:
    text = resolve("lao_default").read_text("utf-8").replace("    source: illustrative\n", "", 1)
    text = text.replace("real_wage_growth:\n    value: 0.02\n    source: illustrative", "x")
    path = write_scenario("nosource.yaml", text.replace("x:", "real_wage_growth: {value: 0.02}"))
    with pytest.raises(ScenarioError, match=r"nosource\.yaml: field [\w.]+source"):
        load_scenario(path, PACK)


def test_unknown_fields_and_circular_extends_are_errors(write_scenario: WriteScenario) -> None:
    typo = write_scenario("typo.yaml", "extends: lao_default.yaml\nmacro:\n  gdp_growth: 0.1\n")
    with pytest.raises(ScenarioError, match=r"typo\.yaml: field macro\.gdp_growth"):
        load_scenario(typo, PACK)
    write_scenario("a.yaml", "extends: b.yaml\n")
    loop = write_scenario("b.yaml", "extends: a.yaml\n")
    with pytest.raises(ScenarioError, match="circular"):
        load_scenario(loop, PACK)


def test_overrides_set_assumption_values() -> None:
    faster = load_scenario("lao_default", PACK, {"macro.gdp_real_growth": 0.08})
    assert faster.macro.gdp_real_growth.value == 0.08
    with pytest.raises(ScenarioError, match=r"macro\.nothing"):
        load_scenario("lao_default", PACK, {"macro.nothing": 1})
