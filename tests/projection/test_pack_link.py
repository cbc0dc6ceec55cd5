"""Scenario schemes read their facts from the policy pack passed in: a change in a copy
of the bundled pack reaches the projection's cost, beneficiaries, start and labels; an
override is explicit and visible; a restated value is refused."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import fastexcel
import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from laosp.projection.cli import register
from laosp.projection.engine import run_projection
from laosp.projection.loading import ScenarioError, load_scenario
from laosp.projection.workbook import assumption_rows
from laosp.reports.projection import projection_brief
from laosp.reports.render import projection_report
from laosp.rules.pack import BUNDLED, Pack, load_pack

WriteScenario = Callable[[str, str], Path]

#: Base year only, on a hand-made base population: age-0 children in provinces 13
#: (Savannakhet) and 17 (Attapeu), where the MECG pilot districts are, and 01.
SMALL = """
extends: {parent}
scenario: {{name: small, base_year: 2025, end_year: {end}}}
demography:
  base:
    kind: table
    table_source: hand-made
    table:
      - {{province: "13", sex: F, age: 0, count: 1000}}
      - {{province: "13", sex: M, age: 0, count: 1000}}
      - {{province: "17", sex: F, age: 0, count: 500}}
      - {{province: "01", sex: F, age: 0, count: 4000}}
