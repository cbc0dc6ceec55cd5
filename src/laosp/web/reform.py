"""The dashboard's reform page: change one parameter of the pack from a date and see who
gains and who loses, by district and scheme (``/rules/diff`` and its JSON twin)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse

from laosp.access.permissions import Action, allows, area_of
from laosp.access.roles import Principal
from laosp.api.aggregates import reference_date
from laosp.api.deps import MaybePrincipal, PrincipalDep, StateDep
from laosp.api.params import ReferenceDate
from laosp.api.routers.rules_diff import reform_view
from laosp.api.state import AppState
from laosp.registry.errors import ValidationFailed
from laosp.registry.schemas import PlainText
from laosp.web.pages import NAMED_ROWS_SHOWN
from laosp.web.views import BlankOrDistrict, page_principal, render

router = APIRouter(include_in_schema=False)
ParameterQuery = Annotated[str | None, Query(max_length=120), PlainText]
ValueQuery = Annotated[str | None, Query(max_length=2000), PlainText]


def parameters(state: AppState, at: dt.date) -> list[dict[str, Any]]:
    """The pack's parameters for the form's picker: name, description, unit, value now."""
    found = []
    for name, parameter in sorted(state.pack.parameters.items()):
        value = parameter.value_at(at)
        found.append(
            {
                "name": name,
                "description": parameter.description,
                "unit": parameter.unit,
                "value": None if value is None else value.value,
            }
        )
    return found


def page_data(
    state: AppState,
    principal: Principal,
    parameter: str | None,
    value: str | None,
    start: dt.date | None,
    at: dt.date | None,
    district: str | None,
) -> dict[str, Any]:
    """The form, and the diff once a parameter and a value are given; the named rows for
    a district inside the area of a role that may see names."""
    first = reference_date(start)
    when = at or first
    data: dict[str, Any] = {
        "parameters": parameters(state, when),
        "parameter": parameter,
        "value": value,
        "from": first.isoformat(),
        "date": when.isoformat(),
        "district": district,
        "diff": None,
    }
    if parameter and value is not None and value.strip():
        named = (
            district is not None
            and allows(principal, Action.read_persons)
            and area_of(principal).contains(district)
        )
        data["diff"] = reform_view(
            state,
            principal,
            {parameter: value},
            first,
            when,
            district,
            named_rows=named,
            limit=NAMED_ROWS_SHOWN,
        )
    return data


@router.get("/rules/diff.json")
def reform_json(
    state: StateDep,
    principal: PrincipalDep,
    parameter: ParameterQuery = None,
    value: ValueQuery = None,
    start: Annotated[ReferenceDate, Query(alias="from")] = None,
    date: ReferenceDate = None,
    district: BlankOrDistrict = None,
) -> Any:
    return page_data(state, principal, parameter, value, start, date, district or None)


@router.get("/rules/diff", response_class=HTMLResponse)
def reform_page(
    request: Request,
    state: StateDep,
    principal: MaybePrincipal,
    parameter: ParameterQuery = None,
    value: ValueQuery = None,
    start: Annotated[ReferenceDate, Query(alias="from")] = None,
    date: ReferenceDate = None,
    district: BlankOrDistrict = None,
) -> HTMLResponse:
    who = page_principal(principal)
    try:
        data = page_data(state, who, parameter, value, start, date, district or None)
    except ValidationFailed as error:
        data = page_data(state, who, None, None, start, date, district or None)
        data.update(parameter=parameter, value=value, errors=[e.as_dict() for e in error.errors])
        return render(request, "rules_diff.html", data, who, status.HTTP_422_UNPROCESSABLE_CONTENT)
    return render(request, "rules_diff.html", data, who)
