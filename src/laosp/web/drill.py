"""The drill-down below a province: ``/district/{code}`` (its indicators and villages,
with their counts) and ``/village/{code}`` (its households, a page at a time, named only
for a role that may read persons there), each with its JSON twin."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import HTMLResponse

from laosp.access.permissions import Action, reach
from laosp.access.roles import Principal
from laosp.api.aggregates import OVERVIEW, indicator_rows, reference_date, shown_to
from laosp.api.deps import MaybePrincipal, PrincipalDep, SessionDep, StateDep
from laosp.api.params import ReferenceDate
from laosp.api.state import AppState
from laosp.registry import service
from laosp.web import pages
from laosp.web.views import DEFAULT_PAGE, PageLimit, PageOffset, page_principal, render

router = APIRouter(include_in_schema=False)
DistrictInPath = Annotated[str, Path(min_length=1, max_length=8)]
VillageInPath = Annotated[str, Path(min_length=1, max_length=16)]
#: The counts of a village, in the order of its table's columns.
VILLAGE_COUNTS = ("households", "persons", "uncovered", "eligible_not_enrolled")


def _place(code: str, names: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {"code": code, "name_en": names[code][0], "name_lo": names[code][1]}


def _counted(principal: Principal, threshold: int, values: dict[str, int]) -> dict[str, Any]:
    """``values`` as ``{name: {"count", "suppressed"}}``, small cells suppressed for a
    role without ``read_small_cells`` (``shown_to``)."""
    cells = shown_to(principal, [{"count": value} for value in values.values()], threshold)
    return dict(zip(values, cells, strict=True))


def _gap_persons(gaps: pl.DataFrame, gap: str) -> dict[str | None, int]:
    """Distinct persons of ``gap`` per village code (a person eligible for two schemes
    counts once)."""
    counted = (
        gaps.filter(pl.col("gap") == gap)
        .group_by("village_code")
        .agg(pl.col("person_id").n_unique().alias("persons"))
    )
    return {row["village_code"]: row["persons"] for row in counted.to_dicts()}


def district_data(
    state: AppState,
    session: SessionDep,
    principal: Principal,
    code: str,
    at: dt.date,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """A district's indicators and a page of its villages (``limit`` after ``offset``)
    with their counts."""
    names = pages.district_names()
    if code not in names:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no district {code}")
    coverage = state.analytics.coverage(at)
    threshold = state.settings.small_cell_threshold
    in_district = coverage.gaps.filter(pl.col("district") == code)
    uncovered = _gap_persons(in_district, "uncovered")
    eligible = _gap_persons(in_district, "eligible_not_enrolled")
    villages = []
    found = service.villages_of(session, code)
    for row in found[offset : offset + limit]:
        village = row["village_code"]
        values = {
            "households": int(row["households"]),
            "persons": int(row["persons"]),
            "uncovered": uncovered.get(village, 0),
            "eligible_not_enrolled": eligible.get(village, 0),
        }
        villages.append(
            {
                "code": village,
                "name": row["village_name"],
                "counts": _counted(principal, threshold, values),
            }
        )
    indicators = [
        row for row in indicator_rows(coverage.by_district, OVERVIEW) if row.get("district") == code
    ]
    return {
        "date": coverage.at.isoformat(),
        "computed_at": coverage.computed_at.isoformat(),
        "district": _place(code, names),
        "province": _place(code[:2], pages.province_names()),
        "small_cell_threshold": threshold,
        "national": shown_to(principal, indicators, threshold),
        "columns": list(VILLAGE_COUNTS),
        "villages": {"items": villages, "total": len(found), "limit": limit, "offset": offset},
    }


@router.get("/district/{code}.json")
def district_json(
    state: StateDep,
    session: SessionDep,
    principal: PrincipalDep,
    code: DistrictInPath,
    date: ReferenceDate = None,
    limit: PageLimit = DEFAULT_PAGE,
    offset: PageOffset = 0,
) -> Any:
    return district_data(state, session, principal, code, reference_date(date), limit, offset)


@router.get("/district/{code}", response_class=HTMLResponse)
def district(
    request: Request,
    state: StateDep,
    session: SessionDep,
    principal: MaybePrincipal,
    code: DistrictInPath,
    date: ReferenceDate = None,
    limit: PageLimit = DEFAULT_PAGE,
    offset: PageOffset = 0,
) -> HTMLResponse:
    who = page_principal(principal)
    data = district_data(state, session, who, code, reference_date(date), limit, offset)
    return render(request, "district.html", data, who)


def village_data(
    state: AppState,
    session: SessionDep,
    principal: Principal,
    code: str,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """A village's households: counts for every role, the page of named households
    (audited) only for a role that may read persons in its district."""
    district_code = code[:4]
    names = pages.district_names()
    missing = HTTPException(status.HTTP_404_NOT_FOUND, f"no village {code}")
    if len(code) != 7 or not code.isdigit() or district_code not in names:
        raise missing
    counts = {row["village_code"]: row for row in service.villages_of(session, district_code)}
    if code not in counts:
        raise missing
    row = counts[code]
    threshold = state.settings.small_cell_threshold
    may_read = reach(principal, Action.read_persons).contains(district_code)
    households: dict[str, Any] | None = None
    if may_read:
        items, total = service.households_of_village(session, code, limit, offset)
        service.record_read(
            session, principal, "village_households", [item["household_id"] for item in items],
            district_code,
        )  # fmt: skip
        households = {"items": items, "total": total, "limit": limit, "offset": offset}
    values = {"households": int(row["households"]), "persons": int(row["persons"])}
    return {
        "village": {"code": code, "name": row["village_name"]},
        "district": _place(district_code, names),
        "province": _place(code[:2], pages.province_names()),
        "small_cell_threshold": threshold,
        "counts": _counted(principal, threshold, values),
        "may_see_households": may_read,
        "households": households,
    }


@router.get("/village/{code}.json")
def village_json(
    state: StateDep,
    session: SessionDep,
    principal: PrincipalDep,
    code: VillageInPath,
    limit: PageLimit = DEFAULT_PAGE,
    offset: PageOffset = 0,
) -> Any:
    return village_data(state, session, principal, code, limit, offset)


@router.get("/village/{code}", response_class=HTMLResponse)
def village(
    request: Request,
    state: StateDep,
    session: SessionDep,
    principal: MaybePrincipal,
    code: VillageInPath,
    limit: PageLimit = DEFAULT_PAGE,
    offset: PageOffset = 0,
) -> HTMLResponse:
    who = page_principal(principal)
    data = village_data(state, session, who, code, limit, offset)
    return render(request, "village.html", data, who)
