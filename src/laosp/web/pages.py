"""What each dashboard page shows, as plain data: the template renders it and the page's
JSON twin returns it unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from laosp.access.permissions import Action, reach
from laosp.access.roles import Principal
from laosp.api.aggregates import (
    HEADLINE,
    OVERVIEW,
    gap_counts,
    indicator_rows,
    left_behind,
    named_gap_list,
    projection_view,
    shown_to,
    with_scheme_names,
)
from laosp.api.analytics import Coverage, shipped_scenarios
from laosp.api.state import AppState
from laosp.indicators.definitions import LABELS
from laosp.indicators.export import records
from laosp.projection.loading import shipped_scenario_infos
from laosp.reference.admin_units import districts, provinces

NAMED_ROWS_SHOWN = 200


def _headline() -> list[dict[str, str]]:
    return [{"id": key, "label_en": LABELS[key][0], "label_lo": LABELS[key][1]} for key in HEADLINE]


def _places(rows: list[dict[str, Any]], key: str, names: dict[str, tuple[str, str]]) -> list[Any]:
    """One entry per place: its names and ``{indicator: numerator, denominator, ratio}``."""
    places: dict[str, dict[str, Any]] = {}
    for row in rows:
        code = row[key]
        if code is None:
            continue
        name_en, name_lo = names.get(code, (code, code))
        place = places.setdefault(
            code, {"code": code, "name_en": name_en, "name_lo": name_lo, "indicators": {}}
        )
        place["indicators"][row["indicator"]] = {
            "numerator": row["numerator"],
            "denominator": row["denominator"],
            "ratio": row["ratio"],
        }
    return sorted(places.values(), key=lambda place: place["code"])


def province_names() -> dict[str, tuple[str, str]]:
    return {row.code: (row.name_en, row.name_lo) for row in provinces()}


def district_names() -> dict[str, tuple[str, str]]:
    return {row.code: (row.name_en, row.name_lo) for row in districts()}


def _stamp(coverage: Coverage) -> dict[str, Any]:
    return {"date": coverage.at.isoformat(), "computed_at": coverage.computed_at.isoformat()}


def overview(state: AppState, at: dt.date, principal: Principal) -> dict[str, Any]:
    coverage = state.analytics.coverage(at)
    cells = state.settings.small_cell_threshold
    return {
        **_stamp(coverage),
        "headline": _headline(),
        "small_cell_threshold": cells,
        "national": shown_to(principal, indicator_rows(coverage.national, OVERVIEW), cells),
        "places": _places(
            shown_to(principal, indicator_rows(coverage.by_province, HEADLINE), cells),
            "province",
            province_names(),
        ),
        "left_behind": shown_to(principal, left_behind(coverage), cells),
    }


def province(
    state: AppState, at: dt.date, code: str, principal: Principal
) -> dict[str, Any] | None:
    names = province_names()
    if code not in names:
        return None
    coverage = state.analytics.coverage(at)
    cells = state.settings.small_cell_threshold
    in_province = coverage.by_district.filter(
        coverage.by_district["district"].str.slice(0, 2) == code
    )
    national = [
        row for row in indicator_rows(coverage.by_province, OVERVIEW) if row["province"] == code
    ]
    places = shown_to(principal, indicator_rows(in_province, HEADLINE), cells)
    return {
        **_stamp(coverage),
        "province": {"code": code, "name_en": names[code][0], "name_lo": names[code][1]},
        "headline": _headline(),
        "small_cell_threshold": cells,
        "national": shown_to(principal, national, cells),
        "places": _places(places, "district", district_names()),
        "left_behind": shown_to(principal, left_behind(coverage, code), cells),
    }


def gaps(
    state: AppState,
    principal: Principal,
    at: dt.date,
    district: str | None,
    scheme: str | None,
) -> dict[str, Any]:
    """Counts for every role; the named list, as the API's, only for a district where
    the principal may list named persons (``export_named``)."""
    coverage = state.analytics.coverage(at)
    area = reach(principal, Action.export_named)
    names = district_names()
    cells = state.settings.small_cell_threshold
    counts = shown_to(principal, gap_counts(coverage), cells)
    for row in counts:
        row["district_name_en"], row["district_name_lo"] = names.get(row["district"], ("", ""))
    named: dict[str, Any] | None = None
    if district is not None and area.contains(district):
        listed = named_gap_list(coverage, area, district, scheme)
        named = {
            "total": listed.height,
            "rows": records(with_scheme_names(listed.head(NAMED_ROWS_SHOWN), coverage)),
        }
    return {
        **_stamp(coverage),
        "district": district,
        "scheme": scheme,
        "may_see_names": not area.nowhere,
        "small_cell_threshold": cells,
        "counts": counts,
        "named": named,
    }


def projection(state: AppState, policy: str) -> dict[str, Any]:
    """The default scenario and the chosen one, each with its title in both languages,
    and the shipped scenarios to choose from."""
    view = projection_view(state.analytics.projections(policy))
    infos = shipped_scenario_infos()

    def titled(name: str) -> dict[str, str]:
        english, lao = infos[name].titles if name in infos else (name, name)
        return {"name": name, "title_en": english, "title_lo": lao}

    for key in ("default", "policy"):
        view[key] |= titled(view[key]["name"])
    return {
        **view,
        "policy_key": policy,
        "scenarios": [titled(name) for name in shipped_scenarios()],
    }
