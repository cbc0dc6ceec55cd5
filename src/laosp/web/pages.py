"""What each dashboard page shows, as plain data: the template renders it and the page's
JSON twin returns it unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from laosp.access.permissions import Action, reach
from laosp.access.roles import Principal
from laosp.api.aggregates import (
    HEADLINE,
    OVERVIEW,
    indicator_rows,
    left_behind,
    left_out,
    named_gap_list,
    projection_view,
    shown_to,
    with_scheme_names,
)
from laosp.api.analytics import Coverage, shipped_scenarios
from laosp.api.routers.gaps import UNCOVERED
from laosp.api.state import AppState
from laosp.indicators.definitions import LABELS
from laosp.indicators.export import records
from laosp.indicators.gaps import gap_counts, gap_schemes
from laosp.presentation.i18n import LANGS, Formatter
from laosp.projection.loading import shipped_scenario_infos
from laosp.reference.admin_units import districts, provinces
from laosp.registry.errors import FieldError, ValidationFailed
from laosp.rules.pack import Pack
from laosp.web.charts import map_colour, map_legend

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


def known_indicator(indicator: str | None) -> str:
    """The map's indicator: one of the headline indicators (the first by default); a
    422 in the API's shape otherwise."""
    if indicator is None or indicator == "":
        return HEADLINE[0]
    if indicator not in HEADLINE:
        reason = f"must be one of {', '.join(HEADLINE)} / ຕ້ອງເປັນໜຶ່ງໃນຕົວຊີ້ວັດຫຼັກ"
        raise ValidationFailed([FieldError("indicator", indicator, reason)])
    return indicator


def province_map(places: list[dict[str, Any]], indicator: str) -> dict[str, Any]:
    """The tile map's data: each province's ratio of ``indicator`` (``None`` when
    unknown or suppressed) and its colour (``charts.map_colour``), and the legend."""
    by_code = {place["code"]: place for place in places}
    tiles = []
    for row in provinces():
        place = by_code.get(row.code)
        cell = (place or {"indicators": {}})["indicators"].get(indicator) or {}
        ratio = cell.get("ratio")
        tiles.append(
            {
                "code": row.code,
                "name_en": row.name_en,
                "name_lo": row.name_lo,
                "ratio": ratio,
                "colour": map_colour(ratio),
            }
        )
    return {"indicator": indicator, "tiles": tiles, "legend": map_legend()}


def overview(
    state: AppState, at: dt.date, principal: Principal, indicator: str | None = None
) -> dict[str, Any]:
    coverage = state.analytics.coverage(at)
    cells = state.settings.small_cell_threshold
    places = _places(
        shown_to(principal, indicator_rows(coverage.by_province, HEADLINE), cells),
        "province",
        province_names(),
    )
    return {
        **_stamp(coverage),
        "headline": _headline(),
        "small_cell_threshold": cells,
        "national": shown_to(principal, indicator_rows(coverage.national, OVERVIEW), cells),
        "places": places,
        "map": province_map(places, known_indicator(indicator)),
        "left_behind": shown_to(principal, left_behind(coverage), cells),
        "left_out": shown_to(principal, [left_out(coverage)], cells)[0],
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
        "left_out": shown_to(principal, [left_out(coverage, code)], cells)[0],
    }


def _named_place(code: str | None, names: dict[str, tuple[str, str]]) -> dict[str, str] | None:
    return (
        None
        if code is None
        else {"code": code, "name_en": names[code][0], "name_lo": names[code][1]}
    )


def pickers(
    pack: Pack, province: str | None, district: str | None, scheme: str | None
) -> dict[str, Any]:
    """The choices of the place and scheme pickers, by name in both languages: every
    province, the districts of the chosen province (all when none is chosen), the
    schemes with a gap list and ``uncovered``; and what is chosen."""
    chosen_province = district[:2] if district is not None else province
    words = {lang: Formatter(lang) for lang in LANGS}
    return {
        "province": chosen_province,
        "district": district,
        "scheme": scheme,
        "provinces": [
            {"code": row.code, "name_en": row.name_en, "name_lo": row.name_lo}
            for row in provinces()
        ],
        "districts": [
            {
                "code": row.code,
                "province": row.province_code,
                "name_en": row.name_en,
                "name_lo": row.name_lo,
            }
            for row in districts()
            if chosen_province is None or row.province_code == chosen_province
        ],
        "schemes": [
            {
                "code": UNCOVERED,
                "name_en": words["en"]("nav.no_scheme"),
                "name_lo": words["lo"]("nav.no_scheme"),
            },
            *(
                {"code": code, "name_en": pack.schemes[code].label("en"),
                 "name_lo": pack.schemes[code].label("lo")}
                for code in gap_schemes(pack)
            ),
        ],
    }  # fmt: skip