schemes:
  mecg:
    eligibility: {{age: [0, 0], share: 0.5, source: test}}
    take_up: {{value: 0.8, source: test}}
    admin_rate: {{value: 0.1, source: test}}
{extra}"""


def small(
    write: WriteScenario, parent: str = "lao_default.yaml", end: int = 2025, extra: str = ""
) -> Path:
    return write("small.yaml", SMALL.format(parent=parent, end=end, extra=extra))


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(BUNDLED, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), "utf-8")


def test_the_bundled_amount_costs_the_mecg(write_scenario: WriteScenario, pack: Pack) -> None:
    mecg = run_projection(load_scenario(small(write_scenario), pack)).schemes["mecg"]
    # eligible: (1,000 + 1,000 + 500) age-0 children in provinces 13 and 17 × 0.5 = 1,250
    assert mecg.eligible[0] == 1250
    assert mecg.beneficiaries[0] == 1000  # × take-up 0.8
    # 1,000 × 150,000 × 12 × 1.1 = 1,980,000,000
    assert mecg.cost.tolist() == [1_980_000_000]


def test_a_new_amount_in_the_pack_reaches_the_cost(
    write_scenario: WriteScenario, pack_copy: Path
) -> None:
    edit(pack_copy / "parameters" / "mecg.yaml", "value: 150000", "value: 200000")
    mecg = run_projection(load_scenario(small(write_scenario), load_pack(pack_copy)))
    # 1,000 beneficiaries × 200,000 × 12 × 1.1
    assert mecg.schemes["mecg"].cost.tolist() == [2_640_000_000]


def test_a_dated_change_of_amount_counts_by_month(
    write_scenario: WriteScenario, pack_copy: Path
) -> None:
    edit(
        pack_copy / "parameters" / "mecg.yaml",
        'reference: "UNICEF Lao PDR press release, 2021"}',
        'reference: "UNICEF Lao PDR press release, 2021"}\n'
        "    - {date: 2025-07-01, value: 210000, status: illustrative, reference: test}",
    )
    result = run_projection(load_scenario(small(write_scenario, end=2027), load_pack(pack_copy)))
    # 2025: six months at 150,000 and six at 210,000 = 2,160,000 a year; then 2,520,000
    assert result.schemes["mecg"].annual_benefit.tolist() == [2_160_000, 2_520_000, 2_520_000]


def test_the_start_in_the_pack_switches_the_scheme_on(
    write_scenario: WriteScenario, pack: Pack, pack_copy: Path
) -> None:
    scenario = small(write_scenario, "social_pension_65.yaml", end=2029)
    bundled = run_projection(load_scenario(scenario, pack)).schemes["social_pension"]
    # the bundled pack starts the pension on 2026-01-01; take-up 0.5 until 2027, 0.9 in 2030
    assert bundled.take_up.tolist() == pytest.approx([0, 0.5, 0.5, 0.5 + 0.4 / 3, 0.5 + 0.8 / 3])
    edit(
        pack_copy / "schemes.yaml",
        "    amount: social_pension.benefit_monthly\n",
        "    amount: social_pension.benefit_monthly\n    start: 2028-03-01\n",
    )
    later = run_projection(load_scenario(scenario, load_pack(pack_copy)))
    take_up = later.schemes["social_pension"].take_up
    assert take_up.tolist() == pytest.approx([0, 0, 0, 0.5 + 0.4 / 3, 0.5 + 0.8 / 3])


def test_names_come_from_the_pack(write_scenario: WriteScenario, pack_copy: Path) -> None:
    edit(pack_copy / "schemes.yaml", "name_lo: ເງິນອຸດໜູນແມ່ ແລະ ເດັກອ່ອນ", "name_lo: ຊື່ໃໝ່ ທົດສອບ")
    scenario = small(write_scenario)
    result = run_projection(load_scenario(scenario, load_pack(pack_copy)))
    assert result.schemes["mecg"].name_lo == "ຊື່ໃໝ່ ທົດສອບ"
    assert result.schemes["mecg"].name == "Mother and Early Childhood Grant"
    app = typer.Typer()
    register(app)
    output = CliRunner().invoke(app, ["project", "-s", str(scenario), "--pack", str(pack_copy)])
    assert output.exit_code == 0, output.output
    assert "ຊື່ໃໝ່ ທົດສອບ" in output.output


def test_the_child_grant_areas_follow_the_pack_districts(
    write_scenario: WriteScenario, pack: Pack, pack_copy: Path
) -> None:
    scenario = small(write_scenario, "child_grant_u3.yaml")
    grant = run_projection(load_scenario(scenario, pack)).schemes["child_grant"]
    # bundled districts lie in provinces 02, 07, 13, 14, 15, 17: (2,000 + 500) × share 0.2
    assert grant.eligible[0] == pytest.approx(500)
    edit(
        pack_copy / "parameters" / "proposed.yaml",
        '["0203", "0204", "0703", "1306", "1315", "1402", "1403", "1502", "1503", "1703", "1705"]',
        '["0101", "0102"]',
    )
    moved = run_projection(load_scenario(scenario, load_pack(pack_copy))).schemes["child_grant"]
    # now Vientiane Capital only: 4,000 × 0.2
    assert moved.eligible[0] == pytest.approx(800)


def test_an_override_is_explicit_and_shown(write_scenario: WriteScenario, pack: Pack) -> None:
    extra = (
        "    benefit: {amount: 200000, override: true, indexation: none,"
        ' source: "ministry proposal 2025"}\n'
    )
    result = run_projection(load_scenario(small(write_scenario, extra=extra), pack))
    assert result.schemes["mecg"].cost.tolist() == [2_640_000_000]
    rows = {key: (value, source) for key, value, source in assumption_rows(result)}
    value, source = rows["schemes.mecg.benefit.amount"]
    assert value == "200,000"
    assert source.startswith(
        "override of pack value 150,000 from 2021-06-18 (mecg.benefit_monthly)"
    )
    assert source.endswith("ministry proposal 2025")
    # a value from the pack says so
    assert rows["schemes.cct.benefit.amount"][1].startswith("policy pack: cct.benefit_monthly")
    assert rows["schemes.mecg.eligibility.provinces"][0] == "13; 17"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ("    benefit: {amount: 150000, source: copied}\n", "schemes.mecg.benefit.amount"),
        ("    start_year: 2021\n", "schemes.mecg.start_year"),
        ('    name_lo: "ອື່ນ"\n', "schemes.mecg.name_lo"),
        ("    benefit: {override: true, source: x}\n", "schemes.mecg.benefit.override"),
    ],
)
def test_a_restated_pack_value_is_refused(
    write_scenario: WriteScenario, pack: Pack, extra: str, field: str
) -> None:
    with pytest.raises(ScenarioError, match=rf"small\.yaml: field {field}: ") as error:
        load_scenario(small(write_scenario, extra=extra), pack)
    assert "override: true" in str(error.value) or "from the pack" in str(error.value)


def test_an_area_override_needs_the_flag(write_scenario: WriteScenario, pack: Pack) -> None:
    text = SMALL.format(parent="lao_default.yaml", end=2025, extra="")
    text = text.replace("share: 0.5,", 'share: 0.5, provinces: ["01"],')
    with pytest.raises(ScenarioError, match=r"eligibility\.provinces: the policy pack holds"):
        load_scenario(write_scenario("small.yaml", text), pack)
    flagged = text.replace(
        'provinces: ["01"],',
        'provinces: {value: ["01"], override: true, source: "pilot moved"},',
    )
    mecg = run_projection(load_scenario(write_scenario("small.yaml", flagged), pack))
    assert mecg.schemes["mecg"].eligible[0] == 2000  # 4,000 in province 01 × 0.5
    assert np.all(mecg.schemes["mecg"].cost > 0)


def test_the_financing_brief_shows_an_override(
    write_scenario: WriteScenario, pack: Pack, tmp_path: Path
) -> None:
    extra = (
        "    benefit: {amount: 200000, override: true, indexation: none,"
        ' source: "ministry proposal 2025"}\n'
    )
    result = run_projection(load_scenario(small(write_scenario, extra=extra), pack))
    data = projection_report(projection_brief([result]), "en", "xlsx")
    path = tmp_path / "brief.xlsx"
    path.write_bytes(data)
    about = fastexcel.read_excel(str(path)).load_sheet(0).to_polars()
    cells = [" ".join(str(v) for v in row) for row in about.iter_rows()]
    override = [c for c in cells if "schemes.mecg.benefit.amount" in c]
    assert len(override) == 1
    assert "override of pack value 150,000 from 2021-06-18 (mecg.benefit_monthly)" in override[0]
    assert "ministry proposal 2025" in override[0]
