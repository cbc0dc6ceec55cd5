"""A reform on the live registry (``laosp.rules.diff``): the summary by district and
scheme for every role; the named rows only inside the caller's area, for the roles that
may see named persons (the same rule as the gap lists)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, HTTPException, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from laosp.access.permissions import Action, allows, area_of
from laosp.access.roles import Area, Principal
from laosp.api.aggregates import reference_date
from laosp.api.deps import PrincipalDep, StateDep
from laosp.api.errors import documented
from laosp.api.params import known_district
from laosp.api.routers.registry import OUTSIDE
from laosp.api.state import AppState
from laosp.indicators.export import records
from laosp.projection.loading import ScenarioError
from laosp.projection.reform import cost_change
from laosp.reference.admin_units import district_codes
from laosp.reference.dates import in_reference_range
from laosp.registry.errors import FieldError, ValidationFailed
from laosp.registry.schemas import IsoDate
from laosp.registry.snapshot import Snapshot, load_snapshot
from laosp.rules import diff as reform_diff
from laosp.rules.errors import InputError, PackError
from laosp.rules.pack import Pack

router = APIRouter(prefix="/api/rules", tags=["rules"], responses=documented(401, 422))
#: Named rows returned at most (``limit``).
MAX_ROWS = 10_000
ParameterName = Annotated[str, StringConstraints(min_length=1, max_length=120)]
OverrideValue = (
    int
    | float
    | bool
    | Annotated[str, StringConstraints(max_length=2000)]
    | list[Any]
    | dict[str, Any]
)


class DiffRequest(BaseModel):
    """A reform: parameters of the pack changed from a date on."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    overrides: dict[ParameterName, OverrideValue] = Field(
        min_length=1,
        max_length=reform_diff.MAX_OVERRIDES,
        description='parameter name → new value (e.g. {"mecg.benefit_monthly": 200000})',
    )
    start: Annotated[IsoDate, AfterValidator(in_reference_range)] | None = Field(
        None, alias="from", description="the reform's first day (default today)"
    )
    date: Annotated[IsoDate, AfterValidator(in_reference_range)] | None = Field(
        None, description="evaluation date (default: the reform's first day)"
    )
    district: (
        Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$"), AfterValidator(known_district)]
        | None
    ) = Field(None, description="only this district (code PPDD)")
    list: bool = Field(False, description="also the named rows, inside your area")
    limit: int = Field(1000, ge=1, le=MAX_ROWS, description="named rows at most")


def registry_frames(state: AppState) -> Snapshot:
    """Persons and households of the registry, kept like the coverage (the dashboard's
    refresh drops them)."""
    return state.analytics.cached(
        ("rules-diff-registry",),
        lambda: load_snapshot(state.engine, tables=("persons", "households")),
    )


def reform_of(pack: Pack, overrides: dict[str, Any], start: dt.date) -> Pack:
    """``pack`` with ``overrides``; a 422 naming the parameter when one does not fit."""
    try:
        return reform_diff.with_reform(pack, overrides, start)
    except PackError as error:
        field = f"overrides.{error.name}" if error.name else "overrides"
        value = overrides.get(error.name) if error.name else None
        raise ValidationFailed([FieldError(field, value, error.reason)]) from None


def projection_change(base: Pack, reform: Pack) -> list[dict[str, Any]]:
    """The reform carried through the default scenario to 2030 (``cost_change``); a
    scenario the reform breaks is a 422."""
    try:
        return cost_change(base, reform)
    except ScenarioError as error:
        raise ValidationFailed([FieldError("overrides", None, str(error))]) from None


def area_districts(area: Area) -> list[str]:
    return sorted(code for code in district_codes() if area.contains(code))


def reform_view(
    state: AppState,
    principal: Principal,
    overrides: dict[str, Any],
    start: dt.date,
    at: dt.date,
    district: str | None,
    *,
    named_rows: bool,
    limit: int,
) -> dict[str, Any]:
    """The diff as plain data (the API's answer and the dashboard page's); named rows
    only when asked for, allowed (a 403 otherwise) and inside the caller's area."""
    if at < start:
        raise ValidationFailed(
            [FieldError("date", at.isoformat(), "before the reform starts: nothing changes")]
        )
    area = area_of(principal)
    if named_rows:
        if not allows(principal, Action.read_persons):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "aggregates only for this role")
        if district is not None and not area.contains(district):
            raise HTTPException(status.HTTP_403_FORBIDDEN, OUTSIDE)
    base = state.pack
    reform = reform_of(base, overrides, start)
    frames = registry_frames(state)
    try:
        result = reform_diff.compare(base, reform, frames.persons, frames.households, at, start)
    except (PackError, InputError) as error:
        raise ValidationFailed([FieldError("overrides", None, str(error))]) from None
    if district is not None:
        result = reform_diff.in_district(result, district)
    view: dict[str, Any] = {
        "date": result.at.isoformat(),
        "from": result.from_date.isoformat(),
        "months_this_year": result.months_this_year,
        "district": district,
        "overrides": overrides,
        "summary": records(reform_diff.named(result.summary, base, reform)),
        "totals": records(reform_diff.named(result.totals, base, reform)),
        "may_see_names": not area.nowhere,
        "projection": projection_change(base, reform),
    }
    if named_rows:
        view.update(_named_rows(state, result.changes, area, base, reform, limit))
    return view


def _named_rows(
    state: AppState,
    changes: pl.DataFrame,
    area: Area,
    base: Pack,
    reform: Pack,
    limit: int,
) -> dict[str, Any]:
    inside = changes.filter(pl.col("district_code").is_in(area_districts(area))).sort(
        "district_code", "scheme", "household_id", "person_id", nulls_last=True
    )
    shown = inside.head(limit)
    people = load_snapshot(
        state.engine,
        tables=("persons", "households"),
        household_ids=shown["household_id"].unique().to_list() or [""],
        include=("given_name", "family_name"),
        row_keys=False,
    ).persons
    listed = reform_diff.named(reform_diff.with_person_names(shown, people), base, reform)
    return {"rows_total": inside.height, "rows": records(listed)}


@router.post("/diff", responses=documented(400, 403, 413))
def diff(state: StateDep, principal: PrincipalDep, body: DiffRequest) -> dict[str, Any]:
    """Who gains and who loses eligibility or money under a reform, by district and
    scheme, and its cost this year and a full year; ``list``: the named rows inside your
    area (personal data: not for analysts)."""
    start = reference_date(body.start)
    at = body.date or start
    return reform_view(
        state,
        principal,
        dict(body.overrides),
        start,
        at,
        body.district,
        named_rows=body.list,
        limit=body.limit,
    )