def _gap_columns(pack: Pack, scheme: str | None) -> list[dict[str, Any]]:
    """The columns of the gaps table: ``uncovered``, then each scheme's eligible not
    enrolled (only the chosen one when a scheme is chosen)."""
    words = {lang: Formatter(lang) for lang in LANGS}
    columns: list[dict[str, Any]] = [
        {"id": UNCOVERED, "gap": UNCOVERED, "scheme": None,
         "label_en": words["en"](UNCOVERED), "label_lo": words["lo"](UNCOVERED)},
        *(
            {"id": code, "gap": "eligible_not_enrolled", "scheme": code,
             "label_en": pack.schemes[code].label("en"),
             "label_lo": pack.schemes[code].label("lo")}
            for code in gap_schemes(pack)
        ),
    ]  # fmt: skip
    return [column for column in columns if scheme is None or column["id"] == scheme]


def gap_table(
    coverage: Coverage,
    pack: Pack,
    principal: Principal,
    threshold: int,
    province: str | None,
    district: str | None,
    scheme: str | None,
) -> dict[str, Any]:
    """The counts of the chosen area, one row per place a level down: nationally by
    province, in a province by district, in a district its own row; a column per gap
    (``_gap_columns``); small cells suppressed as ``shown_to`` does."""
    listed = coverage.gaps
    if district is not None:
        key, places = "district", [(district, *district_names()[district])]
        listed = listed.filter(pl.col("district") == district)
    elif province is not None:
        key = "district"
        places = [
            (r.code, r.name_en, r.name_lo) for r in districts() if r.province_code == province
        ]
        listed = listed.filter(pl.col("district").str.slice(0, 2) == province)
    else:
        key, places = "province", [(r.code, r.name_en, r.name_lo) for r in provinces()]
    by_place = listed.with_columns(pl.col("district").str.slice(0, 2).alias("province"))
    long = gap_counts(by_place, by=[key]).to_dicts()
    found = {(row["scheme"] or UNCOVERED, row[key]): row["count"] for row in long}
    columns = _gap_columns(pack, scheme)
    rows = []
    for code, name_en, name_lo in places:
        cells = [{"count": found.get((column["id"], code), 0)} for column in columns]
        rows.append(
            {
                "code": code,
                "name_en": name_en,
                "name_lo": name_lo,
                "cells": shown_to(principal, cells, threshold),
            }
        )
    return {"by": key, "columns": columns, "rows": rows}


def gaps(
    state: AppState,
    principal: Principal,
    at: dt.date,
    province: str | None,
    district: str | None,
    scheme: str | None,
    limit: int = NAMED_ROWS_SHOWN,
    offset: int = 0,
) -> dict[str, Any]:
    """The counts of the chosen area for every role (``gap_table``); under a district
    where the principal may list named persons (``export_named``), as the API, the named
    list instead, ``limit`` rows after ``offset``."""
    coverage = state.analytics.coverage(at)
    area = reach(principal, Action.export_named)
    cells = state.settings.small_cell_threshold
    if district is not None:
        province = district[:2]
    named: dict[str, Any] | None = None
    if district is not None and area.contains(district):
        listed = named_gap_list(coverage, area, district, scheme)
        page = with_scheme_names(listed.slice(offset, limit), coverage)
        named = {
            "items": records(page),
            "total": listed.height,
            "limit": limit,
            "offset": offset,
        }
    level = "district" if district else "province" if province else "national"
    return {
        **_stamp(coverage),
        "level": level,
        "area": _named_place(district, district_names())
        or _named_place(province, province_names()),
        "province_area": _named_place(province, province_names()),
        "province": province,
        "district": district,
        "scheme": scheme,
        "pickers": pickers(state.pack, province, district, scheme),
        "may_see_names": not area.nowhere,
        "small_cell_threshold": cells,
        "table": gap_table(coverage, state.pack, principal, cells, province, district, scheme),
        "left_behind": shown_to(principal, left_behind(coverage, province, district), cells),
        "left_out": shown_to(principal, [left_out(coverage, province, district)], cells)[0],
        "units": dict(coverage.units),
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
