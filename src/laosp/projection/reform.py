"""A reform carried through the financing projection: the default scenario projected to
2030 under the base pack and under the reform pack, and the schemes whose cost changes,
year by year. The projection reads a scheme's amount, dates and areas from the pack
(``laosp.projection.pack_link``); a parameter it does not read (an age limit) leaves the
projection as it is."""

from __future__ import annotations

from typing import Any

from laosp.projection.engine import run_projection
from laosp.projection.loading import load_scenario
from laosp.rules.pack import Pack

#: The scenario a reform is carried through, and the NSPS horizon it is carried to.
REFORM_SCENARIO = "lao_default"
REFORM_END_YEAR = 2030


def cost_change(
    base: Pack,
    reform: Pack,
    scenario: str = REFORM_SCENARIO,
    end_year: int = REFORM_END_YEAR,
) -> list[dict[str, Any]]:
    """One row per scheme and year whose projected cost differs between the packs:
    ``year``, ``scheme``, its names, ``cost_before``, ``cost_after``, ``change`` (kip).
    A scenario that does not load raises ``ScenarioError``."""
    before, after = (
        run_projection(load_scenario(scenario, pack), end_year=end_year) for pack in (base, reform)
    )
    rows = []
    for code, projected in after.schemes.items():
        old = before.schemes.get(code)
        for index, year in enumerate(after.years):
            was = int(old.cost[index]) if old is not None else 0
            now = int(projected.cost[index])
            if was != now:
                rows.append(
                    {
                        "year": int(year),
                        "scheme": code,
                        "scheme_name_en": projected.name,
                        "scheme_name_lo": projected.name_lo,
                        "cost_before": was,
                        "cost_after": now,
                        "change": now - was,
                    }
                )
    return rows
